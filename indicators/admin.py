import json

from django.contrib import admin

from indicators.models import (
    ColumnMapping,
    DataRequest,
    Dataset,
    DatasetVersion,
    Dimension,
    DimensionValue,
    ImportJob,
    Indicator,
    IndicatorComment,
    IndicatorSettings,
    LocalDefinition,
    Observation,
    StoryNote,
)
from reentry.sharing.admin import ShareableAdmin


@admin.register(IndicatorSettings)
class IndicatorSettingsAdmin(admin.ModelAdmin):
    list_display = ["collaborative", "fiscal_year_start_month", "dimensions_seeded"]
    list_select_related = ["collaborative"]
    raw_id_fields = ["collaborative"]


class DimensionValueInline(admin.TabularInline):
    model = DimensionValue
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "collaborative", "accepts_any_value", "order"]
    list_filter = ["collaborative"]
    list_select_related = ["collaborative"]
    search_fields = ["name", "code"]
    raw_id_fields = ["collaborative"]
    inlines = [DimensionValueInline]


@admin.register(DimensionValue)
class DimensionValueAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "dimension", "order"]
    list_filter = ["dimension__collaborative", "dimension__code"]
    list_select_related = ["dimension"]
    search_fields = ["label", "code"]
    raw_id_fields = ["dimension"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "collaborative", "key_area", "kind", "unit", "status"]
    list_filter = ["collaborative", "status", "kind", "unit", "is_headline", "is_public"]
    list_select_related = ["collaborative", "key_area"]
    search_fields = ["code", "name", "name_es", "question"]
    raw_id_fields = ["collaborative", "key_area", "working_group"]
    filter_horizontal = ["dimensions"]


@admin.register(LocalDefinition)
class LocalDefinitionAdmin(admin.ModelAdmin):
    list_display = ["indicator", "organization", "updated_at"]
    list_filter = ["indicator__collaborative"]
    list_select_related = ["indicator", "organization"]
    search_fields = ["indicator__code", "organization__name"]
    raw_id_fields = ["indicator", "organization", "updated_by"]


class DatasetVersionInline(admin.TabularInline):
    model = DatasetVersion
    extra = 0
    fields = ["number", "status", "row_count", "reason", "created_at"]
    readonly_fields = ["number", "status", "row_count", "reason", "created_at"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(ShareableAdmin):
    list_display = ["title", "owner", "period_start", "period_end", "sharing_level"]
    list_filter = ["sharing_level", "collaborative", "licence"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__name", "source"]
    readonly_fields = ["sharing_level", "current_version", "accepted_version"]
    inlines = [DatasetVersionInline]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change only through the services (submit, accept, restore)."""

    list_display = ["dataset", "number", "status", "row_count", "created_at"]
    list_filter = ["status", "dataset__collaborative"]
    list_select_related = ["dataset"]
    search_fields = ["dataset__title"]
    # A record-level version's profile counts people's values: it stays with the owner
    # (its pages), never in the admin. The records themselves are not in the admin.
    exclude = ["profile"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    """Read-only: rows come in through the import and never change after it."""

    list_display = [
        "indicator",
        "dataset",
        "version",
        "period_start",
        "period_end",
        "breakdown_key",
        "value",
    ]
    list_filter = ["period_kind", "indicator__collaborative"]
    list_select_related = ["indicator", "dataset", "version"]
    search_fields = ["indicator__code", "dataset__title"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ["organization", "headers_key", "updated_at"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "updated_by"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "original_filename",
        "organization",
        "status",
        "rows_total",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "file_format", "collaborative"]
    list_select_related = ["organization"]
    search_fields = ["original_filename", "organization__name"]
    raw_id_fields = ["collaborative", "organization", "dataset", "version", "created_by"]
    # The stored file and a record-level upload's column profile hold an organization's
    # unpublished data (people's values, for records): the admin shows neither.
    exclude = ["file", "report"]
    readonly_fields = ["problems", "rows_done", "rows_total", "error_count"]

    @admin.display(description="report (without the column profile)")
    def problems(self, obj: ImportJob) -> str:
        report = {k: v for k, v in (obj.report or {}).items() if k != "profile"}
        return json.dumps(report, ensure_ascii=False, indent=1)[:20000]


@admin.register(StoryNote)
class StoryNoteAdmin(admin.ModelAdmin):
    list_display = ["indicator", "author", "created_at"]
    list_select_related = ["indicator", "author__user"]
    raw_id_fields = ["indicator", "author"]


@admin.register(IndicatorComment)
class IndicatorCommentAdmin(admin.ModelAdmin):
    list_display = ["indicator", "author", "is_hidden", "created_at"]
    list_filter = ["is_hidden"]
    list_select_related = ["indicator", "author__user"]
    raw_id_fields = ["indicator", "author"]


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ["dataset", "requested_by", "status", "created_at", "decided_at"]
    list_filter = ["status", "collaborative"]
    list_select_related = ["dataset", "requested_by__user"]
    raw_id_fields = ["dataset", "requested_by", "requesting_organization", "decided_by"]
