"""How drf-spectacular describes the API: the token scheme, and the errors every
operation can answer (``ApiAutoSchema``, ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``)."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from reentry.api.errors import ErrorSerializer, ValidationErrorSerializer

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

DESCRIPTIONS = {
    400: "The request is not valid: each field or query parameter at fault is named with "
    "its messages.",
    401: "No token or session, or the token is not valid (expired, revoked, or its creator "
    "is no longer an admin).",
    403: "You may not do this here (the reason is in detail). A session's writes also need "
    "the CSRF token.",
    404: "No such collaborative for you, no such record you may see (never a 403, so ids "
    "cannot be probed), or no such page of results.",
    429: "Too many requests: wait the number of seconds in Retry-After.",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before the next request is accepted.",
    }
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "reentry.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token created by an organization admin under “API tokens”. Send it as "
                "`Authorization: Token rc_…` (or `Authorization: Bearer rc_…`)."
            ),
        }


def error_response(status: int, description: str = "") -> OpenApiResponse:
    """An error answer in the API's one shape (reentry/api/errors.py)."""
    body = ValidationErrorSerializer if status == 400 else ErrorSerializer
    return OpenApiResponse(response=body, description=description or DESCRIPTIONS.get(status, ""))


PATH_PARAMETERS = {
    "collaborative_slug": (
        {"type": "string"},
        "The collaborative's slug (slug in a collaborative's body).",
    ),
    "slug": ({"type": "string"}, "The collaborative's slug, as in its body (slug)."),
    "public_id": (
        {"type": "string", "format": "uuid"},
        "The record's public_id, as in its body.",
    ),
    "id": (
        {"type": "string", "format": "uuid"},
        "The record's id, as in its body (HSDS calls the public id id).",
    ),
}


def _nullable_model_field(field) -> bool:
    """Whether the model field behind a ModelSerializer's field may be null."""
    meta = getattr(field.parent, "Meta", None)
    model = getattr(meta, "model", None)
    if model is None or "." in field.source or field.source == "*":
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return bool(getattr(model_field, "null", False))


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, with every error an operation can answer documented in
    the API's error shape.

    Derived from what the view does, so a new endpoint is documented without thought:
    401 and 429 everywhere (a bad token, the throttles); 404 where the path names
    something (the collaborative, a record) or a list pages; 400 for lists (filters,
    pagination) and writes; 403 for writes, and for reads of views that refuse some
    people (``forbidden_description`` on the view). What an operation states itself
    with ``extend_schema(responses=...)`` stays; an error it states without a body gets
    the error shape."""

    def _resolve_path_parameters(self, variables):
        """One convention: a path parameter is named after the body field that carries the
        same value, and says so."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            known = PATH_PARAMETERS.get(parameter["name"])
            if known is not None:
                parameter["schema"], parameter["description"] = dict(known[0]), known[1]
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A read-only relation over a nullable foreign key is null when there is none
        (``"service": null``); DRF's field does not say so, the model field does."""
        if (
            isinstance(field, serializers.RelatedField)
            and field.read_only
            and not field.allow_null
            and _nullable_model_field(field)
        ):
            field.allow_null = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def error_statuses(self) -> dict[int, str]:
        statuses = {401: DESCRIPTIONS[401]}
        safe = self.method in SAFE_METHODS
        listing = safe and self._is_list_view()
        if "{" in self.path or (listing and self._get_paginator() is not None):
            statuses[404] = DESCRIPTIONS[404]
        if listing or not safe:
            statuses[400] = DESCRIPTIONS[400]
        forbidden = getattr(self.view, "forbidden_description", "")
        if not safe or forbidden:
            statuses[403] = DESCRIPTIONS[403] if not safe else forbidden
        if self.view.get_throttles():
            statuses[429] = DESCRIPTIONS[429]
        return statuses

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, description in self.error_statuses().items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status, description), str(status), direction=direction
                )
        # An error stated without a body (``OpenApiResponse(description=...)``) has one.
        for code, stated in list(responses.items()):
            if code >= "400" and "content" not in stated:
                responses[code] = self._get_response_for_code(
                    error_response(int(code), stated.get("description", "")),
                    code,
                    direction=direction,
                )
        if "429" in responses:
            responses["429"]["headers"] = {**responses["429"].get("headers", {}), **RETRY_AFTER}
        return responses
