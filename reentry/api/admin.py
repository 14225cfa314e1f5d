from django.contrib import admin

from reentry.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are created and revoked on the API tokens page, where it is audited."""

    list_display = [
        "name",
        "display_prefix",
        "organization",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["organization__collaborative"]
    list_select_related = ["organization", "created_by"]
    search_fields = ["name", "prefix", "organization__name", "created_by__email"]
    exclude = ["token_hash"]
    readonly_fields = [
        "name",
        "organization",
        "created_by",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
