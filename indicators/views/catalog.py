"""The indicator catalog: list, definition page, create and edit, local definitions, and a
CSV template per indicator."""

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import services
from indicators.access import access_indicator
from indicators.forms import CatalogFilterForm, IndicatorForm, LocalDefinitionForm
from indicators.models import Indicator, LocalDefinition
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

PAGE_SIZE = 25


def _context(request: CollaborativeRequest, **extra: Any) -> dict[str, Any]:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _is_org_editor(member: Member) -> bool:
    return member.organization_id is not None and member.role in Member.EDITOR_ROLES


@collaborative_view()
def catalog(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Every indicator of the collaborative, by key area; filter by key area and status."""
    services.indicator_settings_for(request.collaborative)
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
    if _is_org_editor(request.member):
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
            can_create=services.can_manage_catalog(request.member),
            is_org_editor=_is_org_editor(request.member),
        ),
    )


@collaborative_view()
def indicator_definition(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """What an indicator means, its target, its allowed breakdowns, and what each
    organization's number includes and excludes."""
    indicator = access_indicator(request, public_id)
    definitions = (
        LocalDefinition.objects.filter(indicator=indicator)
        .select_related("organization")
        .order_by("organization__name")
    )
    mine = None
    if _is_org_editor(request.member):
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
            can_edit=Indicator.objects.editable_by(request.user).filter(pk=indicator.pk).exists(),
            is_org_editor=_is_org_editor(request.member),
        ),
    )


@collaborative_view(roles=(Member.Role.BACKBONE,))
def indicator_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    services.indicator_settings_for(request.collaborative)
    form = IndicatorForm(
        request.POST or None,
        collaborative=request.collaborative,
        instance=Indicator(collaborative=request.collaborative),
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_save(
                actor=request.member,
                indicator=form.instance,
                dimensions=form.cleaned_data["dimensions"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The indicator is in the catalog."))
            return redirect(indicator.get_absolute_url())
    return render(request, "indicators/indicator_form.html", _context(request, form=form))


@collaborative_view()
def indicator_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    indicator = access_indicator(request, public_id, edit=True)
    form = IndicatorForm(
        request.POST or None, collaborative=request.collaborative, instance=indicator
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(
                actor=request.member,
                indicator=form.instance,
                dimensions=form.cleaned_data["dimensions"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(indicator.get_absolute_url())
    return render(
        request,
        "indicators/indicator_form.html",
        _context(request, form=form, indicator=indicator),
    )


@collaborative_view()
def indicator_template(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """A CSV to fill in for one indicator: the right columns, and a row per breakdown
    value for the latest full period of the indicator's frequency."""
    indicator = access_indicator(request, public_id)
    settings_row = services.indicator_settings_for(request.collaborative)
    dimensions = list(indicator.dimensions.order_by("order").prefetch_related("values"))
    header = ["indicator", "period", *[d.code for d in dimensions]]
    if indicator.is_ratio:
        header += ["numerator", "denominator"]
    elif indicator.unit in (Indicator.Unit.DAYS, Indicator.Unit.DOLLARS):
        header += ["value", "denominator"]
    else:
        header += ["value"]
    period = _example_period(indicator, settings_row.fiscal_year_start_month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{indicator.code}-template.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a byte-order mark
    writer = csv.writer(response)
    writer.writerow(header)
    blanks = [""] * (len(header) - 2 - len(dimensions))
    writer.writerow([indicator.code, period, *[""] * len(dimensions), *blanks])
    for i, dimension in enumerate(dimensions):
        for value in dimension.values.all():
            cells = [""] * len(dimensions)
            cells[i] = value.code
            writer.writerow([indicator.code, period, *cells, *blanks])
    return response


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
    if not _is_org_editor(member):
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
def local_definition_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """State what my organization's number for this indicator includes and excludes."""
    indicator = access_indicator(request, public_id)
    member = request.member
    if not _is_org_editor(member):
        raise PermissionDenied
    current = LocalDefinition.objects.filter(
        indicator=indicator, organization=member.organization
    ).first()
    initial = {"includes": current.includes, "excludes": current.excludes} if current else {}
    form = LocalDefinitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.local_definition_save(
                actor=member,
                indicator=indicator,
                includes=form.cleaned_data["includes"],
                excludes=form.cleaned_data["excludes"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
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
