from django.contrib import admin

from reentry.stipends.models import StipendLine, StipendPayment, StipendRate


@admin.register(StipendRate)
class StipendRateAdmin(admin.ModelAdmin):
    list_display = ["collaborative", "source", "is_active", "unit", "amount", "monthly_cap"]
    list_filter = ["is_active", "unit"]
    raw_id_fields = ["updated_by"]


@admin.register(StipendLine)
class StipendLineAdmin(admin.ModelAdmin):
    """Read-only: the ledger changes only through its services (approval, payment)."""

    list_display = ["date", "member", "description", "amount", "status", "payment_reference"]
    list_filter = ["status", "source", "collaborative"]
    list_select_related = ["member__user", "member__collaborative"]
    search_fields = ["member__user__name", "member__user__email", "description"]
    date_hierarchy = "date"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StipendPayment)
class StipendPaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "collaborative", "month", "person_count", "total", "created_at"]
    list_filter = ["collaborative"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
