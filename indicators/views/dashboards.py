"""Dashboards: the collaborative overview, a scorecard per key area, and the indicator
page (time series, breakdowns, data table, contributing datasets, local definitions,
the story behind the curve and partners' comments).

Every figure comes through indicators/dashboards.py: the person's visible datasets,
suppressed for them. Each page runs a fixed number of queries however many
observations there are.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import exports
from indicators.access import (
    access_comment,
    access_indicator,
    can_comment,
    can_edit_indicator,
    can_moderate_comments,
)
from indicators.charts import Bar, bar_chart, sparkline, time_series
from indicators.dashboards import (
    RECENT_PERIODS,
    IndicatorData,
    PeriodTable,
    ValueOrder,
    breakdown_dimensions,
    breakdown_groups,
    choose_period,
    fiscal_start_month,
    format_difference,
    format_value,
    indicator_data,
    value_order,
    visible_observations,
)
from indicators.forms import CommentForm, DataRequestForm, StoryForm
from indicators.models import (
    Dataset,
    DerivedIndicator,
    Dimension,
    Indicator,
    IndicatorComment,
    LocalDefinition,
    StoryNote,
)
from indicators.selectors import adopted_indicators, requestable_datasets
from indicators.services import dashboards as services
from reentry.forms import apply_errors
from reentry.i18n import localized
from reentry.pagecache import kept_page
from reentry.suppression import PublishedCell
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import KeyArea

#: Most recent comments shown on an indicator page.
COMMENTS_SHOWN = 50


def _accepted_only(request) -> bool:
    return request.GET.get("accepted") == "1"


def _own(request: CollaborativeRequest) -> list[int]:
    org_id = request.member.organization_id
    return [org_id] if org_id else []


def _context(request: CollaborativeRequest, **extra: Any) -> dict[str, Any]:
    return {
        "collaborative": request.collaborative,
        "member": request.member,
        "accepted_only": _accepted_only(request),
        "threshold": request.collaborative.small_cell_threshold,
        **extra,
    }


def _formatter(indicator: Indicator):
    return lambda value: format_value(indicator, value)


def scorecard_row(data: IndicatorData) -> dict[str, Any]:
    """What a scorecard shows of one indicator."""
    indicator = data.indicator
    latest = data.latest()
    fmt = _formatter(indicator)
    return {
        "indicator": indicator,
        "latest": latest,
        "latest_text": (
            fmt(latest.total.value) if latest and latest.total and not latest.total.hidden else ""
        ),
        "latest_hidden": bool(latest and latest.total and latest.total.hidden),
        "protected": bool(latest and latest.total and latest.total.protected),
        "spark": sparkline(data.points(), title=indicator.name, fmt=fmt) if data.has_data else "",
        "target_text": fmt(indicator.target_value) if indicator.target_value is not None else "",
        "baseline_text": (
            fmt(indicator.baseline_value) if indicator.baseline_value is not None else ""
        ),
        "vs_previous": data.compare_with_previous(),
        "vs_baseline": data.compare_with_baseline(),
        "target_met": data.target_met(),
    }


def _cell_row(label: str, cell: PublishedCell | None, fmt) -> dict[str, Any]:
    """A figure as the templates show it: plain data, so the public pages can cache it."""
    if cell is None:
        return {"label": label, "missing": True, "hidden": False, "text": "", "why": ""}
    return {
        "label": label,
        "missing": False,
        "hidden": cell.hidden,
        "protected": cell.protected,
        "text": "" if cell.hidden else fmt(cell.value),
        "why": cell.why,
        "denominator": cell.denominator,
    }


def breakdown_sections(
    data: IndicatorData,
    dimensions: list[Dimension],
    table: PeriodTable | None,
    *,
    threshold: int,
) -> list[dict[str, Any]]:
    """Each dimension's breakdown of ``table`` (combined cells), rows in the dimension's
    order, with a bar chart; plain data (strings), for the member and public pages.
    ``dimensions`` with their values prefetched in order."""
    indicator = data.indicator
    fmt = _formatter(indicator)
    sections: list[dict[str, Any]] = []
    for dimension in dimensions:
        values = list(dimension.values.all())
        labels = {v.code: localized(v, "label") for v in values}
        order = ValueOrder(
            {dimension.code: 0}, {(dimension.code, v.code): i for i, v in enumerate(values)}
        )
        found, groups = (
            breakdown_groups(data, dimension.code, table=table, order=order)
            if table is not None
            else (None, [])
        )
        name = localized(dimension, "name")
        if found is None or not groups:
            sections.append({"name": name, "code": dimension.code, "rows": []})
            continue
        overall = found.total
        overall_value = overall.value if overall is not None and not overall.hidden else None
        bars = [
            Bar(labels.get(code, code), None if cell.hidden else cell.value, cell.hidden)
            for code, cell in groups
        ]
        sections.append(
            {
                "name": name,
                "code": dimension.code,
                "period": found.label,
                "rows": [_cell_row(labels.get(code, code), cell, fmt) for code, cell in groups],
                "overall": _cell_row(_("Everyone"), overall, fmt),
                "chart": str(
                    bar_chart(
                        bars,
                        title=_("%(indicator)s by %(dimension)s, %(period)s")
                        % {
                            "indicator": indicator.name,
                            "dimension": name.lower(),
                            "period": found.label,
                        },
                        overall=overall_value,
                        fmt=fmt,
                        threshold=threshold,
                        gap=lambda diff, compact: format_difference(
                            indicator, diff, compact=compact
                        ),
                    )
                ),
            }
        )
    return sections


def _adopted(request: CollaborativeRequest):
    return adopted_indicators(request.user, request.collaborative)


@collaborative_view()
def overview(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Across key areas: each area's headline indicators (or its first one) at a glance."""
    indicators = list(_adopted(request))
    areas = list(KeyArea.objects.filter(collaborative=request.collaborative))
    chosen: dict[int, list[Indicator]] = {}
    counts: dict[int, int] = {}
    for indicator in indicators:
        counts[indicator.key_area_id] = counts.get(indicator.key_area_id, 0) + 1
        shown = chosen.setdefault(indicator.key_area_id, [])
        if indicator.is_headline or not shown:
            if shown and not shown[0].is_headline:
                shown.clear()
            shown.append(indicator)
    featured = [i for group in chosen.values() for i in group]
    data = indicator_data(
        featured,
        user=request.user,
        collaborative=request.collaborative,
        own_organization_ids=_own(request),
        accepted_only=_accepted_only(request),
        recent=RECENT_PERIODS,
    )
    cards = [
        {
            "area": area,
            "count": counts.get(area.pk, 0),
            "rows": [scorecard_row(data[i.pk]) for i in chosen.get(area.pk, [])],
        }
        for area in areas
    ]
    return render(
        request,
        "indicators/dashboard/overview.html",
        _context(request, cards=cards, any_indicators=bool(indicators)),
    )


@kept_page()
@collaborative_view()
def scorecard(request: CollaborativeRequest, slug: str, area: str) -> HttpResponse:
    """One key area: each adopted indicator with its latest value, trend and target."""
    key_area = KeyArea.objects.filter(collaborative=request.collaborative, slug=area).first()
    if key_area is None:
        raise Http404
    indicators = list(_adopted(request).filter(key_area=key_area))
    data = indicator_data(
        indicators,
        user=request.user,
        collaborative=request.collaborative,
        own_organization_ids=_own(request),
        accepted_only=_accepted_only(request),
        recent=RECENT_PERIODS,
    )
    rows = [scorecard_row(data[i.pk]) for i in indicators]
    candidates = (
        Indicator.objects.visible_to(request.user)
        .filter(key_area=key_area, status=Indicator.Status.CANDIDATE)
        .count()
    )
    return render(
        request,
        "indicators/dashboard/scorecard.html",
        _context(request, key_area=key_area, rows=rows, candidates=candidates),
    )


def indicator_page_context(
    request: CollaborativeRequest, indicator: Indicator, **extra: Any
) -> dict[str, Any]:
    month = fiscal_start_month(request.collaborative)
    every_period = request.GET.get(HISTORY_PARAM) == "all"
    data = indicator_data(
        [indicator],
        user=request.user,
        collaborative=request.collaborative,
        own_organization_ids=_own(request),
        accepted_only=_accepted_only(request),
        fiscal_month=month,
        recent=None if every_period else RECENT_PERIODS,
    )[indicator.pk]
    fmt = _formatter(indicator)
    threshold = request.collaborative.small_cell_threshold
    series = time_series(
        data.points(),
        title=indicator.name,
        target=indicator.target_value,
        target_label=(
            _("by %(date)s") % {"date": formats.date_format(indicator.target_date)}
            if indicator.target_date
            else None
        ),
        baseline=indicator.baseline_value,
        baseline_label=(
            formats.date_format(indicator.baseline_date) if indicator.baseline_date else None
        ),
        fmt=fmt,
        threshold=threshold,
    )

    dimensions = breakdown_dimensions(request.collaborative, [data])[indicator.pk]
    choice = choose_period(
        data,
        request.GET,
        own_organization_ids=_own(request),
        threshold=threshold,
        fiscal_month=month,
    )
    breakdowns = breakdown_sections(data, dimensions, choice.table, threshold=threshold)

    # Every dataset that reports the indicator to this person, in any period (the figures
    # above may be the latest periods only).
    reporting = visible_observations(
        request.user, [indicator], accepted_only=_accepted_only(request)
    ).values("dataset_id")
    datasets = list(
        Dataset.objects.filter(pk__in=reporting)
        .select_related("owner", "current_version", "accepted_version")
        .order_by("owner__name", "-period_end", "title")
    )
    definitions = {
        d.organization_id: d
        for d in LocalDefinition.objects.filter(
            indicator=indicator, organization_id__in={d.owner_id for d in datasets}
        )
    }
    contributing = [{"dataset": d, "definition": definitions.get(d.owner_id)} for d in datasets]
    derivations = _derivations(request, indicator)
    names = {d.pk: d for d in datasets}
    table_rows = []
    for table in data.tables:
        for dataset_id, cells in table.by_dataset.items():
            cell = cells.get(())
            if cell is not None:
                table_rows.append(
                    {
                        "period": table.label,
                        "dataset": names.get(dataset_id),
                        "cell": cell,
                        "text": fmt(cell.value),
                    }
                )
        if len(table.by_dataset) > 1 and table.total is not None:
            table_rows.append(
                {
                    "period": table.label,
                    "dataset": None,
                    "cell": table.total,
                    "text": fmt(table.total.value),
                }
            )
    story = StoryNote.objects.filter(indicator=indicator).select_related("author__user").first()
    comments_qs = IndicatorComment.objects.filter(indicator=indicator).select_related(
        "author__user", "author__organization"
    )
    if not can_moderate_comments(request.member):
        comments_qs = comments_qs.filter(is_hidden=False)
    comments = list(comments_qs.order_by("-created_at", "-pk")[:COMMENTS_SHOWN])[::-1]
    requestable = list(requestable_datasets(request.user, indicator))
    return _context(
        request,
        indicator=indicator,
        data=data,
        requestable=requestable,
        request_form=extra.pop("request_form", None)
        or DataRequestForm(datasets=Dataset.objects.filter(pk__in=[d.pk for d in requestable])),
        row=scorecard_row(data),
        series=series,
        series_rows=[
            {"label": p.label, "hidden": p.hidden, "text": fmt(p.value)} for p in data.points()
        ],
        breakdowns=breakdowns,
        choice=choice,
        history=_history_links(request, data, every_period),
        recent_periods=RECENT_PERIODS,
        derivations=derivations,
        contributing=contributing,
        table_rows=table_rows,
        story=story,
        comments=comments,
        can_tell_story=can_edit_indicator(request.member, indicator),
        can_comment=can_comment(request.member),
        story_form=extra.pop("story_form", None) or StoryForm(),
        comment_form=extra.pop("comment_form", None) or CommentForm(),
        **extra,
    )


#: ``?history=all``: the indicator page with every period, not the latest ``RECENT_PERIODS``.
HISTORY_PARAM = "history"


def _history_links(
    request: CollaborativeRequest, data: IndicatorData, every_period: bool
) -> dict[str, str] | None:
    """The link between the latest periods and every period, for the indicator page;
    None when the history is no longer than the latest periods."""
    if every_period:
        shorter = request.GET.copy()
        del shorter[HISTORY_PARAM]
        return {"latest": f"?{shorter.urlencode()}#trend"}
    if not data.earlier:
        return None
    longer = request.GET.copy()
    longer[HISTORY_PARAM] = "all"
    return {"every": f"?{longer.urlencode()}#trend"}


def _derivations(request: CollaborativeRequest, indicator: Indicator) -> list[DerivedIndicator]:
    """How the indicator is derived from record-level datasets this person may see (a
    dataset they may not see is never named, nor counted)."""
    return list(
        DerivedIndicator.objects.filter(
            indicator=indicator,
            dataset__in=Dataset.objects.visible_to(request.user).filter(
                collaborative=request.collaborative
            ),
        )
        .select_related("dataset__owner", "derived_version")
        .order_by("dataset__owner__name", "dataset__title")
    )


@collaborative_view()
def indicator_page(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    indicator = access_indicator(request, public_id)
    return render(
        request, "indicators/dashboard/indicator.html", indicator_page_context(request, indicator)
    )


def _form_error_page(request: CollaborativeRequest, indicator: Indicator, **forms: Any):
    return render(
        request,
        "indicators/dashboard/indicator.html",
        indicator_page_context(request, indicator, **forms),
        status=400,
    )


@require_POST
@collaborative_view()
def story_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    indicator = access_indicator(request, public_id)
    if not can_edit_indicator(request.member, indicator):
        raise PermissionDenied
    form = StoryForm(request.POST)
    if form.is_valid():
        try:
            services.story_add(
                actor=request.member,
                indicator=indicator,
                body=form.cleaned_data["body"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The story behind the curve is updated."))
            return redirect(indicator.get_absolute_url() + "#story")
    return _form_error_page(request, indicator, story_form=form)


@require_POST
@collaborative_view()
def comment_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    indicator = access_indicator(request, public_id)
    if not can_comment(request.member):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                actor=request.member,
                indicator=indicator,
                body=form.cleaned_data["body"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(indicator.get_absolute_url() + "#comments")
    return _form_error_page(request, indicator, comment_form=form)


@require_POST
@collaborative_view()
def comment_hide(
    request: CollaborativeRequest, slug: str, public_id: UUID, comment_id: UUID
) -> HttpResponse:
    indicator = access_indicator(request, public_id)
    comment = access_comment(request, indicator, comment_id)
    services.comment_hide(
        actor=request.member,
        comment=comment,
        hidden=request.POST.get("hidden", "1") == "1",
        request=request,
    )
    messages.success(
        request,
        _("The comment is hidden.") if comment.is_hidden else _("The comment is shown again."),
    )
    return redirect(indicator.get_absolute_url() + "#comments")


# --- Downloads -------------------------------------------------------------------------


def _export(
    request: CollaborativeRequest, indicators: list[Indicator], filename: str
) -> HttpResponseBase:
    data = indicator_data(
        indicators,
        user=request.user,
        collaborative=request.collaborative,
        own_organization_ids=_own(request),
        accepted_only=_accepted_only(request),
    )
    dataset_ids = {i for item in data.values() for i in item.dataset_ids}
    datasets = Dataset.objects.filter(pk__in=dataset_ids).select_related("owner").in_bulk()
    rows = exports.rows(
        (data[i.pk] for i in indicators), datasets, order=value_order(request.collaborative)
    )
    return exports.download(rows, filename, xlsx=request.GET.get("format") == "xlsx")


@collaborative_view()
def indicator_export(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponseBase:
    """One indicator's figures (CSV, or XLSX with ?format=xlsx), as the person sees them."""
    indicator = access_indicator(request, public_id)
    return _export(request, [indicator], f"{request.collaborative.slug}-{indicator.code}")


@collaborative_view()
def dashboard_export(request: CollaborativeRequest, slug: str) -> HttpResponseBase:
    """Every adopted indicator's figures (optionally one key area: ?area=<slug>)."""
    indicators = _adopted(request)
    name = f"{request.collaborative.slug}-indicators"
    if area := request.GET.get("area"):
        indicators = indicators.filter(key_area__slug=area)
        name += f"-{area}"
    return _export(request, list(indicators), name)
