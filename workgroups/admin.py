from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reentry.sharing.admin import ShareableAdmin
from workgroups.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    Attendance,
    Ballot,
    Decision,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    MemberVerification,
    Poll,
    PollOption,
    PollResult,
    PollVoter,
    Priority,
    QuickWin,
    QuickWinComment,
    QuickWinHelper,
    Update,
    Vouch,
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
    search_fields = ["name", "charter", "name_es", "charter_es"]
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


# --- quick wins, polls, ballots, verification -----------------------------------------
# Secret ballots: the admin never shows what anyone chose. BallotContent is not
# registered at all; a Ballot row (who voted, when, on paper or not) is read-only and
# cannot be deleted here (that would let a person vote twice in a secret poll).
# An anonymous proposer is not shown here either.


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 0
    raw_id_fields = ["quick_win"]

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.status == Poll.Status.DRAFT

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Poll.Status.DRAFT

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status in (Poll.Status.DRAFT, Poll.Status.SCHEDULED)


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "method", "status", "opens_at", "closes_at", "is_secret"]
    list_filter = ["status", "method", "is_secret", "collaborative"]
    list_select_related = ["group"]
    search_fields = ["title"]
    raw_id_fields = ["group"]
    exclude = ["ballot_key"]
    readonly_fields = ["status", "opened_at", "closed_at", "closed_by", "ballots_cast"]
    inlines = [PollOptionInline]

    def get_readonly_fields(self, request, obj=None):
        # Once a poll has opened, nothing about it may change (secret or not, who may
        # vote, the options): only workgroups.polls opens and closes it.
        if obj is not None and obj.status in (Poll.Status.OPEN, Poll.Status.CLOSED):
            return [f.name for f in Poll._meta.fields if f.name != "ballot_key"] + ["ballots_cast"]
        return self.readonly_fields

    @admin.display(description=_("ballots cast"))
    def ballots_cast(self, obj: Poll) -> int:
        return obj.ballots.count()


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    """Who voted and how it was entered; never what they chose."""

    list_display = ["poll", "voter", "is_paper", "entered_by", "created_at", "updated_at"]
    list_filter = ["is_paper", "poll__collaborative"]
    list_select_related = ["poll", "voter__user", "voter__collaborative", "entered_by__user"]
    raw_id_fields = ["poll", "voter", "entered_by"]
    fields = ["poll", "voter", "is_paper", "entered_by", "created_at", "updated_at", "changes"]
    readonly_fields = (
        "poll",
        "voter",
        "is_paper",
        "entered_by",
        "created_at",
        "updated_at",
        "changes",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PollResult)
class PollResultAdmin(admin.ModelAdmin):
    list_display = ["poll", "ballots_counted", "computed_at"]
    list_select_related = ["poll"]
    readonly_fields = ["poll", "data", "ballots_counted", "computed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PollVoter)
class PollVoterAdmin(admin.ModelAdmin):
    list_display = ["poll", "member", "added_at"]
    list_select_related = ["poll", "member__user", "member__collaborative"]
    raw_id_fields = ["poll", "member"]


class QuickWinCommentInline(admin.TabularInline):
    """Comments, read-only: on an anonymous proposal the proposer's own comments show no
    name here either (as the quick win's ``shown_proposer`` does)."""

    model = QuickWinComment
    extra = 0
    fields = ["shown_author", "text", "created_at"]
    readonly_fields = ["shown_author", "text", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quick_win", "author__user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("written by"))
    def shown_author(self, comment: QuickWinComment) -> str:
        if comment.is_by_anonymous_proposer:
            return str(_("The proposer (anonymous)"))
        return str(comment.author.user) if comment.author is not None else "—"


@admin.register(QuickWin)
class QuickWinAdmin(admin.ModelAdmin):
    list_display = ["title", "collaborative", "group", "status", "proposed_at", "shown_proposer"]
    list_filter = ["status", "collaborative"]
    list_select_related = ["collaborative", "group", "proposer__user"]
    search_fields = ["title", "problem", "title_es", "problem_es"]
    raw_id_fields = ["group", "owner_organization", "priority"]
    filter_horizontal = ["key_areas"]
    exclude = ["proposer"]
    readonly_fields = ["shown_proposer", "is_anonymous"]
    inlines = [QuickWinCommentInline]

    @admin.display(description=_("proposed by"))
    def shown_proposer(self, obj: QuickWin) -> str:
        if obj.proposer is None:
            return "—"
        if obj.is_anonymous:
            return str(_("Anonymous"))
        return str(obj.proposer.user)


@admin.register(QuickWinHelper)
class QuickWinHelperAdmin(admin.ModelAdmin):
    list_display = ["quick_win", "member", "created_at"]
    list_select_related = ["quick_win", "member__user", "member__collaborative"]
    raw_id_fields = ["quick_win", "member"]


@admin.register(MemberVerification)
class MemberVerificationAdmin(admin.ModelAdmin):
    list_display = ["member", "method", "verified_by", "verified_at", "revoked_at"]
    list_filter = ["method"]
    list_select_related = ["member__user", "member__collaborative", "verified_by__user"]
    raw_id_fields = ["member", "verified_by", "revoked_by"]


@admin.register(Vouch)
class VouchAdmin(admin.ModelAdmin):
    list_display = ["voucher", "vouchee", "created_at"]
    list_select_related = ["voucher__user", "vouchee__user"]
    raw_id_fields = ["voucher", "vouchee"]
