"""/api/v1/collaboratives/<slug>/groups/, /meetings/, /action-plans/ and /action-items/.

Read-only, and every read through the models' ``visible_to``: a working group as on the
group pages (every member; closed groups for their managers), a gathering only where its
minutes' sharing level allows, an action plan wherever its group is seen, and an action
item as on the board (every member, except items from a gathering whose minutes they
may not read, unless they own them). Attendance is never exposed here.
"""

import django_filters
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from reentry.api.filters import CollaborativeFilterSet, FlagFilter, SlugFilter
from reentry.api.viewsets import CollaborativeScopedViewSet
from reentry.sharing.access import get_visible_or_404
from workgroups.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    Decision,
    Meeting,
    Priority,
    Update,
    WorkingGroup,
)


class GroupSerializer(serializers.ModelSerializer):
    key_area = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = WorkingGroup
        fields = [
            "public_id",
            "slug",
            "name",
            "name_es",
            "key_area",
            "charter",
            "charter_es",
            "join_policy",
            "requires_community_cochair",
            "minutes_sharing",
            "is_whole_collaborative",
            "is_active",
            "member_count",
        ]


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["public_id", "order", "title", "presenter", "duration_minutes", "notes"]

    def get_presenter(self, item: AgendaItem) -> str | None:
        return item.presenter.user.name if item.presenter is not None else None


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["public_id", "text", "decided_at"]


class MeetingSerializer(serializers.ModelSerializer):
    group = serializers.UUIDField(source="owner.public_id", read_only=True)
    group_name = serializers.CharField(source="owner.name", read_only=True)
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    # A plain string: the choices are the sharing levels (private, sector, shared,
    # collaborative, public), whose enum other endpoints already name.
    sharing_level = serializers.CharField(
        read_only=True, help_text="Who reads the minutes: private, collaborative or public."
    )

    class Meta:
        model = Meeting
        fields = [
            "public_id",
            "group",
            "group_name",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "video_link",
            "status",
            "sharing_level",
            "minutes",
            "agenda",
            "decisions",
        ]


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ["public_id", "rank", "title"]


class ActionPlanSerializer(serializers.ModelSerializer):
    group = serializers.UUIDField(source="group.public_id", read_only=True)
    priorities = PrioritySerializer(many=True, read_only=True)

    class Meta:
        model = ActionPlan
        fields = ["public_id", "group", "period", "title", "summary", "priorities", "created_at"]


class UpdateSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Update
        fields = ["text", "author", "created_at"]

    def get_author(self, update: Update) -> str | None:
        return update.author.user.name if update.author is not None else None


class ActionItemSerializer(serializers.ModelSerializer):
    group = serializers.UUIDField(source="group.public_id", read_only=True)
    priority = serializers.SerializerMethodField()
    key_area = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    owner_organization = serializers.SerializerMethodField()
    owner_organization_name = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    updates = UpdateSerializer(many=True, read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "public_id",
            "group",
            "priority",
            "title",
            "description",
            "key_area",
            "owner_organization",
            "owner_organization_name",
            "owner_name",
            "due_date",
            "status",
            "is_overdue",
            "created_at",
            "updated_at",
            "updates",
        ]

    def get_priority(self, item: ActionItem) -> str | None:
        return str(item.priority.public_id) if item.priority is not None else None

    def get_owner_organization(self, item: ActionItem) -> str | None:
        organization = item.owner_organization
        return str(organization.public_id) if organization else None

    def get_owner_organization_name(self, item: ActionItem) -> str | None:
        return item.owner_organization.name if item.owner_organization is not None else None

    def get_owner_name(self, item: ActionItem) -> str | None:
        return item.owner_member.user.name if item.owner_member is not None else None


@extend_schema(tags=["working groups"])
class GroupViewSet(CollaborativeScopedViewSet):
    """The collaborative's working groups (closed ones for their managers only)."""

    serializer_class = GroupSerializer

    def scoped_queryset(self):
        return (
            WorkingGroup.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("key_area")
            .annotate(
                member_count=Count(
                    "memberships",
                    filter=Q(memberships__is_active=True, memberships__member__is_active=True),
                )
            )
            .order_by("name", "pk")
        )


class MeetingFilter(CollaborativeFilterSet):
    group = django_filters.UUIDFilter(field_name="owner__public_id")
    upcoming = FlagFilter(method="filter_upcoming")

    def filter_upcoming(self, qs, name: str, value: bool):
        return qs.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")


class ActionPlanFilter(CollaborativeFilterSet):
    group = django_filters.UUIDFilter(field_name="group__public_id")


OPEN = "open"


class ActionItemFilter(CollaborativeFilterSet):
    group = django_filters.UUIDFilter(field_name="group__public_id")
    plan = django_filters.UUIDFilter(field_name="priority__plan__public_id")
    owner_organization = django_filters.UUIDFilter(field_name="owner_organization__public_id")
    status = django_filters.ChoiceFilter(
        choices=[*ActionItem.Status.choices, (OPEN, "open")], method="filter_status"
    )
    key_area = SlugFilter(field_name="key_area")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lt")
    overdue = FlagFilter(method="filter_overdue")

    def filter_status(self, qs, name: str, value: str):
        if value == OPEN:
            return qs.exclude(status=ActionItem.Status.DONE)
        return qs.filter(status=value)

    def filter_overdue(self, qs, name: str, value: bool):
        return qs.exclude(status=ActionItem.Status.DONE).filter(due_date__lt=timezone.localdate())


MEETING_FILTERS = [
    OpenApiParameter("group", OpenApiTypes.UUID, description="Only this group's gatherings."),
    OpenApiParameter("upcoming", OpenApiTypes.BOOL, description="Only gatherings to come."),
]


@extend_schema(tags=["gatherings"])
@extend_schema_view(list=extend_schema(parameters=MEETING_FILTERS))
class MeetingViewSet(CollaborativeScopedViewSet):
    """Gatherings whose minutes you may read: agenda, minutes and decisions."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def scoped_queryset(self):
        qs = (
            Meeting.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("owner")
            .prefetch_related(
                Prefetch(
                    "agenda_items",
                    queryset=AgendaItem.objects.select_related("presenter__user"),
                ),
                "decisions",
            )
            .order_by("-starts_at", "pk")
        )
        return qs


@extend_schema(tags=["action plans"])
@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("group", OpenApiTypes.UUID, description="One group's plans.")]
    )
)
class ActionPlanViewSet(CollaborativeScopedViewSet):
    """Groups' action plans with their ranked priorities."""

    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilter

    def scoped_queryset(self):
        qs = (
            ActionPlan.objects.visible_to(self.request.user)
            .filter(group__collaborative=self.collaborative)
            .select_related("group")
            .prefetch_related(
                Prefetch("priorities", queryset=Priority.objects.order_by("rank", "pk"))
            )
            .order_by("group__name", "-period", "pk")
        )
        return qs

    def get_object(self):
        return get_visible_or_404(
            ActionPlan.objects.filter(group__collaborative=self.collaborative),
            self.get_queryset(),
            request=self.request,
            public_id=self.lookup_value(),
        )


ITEM_FILTERS = [
    OpenApiParameter("group", OpenApiTypes.UUID),
    OpenApiParameter("plan", OpenApiTypes.UUID),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[*ActionItem.Status.values, "open"],
        description="A status, or 'open' for every status but done.",
    ),
    OpenApiParameter("owner_organization", OpenApiTypes.UUID),
    OpenApiParameter("key_area", OpenApiTypes.STR, description="Key area slug."),
    OpenApiParameter("due_before", OpenApiTypes.DATE),
    OpenApiParameter("overdue", OpenApiTypes.BOOL),
]


@extend_schema(tags=["action items"])
@extend_schema_view(list=extend_schema(parameters=ITEM_FILTERS))
class ActionItemViewSet(CollaborativeScopedViewSet):
    """Action items as on the board, with their dated progress updates."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter

    def scoped_queryset(self):
        qs = (
            ActionItem.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related(
                "group", "priority", "key_area", "owner_organization", "owner_member__user"
            )
            .prefetch_related(
                Prefetch(
                    "updates",
                    queryset=Update.objects.select_related("author__user").order_by(
                        "-created_at", "-pk"
                    ),
                )
            )
            .order_by("due_date", "pk")
        )
        return qs
