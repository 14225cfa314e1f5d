from django.contrib import admin

from reentry.sharing.admin import ShareableAdmin
from workgroups.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    Attendance,
    Decision,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    Priority,
    Update,
    WorkingGroup,
)


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0
    raw_id_fields = ["member"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "collaborative",
        "key_area",
        "join_policy",
        "minutes_sharing",
        "is_whole_collaborative",
        "is_active",
    ]
    list_filter = ["collaborative", "join_policy", "minutes_sharing", "is_active"]
    list_select_related = ["collaborative", "key_area"]
    search_fields = ["name", "charter"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["key_area"]
    inlines = [GroupMembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # Changing who reads the minutes re-levels every gathering: only through
        # services.group_set_minutes_sharing, which is audit-logged.
        return ["minutes_sharing"] if obj is not None else []


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "group", "role", "is_active", "joined_at"]
    list_filter = ["role", "is_active", "group__collaborative"]
    list_select_related = ["member__user", "member__collaborative", "group"]
    raw_id_fields = ["member", "group"]
    search_fields = ["member__user__name", "member__user__email", "group__name"]


@admin.register(GroupJoinRequest)
class GroupJoinRequestAdmin(admin.ModelAdmin):
    list_display = ["member", "group", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["member__user", "member__collaborative", "group"]
    raw_id_fields = ["member", "group", "decided_by"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["presenter"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member", "recorded_by"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    raw_id_fields = ["agenda_item", "recorded_by"]


@admin.register(Meeting)
class MeetingAdmin(ShareableAdmin):
    list_display = ["title", "owner", "starts_at", "status", "sharing_level"]
    list_filter = ["status", "sharing_level", "collaborative"]
    list_select_related = ["owner"]
    search_fields = ["title", "minutes"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline, DecisionInline, AttendanceInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "order", "presenter"]
    list_select_related = ["meeting", "presenter__user", "presenter__collaborative"]
    raw_id_fields = ["meeting", "presenter"]
    search_fields = ["title"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "status"]
    list_filter = ["status"]
    list_select_related = ["meeting", "member__user"]
    raw_id_fields = ["meeting", "member", "recorded_by"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "decided_at"]
    list_select_related = ["meeting"]
    raw_id_fields = ["meeting", "agenda_item", "recorded_by"]
    search_fields = ["text"]


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "period"]
    list_select_related = ["group"]
    raw_id_fields = ["group"]
    inlines = [PriorityInline]


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "rank"]
    list_select_related = ["plan__group"]
    raw_id_fields = ["plan"]


class UpdateInline(admin.TabularInline):
    model = Update
    extra = 0
    raw_id_fields = ["author"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "owner_organization", "owner_member", "due_date", "status"]
    list_filter = ["status", "collaborative"]
    list_select_related = ["group", "owner_organization", "owner_member__user"]
    raw_id_fields = [
        "group",
        "priority",
        "key_area",
        "owner_organization",
        "owner_member",
        "source_meeting",
        "source_decision",
        "source_agenda_item",
        "created_by",
    ]
    search_fields = ["title", "description"]
    inlines = [UpdateInline]


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "item", "author", "created_at"]
    list_select_related = ["item", "author__user"]
    raw_id_fields = ["item", "author"]
