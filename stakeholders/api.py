"""The stakeholders' API: /api/v1/collaboratives/ and, under each collaborative, its
key areas, sectors, organizations and members, and the directory's services and
locations.

The directory is in HSDS shape.

Field names follow the Open Referral Human Services Data Specification 1.1 (``id``,
``organization_id``, ``name``, ``alternate_name``, ``application_process``,
``regular_schedules``, ``phones``, ``languages``…; ids are our public UUIDs). What
HSDS leaves unstructured and reentry needs is in a ``reentry`` block: accepting
referrals, before/after release, structured requirements and exclusions, and when the
listing was last verified. Visibility follows the organization's profile, as on the
directory pages (anonymous visitors: public organizations only).
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny

from reentry.api.filters import CollaborativeFilterSet, FlagFilter, SlugFilter
from reentry.api.pagination import ApiPagination
from reentry.api.viewsets import (
    COLLABORATIVE_PREFIX,
    CollaborativeScopedViewSet,
    KnownQueryParameters,
    api_router,
    visible_collaboratives,
)
from reentry.sharing.access import get_visible_or_404
from stakeholders.models import (
    CRITERION_VALUES,
    Collaborative,
    KeyArea,
    Location,
    Member,
    Organization,
    Phone,
    RegularSchedule,
    Sector,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
)


class PhoneSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Phone
        fields = ["id", "number", "extension", "type", "language", "description"]


class ScheduleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = RegularSchedule
        fields = ["id", "weekday", "opens_at", "closes_at"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCriterion
        fields = ["kind", "value", "rule"]


class ServiceAtLocationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    location_id = serializers.UUIDField(source="location.public_id", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True)

    class Meta:
        model = ServiceAtLocation
        fields = ["id", "location_id", "location_name", "description"]


class ReentrySerializer(serializers.Serializer):
    accepts_referrals = serializers.BooleanField()
    serves_when = serializers.ChoiceField(choices=Service.ServesWhen.choices)
    requirements = CriterionSerializer(source="criteria", many=True)
    key_areas = serializers.SerializerMethodField()
    last_verified_at = serializers.DateField(allow_null=True)
    is_open_now = serializers.BooleanField(source="is_open", default=None, allow_null=True)

    def get_key_areas(self, service: Service) -> list[str]:
        return [area.slug for area in service.key_areas.all()]


class ServiceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization_id = serializers.UUIDField(source="organization.public_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    eligibility = serializers.CharField(source="eligibility_description", read_only=True)
    languages = serializers.SerializerMethodField()
    phones = PhoneSerializer(many=True, read_only=True)
    regular_schedules = ScheduleSerializer(source="schedules", many=True, read_only=True)
    service_at_locations = ServiceAtLocationSerializer(
        source="at_locations", many=True, read_only=True
    )
    reentry = ReentrySerializer(source="*", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "organization_id",
            "organization_name",
            "name",
            "alternate_name",
            "description",
            "name_es",
            "description_es",
            "url",
            "email",
            "status",
            "application_process",
            "fees",
            "eligibility",
            "wait_time",
            "languages",
            "phones",
            "regular_schedules",
            "service_at_locations",
            "reentry",
        ]

    def get_languages(self, service: Service) -> list[str]:
        return [language.code or language.language for language in service.languages.all()]


class LocationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization_id = serializers.UUIDField(source="organization.public_id", read_only=True)
    physical_address = serializers.SerializerMethodField()
    phones = PhoneSerializer(many=True, read_only=True)
    regular_schedules = ScheduleSerializer(source="schedules", many=True, read_only=True)
    languages = serializers.SerializerMethodField()

    class Meta:
        model = Location
        fields = [
            "id",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "latitude",
            "longitude",
            "transportation",
            "accessibility",
            "physical_address",
            "phones",
            "regular_schedules",
            "languages",
        ]

    def get_physical_address(self, location: Location) -> dict[str, str]:
        return {
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "state_province": location.state_province,
            "postal_code": location.postal_code,
            "country": location.country,
        }

    def get_languages(self, location: Location) -> list[str]:
        return [language.code or language.language for language in location.languages.all()]


CRITERIA = [
    (f"{kind}:{value}", f"{kind}:{value}")
    for kind, values in CRITERION_VALUES.items()
    for value in values.values
]
Rule = ServiceCriterion.Rule


class ServiceFilter(CollaborativeFilterSet):
    q = django_filters.CharFilter(method="filter_q")
    key_area = SlugFilter(field_name="key_areas", distinct=True)
    sector = SlugFilter(model=Sector, field_name="organization__sector")
    organization = django_filters.UUIDFilter(field_name="organization__public_id")
    language = django_filters.CharFilter(method="filter_language")
    accepts_referrals = FlagFilter(method="filter_accepts_referrals")
    open_now = FlagFilter(field_name="is_open")
    requires = django_filters.MultipleChoiceFilter(choices=CRITERIA, method="filter_requires")
    not_requires = django_filters.MultipleChoiceFilter(
        choices=CRITERIA, method="filter_not_requires"
    )
    not_excludes = django_filters.MultipleChoiceFilter(
        choices=CRITERIA, method="filter_not_excludes"
    )

    def filter_q(self, qs, name: str, value: str):
        return qs.search(value.strip()) if value.strip() else qs

    def filter_language(self, qs, name: str, value: str):
        return qs.speaking(value)

    def filter_accepts_referrals(self, qs, name: str, value: bool):
        return qs.accepting_referrals()

    def filter_requires(self, qs, name: str, value: list[str]):
        for raw in value:
            qs = qs.with_criterion(*raw.split(":", 1), Rule.REQUIRES)
        return qs

    def filter_not_requires(self, qs, name: str, value: list[str]):
        for raw in value:
            qs = qs.without_criterion(*raw.split(":", 1), Rule.REQUIRES)
        return qs

    def filter_not_excludes(self, qs, name: str, value: list[str]):
        for raw in value:
            qs = qs.without_criterion(*raw.split(":", 1), Rule.EXCLUDES)
        return qs


class LocationFilter(CollaborativeFilterSet):
    organization = django_filters.UUIDFilter(field_name="organization__public_id")
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")


class OrganizationFilter(CollaborativeFilterSet):
    sector = SlugFilter(model=Sector, field_name="sector")


SERVICE_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in the name or description."),
    OpenApiParameter("key_area", OpenApiTypes.STR, description="Key area slug."),
    OpenApiParameter("sector", OpenApiTypes.STR, description="Sector slug of the organization."),
    OpenApiParameter("organization", OpenApiTypes.UUID, description="Organization id."),
    OpenApiParameter("language", OpenApiTypes.STR, description="Language code, e.g. es."),
    OpenApiParameter("accepts_referrals", OpenApiTypes.BOOL),
    OpenApiParameter("open_now", OpenApiTypes.BOOL, description="Open now, local time."),
    OpenApiParameter(
        "requires",
        OpenApiTypes.STR,
        many=True,
        description="Only services that require kind:value (e.g. document:state_id).",
    ),
    OpenApiParameter(
        "not_requires",
        OpenApiTypes.STR,
        many=True,
        description="Only services that do not require kind:value ('no state ID needed').",
    ),
    OpenApiParameter(
        "not_excludes",
        OpenApiTypes.STR,
        many=True,
        description="Only services open to people with kind:value (e.g. supervision:parole).",
    ),
]


@extend_schema(tags=["directory"])
@extend_schema_view(list=extend_schema(parameters=SERVICE_FILTERS))
class ServiceViewSet(CollaborativeScopedViewSet):
    """Services you may see in the collaborative's directory (signed out: public ones)."""

    serializer_class = ServiceSerializer
    lookup_url_kwarg = "id"  # HSDS calls the public id "id", in the body and the path
    filterset_class = ServiceFilter
    permission_classes = [AllowAny]
    public_fallback = True

    def scoped_queryset(self):
        return (
            Service.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .active()
            .with_open_at(timezone.now(), self.collaborative.time_zone)
            .select_related("organization")
            .prefetch_related(
                "key_areas",
                "criteria",
                "phones",
                "schedules",
                "languages",
                "at_locations__location",
            )
            .order_by("name", "pk")
        )


@extend_schema(tags=["directory"])
@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("organization", OpenApiTypes.UUID),
            OpenApiParameter("city", OpenApiTypes.STR),
        ]
    )
)
class LocationViewSet(CollaborativeScopedViewSet):
    """Locations you may see in the collaborative's directory (signed out: public ones)."""

    serializer_class = LocationSerializer
    lookup_url_kwarg = "id"  # HSDS calls the public id "id", in the body and the path
    filterset_class = LocationFilter
    permission_classes = [AllowAny]
    public_fallback = True

    def scoped_queryset(self):
        return (
            Location.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("organization")
            .prefetch_related("phones", "schedules", "languages")
            .order_by("name", "pk")
        )


# --- The collaborative and its registry ----------------------------------------------


class CollaborativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collaborative
        fields = ["public_id", "slug", "name", "region", "time_zone", "description"]


class KeyAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyArea
        fields = ["public_id", "slug", "name", "description", "order"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["public_id", "slug", "name", "description", "order"]


class SectorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["public_id", "slug", "name"]


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["public_id", "slug", "name"]


class OrganizationSerializer(serializers.ModelSerializer):
    sector = SectorRefSerializer(read_only=True)
    key_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "public_id",
            "slug",
            "name",
            "sector",
            "key_areas",
            "description",
            "email",
            "phone",
            "website",
            "sharing_level",
            "updated_at",
        ]


class MemberSerializer(serializers.ModelSerializer):
    """A member as staff see them on the member page. ``lived_experience`` is given only
    when the member chose to show it to the viewer (``Member.lived_experience_shown_to``),
    otherwise null — exactly as if they had not answered."""

    name = serializers.CharField(source="user.name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    lived_experience = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "public_id",
            "name",
            "email",
            "role",
            "organization",
            "title",
            "lived_experience",
            "joined_at",
        ]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[c for c in Member.LivedExperience.choices if c[0]], allow_null=True
        )
    )
    def get_lived_experience(self, member: Member) -> str | None:
        viewer = self.context["viewer"]
        if member.lived_experience_shown_to(viewer) is None:
            return None
        return member.lived_experience


@extend_schema(tags=["collaboratives"])
class CollaborativeViewSet(KnownQueryParameters, viewsets.ReadOnlyModelViewSet):
    """The collaboratives you are a member of (with a token: only the token's)."""

    serializer_class = CollaborativeSerializer
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


@extend_schema(tags=["key areas"])
class KeyAreaViewSet(CollaborativeScopedViewSet):
    """The collaborative's key areas of reentry work."""

    serializer_class = KeyAreaSerializer

    def scoped_queryset(self):
        return KeyArea.objects.filter(collaborative=self.collaborative).order_by("order", "name")


@extend_schema(tags=["sectors"])
class SectorViewSet(CollaborativeScopedViewSet):
    """The collaborative's sectors (kinds of organization)."""

    serializer_class = SectorSerializer

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

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    permission_classes = [AllowAny]
    public_fallback = True

    def scoped_queryset(self):
        return (
            Organization.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("sector")
            .prefetch_related("key_areas")
            .order_by("name", "pk")
        )


@extend_schema(tags=["members"])
class MemberViewSet(CollaborativeScopedViewSet):
    """Active members, for staff (backbone, organization admins and staff), as on the member
    page. ``lived_experience`` is null unless the member chose to show it to you."""

    serializer_class = MemberSerializer
    forbidden_description = (
        "Only staff (backbone staff, organization admins and staff) see members."
    )

    def scoped_queryset(self):
        if self.member is None or not self.member.is_staff_role:
            raise PermissionDenied(_("Only staff see the members of a collaborative."))
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


router = api_router()
router.register("collaboratives", CollaborativeViewSet, basename="collaborative")
router.register(f"{COLLABORATIVE_PREFIX}/key-areas", KeyAreaViewSet, basename="key-area")
router.register(f"{COLLABORATIVE_PREFIX}/sectors", SectorViewSet, basename="sector")
router.register(
    f"{COLLABORATIVE_PREFIX}/organizations", OrganizationViewSet, basename="organization"
)
router.register(f"{COLLABORATIVE_PREFIX}/members", MemberViewSet, basename="member")
router.register(f"{COLLABORATIVE_PREFIX}/services", ServiceViewSet, basename="service")
router.register(f"{COLLABORATIVE_PREFIX}/locations", LocationViewSet, basename="location")
