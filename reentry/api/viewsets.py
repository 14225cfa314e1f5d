"""/api/v1/: read-only endpoints, every read through the models' ``visible_to``.

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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny

from reentry.api import serializers
from reentry.api.models import ApiToken
from reentry.api.pagination import ApiPagination
from reentry.sharing.access import get_visible_or_404
from reentry.sharing.levels import SharingLevel
from stakeholders.models import Collaborative, KeyArea, Member, Organization, Sector


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


@extend_schema(tags=["collaboratives"])
class CollaborativeViewSet(viewsets.ReadOnlyModelViewSet):
    """The collaboratives you are a member of (with a token: only the token's)."""

    serializer_class = serializers.CollaborativeSerializer
    pagination_class = ApiPagination
    lookup_field = "slug"
    lookup_value_converter = "slug"

    def get_queryset(self):
        return visible_collaboratives(self.request).order_by("name", "pk")

    def get_object(self):
        return get_visible_or_404(
            Collaborative.objects.all(),
            self.get_queryset(),
            request=self.request,
            slug=self.kwargs["slug"],
        )


class CollaborativeScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Base for endpoints under /collaboratives/<slug>/: resolves the collaborative and the
    person's membership once per request, or answers 404."""

    pagination_class = ApiPagination
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
            public_id=self.kwargs["public_id"],
        )


@extend_schema(tags=["key areas"])
class KeyAreaViewSet(CollaborativeScopedViewSet):
    """The collaborative's key areas of reentry work."""

    serializer_class = serializers.KeyAreaSerializer

    def scoped_queryset(self):
        return KeyArea.objects.filter(collaborative=self.collaborative).order_by("order", "name")


@extend_schema(tags=["sectors"])
class SectorViewSet(CollaborativeScopedViewSet):
    """The collaborative's sectors (kinds of organization)."""

    serializer_class = serializers.SectorSerializer

    def scoped_queryset(self):
        return Sector.objects.filter(collaborative=self.collaborative).order_by("order", "name")


@extend_schema(tags=["organizations"])
@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "sector", OpenApiTypes.STR, description="Only organizations of this sector (slug)."
            )
        ],
    )
)
class OrganizationViewSet(CollaborativeScopedViewSet):
    """Organizations you may see in the collaborative. Without signing in: its public
    profiles only."""

    serializer_class = serializers.OrganizationSerializer
    permission_classes = [AllowAny]
    public_fallback = True

    def scoped_queryset(self):
        qs = (
            Organization.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("sector")
            .prefetch_related("key_areas")
            .order_by("name", "pk")
        )
        sector = self.request.query_params.get("sector")
        if sector:
            qs = qs.filter(sector__slug=sector)
        return qs


@extend_schema(tags=["members"])
class MemberViewSet(CollaborativeScopedViewSet):
    """Active members, for staff (backbone, organization admins and staff), as on the member
    page. ``lived_experience`` is null unless the member chose to show it to you."""

    serializer_class = serializers.MemberSerializer

    def scoped_queryset(self):
        if self.member is None or not self.member.is_staff_role:
            raise PermissionDenied
        return (
            Member.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative, is_active=True)
            .select_related("user", "organization")
            .order_by("user__name", "pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["viewer"] = self.member
        return context
