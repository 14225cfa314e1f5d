"""What a dashboard may show one person: every figure of some indicators, per period,
per contributing dataset and combined, with small numbers suppressed.

This is the one read path for published numbers: the pages, the charts, the CSV and
XLSX exports, the API and the public dashboard all build on ``indicator_data``.

* Rows come from ``Observation.objects.visible_to(user)`` (their datasets' sharing),
  current versions or, with ``accepted_only`` (and always on the public dashboard),
  accepted versions only. One query for any number of indicators and rows.
* For each indicator and period, one table: each dataset's cells (its total and
  breakdowns) and the combined cells across the datasets the person may see
  (counts, numerators and denominators add up; a measure such as days is combined
  as a mean weighted by its number of people). The relations: each breakdown sums to
  its total, and each combined cell is the sum of the datasets' cells.
* reentry/suppression.py decides what is hidden. A person sees the exact figures
  of their own organization's datasets, and nothing that, with those, would give
  away someone else's small number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import DenseRank
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.charts import Point, format_number
from indicators.models import (
    VALUE_PLACES,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorSettings,
    Observation,
)
from indicators.periods import period_label
from reentry.suppression import (
    Cell,
    CellKey,
    Disaggregation,
    PublishedCell,
    Relation,
    disaggregation_key,
    disaggregation_relations,
    suppress,
)
from stakeholders.models import Collaborative

COMBINED = "all"
#: How many periods the pages that show a short history read (``indicator_data``'s
#: ``recent``): a scorecard's sparkline, the public dashboard's chart and table. A year
#: of months, three years of quarters, twelve years.
RECENT_PERIODS = 12
TOTAL: Disaggregation = ()


@dataclass(frozen=True, order=True)
class PeriodRef:
    start: date
    end: date
    kind: str

    def label(self, fiscal_start_month: int = 7) -> str:
        return period_label(self.kind, self.start, self.end, fiscal_start_month=fiscal_start_month)


@dataclass
class PeriodTable:
    """One indicator, one period: the combined cells and each dataset's, as this
    person may see them, keyed by disaggregation (() is the total)."""

    period: PeriodRef
    label: str
    combined: dict[Disaggregation, PublishedCell]
    by_dataset: dict[int, dict[Disaggregation, PublishedCell]]
    #: The rows it was computed from (to pool periods without reading them again).
    rows: list[Mapping[str, Any]] = field(default_factory=list, repr=False)
    #: How many periods it pools (0: a single period).
    pooled: int = 0

    @property
    def total(self) -> PublishedCell | None:
        return self.combined.get(TOTAL)

    @property
    def token(self) -> str:
        """The period in a URL: ``?period=2012-07-01_2013-06-30``."""
        return f"{self.period.start.isoformat()}_{self.period.end.isoformat()}"


@dataclass
class Comparison:
    """How the latest figure compares with another: ``verdict`` is better, worse,
    same, changed (no better direction) or unknown (hidden or missing)."""

    verdict: str
    difference: Decimal | None
    #: The difference in words ("+2.5 percentage points"), and in short ("+2.5 pts").
    difference_text: str = ""
    difference_short: str = ""

    @property
    def text(self) -> str:
        return str(VERDICTS[self.verdict])


VERDICTS = {
    "better": gettext_lazy("better"),
    "worse": gettext_lazy("worse"),
    "same": gettext_lazy("no change"),
    "changed": gettext_lazy("changed"),
    "unknown": gettext_lazy("cannot compare"),
}


@dataclass
class IndicatorData:
    indicator: Indicator
    tables: list[PeriodTable] = field(default_factory=list)
    dataset_ids: list[int] = field(default_factory=list)
    #: True when read with ``recent`` and older periods were left out.
    earlier: bool = False

    @property
    def has_data(self) -> bool:
        return bool(self.tables)

    def points(self) -> list[Point]:
        """The combined total per period, for a chart (hidden periods as gaps)."""
        points = []
        for table in self.tables:
            cell = table.total
            if cell is None:
                points.append(Point(table.label, None))
            else:
                points.append(Point(table.label, cell.value, cell.hidden))
        return points

    def latest(self) -> PeriodTable | None:
        with_total = [t for t in self.tables if t.total is not None]
        return with_total[-1] if with_total else None

    def previous(self) -> PeriodTable | None:
        with_total = [t for t in self.tables if t.total is not None]
        return with_total[-2] if len(with_total) > 1 else None

    def compare_with_previous(self) -> Comparison:
        previous = self.previous()
        return self._compare(previous.total.value if previous and previous.total else None)

    def compare_with_baseline(self) -> Comparison:
        return self._compare(self.indicator.baseline_value)

    def _compare(self, other) -> Comparison:
        latest = self.latest()
        value = latest.total.value if latest and latest.total else None
        if value is None or other is None:
            return Comparison("unknown", None)
        difference = Decimal(str(value)) - Decimal(str(other))
        texts = (
            format_difference(self.indicator, difference),
            format_difference(self.indicator, difference, compact=True),
        )
        if difference == 0:
            return Comparison("same", difference, *texts)
        direction = self.indicator.direction
        if direction == Indicator.Direction.NEUTRAL:
            return Comparison("changed", difference, *texts)
        up = difference > 0
        better = up if direction == Indicator.Direction.UP else not up
        return Comparison("better" if better else "worse", difference, *texts)

    def target_met(self) -> bool | None:
        latest = self.latest()
        target = self.indicator.target_value
        value = latest.total.value if latest and latest.total else None
        if value is None or target is None or self.indicator.direction == "neutral":
            return None
        value = Decimal(str(value))
        if self.indicator.direction == Indicator.Direction.UP:
            return value >= target
        return value <= target


def fiscal_start_month(collaborative: Collaborative) -> int:
    """The collaborative's fiscal-year start month (July until it says otherwise). One
    read; never creates the settings row on a GET."""
    month = (
        IndicatorSettings.objects.filter(collaborative=collaborative)
        .values_list("fiscal_year_start_month", flat=True)
        .first()
    )
    return month or 7


def visible_observations(
    user, indicators: Iterable[Indicator], *, accepted_only: bool
) -> QuerySet[Observation]:
    rows = Observation.objects.visible_to(user).filter(indicator__in=list(indicators))
    return rows.accepted() if accepted_only else rows.current()


def indicator_data(
    indicators: Sequence[Indicator],
    *,
    user,
    collaborative: Collaborative,
    own_organization_ids: Iterable[int] = (),
    accepted_only: bool = False,
    fiscal_month: int | None = None,
    rows: Iterable[Mapping[str, Any]] | None = None,
    recent: int | None = None,
) -> dict[int, IndicatorData]:
    """Every figure of ``indicators`` this person may see, suppressed for them.

    One query (``rows`` can be given instead, already read through
    ``visible_observations``). ``own_organization_ids``: the person's organization,
    whose own datasets they see exactly. ``recent``: only each indicator's latest
    ``recent`` periods (of those this person may see) are read and suppressed, and
    ``earlier`` says whether there were more; for pages that show a short history
    (a sparkline, the public chart), so their cost does not grow with the years of
    data. Each period is suppressed on its own, so its figures are the same either way.
    """
    own = set(own_organization_ids)
    threshold = collaborative.small_cell_threshold
    month = fiscal_month if fiscal_month is not None else fiscal_start_month(collaborative)
    by_id = {i.pk: i for i in indicators}
    result = {i.pk: IndicatorData(i) for i in indicators}
    if rows is None:
        observations = visible_observations(user, indicators, accepted_only=accepted_only)
        if recent is not None:
            # One more period than asked for, to know whether there are earlier ones.
            observations = observations.alias(
                period_rank=Window(
                    DenseRank(),
                    partition_by=F("indicator_id"),
                    order_by=[
                        F("period_start").desc(),
                        F("period_end").desc(),
                        F("period_kind").desc(),
                    ],
                )
            ).filter(period_rank__lte=recent + 1)
        rows = list(
            observations.order_by(
                "indicator_id", "period_start", "period_end", "dataset_id", "breakdown_key"
            ).values(
                "indicator_id",
                "dataset_id",
                "dataset__owner_id",
                "period_kind",
                "period_start",
                "period_end",
                "breakdown",
                "value",
                "numerator",
                "denominator",
            )
        )
    grouped: dict[tuple[int, PeriodRef], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        period = PeriodRef(row["period_start"], row["period_end"], row["period_kind"])
        grouped[row["indicator_id"], period].append(row)
    periods = sorted(grouped.items(), key=lambda kv: kv[0][1])
    if recent is not None:
        periods = _latest_periods(periods, recent, result)
    datasets: dict[int, dict[int, None]] = defaultdict(dict)
    for (indicator_id, period), group in periods:
        indicator = by_id[indicator_id]
        table = _table(indicator, period, group, own=own, threshold=threshold)
        table.label = period.label(month)
        result[indicator_id].tables.append(table)
        for row in group:
            datasets[indicator_id][row["dataset_id"]] = None
    for indicator_id, ids in datasets.items():
        result[indicator_id].dataset_ids = list(ids)
    return result


def _latest_periods(
    periods: list[tuple[tuple[int, PeriodRef], list[Mapping[str, Any]]]],
    recent: int,
    result: dict[int, IndicatorData],
) -> list[tuple[tuple[int, PeriodRef], list[Mapping[str, Any]]]]:
    """Of ``periods`` (in order), each indicator's latest ``recent``; marks the
    indicators that had more as having ``earlier`` periods."""
    left: dict[int, int] = defaultdict(int)
    for (indicator_id, _period), _group in periods:
        left[indicator_id] += 1
    kept = []
    for key, group in periods:
        indicator_id = key[0]
        if left[indicator_id] > recent:
            result[indicator_id].earlier = True
        else:
            kept.append((key, group))
        left[indicator_id] -= 1
    return kept


def _int(number: Decimal | None) -> int | None:
    return None if number is None else int(number.to_integral_value())


def _cell(indicator: Indicator, key: CellKey, row: Mapping[str, Any]) -> Cell:
    value: Decimal = row["value"]
    if indicator.unit == Indicator.Unit.COUNT and row["numerator"] is None:
        return Cell(key, value, is_count=value == value.to_integral_value() and value >= 0)
    return Cell(key, value, _int(row["numerator"]), _int(row["denominator"]))


def _combined(indicator: Indicator, key: CellKey, rows: list[Mapping[str, Any]]) -> Cell | None:
    """The cell combining several datasets' cells, or None when they do not combine."""
    if len(rows) == 1:
        return _cell(indicator, key, rows[0])
    quantize = Decimal(1).scaleb(-VALUE_PLACES)
    if indicator.unit == Indicator.Unit.COUNT and all(r["numerator"] is None for r in rows):
        cells = [_cell(indicator, key, r) for r in rows]
        total = sum((Decimal(str(c.value)) for c in cells), Decimal(0))
        return Cell(key, total, is_count=all(c.is_count for c in cells))
    if indicator.is_ratio and all(r["numerator"] is not None for r in rows):
        numerator = sum(r["numerator"] for r in rows)
        denominator = sum(r["denominator"] for r in rows)
        if not denominator:
            return None
        return Cell(
            key,
            indicator.derive_value(numerator, denominator),
            _int(numerator),
            _int(denominator),
        )
    if all(r["denominator"] for r in rows) and all(r["numerator"] is None for r in rows):
        people = sum(r["denominator"] for r in rows)
        mean = sum(r["value"] * r["denominator"] for r in rows) / people
        return Cell(key, mean.quantize(quantize), None, _int(people))
    return None


@dataclass
class _Cells:
    """One period's table before suppression: each dataset's cells and the combined
    ones, keyed (dataset id or COMBINED, disaggregation), with their relations."""

    cells: list[Cell] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    known: set[CellKey] = field(default_factory=set)
    owners: dict[int, int] = field(default_factory=dict)


def _cells(indicator: Indicator, rows: Sequence[Mapping[str, Any]], *, own: set[int]) -> _Cells:
    found = _Cells()
    per_key: dict[Disaggregation, list[Mapping[str, Any]]] = defaultdict(list)
    dataset_keys: dict[int, list[Disaggregation]] = defaultdict(list)
    for row in rows:
        key = disaggregation_key(row["breakdown"] or {})
        dataset_id = row["dataset_id"]
        found.owners[dataset_id] = row["dataset__owner_id"]
        dataset_keys[dataset_id].append(key)
        per_key[key].append(row)
        cell_key = (dataset_id, key)
        found.cells.append(_cell(indicator, cell_key, row))
        if row["dataset__owner_id"] in own:
            found.known.add(cell_key)
    for dataset_id, keys in dataset_keys.items():
        found.relations += [
            Relation((dataset_id, r.total), tuple((dataset_id, p) for p in r.parts))
            for r in disaggregation_relations(keys)
        ]
    combined_keys = []
    for key, key_rows in per_key.items():
        cell = _combined(indicator, (COMBINED, key), key_rows)
        if cell is None:
            continue
        found.cells.append(cell)
        combined_keys.append(key)
        found.relations.append(
            Relation((COMBINED, key), tuple((r["dataset_id"], key) for r in key_rows))
        )
    found.relations += [
        Relation((COMBINED, r.total), tuple((COMBINED, p) for p in r.parts))
        for r in disaggregation_relations(combined_keys)
    ]
    return found


def _everything_mine(owners: Mapping[int, int], own: set[int]) -> bool:
    return bool(owners) and all(o in own for o in owners.values())


def _period_table(period: PeriodRef, published: Iterable[tuple[CellKey, PublishedCell]]):
    combined: dict[Disaggregation, PublishedCell] = {}
    by_dataset: dict[int, dict[Disaggregation, PublishedCell]] = defaultdict(dict)
    for cell_key, cell in published:
        owner_key, key = cast(tuple[int | str, Disaggregation], cell_key)
        if isinstance(owner_key, int):
            by_dataset[owner_key][key] = cell
        else:
            combined[key] = cell
    return PeriodTable(period, "", combined, dict(by_dataset))


def _table(
    indicator: Indicator,
    period: PeriodRef,
    rows: list[Mapping[str, Any]],
    *,
    own: set[int],
    threshold: int,
) -> PeriodTable:
    found = _cells(indicator, rows, own=own)
    result = suppress(
        found.cells,
        found.relations,
        threshold=threshold,
        reveal=_everything_mine(found.owners, own),
        known=found.known,
    )
    table = _period_table(period, ((c.key, c) for c in result))
    table.rows = rows
    return table


POOLED = "pooled"


def _pooled_rows(indicator: Indicator, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each dataset's cells summed over several periods (counts, numerators and
    denominators add up; a measure is a mean weighted by its people), as rows like
    the database's. A cell that does not add up is left out."""
    per_cell: dict[tuple[int, Disaggregation], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        per_cell[row["dataset_id"], disaggregation_key(row["breakdown"] or {})].append(row)
    pooled = []
    for (dataset_id, key), cell_rows in per_cell.items():
        cell = _combined(indicator, key, cell_rows)
        if cell is None:
            continue
        first = cell_rows[0]
        pooled.append(
            {
                "indicator_id": first["indicator_id"],
                "dataset_id": dataset_id,
                "dataset__owner_id": first["dataset__owner_id"],
                "breakdown": first["breakdown"],
                "value": Decimal(str(cell.value)),
                "numerator": None if cell.numerator is None else Decimal(cell.numerator),
                "denominator": None if cell.denominator is None else Decimal(cell.denominator),
            }
        )
    return pooled


def _key(key: CellKey) -> tuple[Any, ...]:
    return cast(tuple[Any, ...], key)


def _tagged(tag: Any, found: _Cells) -> tuple[list[Cell], list[Relation]]:
    """The cells and relations of one period's table, keyed ``(tag, *key)``, so that
    several tables can be suppressed as one."""
    cells = [replace(c, key=(tag, *_key(c.key))) for c in found.cells]
    relations = [
        Relation((tag, *_key(r.total)), tuple((tag, *_key(p)) for p in r.parts))
        for r in found.relations
    ]
    return cells, relations


def pooled_table(
    data: IndicatorData,
    first: PeriodTable,
    last: PeriodTable,
    *,
    own_organization_ids: Iterable[int] = (),
    threshold: int,
    fiscal_month: int = 7,
) -> PeriodTable | None:
    """The periods from ``first`` to ``last`` (of ``first``'s kind) pooled into one: each
    dataset's counts, numerators and denominators summed per breakdown cell, then the
    combined cells, suppressed through ``suppress`` as one table.

    The pooled cells are suppressed together with the periods they add up, as this
    person sees them: a cell of one period hidden from them stays hidden (a pooled
    figure minus the other periods' shown figures would give it back), and the
    periods' shown figures are known to them. None when the range holds no period.
    """
    own = set(own_organization_ids)
    indicator = data.indicator
    tables = [
        t
        for t in data.tables
        if t.period.kind == first.period.kind
        and first.period.start <= t.period.start
        and t.period.end <= last.period.end
    ]
    if not tables:
        return None
    rows = [row for t in tables for row in t.rows]
    pooled = _cells(indicator, _pooled_rows(indicator, rows), own=own)
    cells, relations = _tagged(POOLED, pooled)
    known: set[CellKey] = {(POOLED, *_key(k)) for k in pooled.known}
    withheld: set[CellKey] = set()
    present = {c.key for c in cells}
    for index, table in enumerate(tables):
        period_cells, period_relations = _tagged(index, _cells(indicator, table.rows, own=own))
        cells += period_cells
        relations += period_relations
        present.update(c.key for c in period_cells)
        for owner_key, published in (
            *((d, cs) for d, cs in table.by_dataset.items()),
            (COMBINED, table.combined),
        ):
            for key, shown in published.items():
                target = withheld if shown.hidden else known
                target.add((index, owner_key, key))
    # A pooled cell is the sum of the same cell in each period.
    for pooled_cell in list(cells):
        tag, *rest = _key(pooled_cell.key)
        if tag != POOLED:
            continue
        parts = tuple((index, *rest) for index in range(len(tables)) if (index, *rest) in present)
        if parts:
            relations.append(Relation(pooled_cell.key, parts))
    result = suppress(
        cells,
        relations,
        threshold=threshold,
        reveal=_everything_mine(pooled.owners, own),
        known=known,
        withheld_elsewhere=withheld,
    )
    start, end = tables[0].period, tables[-1].period
    period = PeriodRef(start.start, end.end, start.kind)
    table = _period_table(
        period, ((_key(c.key)[1:], c) for c in result if _key(c.key)[0] == POOLED)
    )
    table.label = _("%(first)s to %(last)s, pooled") % {
        "first": start.label(fiscal_month),
        "last": end.label(fiscal_month),
    }
    table.pooled = len(tables)
    return table


def format_value(indicator: Indicator, value, places: int | None = None) -> str:
    """A figure with its unit, for people ("42%", "$1,200", "12.5 per 1,000");
    ``places`` as in ``charts.format_number``."""
    if value is None:
        return ""
    text = format_number(value, places)
    unit = indicator.unit
    if unit == Indicator.Unit.PERCENT:
        return _("%(value)s%%") % {"value": text}
    if unit == Indicator.Unit.RATE_1000:
        return _("%(value)s per 1,000") % {"value": text}
    if unit == Indicator.Unit.DAYS:
        return _("%(value)s days") % {"value": text}
    if unit == Indicator.Unit.DOLLARS:
        return _("$%(value)s") % {"value": text}
    return text


def format_difference(indicator: Indicator, difference, *, compact: bool = False) -> str:
    """A difference between two figures, signed: a difference of two percentages is in
    percentage points ("+2.5 percentage points", "−2.5 pts" where room is short), never
    "%"; other units as ``format_value`` writes them."""
    if difference is None:
        return ""
    number = Decimal(str(difference))
    sign = "+" if number > 0 else "−" if number < 0 else "±"
    text = format_number(abs(number))
    if indicator.unit == Indicator.Unit.PERCENT:
        if compact:
            return _("%(sign)s%(value)s pts") % {"sign": sign, "value": text}
        return _("%(sign)s%(value)s percentage points") % {"sign": sign, "value": text}
    return sign + format_value(indicator, abs(number))


@dataclass(frozen=True)
class ValueOrder:
    """The collaborative's order of dimensions and of each dimension's values
    ("Under 25" first, "Not recorded" last), for breakdown rows."""

    dimensions: Mapping[str, int]
    values: Mapping[tuple[str, str], int]

    def key(self, disaggregation: Disaggregation) -> tuple:
        """A sort key: the total first, then by dimension and value order; codes the
        catalog does not list come after, by code."""
        big = len(self.values) + 1
        return (
            len(disaggregation),
            tuple(
                (self.dimensions.get(d, big), self.values.get((d, v), big), d, v)
                for d, v in disaggregation
            ),
        )


def breakdown_dimensions(
    collaborative: Collaborative, data: Iterable[IndicatorData]
) -> dict[int, list[Dimension]]:
    """Per indicator, the dimensions its breakdowns show, in the collaborative's order
    (values prefetched in theirs): those the catalog allows it, and any its figures
    are broken down by (a derived indicator's breakdowns come from its definition).
    Three queries, whatever the number of indicators."""
    items = list(data)
    dimensions = list(
        Dimension.objects.filter(collaborative=collaborative)
        .order_by("order", "name")
        .prefetch_related(
            Prefetch("values", queryset=DimensionValue.objects.order_by("order", "label"))
        )
    )
    allowed: dict[int, set[int]] = defaultdict(set)
    through = Indicator.dimensions.through.objects.filter(
        indicator_id__in=[i.indicator.pk for i in items]
    )
    for indicator_id, dimension_id in through.values_list("indicator_id", "dimension_id"):
        allowed[indicator_id].add(dimension_id)
    result = {}
    for item in items:
        used = {d for table in item.tables for key in table.combined for d, _v in key}
        result[item.indicator.pk] = [
            d for d in dimensions if d.pk in allowed[item.indicator.pk] or d.code in used
        ]
    return result


def value_order(collaborative: Collaborative) -> ValueOrder:
    """One query: every dimension value of the collaborative, in its order."""
    rows = (
        DimensionValue.objects.filter(dimension__collaborative=collaborative)
        .order_by("dimension__order", "dimension__name", "order", "label")
        .values_list("dimension__code", "code")
    )
    dimensions: dict[str, int] = {}
    values: dict[tuple[str, str], int] = {}
    for dimension, code in rows:
        dimensions.setdefault(dimension, len(dimensions))
        values[dimension, code] = len(values)
    return ValueOrder(dimensions, values)


def breakdown_groups(
    data: IndicatorData,
    dimension_code: str,
    *,
    table: PeriodTable | None = None,
    order: ValueOrder | None = None,
) -> tuple[PeriodTable | None, list[tuple[str, PublishedCell]]]:
    """The combined cells of a breakdown by ``dimension_code`` alone, by value code, in
    the dimension's order (with ``order``): of ``table`` if given, else of the latest
    period that has such a breakdown."""
    tables = [table] if table is not None else list(reversed(data.tables))
    for candidate in tables:
        groups = [
            (key[0][1], cell)
            for key, cell in candidate.combined.items()
            if len(key) == 1 and key[0][0] == dimension_code
        ]
        if groups:
            if order is not None:
                groups.sort(key=lambda g: order.key(((dimension_code, g[0]),)))
            return candidate, groups
    return table, []


@dataclass
class PeriodChoice:
    """Which period the breakdowns show: one period (``?period=``), a pooled range
    (``?from=&to=``), or by default the latest with a breakdown."""

    table: PeriodTable | None
    options: list[PeriodTable]
    period: str = ""
    first: str = ""
    last: str = ""

    @property
    def label(self) -> str:
        return self.table.label if self.table is not None else ""

    @property
    def pooled_label(self) -> str:
        return self.label if self.table is not None and self.table.pooled else ""


def choose_period(
    data: IndicatorData,
    params: Mapping[str, str],
    *,
    own_organization_ids: Iterable[int] = (),
    threshold: int,
    fiscal_month: int = 7,
) -> PeriodChoice:
    """The breakdowns' period from the query string; an unknown period is the default."""
    options = [t for t in data.tables if any(key for key in t.combined)]
    by_token = {t.token: t for t in options}
    first, last = by_token.get(params.get("from", "")), by_token.get(params.get("to", ""))
    if first is not None and last is not None:
        if last.period < first.period:
            first, last = last, first
        pooled = pooled_table(
            data,
            first,
            last,
            own_organization_ids=own_organization_ids,
            threshold=threshold,
            fiscal_month=fiscal_month,
        )
        if pooled is not None:
            return PeriodChoice(pooled, options, first=first.token, last=last.token)
    chosen = by_token.get(params.get("period", ""))
    if chosen is None:
        return PeriodChoice(options[-1] if options else None, options)
    return PeriodChoice(chosen, options, period=chosen.token)
