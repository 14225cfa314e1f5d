from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from stakeholders.models import (
    Collaborative,
    Contact,
    HsdsSourceId,
    Invitation,
    JoinRequest,
    KeyArea,
    Language,
    Location,
    Member,
    Organization,
    Phone,
    RegularSchedule,
    Sector,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
    ServiceTaxonomy,
    TaxonomyTerm,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    filter_horizontal = ["user_permissions"]


class KeyAreaInline(admin.TabularInline):
    model = KeyArea
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


class SectorInline(admin.TabularInline):
    model = Sector
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Collaborative)
class CollaborativeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region", "time_zone", "created_at"]
    search_fields = ["name", "slug", "region"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [KeyAreaInline, SectorInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # A collaborative made here starts with the default key areas and sectors.
            from stakeholders.services import collaborative_seed_defaults

            collaborative_seed_defaults(collaborative=form.instance)


@admin.register(KeyArea)
class KeyAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "collaborative", "order"]
    list_filter = ["collaborative"]
    search_fields = ["name"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "collaborative", "order"]
    list_filter = ["collaborative"]
    search_fields = ["name"]


class OrganizationServiceInline(admin.TabularInline):
    model = Service
    fields = ["name", "status", "accepts_referrals", "serves_when", "last_verified_at"]
    extra = 0
    show_change_link = True


class OrganizationLocationInline(admin.TabularInline):
    model = Location
    fields = ["name", "address_1", "city", "state_province", "postal_code"]
    extra = 0
    show_change_link = True


class OrganizationPhoneInline(admin.TabularInline):
    model = Phone
    fk_name = "organization"
    fields = ["number", "extension", "type", "language", "description", "department"]
    extra = 0

    def get_queryset(self, request):
        # The organization's own numbers; services' and locations' are on their pages.
        return (
            super()
            .get_queryset(request)
            .filter(service=None, location=None, service_at_location=None)
        )


class OrganizationContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "title", "department", "email", "phone", "service"]
    raw_id_fields = ["service"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "collaborative", "sector", "sharing_level", "updated_at"]
    list_filter = ["collaborative", "sector", "sharing_level"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["sector"]
    filter_horizontal = ["key_areas"]
    list_select_related = ["collaborative", "sector"]
    # A logo only comes in through the profile page, which checks and re-encodes it.
    exclude = ["logo"]
    inlines = [
        OrganizationServiceInline,
        OrganizationLocationInline,
        OrganizationPhoneInline,
        OrganizationContactInline,
    ]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "collaborative", "role", "organization", "is_active", "joined_at"]
    list_filter = ["collaborative", "role", "is_active"]
    search_fields = ["user__email", "user__name", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "collaborative", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "collaborative",
        "role",
        "organization",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["collaborative", "role"]
    search_fields = ["email", "name"]
    readonly_fields = ["token_hash", "invited_by", "accepted_member", "last_sent_at", "send_count"]
    list_select_related = ["collaborative", "organization"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "collaborative", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["collaborative", "status"]
    search_fields = ["user__email", "user__name", "organization_name"]
    readonly_fields = ["user", "collaborative", "created_at", "decided_at", "decided_by", "member"]
    list_select_related = ["user", "collaborative", "decided_by"]


# --- The directory (HSDS shape) ----------------------------------------------------------


class ServiceCriterionInline(admin.TabularInline):
    model = ServiceCriterion
    extra = 0


class ServiceTaxonomyInline(admin.TabularInline):
    model = ServiceTaxonomy
    fields = ["term", "taxonomy_detail", "hsds_id"]
    raw_id_fields = ["term"]
    extra = 0


class ServiceAtLocationInline(admin.TabularInline):
    model = ServiceAtLocation
    fields = ["location", "description", "hsds_id"]
    raw_id_fields = ["location"]
    extra = 0


class ScheduleInline(admin.TabularInline):
    model = RegularSchedule
    fields = ["weekday", "opens_at", "closes_at"]
    extra = 0


class LanguageInline(admin.TabularInline):
    model = Language
    fields = ["language", "code"]
    readonly_fields = ["code"]
    extra = 0


class PhoneInline(admin.TabularInline):
    model = Phone
    fields = ["number", "extension", "type", "language", "description", "department"]
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "status",
        "accepts_referrals",
        "serves_when",
        "last_verified_at",
    ]
    list_filter = ["collaborative", "status", "accepts_referrals", "serves_when"]
    search_fields = [
        "name",
        "alternate_name",
        "description",
        "name_es",
        "description_es",
        "organization__name",
        "hsds_id",
    ]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["key_areas"]
    list_select_related = ["organization"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    inlines = [
        ServiceCriterionInline,
        ServiceTaxonomyInline,
        ServiceAtLocationInline,
        ScheduleInline,
        LanguageInline,
        PhoneInline,
    ]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "address_1", "city", "postal_code"]
    list_filter = ["collaborative"]
    search_fields = ["name", "address_1", "city", "organization__name", "hsds_id"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    inlines = [ScheduleInline, LanguageInline, PhoneInline]


@admin.register(Phone)
class PhoneAdmin(admin.ModelAdmin):
    list_display = ["number", "extension", "type", "organization", "service", "location"]
    list_filter = ["collaborative", "type"]
    search_fields = ["number", "organization__name", "hsds_id"]
    raw_id_fields = ["organization", "service", "location", "service_at_location"]
    list_select_related = ["organization", "service", "location"]


@admin.register(RegularSchedule)
class RegularScheduleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "service", "location"]
    list_filter = ["collaborative", "weekday"]
    raw_id_fields = ["service", "location", "service_at_location"]
    list_select_related = ["organization", "service", "location"]


@admin.register(ServiceAtLocation)
class ServiceAtLocationAdmin(admin.ModelAdmin):
    list_display = ["service", "location", "organization"]
    list_filter = ["collaborative"]
    raw_id_fields = ["service", "location"]
    list_select_related = ["service", "location", "organization"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["language", "code", "organization", "service", "location"]
    list_filter = ["collaborative", "code"]
    raw_id_fields = ["service", "location"]
    list_select_related = ["organization", "service", "location"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organization", "service", "email", "phone"]
    list_filter = ["collaborative"]
    search_fields = ["name", "title", "email", "organization__name", "hsds_id"]
    raw_id_fields = ["organization", "service", "service_at_location"]
    list_select_related = ["organization", "service"]
    readonly_fields = ["public_id", "created_at", "updated_at"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ["name", "vocabulary", "parent_name", "hsds_id", "collaborative"]
    list_filter = ["collaborative", "vocabulary"]
    search_fields = ["name", "parent_name", "hsds_id"]


@admin.register(HsdsSourceId)
class HsdsSourceIdAdmin(admin.ModelAdmin):
    """Read only: written by the HSDS import, read by the export."""

    list_display = ["resource", "hsds_id", "key", "collaborative"]
    list_filter = ["collaborative", "resource"]
    search_fields = ["hsds_id", "key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
