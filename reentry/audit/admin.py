from django.contrib import admin

from reentry.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "actor_label", "action", "object_label", "outcome", "ip_address"]
    list_filter = ["action", "outcome", "collaborative"]
    search_fields = ["actor_label", "object_label", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
