from django.contrib import admin

from reentry.ratelimit.models import RateCounter


@admin.register(RateCounter)
class RateCounterAdmin(admin.ModelAdmin):
    list_display = ("key", "window_start", "count")
    search_fields = ("key",)
    readonly_fields = ("key", "window_start", "count")
