"""The API's root (``/api/v1/``) and its answer to every unknown address under ``/api/``:
JSON, never the site's HTML pages."""

import re
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import escape_leading_slashes
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from reentry.api.errors import not_found_body

NOT_FOUND_NAME = "not_found"
# "collaboratives/<slug:collaborative_slug>/key-areas" -> ".../{collaborative_slug}/..."
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _template(prefix: str) -> str:
    return CONVERTER.sub(r"{\1}", prefix) + "/"


def _name(prefix: str) -> str:
    """The resource's name in the root: its path after the collaborative, dashed."""
    tail = prefix.split(">/", 1)[-1]
    return tail.replace("/", "-")


API_ROOT = inline_serializer(
    "ApiRoot",
    {
        "collaboratives": serializers.URLField(help_text="The collaboratives you may see."),
        "collaborative_resources": serializers.DictField(
            child=serializers.CharField(),
            help_text="Each resource of a collaborative: a URL template to fill in with "
            "the collaborative's slug ({collaborative_slug}).",
        ),
        "schema": serializers.URLField(help_text="This API's OpenAPI description."),
        "docs": serializers.URLField(help_text="The same, to read in a browser."),
    },
)


class ApiRootView(APIView):
    """What the API serves, with the address of each (``routers`` set by the URLconf)."""

    permission_classes = [AllowAny]
    routers: Sequence[SimpleRouter] = ()

    @extend_schema(tags=["root"], responses={200: API_ROOT})
    def get(self, request: Request) -> Response:
        """The resources of this API and their addresses."""
        base = request.build_absolute_uri(reverse("api:root"))
        top: dict[str, str] = {}
        scoped: dict[str, str] = {}
        for router in self.routers:
            for prefix, _viewset, _basename in router.registry:
                if "<" in prefix:
                    scoped[_name(prefix)] = base + _template(prefix)
                else:
                    top[prefix] = base + prefix + "/"
        return Response(
            {
                **top,
                "collaborative_resources": scoped,
                "schema": request.build_absolute_uri(reverse("api:schema")),
                "docs": request.build_absolute_uri(reverse("api:docs")),
            }
        )


def _slash_target(request: HttpRequest) -> str | None:
    """Where Django's APPEND_SLASH would send this request (a catch-all route hides it
    from CommonMiddleware): the same address with a slash, when that is an endpoint."""
    if not settings.APPEND_SLASH or request.path_info.endswith("/"):
        return None
    try:
        match = resolve(request.path_info + "/")
    except Resolver404:
        return None
    if match.url_name == NOT_FOUND_NAME:
        return None
    return escape_leading_slashes(request.get_full_path(force_append_slash=True))


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every address under /api/ that names nothing: a JSON 404 in the API's error shape.
    An address that only lacks its final slash is redirected like anywhere on the site
    (GET and HEAD; other methods are told where to send it, as a body cannot follow a
    redirect)."""
    target = _slash_target(request)
    if target is not None and request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    if target is not None:
        body = {"detail": _("This address ends with a slash: send the request to %(url)s.")}
        body["detail"] %= {"url": target}
    else:
        body = not_found_body()
    return JsonResponse(body, status=404)
