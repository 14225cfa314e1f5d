"""One shape for every error the API answers, DRF's own, and its description in the schema.

- A request that is refused as a whole (401, 403, 404, 405, 422, 429, and a 400 for a body
  that could not be read) answers ``{"detail": "why"}``: one string.
- A request whose fields (or query parameters) are wrong answers 400 with each field's
  messages: ``{"field": ["message", ...]}``, always a list, nested fields as nested
  objects (``{"identity": {"given_name": ["..."]}}``), and problems of the body as a whole
  under ``non_field_errors``.

``exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) runs DRF's and brings
any other shape a view may raise (a bare string, a top-level list, a ``detail`` list)
into these two. ``ErrorSerializer`` and ``ValidationErrorSerializer`` name them in the
schema (``reentry.api.schema.ApiAutoSchema`` documents them on every operation).
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

DETAIL = "detail"


def _messages(value: Any) -> list[Any] | dict[str, Any]:
    """A field's errors as a list of messages, or nested fields as an object."""
    if isinstance(value, dict):
        return {str(key): _messages(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        if any(isinstance(item, dict | list | tuple) for item in value):
            # A list of nested bodies (many=True): the ones with errors, by position,
            # as DRF's ListField does.
            return {str(index): _messages(item) for index, item in enumerate(value) if item}
        return list(value)
    return [value]


def validation_body(data: Any) -> dict[str, Any]:
    """A validation error's body: every field's messages as a list; problems of the body
    as a whole (a bare message, a top-level list, a ``detail`` key) as non_field_errors."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not isinstance(data, dict):
        return {non_field: _messages(data)}
    body: dict[str, Any] = {}
    for key, value in data.items():
        name = non_field if key == DETAIL else str(key)
        messages = _messages(value)
        if name in body and isinstance(body[name], list) and isinstance(messages, list):
            body[name] = [*body[name], *messages]
        else:
            body[name] = messages
    return body


def detail_body(data: Any) -> dict[str, Any]:
    """A refusal's body: ``{"detail": "one string"}``."""
    if isinstance(data, dict) and isinstance(data.get(DETAIL), str):
        return {DETAIL: data[DETAIL]}
    if isinstance(data, dict) and DETAIL in data:
        data = data[DETAIL]
    if isinstance(data, list | tuple):
        return {DETAIL: " ".join(str(item) for item in data)}
    if isinstance(data, dict):
        return {DETAIL: " ".join(f"{key}: {value}" for key, value in data.items())}
    return {DETAIL: str(data)}


def exception_handler(exc: Exception, context: dict[str, Any]):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = validation_body(response.data)
    else:
        response.data = detail_body(response.data)
    return response


def not_found_body() -> dict[str, str]:
    return {
        DETAIL: _(
            "There is nothing at this address. The API's resources are listed at /api/v1/ "
            "and described at /api/schema/."
        )
    }


# --- the schema --------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Why a request was refused as a whole."""

    detail = serializers.CharField(help_text="Why, in plain words.")


class ValidationErrorSerializer(serializers.Serializer):
    """Stands for the body of a 400; its schema is written by the extension below."""


FIELD_ERRORS = "FieldErrors"


class ValidationErrorScheme(OpenApiSerializerExtension):
    target_class = "reentry.api.errors.ValidationErrorSerializer"

    def get_name(self, auto_schema, direction):
        return "ValidationError"

    def map_serializer(self, auto_schema, direction):
        field_errors = ResolvedComponent(
            name=FIELD_ERRORS,
            type=ResolvedComponent.SCHEMA,
            object=FIELD_ERRORS,
            schema={
                "description": "A field's messages, or a nested field's (by name or position).",
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {
                        "type": "object",
                        "additionalProperties": {"$ref": f"#/components/schemas/{FIELD_ERRORS}"},
                    },
                ],
            },
        )
        auto_schema.registry.register_on_missing(field_errors)
        return {
            "type": "object",
            "description": (
                "What is wrong with the request. Each key names a field of the body or a "
                "query parameter, with its messages (always a list); problems of the body "
                "as a whole are under non_field_errors. A body that could not be read at "
                "all (not JSON, nested too deeply) answers detail instead."
            ),
            "properties": {
                DETAIL: {"type": "string", "description": "Why the body could not be read."},
                api_settings.NON_FIELD_ERRORS_KEY: {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": field_errors.ref,
        }
