from django.contrib import admin

from reentry.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: rows leave the outbox when ``flush_outbox`` has sent them."""

    list_display = ["task_name", "created_at", "attempts", "last_attempt_at", "claimed_at"]
    list_filter = ["task_name"]
    readonly_fields = [
        "task_name",
        "args",
        "kwargs",
        "created_at",
        "attempts",
        "last_error",
        "last_attempt_at",
        "claimed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
