"""A Django admin for every casework model. Person-level: list pages show codes, never
names; identity fields (the ``Identity`` admin, its inline, a Part 2 consent's signed
name and witness) are shown only to superusers and to people who read person-level
records as staff (``access.reads_person_level_records``), and to the latter only for
their own organizations' records."""

from django.contrib import admin
from django.db.models import QuerySet

from casework import access
from casework.models import (
    Consent,
    Enrolment,
    IdempotencyKey,
    Identity,
    Part2Program,
    Participant,
    Referral,
    ReferralEvent,
    ServiceLog,
)

IDENTITY_ON_CONSENT = ("signed_name", "witness_name")


def may_see_identity(request, enrolment: Enrolment | None = None) -> bool:
    user = request.user
    if user.is_superuser:
        return True
    if not access.reads_person_level_records(user):
        return False
    if enrolment is None:
        return True
    return Enrolment.objects.owned_by(user).filter(pk=enrolment.pk).exists()


class _Labelled:
    """A row as the admin's checkbox sees it: its key and a label that is not a name."""

    def __init__(self, pk, label: str):
        self.pk = pk
        self.label = label

    def __str__(self) -> str:
        return self.label


class IdentityInline(admin.StackedInline):
    model = Identity
    extra = 0
    can_delete = False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["code", "collaborative", "has_account", "merged_into", "created_at"]
    list_filter = ["collaborative"]
    search_fields = ["code"]
    raw_id_fields = ["user", "merged_into"]
    readonly_fields = ["public_id", "created_at"]
    list_select_related = ["collaborative", "merged_into"]

    @admin.display(boolean=True, description="account linked")
    def has_account(self, obj: Participant) -> bool:
        return obj.user_id is not None


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["participant", "organization", "status", "enrolled_on", "closed_on"]
    list_filter = ["collaborative", "status"]
    search_fields = ["participant__code"]
    raw_id_fields = ["participant", "organization", "created_by"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    list_select_related = ["participant", "organization"]
    filter_horizontal = ["needs"]

    def get_inlines(self, request, obj=None):
        if obj is not None and may_see_identity(request, obj):
            return [IdentityInline]
        return []


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    """Names and contact details: never listed by name, only by code and organization."""

    list_display = ["code", "organization"]
    search_fields = ["enrolment__participant__code"]
    raw_id_fields = ["enrolment"]
    list_select_related = ["enrolment__participant", "enrolment__organization"]

    def action_checkbox(self, obj: Identity):
        """Django labels each row's checkbox with ``str(obj)``: the person's name. Here,
        the code."""
        return super().action_checkbox(_Labelled(obj.pk, obj.enrolment.participant.code))

    @admin.display(description="participant code")
    def code(self, obj: Identity) -> str:
        return obj.enrolment.participant.code

    @admin.display(description="organization")
    def organization(self, obj: Identity) -> str:
        return str(obj.enrolment.organization)

    def get_queryset(self, request) -> QuerySet:
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        if not access.reads_person_level_records(request.user):
            return rows.none()
        return rows.filter(enrolment__in=Enrolment.objects.owned_by(request.user))

    def has_module_permission(self, request) -> bool:
        return may_see_identity(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_see_identity(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return may_see_identity(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return may_see_identity(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return may_see_identity(request) and super().has_delete_permission(request, obj)


@admin.register(Part2Program)
class Part2ProgramAdmin(admin.ModelAdmin):
    list_display = ["program_name", "organization", "designated_at"]
    raw_id_fields = ["organization", "designated_by"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["participant", "organization", "starts_on", "ends_on", "findable", "revoked_at"]
    list_filter = ["collaborative", "findable", "shares_part2", "method"]
    search_fields = ["participant__code", "purpose"]
    raw_id_fields = ["participant", "enrolment", "organization", "taken_by", "revoked_by"]
    filter_horizontal = ["recipient_organizations", "recipient_sectors", "key_areas"]
    readonly_fields = ["public_id", "created_at", "expiry_recorded_at"]
    list_select_related = ["participant", "organization"]

    def get_exclude(self, request, obj=None):
        if may_see_identity(request, obj.enrolment if obj is not None else None):
            return ()
        return IDENTITY_ON_CONSENT


@admin.register(ServiceLog)
class ServiceLogAdmin(admin.ModelAdmin):
    list_display = ["participant", "organization", "key_area", "delivered_on", "outcome"]
    list_filter = ["collaborative", "outcome"]
    search_fields = ["participant__code"]
    raw_id_fields = ["enrolment", "participant", "organization", "service", "created_by"]
    readonly_fields = ["public_id", "created_at"]
    list_select_related = ["participant", "organization", "key_area"]
    date_hierarchy = "delivered_on"


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "organization", "endpoint", "status_code", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["organization"]


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    raw_id_fields = ["by", "by_organization"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["participant", "from_organization", "to_organization", "status", "sent_at"]
    list_filter = ["collaborative", "status", "is_self_referral"]
    search_fields = ["participant__code"]
    raw_id_fields = [
        "participant",
        "from_organization",
        "from_enrolment",
        "to_organization",
        "to_service",
        "to_enrolment",
        "key_area",
        "consent",
        "service_log",
        "sent_by",
    ]
    readonly_fields = ["public_id", "sent_at", "updated_at"]
    list_select_related = ["participant", "from_organization", "to_organization"]
    inlines = [ReferralEventInline]
