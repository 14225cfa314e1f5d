"""The base of every /api/v1/ endpoint: read-only, every read through the models'
``visible_to``. Each app's serializers and viewsets live in that app (``<app>/api.py``),
built on ``CollaborativeScopedViewSet``, and register on their own ``api_router()``,
which ``reentry/api/urls.py`` includes.

A token is confined to its organization's collaborative: any other collaborative is a
404 for it, even one its creator belongs to. A collaborative the person cannot see is
a 404 on every nested endpoint; the one exception is the organization directory,
which lists a collaborative's public profiles to anyone (signed in or not) when it
has some.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import SimpleRouter
from rest_framework.settings import api_settings

from reentry.api.models import ApiToken
from reentry.api.pagination import ApiPagination
from reentry.sharing.access import get_visible_or_404
from reentry.sharing.levels import SharingLevel
from stakeholders.models import Collaborative, Member, Organization

# Every endpoint but the collaborative list sits under its collaborative.
COLLABORATIVE_PREFIX = "collaboratives/<slug:collaborative_slug>"


def api_router() -> SimpleRouter:
    """A router for one app's endpoints (path converters, no regexes)."""
    return SimpleRouter(use_regex_path=False)


def request_token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def visible_collaboratives(request):
    """The collaboratives this request may see: the person's, narrowed to the token's."""
    qs = Collaborative.objects.visible_to(request.user)
    token = request_token(request)
    if token is not None:
        qs = qs.filter(pk=token.organization.collaborative_id)
    return qs


def _has_public_organizations():
    return Exists(
        Organization.objects.filter(
            collaborative_id=OuterRef("pk"), sharing_level=SharingLevel.PUBLIC
        )
    )


class KnownQueryParameters:
    """A list answers 400 for a query parameter it does not know, naming it, instead of
    ignoring it (a misspelt ``?stauts=open`` would return every row and look like an
    answer). Known: the FilterSet's filters, the paginator's parameters, the parameters
    the view reads itself (``query_parameters``), and DRF's ``format``, which its content
    negotiation reads on every request. The same names are the documented ones: the
    schema is built from the same FilterSet, paginator and ``extend_schema`` parameters
    (tests/api/test_every_operation.py checks that the two agree). Details take no query
    parameters and ignore them, as DRF does."""

    query_parameters: tuple[str, ...] = ()

    def known_query_parameters(self) -> set[str]:
        known = set(self.query_parameters)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        paginator = getattr(self, "paginator", None)
        if paginator is not None:
            known |= {p["name"] for p in paginator.get_schema_operation_parameters(self)}
        if api_settings.URL_FORMAT_OVERRIDE:
            known.add(api_settings.URL_FORMAT_OVERRIDE)
        return known

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if getattr(self, "action", None) != "list":
            return
        unknown = sorted(set(request.query_params) - self.known_query_parameters())
        if unknown:
            message = _(
                "This list has no parameter of this name (its parameters are in /api/schema/)."
            )
            raise ValidationError({name: [message] for name in unknown})


class CollaborativeScopedViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """Base for endpoints under /collaboratives/<slug>/: resolves the collaborative and the
    person's membership once per request, or answers 404."""

    pagination_class = ApiPagination
    # The path parameter is named after the body field that carries the same value:
    # public_id here, id for the HSDS-shaped directory (lookup_url_kwarg = "id").
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    # True: people who cannot see the collaborative still get what it made public.
    public_fallback = False

    @cached_property
    def scope(self) -> tuple[Collaborative, Member | None]:
        request, slug = self.request, self.kwargs["collaborative_slug"]
        visible = visible_collaboratives(request)
        collaborative = visible.filter(slug=slug).first()
        if collaborative is not None:
            member = (
                Member.objects.select_related("organization")
                .filter(user_id=request.user.pk, collaborative=collaborative, is_active=True)
                .first()
            )
            return collaborative, member
        if self.public_fallback and request_token(request) is None:
            public = Collaborative.objects.filter(_has_public_organizations(), slug=slug).first()
            if public is not None:
                return public, None
        get_visible_or_404(Collaborative.objects.all(), visible, request=request, slug=slug)
        raise Http404  # pragma: no cover - get_visible_or_404 raised already

    def lookup_value(self):
        """The record's id from the path (its parameter is ``lookup_url_kwarg``)."""
        return self.kwargs[self.lookup_url_kwarg or self.lookup_field]

    @property
    def collaborative(self) -> Collaborative:
        return self.scope[0]

    @property
    def member(self) -> Member | None:
        return self.scope[1]

    def scoped_queryset(self):
        """Each endpoint's rows, already narrowed with visible_to to this collaborative."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define scoped_queryset().")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request data
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped_queryset()

    def get_object(self):
        model = self.get_queryset().model
        return get_visible_or_404(
            model.objects.filter(collaborative=self.collaborative),
            self.get_queryset(),
            request=self.request,
            public_id=self.lookup_value(),
        )
