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
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.charts import Point, format_number
from indicators.models import VALUE_PLACES, Indicator, IndicatorSettings, Observation
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

    @property
    def total(self) -> PublishedCell | None:
        return self.combined.get(TOTAL)


@dataclass
class Comparison:
    """How the latest figure compares with another: ``verdict`` is better, worse,
    same, changed (no better direction) or unknown (hidden or missing)."""

    verdict: str
    difference: Decimal | None

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
        if difference == 0:
            return Comparison("same", difference)
        direction = self.indicator.direction
        if direction == Indicator.Direction.NEUTRAL:
            return Comparison("changed", difference)
        up = difference > 0
        better = up if direction == Indicator.Direction.UP else not up
        return Comparison("better" if better else "worse", difference)

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
) -> dict[int, IndicatorData]:
    """Every figure of ``indicators`` this person may see, suppressed for them.

    One query (``rows`` can be given instead, already read through
    ``visible_observations``). ``own_organization_ids``: the person's organization,
    whose own datasets they see exactly.
    """
    own = set(own_organization_ids)
    threshold = collaborative.small_cell_threshold
    month = fiscal_month if fiscal_month is not None else fiscal_start_month(collaborative)
    by_id = {i.pk: i for i in indicators}
    result = {i.pk: IndicatorData(i) for i in indicators}
    if rows is None:
        rows = list(
            visible_observations(user, indicators, accepted_only=accepted_only)
            .order_by("indicator_id", "period_start", "period_end", "dataset_id", "breakdown_key")
            .values(
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
    datasets: dict[int, dict[int, None]] = defaultdict(dict)
    for (indicator_id, period), group in sorted(grouped.items(), key=lambda kv: kv[0][1]):
        indicator = by_id[indicator_id]
        table = _table(indicator, period, group, own=own, threshold=threshold)
        table.label = period.label(month)
        result[indicator_id].tables.append(table)
        for row in group:
            datasets[indicator_id][row["dataset_id"]] = None
    for indicator_id, ids in datasets.items():
        result[indicator_id].dataset_ids = list(ids)
    return result


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


def _table(
    indicator: Indicator,
    period: PeriodRef,
    rows: list[Mapping[str, Any]],
    *,
    own: set[int],
    threshold: int,
) -> PeriodTable:
    cells: list[Cell] = []
    relations: list[Relation] = []
    known: set[CellKey] = set()
    per_key: dict[Disaggregation, list[Mapping[str, Any]]] = defaultdict(list)
    dataset_keys: dict[int, list[Disaggregation]] = defaultdict(list)
    owners: dict[int, int] = {}
    for row in rows:
        key = disaggregation_key(row["breakdown"] or {})
        dataset_id = row["dataset_id"]
        owners[dataset_id] = row["dataset__owner_id"]
        dataset_keys[dataset_id].append(key)
        per_key[key].append(row)
        cell_key = (dataset_id, key)
        cells.append(_cell(indicator, cell_key, row))
        if row["dataset__owner_id"] in own:
            known.add(cell_key)
    for dataset_id, keys in dataset_keys.items():
        relations += [
            Relation((dataset_id, r.total), tuple((dataset_id, p) for p in r.parts))
            for r in disaggregation_relations(keys)
        ]
    combined_keys = []
    for key, key_rows in per_key.items():
        cell = _combined(indicator, (COMBINED, key), key_rows)
        if cell is None:
            continue
        cells.append(cell)
        combined_keys.append(key)
        relations.append(Relation((COMBINED, key), tuple((r["dataset_id"], key) for r in key_rows)))
    relations += [
        Relation((COMBINED, r.total), tuple((COMBINED, p) for p in r.parts))
        for r in disaggregation_relations(combined_keys)
    ]
    everything_mine = bool(owners) and all(o in own for o in owners.values())
    result = suppress(cells, relations, threshold=threshold, reveal=everything_mine, known=known)
    combined: dict[Disaggregation, PublishedCell] = {}
    by_dataset: dict[int, dict[Disaggregation, PublishedCell]] = defaultdict(dict)
    for published in result:
        owner_key, key = cast(tuple[int | str, Disaggregation], published.key)
        if isinstance(owner_key, int):
            by_dataset[owner_key][key] = published
        else:
            combined[key] = published
    return PeriodTable(period, "", combined, dict(by_dataset))


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


def breakdown_groups(
    data: IndicatorData, dimension_code: str
) -> tuple[PeriodTable | None, list[tuple[str, PublishedCell]]]:
    """The latest period that has a breakdown by ``dimension_code`` alone, and its
    combined cells by value code, in the order they came."""
    for table in reversed(data.tables):
        groups = [
            (key[0][1], cell)
            for key, cell in table.combined.items()
            if len(key) == 1 and key[0][0] == dimension_code
        ]
        if groups:
            return table, groups
    return None, []
