from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from stakeholders.models import (
    Collaborative,
    Invitation,
    KeyArea,
    Member,
    Organization,
    Sector,
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


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "collaborative", "sector", "sharing_level", "updated_at"]
    list_filter = ["collaborative", "sector", "sharing_level"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["sector"]
    filter_horizontal = ["key_areas"]
    list_select_related = ["collaborative", "sector"]


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
