"""Charts drawn on the server as SVG: a sparkline, a time series with its target and
baseline, and a bar chart of a breakdown against the overall figure.

Pure functions over plain data (no database, no request). Each returns SVG markup
built with ElementTree, so every label — group names and notes come from people —
is escaped by construction. Each chart:

* is an image with a text alternative: ``role="img"``, a ``<title>`` and a
  ``<desc>`` that says in words what the chart shows, joined by ``aria-labelledby``;
* scales through its ``viewBox`` (no fixed size), so it fits a phone and a printed
  page, and keeps its meaning in black and white (dashes and markers, not colour
  alone);
* shows a hidden (suppressed) figure as a gap with a hollow marker, and says so in a
  legend line, never as a zero;
* uses presentation attributes and CSS classes only (no ``style``), so it passes the
  strict Content Security Policy inline and works as a standalone ``image/svg+xml``.

The charts never see a hidden value: the caller gives ``value=None, hidden=True``
for a suppressed point, as reentry/suppression.py returns it.
"""

from __future__ import annotations

import hashlib
import math
import textwrap
import xml.etree.ElementTree as ET  # noqa: S405 - building markup, never parsing input
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

type Number = Decimal | int | float
type Formatter = Callable[[Number], str]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1c2530"
MUTED = "#4a5563"
LINE = "#d5dbe1"
SERIES = "#0b5563"
TARGET = "#a4451a"
BASELINE = "#4a5563"
BAR = "#0b5563"
BAR_OVERALL = "#a4451a"
#: Characters of 11-unit text that fit across a 400-unit chart.
LEGEND_CHARS = 62


@dataclass(frozen=True)
class Point:
    """One period of a series. ``hidden`` marks a suppressed value (``value`` None)."""

    label: str
    value: Number | None
    hidden: bool = False


@dataclass(frozen=True)
class Bar:
    """One group of a breakdown. ``hidden`` marks a suppressed value (``value`` None)."""

    label: str
    value: Number | None
    hidden: bool = False


def format_number(value: Number, places: int | None = None) -> str:
    """A number for people, in the active language: whole numbers without decimals,
    others with one (or ``places``)."""
    number = _decimal(value)
    if places is None:
        places = 0 if number == number.to_integral_value() else 1
    return number_format(round(number, places), decimal_pos=places, force_grouping=True)


def _fmt(fmt: Formatter | None) -> Formatter:
    return fmt or format_number


# --- building blocks --------------------------------------------------------------------


def _ident(kind: str, *parts: object) -> str:
    digest = hashlib.sha256(repr((kind, parts)).encode()).hexdigest()[:10]
    return f"{kind}-{digest}"


def _svg(
    kind: str, width: int, height: int, title: str, desc: str, ident: str | None, css: str
) -> ET.Element:
    ident = ident or _ident(kind, title, desc, width, height)
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "class": f"chart {css}",
            "font-family": FONT,
            "preserveAspectRatio": "xMidYMid meet",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{ident}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{ident}-desc"}).text = desc
    return svg


def _text(
    parent: ET.Element,
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    css: str = "",
    weight: str | None = None,
) -> ET.Element:
    attrs = {
        "x": _n(x),
        "y": _n(y),
        "font-size": str(size),
        "text-anchor": anchor,
        "fill": fill,
    }
    if css:
        attrs["class"] = css
    if weight:
        attrs["font-weight"] = weight
    element = ET.SubElement(parent, "text", attrs)
    element.text = text
    return element


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float, **attrs: str) -> None:
    ET.SubElement(
        parent,
        "line",
        {"x1": _n(x1), "y1": _n(y1), "x2": _n(x2), "y2": _n(y2), **attrs},
    )


def _wrap(lines: Sequence[str], width: int = LEGEND_CHARS) -> list[str]:
    """Legend lines broken to fit the chart's width (about 11 px per character pair)."""
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(textwrap.wrap(line, width, subsequent_indent="   ") or [""])
    return wrapped


def _n(number: float) -> str:
    """A coordinate, short: two decimals at most."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _markup(svg: ET.Element) -> SafeString:
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - ElementTree escaped it


def _nice_step(span: float, ticks: int) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def nice_scale(
    values: Sequence[float], *, zero: bool = True, ticks: int = 4
) -> tuple[float, float, list[float]]:
    """A low and high end with round ticks covering ``values`` (and 0 if ``zero``)."""
    low = min(values) if values else 0.0
    high = max(values) if values else 1.0
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + (abs(low) or 1.0)
        if zero and low > 0:
            low = 0.0
    step = _nice_step(high - low, ticks)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    count = round((end - start) / step)
    return start, end, [start + i * step for i in range(count + 1)]


def _floats(values: Sequence[Number | None]) -> list[float]:
    return [float(v) for v in values if v is not None]


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points, split at each gap."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _polyline(parent: ET.Element, run: list[tuple[float, float]], **attrs: str) -> None:
    ET.SubElement(
        parent,
        "polyline",
        {"points": " ".join(f"{_n(x)},{_n(y)}" for x, y in run), "fill": "none", **attrs},
    )


def _hidden_marker(parent: ET.Element, x: float, y: float, r: float, label: str) -> None:
    group = ET.SubElement(parent, "g", {"class": "chart-hidden"})
    ET.SubElement(group, "title").text = label
    ET.SubElement(
        group,
        "circle",
        {
            "cx": _n(x),
            "cy": _n(y),
            "r": _n(r),
            "fill": "#ffffff",
            "stroke": MUTED,
            "stroke-width": "1.5",
            "stroke-dasharray": "2 1.5",
        },
    )


def hidden_legend(threshold: int | None) -> str:
    if threshold:
        return _("○ Hidden: fewer than %(threshold)s people, or could reveal such a number.") % {
            "threshold": threshold
        }
    return _("○ Hidden: too few people to show safely.")


def _point_label(label: str, value: Number | None, hidden: bool, fmt: Formatter) -> str:
    if hidden:
        return _("%(period)s: hidden") % {"period": label}
    if value is None:
        return _("%(period)s: no data") % {"period": label}
    return f"{label}: {fmt(value)}"


# --- sparkline --------------------------------------------------------------------------


def sparkline(
    points: Sequence[Point],
    *,
    title: str,
    fmt: Formatter | None = None,
    ident: str | None = None,
) -> SafeString:
    """A small line without axes for a scorecard row; hidden periods are gaps with a
    hollow marker on the bottom edge, the last shown value gets a dot."""
    fmt = _fmt(fmt)
    width, height, pad = 120, 32, 4
    desc = _series_desc(points, fmt)
    svg = _svg("spark", width, height, title, desc, ident, "chart-spark")
    values = _floats([p.value for p in points])
    if not points:
        return _markup(svg)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return height - pad - (value - low) / (high - low) * (height - 2 * pad)

    coords: list[tuple[float, float] | None] = []
    for i, point in enumerate(points):
        x = pad + i * step if len(points) > 1 else width / 2
        coords.append(None if point.value is None else (x, y_of(float(point.value))))
    for run in _segments(coords):
        if len(run) > 1:
            _polyline(svg, run, stroke=SERIES, **{"stroke-width": "2", "class": "chart-line"})
    for i, point in enumerate(points):
        if point.hidden:
            x = pad + i * step if len(points) > 1 else width / 2
            _hidden_marker(svg, x, height - pad, 2.5, _point_label(point.label, None, True, fmt))
    last = next((c for c in reversed(coords) if c is not None), None)
    if last is not None:
        ET.SubElement(
            svg,
            "circle",
            {"cx": _n(last[0]), "cy": _n(last[1]), "r": "2.5", "fill": SERIES},
        )
    return _markup(svg)


def _series_desc(points: Sequence[Point], fmt: Formatter) -> str:
    if not points:
        return _("No data yet.")
    return "; ".join(_point_label(p.label, p.value, p.hidden, fmt) for p in points) + "."


# --- time series ------------------------------------------------------------------------


def time_series(
    points: Sequence[Point],
    *,
    title: str,
    target: Number | None = None,
    target_label: str | None = None,
    baseline: Number | None = None,
    baseline_label: str | None = None,
    unit_label: str = "",
    fmt: Formatter | None = None,
    threshold: int | None = None,
    zero: bool = True,
    ident: str | None = None,
) -> SafeString:
    """A line over periods with a dashed target line and a dotted baseline. Hidden
    periods break the line and carry a hollow marker on the axis; a legend says what
    each line and marker means."""
    fmt = _fmt(fmt)
    width = 400
    left, right, top = 52, 12, 14
    plot_h = 150
    legend = _wrap(
        _series_legend(target, target_label, baseline, baseline_label, points, threshold, fmt)
    )
    height = top + plot_h + 34 + 16 * len(legend)
    bottom = top + plot_h

    desc_parts = [_series_desc(points, fmt)]
    if target is not None:
        desc_parts.append(_("Target: %(value)s.") % {"value": fmt(target)})
    if baseline is not None:
        desc_parts.append(_("Baseline: %(value)s.") % {"value": fmt(baseline)})
    svg = _svg("series", width, height, title, " ".join(desc_parts), ident, "chart-series")

    extent = _floats([p.value for p in points]) + _floats([target, baseline])
    low, high, ticks = nice_scale(extent, zero=zero)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * plot_h

    plot_w = width - left - right
    step = plot_w / max(len(points) - 1, 1)

    def x_of(i: int) -> float:
        return left + i * step if len(points) > 1 else left + plot_w / 2

    axis = ET.SubElement(svg, "g", {"class": "chart-axis"})
    for tick in ticks:
        y = y_of(tick)
        _line(axis, left, y, width - right, y, stroke=LINE, **{"stroke-width": "1"})
        _text(axis, left - 6, y + 4, fmt(tick), size=11, anchor="end", fill=MUTED)
    if unit_label:
        _text(axis, 2, top - 3, unit_label, size=11, fill=MUTED)

    every = max(1, math.ceil(len(points) / 6))
    for i, point in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            if i != len(points) - 1 and len(points) - 1 - i < every:
                continue  # keep the last label clear of this one
            last = i == len(points) - 1 and len(points) > 1
            _text(
                axis,
                width - 2 if last else x_of(i),
                bottom + 16,
                point.label,
                size=11,
                anchor="end" if last else "middle",
                fill=MUTED,
            )

    if baseline is not None:
        y = y_of(float(baseline))
        _line(
            svg,
            left,
            y,
            width - right,
            y,
            stroke=BASELINE,
            **{"stroke-width": "1.5", "stroke-dasharray": "1 3", "class": "chart-baseline"},
        )
    if target is not None:
        y = y_of(float(target))
        _line(
            svg,
            left,
            y,
            width - right,
            y,
            stroke=TARGET,
            **{"stroke-width": "2", "stroke-dasharray": "6 4", "class": "chart-target"},
        )

    coords: list[tuple[float, float] | None] = [
        None if p.value is None else (x_of(i), y_of(float(p.value))) for i, p in enumerate(points)
    ]
    for run in _segments(coords):
        if len(run) > 1:
            _polyline(svg, run, stroke=SERIES, **{"stroke-width": "2.5", "class": "chart-line"})
    marks = ET.SubElement(svg, "g", {"class": "chart-points"})
    for i, point in enumerate(points):
        coord = coords[i]
        if coord is not None:
            dot = ET.SubElement(marks, "g", {"class": "chart-point"})
            ET.SubElement(dot, "title").text = _point_label(point.label, point.value, False, fmt)
            ET.SubElement(
                dot,
                "circle",
                {"cx": _n(coord[0]), "cy": _n(coord[1]), "r": "3.5", "fill": SERIES},
            )
        elif point.hidden:
            _hidden_marker(marks, x_of(i), bottom, 4, _point_label(point.label, None, True, fmt))

    y = bottom + 36
    for line in legend:
        _text(svg, 8, y, line, size=11, fill=INK, css="chart-legend")
        y += 16
    return _markup(svg)


def _series_legend(
    target: Number | None,
    target_label: str | None,
    baseline: Number | None,
    baseline_label: str | None,
    points: Sequence[Point],
    threshold: int | None,
    fmt: Formatter,
) -> list[str]:
    legend = []
    if target is not None:
        legend.append(
            _("– – Target %(value)s") % {"value": fmt(target)}
            + (f" ({target_label})" if target_label else "")
        )
    if baseline is not None:
        legend.append(
            _("····· Baseline %(value)s") % {"value": fmt(baseline)}
            + (f" ({baseline_label})" if baseline_label else "")
        )
    if any(p.hidden for p in points):
        legend.append(hidden_legend(threshold))
    return legend


# --- bar chart --------------------------------------------------------------------------


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    overall: Number | None = None,
    overall_label: str | None = None,
    fmt: Formatter | None = None,
    threshold: int | None = None,
    ident: str | None = None,
    gap: Callable[[Decimal, bool], str] | None = None,
) -> SafeString:
    """Horizontal bars, one per group, each labelled with its value and its gap to the
    overall figure (drawn as a dashed line), so equity gaps read at a glance. Labels
    sit above their bars so long group names fit a phone. Hidden groups show a
    marker and the word "hidden", never a bar.

    ``gap(difference, compact)`` writes a gap (a difference of two percentages is in
    percentage points, "+2.5 pts" on the bar, "+2.5 percentage points" in the text
    for screen readers); by default the value's own format with a sign."""
    fmt = _fmt(fmt)
    overall_label = overall_label or _("Overall")
    width, left, right, top, row = 400, 8, 96, 20, 34
    legend = _wrap([hidden_legend(threshold)] if any(b.hidden for b in bars) else [])
    height = top + row * max(len(bars), 1) + 8 + 16 * len(legend)

    desc = _bars_desc(bars, overall, overall_label, fmt, gap)
    svg = _svg("bars", width, height, title, desc, ident, "chart-bars")
    extent = _floats([b.value for b in bars]) + _floats([overall])
    low, high, _ticks = nice_scale(extent, zero=True, ticks=4)
    plot_w = width - left - right

    def x_of(value: float) -> float:
        return left + (value - low) / (high - low) * plot_w

    zero_x = x_of(0.0)
    if not bars:
        _text(svg, left, top + 14, _("No data yet."), size=12, fill=MUTED)
    # Three layers: the bars, then the overall line over them, then every label with a
    # white halo so the line never runs through a number.
    bar_layer = ET.SubElement(svg, "g", {"class": "chart-bar-fills"})
    labels: list[tuple[float, float, str, int, str]] = []
    for i, bar in enumerate(bars):
        y = top + i * row
        group = ET.SubElement(bar_layer, "g", {"class": "chart-bar"})
        ET.SubElement(group, "title").text = _bar_sentence(bar, overall, overall_label, fmt, gap)
        labels.append((left, y + 10, bar.label, 12, INK))
        if bar.value is None:
            if bar.hidden:
                _hidden_marker(
                    group, zero_x + 6, y + 20, 4.5, _("%(group)s: hidden") % {"group": bar.label}
                )
                labels.append((zero_x + 16, y + 24, _("hidden"), 11, MUTED))
            else:
                labels.append((zero_x + 4, y + 24, _("no data"), 11, MUTED))
            continue
        x0, x1 = sorted((zero_x, x_of(float(bar.value))))
        ET.SubElement(
            group,
            "rect",
            {
                "x": _n(x0),
                "y": _n(y + 14),
                "width": _n(max(x1 - x0, 1)),
                "height": "12",
                "fill": BAR,
                "class": "chart-bar-fill",
            },
        )
        label = fmt(bar.value)
        if overall is not None:
            label += f" ({_signed(bar.value, overall, fmt, gap, compact=True)})"
        labels.append((max(x1, zero_x) + 4, y + 24, label, 11, INK))

    if overall is not None:
        x = x_of(float(overall))
        _line(
            svg,
            x,
            top - 4,
            x,
            top + row * len(bars),
            stroke=BAR_OVERALL,
            **{"stroke-width": "2", "stroke-dasharray": "5 3", "class": "chart-overall"},
        )
        _text(
            svg,
            min(x, width - 4),
            top - 8,
            f"{overall_label} {fmt(overall)}",
            size=11,
            anchor="end" if x > width / 2 else "start",
            fill=BAR_OVERALL,
            css="chart-overall-label",
            weight="bold",
        )
    label_layer = ET.SubElement(
        svg,
        "g",
        {
            "class": "chart-labels",
            "stroke": "#ffffff",
            "stroke-width": "3",
            "stroke-linejoin": "round",
            "paint-order": "stroke",
        },
    )
    for label_x, label_y, text, size, fill in labels:
        _text(label_layer, label_x, label_y, text, size=size, fill=fill)
    for n, line in enumerate(legend):
        _text(
            svg,
            left,
            top + row * max(len(bars), 1) + 20 + 16 * n,
            line,
            size=11,
            css="chart-legend",
        )
    return _markup(svg)


def _decimal(value: Number) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _signed(
    value: Number,
    overall: Number,
    fmt: Formatter,
    gap: Callable[[Decimal, bool], str] | None = None,
    *,
    compact: bool = False,
) -> str:
    """The gap between a group and the overall figure, with its sign."""
    diff = _decimal(value) - _decimal(overall)
    if gap is not None:
        return gap(diff, compact)
    if diff == 0:
        return "±" + fmt(Decimal(0))
    return ("+" if diff > 0 else "−") + fmt(abs(diff))


def _bar_sentence(
    bar: Bar,
    overall: Number | None,
    overall_label: str,
    fmt: Formatter,
    gap: Callable[[Decimal, bool], str] | None = None,
) -> str:
    if bar.hidden:
        return _("%(group)s: hidden") % {"group": bar.label}
    if bar.value is None:
        return _("%(group)s: no data") % {"group": bar.label}
    if overall is None:
        return f"{bar.label}: {fmt(bar.value)}"
    return _("%(group)s: %(value)s (%(gap)s against %(overall)s)") % {
        "group": bar.label,
        "value": fmt(bar.value),
        "gap": _signed(bar.value, overall, fmt, gap),
        "overall": overall_label,
    }


def _bars_desc(
    bars: Sequence[Bar],
    overall: Number | None,
    label: str,
    fmt: Formatter,
    gap: Callable[[Decimal, bool], str] | None = None,
) -> str:
    if not bars:
        return _("No data yet.")
    parts = []
    if overall is not None:
        parts.append(f"{label}: {fmt(overall)}.")
    parts.append("; ".join(_bar_sentence(b, overall, label, fmt, gap) for b in bars) + ".")
    return " ".join(parts)
