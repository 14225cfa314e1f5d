"""A Django admin for every mentoring model (superusers only; the app's pages are the
everyday tools)."""

from django.contrib import admin

from mentorship.models import (
    Applicant,
    BackgroundAssessment,
    BudgetLine,
    Expense,
    FitCheck,
    Grant,
    Match,
    MenteeProfile,
    MentorProfile,
    MonitoringContact,
    NoContact,
    Program,
    SentAlert,
    Session,
    StageChange,
    TrainingCompletion,
    TrainingModule,
)


class TrainingModuleInline(admin.TabularInline):
    model = TrainingModule
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "collaborative", "accepts_applications", "is_active"]
    list_filter = ["collaborative", "is_active", "accepts_applications"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["coordinators"]
    inlines = [TrainingModuleInline]


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "hours", "is_required", "is_active"]
    list_filter = ["program", "is_required"]
    search_fields = ["name"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["funder", "name", "program", "amount", "starts_on", "ends_on"]
    list_filter = ["program"]
    search_fields = ["funder", "name", "reference"]
    inlines = [BudgetLineInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["__str__", "grant", "category", "amount"]
    list_filter = ["category"]


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = ["date", "description", "budget_line", "amount", "entered_by", "voided_at"]
    list_select_related = ["budget_line", "entered_by"]
    date_hierarchy = "date"
    raw_id_fields = ["budget_line", "entered_by", "voided_by"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "changed_by", "changed_at", "note"]


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "stage", "stage_changed_at", "created_at"]
    list_filter = ["program", "stage", "source"]
    search_fields = ["name", "email", "phone"]
    raw_id_fields = ["member"]
    inlines = [StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["applicant", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage"]
    raw_id_fields = ["applicant", "changed_by"]


@admin.register(BackgroundAssessment)
class BackgroundAssessmentAdmin(admin.ModelAdmin):
    list_display = ["applicant", "relevance", "outcome", "assessed_by", "assessed_at"]
    list_filter = ["relevance", "outcome"]
    raw_id_fields = ["applicant", "assessed_by"]


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(admin.ModelAdmin):
    list_display = ["applicant", "module", "completed_on", "recorded_by"]
    raw_id_fields = ["applicant", "recorded_by"]


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "capacity", "neighbourhood", "updated_at"]
    list_filter = ["program"]
    search_fields = ["applicant__name", "neighbourhood"]
    raw_id_fields = ["applicant"]
    filter_horizontal = ["key_areas"]


@admin.register(MenteeProfile)
class MenteeProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "status", "referral", "release_date"]
    list_filter = ["program", "status", "referral"]
    search_fields = ["name", "neighbourhood"]
    raw_id_fields = ["member", "created_by"]
    filter_horizontal = ["needs"]


@admin.register(NoContact)
class NoContactAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "recorded_by", "recorded_at"]
    raw_id_fields = ["mentor", "mentee", "recorded_by"]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["date", "minutes", "mode", "status"]
    show_change_link = True


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "status", "proposed_at", "started_at", "closed_at"]
    list_filter = ["program", "status", "closure_reason"]
    list_select_related = ["mentor__applicant", "mentee", "program"]
    raw_id_fields = ["mentor", "mentee", "rematch_of", "proposed_by", "closed_by"]
    inlines = [SessionInline]


@admin.register(MonitoringContact)
class MonitoringContactAdmin(admin.ModelAdmin):
    list_display = ["match", "with_whom", "kind", "due_on", "done_at"]
    list_filter = ["with_whom", "kind"]
    raw_id_fields = ["match", "done_by"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["match", "date", "minutes", "mode", "status"]
    list_filter = ["status", "mode"]
    raw_id_fields = ["match", "logged_by", "reviewed_by"]
    date_hierarchy = "date"


@admin.register(FitCheck)
class FitCheckAdmin(admin.ModelAdmin):
    list_display = ["match", "mentor_fit", "mentee_fit", "rematch_recommended", "recorded_at"]
    raw_id_fields = ["match", "session", "recorded_by"]


@admin.register(SentAlert)
class SentAlertAdmin(admin.ModelAdmin):
    """Read-only: rows are claims made by the alert tasks (mentorship/alerts.py)."""

    list_display = ["kind", "object_key", "member", "on_date", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["member"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
