"""The public dashboard of a collaborative, at /dashboard/<slug>/: no sign-in.

Only adopted indicators marked public, with public datasets' accepted figures only,
suppressed as for anyone (DESIGN.md rule 8). The viewer is always anonymous here,
signed in or not. What the pages show is computed once per collaborative and
language and kept in the cache for a short while; with the cache down (Redis not
answering) it is computed on every request instead, never an error.

Signed-out visitors get the dashboard page whole from the cache (``reentry.pagecache``,
kind ``DASHBOARD``), per language and query string (a chosen period included). The
services that change what it shows (an indicator's catalog fields, a dataset's sharing,
versions, imports and derived figures) call ``page_changed(DASHBOARD, collaborative)``;
the figures' cache below is keyed by the same version, so the change shows at once.

Each indicator has an embeddable chart: an SVG image and a small HTML page that
other sites may put in an iframe (only those two responses allow framing).
"""

import hashlib
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import condition, conditional_page, require_safe

from indicators import exports
from indicators.charts import sparkline, time_series
from indicators.dashboards import (
    RECENT_PERIODS,
    IndicatorData,
    PeriodChoice,
    breakdown_dimensions,
    choose_period,
    format_value,
    indicator_data,
    value_order,
)
from indicators.models import Dataset, Dimension, Indicator
from indicators.views.dashboards import breakdown_sections, scorecard_row
from reentry.pagecache import DASHBOARD, cached_public_page, page_version
from stakeholders.models import Collaborative

#: Seconds the public figures are kept in the cache.
CACHE_SECONDS = 120
#: Seconds the whole page is kept for signed-out visitors: what the hooked services change
#: shows at once; anything else (a key area renamed, a dimension edited) within this.
PAGE_SECONDS = 600
CACHE_VERSION = 1

EMBED_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["*"],
}


def _public_indicators(collaborative_id: int):
    return (
        Indicator.objects.visible_to(AnonymousUser())
        .filter(collaborative_id=collaborative_id)
        .select_related("key_area")
        .order_by("key_area__order", "key_area__name", "-is_headline", "code")
    )


def _collaborative(slug: str) -> Collaborative:
    """The collaborative, if it publishes at least one indicator; else 404."""
    published = _public_indicators(OuterRef("pk"))  # type: ignore[arg-type]
    collaborative = Collaborative.objects.filter(slug=slug).filter(Exists(published)).first()
    if collaborative is None:
        raise Http404
    return collaborative


def _breakdowns(
    item: IndicatorData,
    collaborative: Collaborative,
    params: dict[str, str],
    dimensions: list[Dimension],
) -> dict[str, Any]:
    """One indicator's breakdowns for the period chosen in ``params`` (the latest by
    default), and the choice itself, as plain data."""
    threshold = collaborative.small_cell_threshold
    choice: PeriodChoice = choose_period(item, params, threshold=threshold)
    return {
        "breakdowns": breakdown_sections(item, dimensions, choice.table, threshold=threshold),
        "choice": {
            "options": [{"token": t.token, "label": t.label} for t in choice.options],
            "period": choice.period,
            "first": choice.first,
            "last": choice.last,
            "label": choice.label,
            "pooled_label": choice.pooled_label,
        },
    }


#: The query-string names of a breakdown choice on the public dashboard.
CHOICE_PARAMS = ("period", "from", "to")


def _choice_params(request: HttpRequest) -> tuple[str, dict[str, str]] | None:
    """The indicator (public id) and period chosen on the dashboard, if any."""
    ind = request.GET.get("ind", "")
    params = {k: request.GET[k][:40] for k in CHOICE_PARAMS if request.GET.get(k)}
    return (ind[:40], params) if ind and params else None


def chosen_breakdowns(
    collaborative: Collaborative, public_id: str, params: dict[str, str]
) -> dict[str, Any] | None:
    """The breakdowns of one public indicator for a chosen period or pooled range
    (public, accepted figures only), kept in the cache like the page's figures; None
    when the indicator is not public or the choice names no period it has."""
    key = hashlib.sha256(repr((public_id, sorted(params.items()))).encode()).hexdigest()[:24]
    full_key = f"{cache_key(collaborative)}:choice:{key}"
    cached = cache.get(full_key)
    if cached is not None:
        return cached
    try:
        wanted = UUID(public_id)
    except ValueError:
        return None
    indicator = _public_indicators(collaborative.pk).filter(public_id=wanted).first()
    if indicator is None:
        return None
    item = indicator_data(
        [indicator], user=AnonymousUser(), collaborative=collaborative, accepted_only=True
    )[indicator.pk]
    dimensions = breakdown_dimensions(collaborative, [item])[indicator.pk]
    found = _breakdowns(item, collaborative, params, dimensions)
    if not (found["choice"]["period"] or found["choice"]["first"]):
        return None
    cache.set(full_key, found, CACHE_SECONDS)
    return found


def cache_key(collaborative: Collaborative) -> str:
    """The figures' key: per collaborative, language and the dashboard's page version
    (a new one whenever a service changes what the dashboard shows)."""
    version = page_version(DASHBOARD, collaborative.slug) or "-"
    return (
        f"indicators:public:v{CACHE_VERSION}:{collaborative.pk}:{version}:{get_language() or 'en'}"
    )


def public_figures(collaborative: Collaborative) -> dict[str, Any]:
    """Everything the public pages show, as plain data (picklable, no model rows)."""
    cached = cache.get(cache_key(collaborative))
    if cached is not None:
        return cached
    indicators = list(_public_indicators(collaborative.pk))
    data = indicator_data(
        indicators,
        user=AnonymousUser(),
        collaborative=collaborative,
        accepted_only=True,
        recent=RECENT_PERIODS,
    )
    areas: dict[str, dict[str, Any]] = {}
    threshold = collaborative.small_cell_threshold
    dimensions = breakdown_dimensions(collaborative, data.values())
    for indicator in indicators:
        item = data[indicator.pk]
        row = scorecard_row(item)
        latest = row["latest"]

        def fmt(value, indicator=indicator):
            return format_value(indicator, value)

        figure = {
            "public_id": str(indicator.public_id),
            "code": indicator.code,
            "name": indicator.name,
            "question": indicator.question,
            "unit": indicator.get_unit_display(),
            "direction": indicator.get_direction_display(),
            "has_data": item.has_data,
            "earlier": item.earlier,
            "latest_text": row["latest_text"],
            "latest_hidden": row["latest_hidden"],
            "latest_label": latest.label if latest else "",
            "target_text": row["target_text"],
            "target_date": indicator.target_date,
            "baseline_text": row["baseline_text"],
            "vs_previous": row["vs_previous"].verdict,
            "vs_previous_text": row["vs_previous"].text,
            "vs_previous_difference": row["vs_previous"].difference_short,
            "vs_previous_difference_text": row["vs_previous"].difference_text,
            "vs_baseline": row["vs_baseline"].verdict,
            "vs_baseline_text": row["vs_baseline"].text,
            "spark": str(sparkline(item.points(), title=indicator.name, fmt=fmt)),
            "series": str(
                time_series(
                    item.points(),
                    title=indicator.name,
                    target=indicator.target_value,
                    target_label=(
                        _("by %(date)s") % {"date": formats.date_format(indicator.target_date)}
                        if indicator.target_date
                        else None
                    ),
                    baseline=indicator.baseline_value,
                    fmt=fmt,
                    threshold=threshold,
                )
            ),
            "points": [
                {
                    "label": p.label,
                    "hidden": p.hidden,
                    "text": fmt(p.value) if p.value is not None else "",
                }
                for p in item.points()
            ],
            **_breakdowns(item, collaborative, {}, dimensions[indicator.pk]),
        }
        area = areas.setdefault(
            indicator.key_area.slug, {"name": indicator.key_area.name, "indicators": []}
        )
        area["indicators"].append(figure)
    figures = {"areas": list(areas.values()), "threshold": threshold, "recent": RECENT_PERIODS}
    cache.set(cache_key(collaborative), figures, CACHE_SECONDS)
    return figures


def _figure(figures: dict[str, Any], public_id: UUID) -> dict[str, Any]:
    for area in figures["areas"]:
        for figure in area["indicators"]:
            if figure["public_id"] == str(public_id):
                return figure
    raise Http404


_FOUND = "_public_collaborative"


def _collaborative_once(request: HttpRequest, slug: str) -> Collaborative:
    """``_collaborative``, looked up once per request (the ETag and the view both ask)."""
    found = request.__dict__.get(_FOUND)
    if found is None:
        found = request.__dict__[_FOUND] = _collaborative(slug)
    return found


def _dashboard_etag(request: HttpRequest, slug: str) -> str | None:
    """The dashboard page's ETag, from what it shows: the public figures (cached), the
    language and who is signed in (the header changes). Not from its bytes: the page
    carries a fresh CSRF token each time."""
    try:
        collaborative = _collaborative_once(request, slug)
    except Http404:
        return None  # the view answers 404
    if _choice_params(request) is not None:
        return None  # a chosen period: computed (and cached) apart from the page's figures
    viewer = request.user.pk if request.user.is_authenticated else 0
    seen = repr((CACHE_VERSION, get_language(), viewer, public_figures(collaborative)))
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


# HEAD as well as GET (calendar apps and link checkers send it); an ETag so clients can
# revalidate (If-None-Match → 304): of the bytes (conditional_page) where the bytes only
# depend on the figures, of the figures (condition) where the page carries a CSRF token.
# Signed-out visitors: the whole page from the cache, with an ETag of its own.


@cached_public_page(DASHBOARD, timeout=PAGE_SECONDS)
@require_safe
@condition(etag_func=_dashboard_etag)
def public_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    collaborative = _collaborative_once(request, slug)
    figures = public_figures(collaborative)
    chosen = _choice_params(request)
    if chosen is not None and (found := chosen_breakdowns(collaborative, *chosen)):
        figures = {
            **figures,
            "areas": [
                {
                    **area,
                    "indicators": [
                        {**f, **found} if f["public_id"] == chosen[0] else f
                        for f in area["indicators"]
                    ],
                }
                for area in figures["areas"]
            ],
        }
    return render(
        request,
        "indicators/public/dashboard.html",
        {"collaborative": collaborative, **figures},
    )


@require_safe
@conditional_page
def public_csv(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Every public figure, as CSV (hidden figures have no value)."""
    collaborative = _collaborative(slug)
    indicators = list(_public_indicators(collaborative.pk))
    data = indicator_data(
        indicators, user=AnonymousUser(), collaborative=collaborative, accepted_only=True
    )
    ids = {i for item in data.values() for i in item.dataset_ids}
    datasets = (
        Dataset.objects.visible_to(AnonymousUser())
        .filter(pk__in=ids)
        .select_related("owner")
        .in_bulk()
    )
    response = exports.download(
        exports.rows((data[i.pk] for i in indicators), datasets, order=value_order(collaborative)),
        f"{collaborative.slug}-public-indicators",
    )
    if isinstance(response, StreamingHttpResponse):
        # A few hundred rows: read them out so the ETag can be the bytes' own.
        whole = HttpResponse(response.getvalue())
        for header, value in response.items():
            whole[header] = value
        response = whole
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


@require_safe
@conditional_page
@xframe_options_exempt
@csp_override(EMBED_CSP)
def public_embed(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    """A chart alone, for an iframe on another site."""
    collaborative = _collaborative(slug)
    figures = public_figures(collaborative)
    figure = _figure(figures, public_id)
    return render(
        request,
        "indicators/public/embed.html",
        {"collaborative": collaborative, "figure": figure, **figures},
    )


@require_safe
@conditional_page
@xframe_options_exempt
@csp_override(EMBED_CSP)
def public_chart_svg(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    """The chart as an SVG image (for an <img> elsewhere)."""
    collaborative = _collaborative(slug)
    figure = _figure(public_figures(collaborative), public_id)
    response = HttpResponse(
        '<?xml version="1.0" encoding="utf-8"?>\n' + figure["series"],
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
