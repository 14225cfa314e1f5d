"""The builder: an organization's admins and staff define an indicator from one of their
record-level datasets (a count, or a rate; the period; the breakdowns and how each value
of the file maps onto the collaborative's dimension values), see it in words and in
figures for the latest period, and save it, which derives it at once into the current
version. Also: change a saved definition (removing one is on the dataset's page,
``indicators/views/records.py``).

One page, one form: every choice travels in the form's fields (``indicators.records.
builder``), so "show the values", a preview or an error never loses what was typed. It
works without JavaScript; the buttons say what each round trip does.

Only the dataset owner's admins and staff reach these pages; anyone else gets a 404,
whatever the dataset's sharing (the rows and their exact counts are the owner's alone).
"""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from indicators.access import can_change_dataset, can_create_indicator
from indicators.charts import format_number
from indicators.dashboards import fiscal_start_month, format_value
from indicators.models import Dataset, DatasetVersion, DerivedIndicator, Dimension, Indicator
from indicators.periods import period_label
from indicators.records import builder as building
from indicators.records.builder import Builder, DimensionChoice
from indicators.records.derive import cells, check_unit, grouped, records_select
from indicators.records.describe import describe
from indicators.records.spec import (
    Dimensions,
    IndicatorSpec,
    SpecError,
    check_against,
    parse_indicator,
)
from indicators.seeds import indicator_settings_for
from indicators.services.catalog import indicator_save
from indicators.services.records import derived_indicator_save, similar_names
from reentry.i18n import localized
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import KeyArea, Organization

# --- access --------------------------------------------------------------------------


def _records_dataset(request: CollaborativeRequest, public_id: UUID) -> Dataset:
    """A record-level dataset of this collaborative whose owner the person works for
    (admin or staff). Anyone else: 404, even when the dataset is shared with them."""
    collaborative = request.collaborative
    mine = Dataset.objects.filter(
        collaborative=collaborative,
        kind=Dataset.Kind.RECORDS,
        owner_id__in=Organization.editor_owner_ids(request.user),
    ).select_related("collaborative", "owner", "current_version")
    dataset = get_visible_or_404(
        Dataset.objects.filter(collaborative=collaborative),
        mine,
        request=request,
        public_id=public_id,
    )
    if not can_change_dataset(request.member, dataset):
        raise PermissionDenied  # pragma: no cover - the filter above admits only them
    return dataset


def _definition(dataset: Dataset, derived_id: UUID) -> DerivedIndicator:
    return get_visible_or_404(
        DerivedIndicator.objects.filter(dataset=dataset),
        DerivedIndicator.objects.filter(dataset=dataset).select_related(
            "indicator", "indicator__collaborative", "derived_version"
        ),
        public_id=derived_id,
    )


# --- what the page offers -------------------------------------------------------------


def _dimension_choices(collaborative) -> list[DimensionChoice]:
    indicator_settings_for(collaborative)  # seeds the default dimensions once
    return [
        DimensionChoice(
            d.code,
            localized(d, "name"),
            [(v.code, localized(v, "label")) for v in d.values.all()],
            d.accepts_any_value,
        )
        for d in Dimension.objects.filter(collaborative=collaborative).prefetch_related("values")
    ]


def _spec_dimensions(choices: list[DimensionChoice]) -> Dimensions:
    return Dimensions(
        {d.code: d.name for d in choices},
        {d.code: (None if d.any_value else tuple(c for c, _label in d.values)) for d in choices},
        {(d.code, code): label for d in choices for code, label in d.values},
    )


def _preview(
    version: DatasetVersion,
    spec: IndicatorSpec,
    names: dict[str, str],
    indicator: Indicator,
    dimensions: list[DimensionChoice],
) -> dict[str, Any]:
    """The figures the definition gives for the latest period, exactly (the owner's own
    view; shared views suppress small numbers), and how many rows it counts."""
    month = fiscal_start_month(version.dataset.collaborative)
    groups = grouped(records_select(version, spec, names), len(spec.breakdowns))
    sums, result = cells(groups, spec, month)
    found: dict[str, Any] = {"result": result, "groups": [], "period": ""}
    if not sums:
        return found
    latest = max((key[0] for key in sums), key=lambda p: p.start)
    found["period"] = period_label(latest.kind, latest.start, latest.end, fiscal_start_month=month)
    found["periods"] = len({key[0] for key in sums})

    def row(label: str, denominator: int, numerator: int, *, total: bool = False) -> dict:
        if spec.measure == "rate":
            value = (
                format_value(
                    indicator, indicator.derive_value(Decimal(numerator), Decimal(denominator)), 1
                )
                if denominator
                else "—"
            )
        else:
            value = format_number(denominator, 0)
        return {
            "label": label,
            "value": value,
            "numerator": format_number(numerator, 0),
            "denominator": format_number(denominator, 0),
            "total": total,
        }

    total = sums.get((latest, "", ""), [0, 0])
    found["groups"] = [{"name": "", "rows": [row(_("Everyone counted"), *total, total=True)]}]
    by_code = {d.code: d for d in dimensions}
    for breakdown in spec.breakdowns:
        dimension = by_code.get(breakdown.dimension)
        if dimension is None:
            continue
        labels = dict(dimension.values)
        order = [code for code, _label in dimension.values]
        present = sorted(
            (key[2] for key in sums if key[0] == latest and key[1] == breakdown.dimension),
            key=lambda code: (order.index(code) if code in order else len(order), code),
        )
        found["groups"].append(
            {
                "name": dimension.name,
                "rows": [
                    row(labels.get(code, code), *sums[(latest, breakdown.dimension, code)])
                    for code in present
                ],
            }
        )
    return found


# --- the builder ----------------------------------------------------------------------


def _new_indicator(builder: Builder, collaborative, key_areas: list[KeyArea]) -> Indicator:
    area = next((a for a in key_areas if a.slug == builder.new.get("key_area")), None)
    kind, _sep, cut = builder.period_kind.partition(":")
    frequency = {
        "year": Indicator.Frequency.YEARLY,
        "fiscal_year": Indicator.Frequency.FISCAL_YEARLY,
        "month": Indicator.Frequency.MONTHLY,
        "quarter": Indicator.Frequency.QUARTERLY,
    }.get(cut or kind, Indicator.Frequency.OTHER)
    return Indicator(
        collaborative=collaborative,
        key_area=area,
        code=builder.new.get("code", ""),
        name=builder.new.get("name", ""),
        question=builder.new.get("question", ""),
        unit=builder.new.get("unit", ""),
        frequency=frequency,
    )


def _builder_page(
    request: CollaborativeRequest, public_id: UUID, derived_id: UUID | None
) -> HttpResponse:
    dataset = _records_dataset(request, public_id)
    definition = _definition(dataset, derived_id) if derived_id else None
    collaborative = request.collaborative
    member = request.member
    version = dataset.current_version
    context: dict[str, Any] = {
        "collaborative": collaborative,
        "member": member,
        "dataset": dataset,
        "definition": definition,
        "version": version,
    }
    if version is None:
        return render(request, "indicators/derive.html", context)
    version.dataset = dataset
    dimensions = _dimension_choices(collaborative)
    indicators = list(
        Indicator.objects.filter(collaborative=collaborative, unit__in=building.UNITS).order_by(
            "code"
        )
    )
    units = {str(i.public_id): i.unit for i in indicators}
    can_create = definition is None and can_create_indicator(member)
    key_areas = list(KeyArea.objects.filter(collaborative=collaborative)) if can_create else []
    profile = version.profile or {}
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if request.method == "POST":
        builder = Builder.read(request.POST, profile=profile, dimensions=dimensions, units=units)
    elif definition is not None:
        builder = Builder.from_spec(
            definition.spec,
            indicator=str(definition.indicator.public_id),
            profile=profile,
            dimensions=dimensions,
            units=units,
        )
    else:
        builder = Builder(profile, dimensions, units)
        builder.indicator = request.GET.get("indicator", "")
    if definition is not None:
        builder.indicator = str(definition.indicator.public_id)
        units.setdefault(builder.indicator, definition.indicator.unit)
    if definition is None and builder.indicator in units:
        taken = DerivedIndicator.objects.filter(
            dataset=dataset, indicator__public_id=builder.indicator
        ).first()
        if taken is not None:
            edit_url = reverse(
                "indicators:derive_edit",
                args=[collaborative.slug, dataset.public_id, taken.public_id],
            )
            if request.method != "POST":
                return redirect(edit_url)
            context["taken_url"] = edit_url
            builder.add_error(
                "indicator",
                _("This indicator is already derived from these records: change it there."),
            )
    similar: list[str] = []
    preview = None
    description = ""
    if step in ("preview", "save") and builder.validate(can_create=can_create):
        indicator = (
            _new_indicator(builder, collaborative, key_areas)
            if builder.indicator == "new"
            else definition.indicator
            if definition is not None
            else next(i for i in indicators if str(i.public_id) == builder.indicator)
        )
        if indicator.pk is None:
            if Indicator.objects.filter(
                collaborative=collaborative, code__iexact=indicator.code
            ).exists():
                builder.add_error(
                    "new_code", _("The catalog already has an indicator with this code.")
                )
            similar = similar_names(collaborative.pk, indicator.name)
            if similar and not builder.confirm_similar:
                builder.add_error(
                    "new_name",
                    _(
                        "The catalog already has a similar name: %(names)s. Choose it above "
                        "instead, or tick “Yes, this is a different indicator”."
                    )
                    % {"names": ", ".join(f"“{n}”" for n in similar)},
                )
        spec_dimensions = _spec_dimensions(dimensions)
        try:
            spec = parse_indicator(builder.spec_json(indicator.code or "NEW"))
            check_unit(spec, indicator)
            names = check_against(spec, profile, spec_dimensions)
        except SpecError as exc:
            builder.place_problems(exc.problems)
        else:
            description = describe(spec, spec_dimensions)
            if indicator.pk is None and spec.measure == "rate":
                indicator.denominator_definition = description.split(". ")[0]
            if step == "save" and not builder.has_errors:
                saved = _save(request, builder, dataset, indicator, spec)
                if saved is not None:
                    messages.success(
                        request,
                        _("Saved. “%(name)s” is derived from version %(version)s of the records.")
                        % {"name": saved.indicator.name, "version": version.number},
                    )
                    return redirect(saved.indicator.get_absolute_url())
            if not builder.has_errors or step == "preview":
                preview = _preview(version, spec, names, indicator, dimensions)
    context.update(
        builder=builder,
        indicators=indicators,
        can_create=can_create,
        key_areas=key_areas,
        unit_choices=[(u, label) for u, label in Indicator.Unit.choices if u in building.UNITS],
        period_choices=building.PERIOD_CHOICES,
        how_choices=building.HOW_CHOICES,
        op_choices=building.OP_CHOICES,
        similar=similar,
        preview=preview,
        description=description,
        step=step,
        ready=preview is not None and not builder.has_errors,
    )
    status = 400 if step in ("preview", "save") and builder.has_errors else 200
    return render(request, "indicators/derive.html", context, status=status)


def _save(
    request: CollaborativeRequest,
    builder: Builder,
    dataset: Dataset,
    indicator: Indicator,
    spec: IndicatorSpec,
) -> DerivedIndicator | None:
    """Add the catalog entry (when new) and save the definition, in one transaction;
    the services' refusals go next to the fields. None when refused."""
    was_new = indicator.pk is None
    try:
        with transaction.atomic():
            if was_new:
                indicator_save(actor=request.member, indicator=indicator, request=request)
            return derived_indicator_save(
                actor=request.member,
                dataset=dataset,
                indicator=indicator,
                spec=spec,
                request=request,
            )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                where = f"new_{name}" if name in builder.new else "top"
                for message in errors:
                    builder.add_error(where, message)
        else:
            builder.place_problems(exc.messages)
        if was_new:  # rolled back: still to be added
            indicator.pk = None
            indicator._state.adding = True
        return None


@collaborative_view()
def derive_new(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Define a new indicator from the dataset's records."""
    return _builder_page(request, public_id, None)


@collaborative_view()
def derive_edit(
    request: CollaborativeRequest, slug: str, public_id: UUID, derived_id: UUID
) -> HttpResponse:
    """Change how an indicator is derived from the dataset's records."""
    return _builder_page(request, public_id, derived_id)


urlpatterns = [
    path("datasets/<uuid:public_id>/derive/", derive_new, name="derive"),
    path("datasets/<uuid:public_id>/derive/<uuid:derived_id>/", derive_edit, name="derive_edit"),
]
