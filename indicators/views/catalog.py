"""The indicator catalog: list, definition page, create and edit, local definitions, and a
CSV template per indicator."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.access import (
    access_indicator,
    can_create_indicator,
    can_define_locally,
    can_edit_indicator,
)
from indicators.forms import CatalogFilterForm, IndicatorForm, LocalDefinitionForm
from indicators.models import Indicator, LocalDefinition
from indicators.seeds import indicator_settings_for
from indicators.services.catalog import indicator_save, local_definition_save
from reentry.downloads import csv_response
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

PAGE_SIZE = 25


def _context(request: CollaborativeRequest, **extra: Any) -> dict[str, Any]:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


@collaborative_view()
def catalog(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Every indicator of the collaborative, by key area; filter by key area and status."""
    indicator_settings_for(request.collaborative)
    form = CatalogFilterForm(request.GET or None, collaborative=request.collaborative)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    indicators = (
        Indicator.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("key_area", "working_group", "collaborative")
        .annotate(
            can_edit=Exists(Indicator.objects.editable_by(request.user).filter(pk=OuterRef("pk")))
        )
        .order_by("key_area__order", "key_area__name", "-is_headline", "code")
    )
    if data.get("key_area"):
        indicators = indicators.filter(key_area=data["key_area"])
    status = data.get("status") or ""
    if status == "all":
        pass
    elif status:
        indicators = indicators.filter(status=status)
    else:
        indicators = indicators.exclude(status=Indicator.Status.RETIRED)
    if can_define_locally(request.member):
        indicators = indicators.annotate(
            has_local=Exists(
                LocalDefinition.objects.filter(
                    indicator=OuterRef("pk"), organization=request.member.organization
                )
            )
        )
    page = Paginator(indicators, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/catalog.html",
        _context(
            request,
            page=page,
            form=form,
            filtered=bool(data.get("key_area") or status),
            can_create=can_create_indicator(request.member),
            is_org_editor=can_define_locally(request.member),
        ),
    )


@collaborative_view()
def indicator_definition(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """What an indicator means, its target, its allowed breakdowns, and what each
    organization's number includes and excludes."""
    indicator = access_indicator(request, public_id)
    definitions = (
        LocalDefinition.objects.filter(indicator=indicator)
        .select_related("organization")
        .order_by("organization__name")
    )
    mine = None
    if can_define_locally(request.member):
        mine = next(
            (d for d in definitions if d.organization_id == request.member.organization_id), None
        )
    return render(
        request,
        "indicators/indicator_definition.html",
        _context(
            request,
            indicator=indicator,
            dimensions=indicator.dimensions.order_by("order").prefetch_related("values"),
            definitions=definitions,
            mine=mine,
            can_edit=can_edit_indicator(request.member, indicator),
            is_org_editor=can_define_locally(request.member),
        ),
    )


@collaborative_view(roles=(Member.Role.BACKBONE,))
def indicator_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    indicator_settings_for(request.collaborative)
    form = IndicatorForm(
        request.POST or None,
        collaborative=request.collaborative,
        instance=Indicator(collaborative=request.collaborative),
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = indicator_save(
                actor=request.member,
                indicator=form.instance,
                dimensions=form.cleaned_data["dimensions"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The indicator is in the catalog."))
            return redirect(indicator.get_absolute_url())
    return render(request, "indicators/indicator_form.html", _context(request, form=form))


@collaborative_view()
def indicator_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    indicator = access_indicator(request, public_id, action="edit")
    form = IndicatorForm(
        request.POST or None, collaborative=request.collaborative, instance=indicator
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator_save(
                actor=request.member,
                indicator=form.instance,
                dimensions=form.cleaned_data["dimensions"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(indicator.get_absolute_url())
    return render(
        request,
        "indicators/indicator_form.html",
        _context(request, form=form, indicator=indicator),
    )


@collaborative_view()
def indicator_template(
    request: CollaborativeRequest, slug: str, public_id: UUID
) -> HttpResponseBase:
    """A CSV to fill in for one indicator: the right columns, and a row per breakdown
    value for the latest full period of the indicator's frequency."""
    indicator = access_indicator(request, public_id)
    settings_row = indicator_settings_for(request.collaborative)
    dimensions = list(indicator.dimensions.order_by("order").prefetch_related("values"))
    header = ["indicator", "period", *[d.code for d in dimensions]]
    if indicator.is_ratio:
        header += ["numerator", "denominator"]
    elif indicator.unit in (Indicator.Unit.DAYS, Indicator.Unit.DOLLARS):
        header += ["value", "denominator"]
    else:
        header += ["value"]
    period = _example_period(indicator, settings_row.fiscal_year_start_month)
    blanks = [""] * (len(header) - 2 - len(dimensions))
    rows = [header, [indicator.code, period, *[""] * len(dimensions), *blanks]]
    for i, dimension in enumerate(dimensions):
        for value in dimension.values.all():
            cells = [""] * len(dimensions)
            cells[i] = value.code
            rows.append([indicator.code, period, *cells, *blanks])
    return csv_response(rows, f"{indicator.code}-template.csv", stream=False)


def _example_period(indicator: Indicator, fiscal_start_month: int) -> str:
    """The last complete period of the indicator's frequency, as an upload writes it."""
    today = timezone.localdate()
    freq = indicator.frequency
    if freq == Indicator.Frequency.MONTHLY:
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return f"{year}-{month:02d}"
    if freq == Indicator.Frequency.YEARLY:
        return str(today.year - 1)
    if freq == Indicator.Frequency.FISCAL_YEARLY:
        current_fy = today.year + (1 if today.month >= fiscal_start_month > 1 else 0)
        return f"FY{current_fy - 1}"
    quarter = (today.month - 1) // 3  # the current quarter, counted from 0
    return f"{today.year - 1}-Q4" if quarter == 0 else f"{today.year}-Q{quarter}"


@collaborative_view()
def local_definitions(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """My organization's local definitions: what our numbers include and exclude."""
    member = request.member
    if not can_define_locally(member):
        raise PermissionDenied
    indicators = (
        Indicator.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .exclude(status=Indicator.Status.RETIRED)
        .select_related("key_area")
        .prefetch_related(
            Prefetch(
                "local_definitions",
                queryset=LocalDefinition.objects.filter(organization=member.organization),
                to_attr="mine",
            )
        )
        .order_by("key_area__order", "code")
    )
    page = Paginator(indicators, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/local_definitions.html",
        _context(request, page=page, organization=member.organization),
    )


@collaborative_view()
def local_definition_edit(
    request: CollaborativeRequest, slug: str, public_id: UUID
) -> HttpResponse:
    """State what my organization's number for this indicator includes and excludes."""
    indicator = access_indicator(request, public_id)
    member = request.member
    if not can_define_locally(member):
        raise PermissionDenied
    current = LocalDefinition.objects.filter(
        indicator=indicator, organization=member.organization
    ).first()
    initial = {"includes": current.includes, "excludes": current.excludes} if current else {}
    form = LocalDefinitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            local_definition_save(
                actor=member,
                indicator=indicator,
                includes=form.cleaned_data["includes"],
                excludes=form.cleaned_data["excludes"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your local definition is saved."))
            return redirect(
                reverse(
                    "indicators:indicator_definition",
                    kwargs={"slug": slug, "public_id": indicator.public_id},
                )
            )
    return render(
        request,
        "indicators/local_definition_form.html",
        _context(request, form=form, indicator=indicator, organization=member.organization),
    )
