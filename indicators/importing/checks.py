"""Checking rows: one row at a time, plus the duplicate and breakdown-total checks."""

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.importing.files import _text
from indicators.models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    Dimension,
    Indicator,
)
from indicators.periods import Period, PeriodError, parse_period
from reentry.i18n import localized

MAX_REPORTED_ERRORS = 500

# What each kind of problem is called in the report's summary.
ERROR_KINDS = {
    "file": gettext_lazy("The file cannot be read"),
    "empty": gettext_lazy("No rows"),
    "blank_row": gettext_lazy("Empty rows"),
    "short_row": gettext_lazy("Rows cut short"),
    "extra_cells": gettext_lazy("Extra cells"),
    "formula": gettext_lazy("Formulas"),
    "missing_indicator": gettext_lazy("No indicator"),
    "unknown_indicator": gettext_lazy("Unknown indicators"),
    "bad_period": gettext_lazy("Periods we cannot read"),
    "breakdown_not_allowed": gettext_lazy("Breakdowns not allowed"),
    "bad_breakdown": gettext_lazy("Unknown breakdown values"),
    "not_a_number": gettext_lazy("Not numbers"),
    "negative": gettext_lazy("Negative numbers"),
    "missing_value": gettext_lazy("Missing numbers"),
    "zero_denominator": gettext_lazy("Zero denominators"),
    "numerator_gt_denominator": gettext_lazy("Numerator greater than denominator"),
    "numerator_not_used": gettext_lazy("Numbers that do not belong"),
    "value_mismatch": gettext_lazy("Values that do not match"),
    "duplicate": gettext_lazy("Repeated rows"),
    "breakdown_sum": gettext_lazy("Breakdowns that do not add up"),
    "unnamed_column": gettext_lazy("Columns with no name"),
    "definition": gettext_lazy("Derived indicators that no longer fit"),
}
PREVIEW_ROWS = 10
TEXT_FIELDS = ("indicator", "period", "period_start", "period_end")
NUMBER_FIELDS = ("value", "numerator", "denominator")
FORMULA_START = ("=", "+", "@", "-")
FORMULA_CHARS = ("=", "+", "@", "-")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_PLAIN_NUMBER = re.compile(rf"^\d{{1,{VALUE_DIGITS - VALUE_PLACES}}}(\.\d{{1,{VALUE_PLACES}}})?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_MAX_INT_DIGITS = VALUE_DIGITS - VALUE_PLACES
_QUANTUM = Decimal(1).scaleb(-VALUE_PLACES)
COUNT_LIKE = (Indicator.Unit.COUNT,)

# --- checking rows --------------------------------------------------------------------


@dataclass
class _IndicatorInfo:
    pk: int
    code: str
    unit: str
    dims: frozenset[str]
    dim_names: str


@dataclass
class _DimensionInfo:
    code: str
    name: str
    any_value: bool
    values: dict[str, str]
    listed: str


@dataclass
class Context:
    """What the checks need from the catalog, loaded once per pass."""

    indicators: dict[str, _IndicatorInfo]
    dimensions: dict[str, _DimensionInfo]
    fiscal_start_month: int

    def __post_init__(self) -> None:
        self.codes = {info.pk: info.code for info in self.indicators.values()}

    @classmethod
    def load(cls, collaborative) -> "Context":
        from indicators.seeds import indicator_settings_for

        settings_row = indicator_settings_for(collaborative)
        dims: dict[str, _DimensionInfo] = {}
        for d in Dimension.objects.filter(collaborative=collaborative).prefetch_related("values"):
            values: dict[str, str] = {}
            listed = []
            for v in d.values.all():
                values[_norm_value(v.code)] = v.code
                values[_norm_value(v.label)] = v.code
                values[_norm_value(localized(v, "label"))] = v.code
                listed.append(v.code)
            dims[d.code] = _DimensionInfo(
                d.code, localized(d, "name"), d.accepts_any_value, values, ", ".join(listed)
            )
        inds: dict[str, _IndicatorInfo] = {}
        for ind in Indicator.objects.filter(collaborative=collaborative).prefetch_related(
            "dimensions"
        ):
            codes = frozenset(d.code for d in ind.dimensions.all())
            names = ", ".join(dims[c].name for c in sorted(codes) if c in dims)
            inds[ind.code.upper()] = _IndicatorInfo(ind.pk, ind.code, ind.unit, codes, names)
        return cls(inds, dims, settings_row.fiscal_year_start_month)


def _norm_value(text: str) -> str:
    text = str(text).replace("\u2013", "-").replace("\u2014", "-").lower()
    return " ".join(text.split())


@dataclass(slots=True)
class Problem:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


def blank_row_problem(row: int) -> Problem:
    """An empty row between rows with data (uploads of figures and of records alike)."""
    return Problem(
        row,
        "",
        "blank_row",
        _(
            "This row is empty, between rows with data. Delete it, or check that nothing is "
            "missing."
        ),
    )


def short_row_problem(row: int, cells: int, width: int) -> Problem:
    return Problem(
        row,
        "",
        "short_row",
        _(
            "This row has %(cells)s cells; the column names have %(width)s. "
            "The file may be cut short, or a comma is missing."
        )
        % {"cells": cells, "width": width},
    )


def extra_cells_problem(row: int) -> Problem:
    return Problem(
        row, "", "extra_cells", _("This row has more cells than the header has columns.")
    )


@dataclass
class Report:
    """What a pass found: counts, the first problems, a preview, and the period covered."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    by_code: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, str]] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None
    indicators: set[str] = field(default_factory=set)
    file_problem: str = ""

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        self.by_code[problem.code] = self.by_code.get(problem.code, 0) + 1
        if len(self.problems) < MAX_REPORTED_ERRORS:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and not self.file_problem and self.rows > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "errors": [p.as_dict() for p in self.problems],
            "error_count": self.problem_count,
            "by_code": self.by_code,
            "preview": self.preview,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "indicators": sorted(self.indicators),
            "file_problem": self.file_problem,
        }


@dataclass(slots=True)
class Row:
    """One checked row, ready to store."""

    indicator_id: int
    period: Period
    breakdown: dict[str, str]
    dims: str
    key: str
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None


class _Checker:
    """Checks rows one at a time; keeps only what the cross-row checks need."""

    def __init__(self, context: Context, headers: list[str], mapping: dict[str, str]):
        self.context = context
        self.width = len(headers)
        self.columns: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.dim_columns: list[tuple[int, str, str]] = []
        for i, header in enumerate(headers):
            target = mapping.get(header, "")
            if not target:
                continue
            if target.startswith("dim:"):
                code = target[4:]
                if code in context.dimensions:
                    self.dim_columns.append((i, code, header))
            else:
                self.columns[target] = i
                self.labels[target] = header
        self.text_columns = [(n, self.columns[n]) for n in TEXT_FIELDS if n in self.columns]
        self.periods: dict[str, Period | str] = {}
        self.values: dict[tuple[str, str], str | None] = {}
        # One 64-bit hash and one row number per good row (12 bytes a row), compared at
        # the end: far smaller than a set of a million keys.
        self.hashes = array("q")
        self.hash_rows = array("i")
        # (indicator, kind, start, end) -> [total quantities, {dim: [sums, first row]}, code]
        self.groups: dict[tuple[int, str, date, date], list[Any]] = {}

    def cell(self, cells: list[Any], name: str) -> Any:
        i = self.columns.get(name)
        if i is None or i >= len(cells):
            return None
        return cells[i]

    def check(self, number: int, cells: list[Any], report: Report) -> Row | None:
        problems: list[Problem] = []

        def fail(column: str, code: str, message: str) -> None:
            problems.append(Problem(number, column, code, message))

        for name, i in self.text_columns:
            raw = cells[i] if i < len(cells) else None
            if raw.__class__ is not str or not raw or raw.lstrip()[:1] not in FORMULA_CHARS:
                continue
            text = raw.strip()
            if not text[1:2].isdigit():
                fail(
                    self.labels[name],
                    "formula",
                    _("This cell holds a formula (%(text)s). Paste values only.")
                    % {"text": text[:40]},
                )
        if problems:
            for p in problems:
                report.add(p)
            return None

        code = _text(self.cell(cells, "indicator"))
        info = self.context.indicators.get(code.upper()) if code else None
        if not code:
            fail(self.labels["indicator"], "missing_indicator", _("The indicator code is empty."))
        elif info is None:
            fail(
                self.labels["indicator"],
                "unknown_indicator",
                _("“%(code)s” is not an indicator in this collaborative's catalog.")
                % {"code": code[:60]},
            )

        period = self._period(cells, fail)
        breakdown = self._breakdown(cells, info, fail)
        value, numerator, denominator = self._numbers(cells, info, fail)

        if problems or info is None or period is None or breakdown is None or value is None:
            for p in problems:
                report.add(p)
            return None
        items = sorted(breakdown.items())
        key = "|".join(f"{k}={v}" for k, v in items)
        dims = ",".join(k for k, _v in items)
        self.hashes.append(hash((info.pk, period.start, period.end, key)))
        self.hash_rows.append(number)
        self._add_to_group(number, info, period, dims, value, numerator, denominator)
        return Row(info.pk, period, breakdown, dims, key, value, numerator, denominator)

    def _period(self, cells: list[Any], fail: Callable[[str, str, str], None]) -> Period | None:
        if "period" in self.columns:
            raw = self.cell(cells, "period")
            label = self.labels["period"]
            if isinstance(raw, (datetime, date)):
                day = raw.date() if isinstance(raw, datetime) else raw
                fail(
                    label,
                    "bad_period",
                    _(
                        "Excel stored this period as a date (%(day)s). Format the column as "
                        "text and write the period as 2025-03, 2025-Q1, 2025 or FY2025."
                    )
                    % {"day": day.isoformat()},
                )
                return None
            text = _text(raw)
            found = self.periods.get(text)
            if found is None:
                try:
                    found = parse_period(text, fiscal_start_month=self.context.fiscal_start_month)
                except PeriodError as exc:
                    found = str(exc)
                if len(self.periods) < 10000:
                    self.periods[text] = found
            if isinstance(found, str):
                fail(label, "bad_period", found)
                return None
            return found
        start = self._date(cells, "period_start", fail)
        end = self._date(cells, "period_end", fail)
        if start is None or end is None:
            return None
        if end < start:
            fail(self.labels["period_end"], "bad_period", _("The period ends before it starts."))
            return None
        return Period("range", start, end)

    def _date(self, cells: list[Any], name: str, fail) -> date | None:
        raw = self.cell(cells, name)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = _text(raw)
        try:
            return date.fromisoformat(text)
        except ValueError:
            fail(
                self.labels[name],
                "bad_period",
                _("“%(text)s” is not a date. Write dates as 2025-01-31.") % {"text": text[:40]}
                if text
                else _("The date is empty."),
            )
            return None

    def _breakdown(
        self, cells: list[Any], info: _IndicatorInfo | None, fail
    ) -> dict[str, str] | None:
        breakdown: dict[str, str] = {}
        ok = True
        for i, code, header in self.dim_columns:
            raw = cells[i] if i < len(cells) else None
            text = _text(raw)
            if not text:
                continue
            if text.startswith(FORMULA_START) and not _NUMBER.match(text):
                fail(
                    header,
                    "formula",
                    _("This cell holds a formula (%(text)s). Paste values only.")
                    % {"text": text[:40]},
                )
                ok = False
                continue
            dim = self.context.dimensions[code]
            if info is not None and code not in info.dims:
                fail(
                    header,
                    "breakdown_not_allowed",
                    (
                        _(
                            "%(indicator)s cannot be broken down by %(dimension)s. "
                            "Allowed: %(allowed)s."
                        )
                        if info.dims
                        else _("%(indicator)s has no breakdowns: leave %(dimension)s empty.")
                    )
                    % {"indicator": info.code, "dimension": dim.name, "allowed": info.dim_names},
                )
                ok = False
                continue
            cache_key = (code, text)
            if cache_key in self.values:
                value = self.values[cache_key]
            else:
                if dim.any_value:
                    clean = " ".join(text.split())
                    value = clean if len(clean) <= 60 and not set("|=") & set(clean) else None
                else:
                    value = dim.values.get(_norm_value(text))
                if len(self.values) < 50000:
                    self.values[cache_key] = value
            if value is None:
                fail(
                    header,
                    "bad_breakdown",
                    _("“%(text)s” is not a value of %(dimension)s. Use one of: %(values)s.")
                    % {"text": text[:40], "dimension": dim.name, "values": dim.listed}
                    if not dim.any_value
                    else _("“%(text)s” is too long, or has | or =, for %(dimension)s.")
                    % {"text": text[:40], "dimension": dim.name},
                )
                ok = False
                continue
            breakdown[code] = value
        return breakdown if ok else None

    def _number(self, cells: list[Any], name: str, fail) -> tuple[bool, Decimal | None]:
        """(present, value): absent cells are (False, None); bad ones report and give
        (True, None)."""
        i = self.columns.get(name)
        if i is None or i >= len(cells):
            return False, None
        raw = cells[i]
        if raw.__class__ is str and _PLAIN_NUMBER.match(raw):
            return True, Decimal(raw)  # the common case, checked by the pattern alone
        label = self.labels[name]
        if raw is None or raw == "":
            return False, None
        if isinstance(raw, (bool, datetime, date)):
            fail(
                label,
                "not_a_number",
                _("This is a date or yes/no, not a number. Excel may have changed it."),
            )
            return True, None
        if isinstance(raw, (int, float)):
            text = repr(raw)
        else:
            text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
            if _THOUSANDS.match(text):
                text = text.replace(",", "")
        if not text:
            return False, None
        if isinstance(raw, str) and text.startswith(FORMULA_START) and not _NUMBER.match(text):
            fail(
                label,
                "formula",
                _("This cell holds a formula (%(text)s). Paste values only.") % {"text": text[:40]},
            )
            return True, None
        if not _NUMBER.match(text):
            fail(
                label,
                "not_a_number",
                _("“%(text)s” is not a number. Write numbers with digits and a dot, like 12.5.")
                % {"text": text[:40]},
            )
            return True, None
        try:
            number = Decimal(text).quantize(_QUANTUM)
        except InvalidOperation:
            number = None
        if number is None or len(str(abs(int(number)))) > _MAX_INT_DIGITS:
            fail(label, "not_a_number", _("This number is too large."))
            return True, None
        return True, number

    def _numbers(self, cells: list[Any], info: _IndicatorInfo | None, fail):
        has_v, value = self._number(cells, "value", fail)
        has_n, numerator = self._number(cells, "numerator", fail)
        has_d, denominator = self._number(cells, "denominator", fail)
        if (
            (has_v and value is None)
            or (has_n and numerator is None)
            or (has_d and denominator is None)
        ):
            return None, None, None
        if info is None:
            return None, None, None
        label_v = self.labels.get("value", "")
        label_n = self.labels.get("numerator", label_v)
        label_d = self.labels.get("denominator", label_v)
        if numerator is not None and numerator < 0 or denominator is not None and denominator < 0:
            fail(label_n, "negative", _("Numerators and denominators cannot be negative."))
            return None, None, None
        if has_n and not has_d:
            fail(label_d, "missing_value", _("The numerator needs its denominator."))
            return None, None, None
        if denominator is not None and denominator == 0:
            fail(label_d, "zero_denominator", _("The denominator cannot be zero."))
            return None, None, None
        if numerator is not None and denominator is not None and numerator > denominator:
            fail(
                label_n,
                "numerator_gt_denominator",
                _("The numerator (%(n)s) is greater than the denominator (%(d)s).")
                % {"n": _plain(numerator), "d": _plain(denominator)},
            )
            return None, None, None
        scale = Indicator.SCALE.get(info.unit)
        if scale is not None:
            if numerator is None or denominator is None:
                fail(
                    label_n,
                    "missing_value",
                    _(
                        "%(indicator)s is a percent or a rate: give the numerator and the "
                        "denominator, and the value is worked out."
                    )
                    % {"indicator": info.code},
                )
                return None, None, None
            derived = (numerator / denominator * scale).quantize(_QUANTUM)
            if value is not None and abs(value - derived) > Decimal("0.05") * max(
                Decimal(1), abs(derived) / 100
            ):
                fail(
                    label_v,
                    "value_mismatch",
                    _(
                        "The value %(value)s does not match the numerator and denominator "
                        "(%(derived)s). Leave the value empty, or correct it."
                    )
                    % {"value": _plain(value), "derived": _plain(derived)},
                )
                return None, None, None
            return derived, numerator, denominator
        if numerator is not None:
            fail(
                label_n,
                "numerator_not_used",
                _("%(indicator)s is not a percent or a rate: leave the numerator empty.")
                % {"indicator": info.code},
            )
            return None, None, None
        if value is None:
            fail(label_v, "missing_value", _("The value is empty."))
            return None, None, None
        if info.unit in (Indicator.Unit.COUNT, Indicator.Unit.DAYS) and value < 0:
            fail(label_v, "negative", _("A count or a number of days cannot be negative."))
            return None, None, None
        if info.unit == Indicator.Unit.COUNT and denominator is not None:
            fail(label_d, "numerator_not_used", _("A count has no denominator: leave it empty."))
            return None, None, None
        return value, None, denominator

    def _add_to_group(
        self,
        number: int,
        info: _IndicatorInfo,
        period: Period,
        dims: str,
        value: Decimal,
        numerator: Decimal | None,
        denominator: Decimal | None,
    ) -> None:
        if "," in dims:
            return  # cross-tabulations are not checked against the total
        if info.unit in COUNT_LIKE:
            quantities: tuple[Decimal, ...] = (value,)
        elif numerator is not None and denominator is not None:
            quantities = (numerator, denominator)
        else:
            return
        group_key = (info.pk, period.kind, period.start, period.end)
        group = self.groups.get(group_key)
        if group is None:
            group = self.groups[group_key] = [None, {}, info.code]
        if not dims:
            group[0] = quantities
            return
        parts = group[1].get(dims)
        if parts is None:
            group[1][dims] = [quantities, number]
        else:
            parts[0] = tuple(a + b for a, b in zip(parts[0], quantities, strict=True))

    def check_duplicates(self, report: Report) -> None:
        """Rows that repeat an earlier one (same indicator, period and breakdown)."""
        message = _(
            "This row repeats an earlier one: same indicator, period and breakdown. "
            "Keep one of them."
        )
        label = self.labels.get("indicator", "")
        for row in _repeated_rows(self.hashes, self.hash_rows):
            report.add(Problem(row, label, "duplicate", message))

    def check_totals(self, report: Report, fiscal_start_month: int) -> None:
        """Breakdowns by one dimension must add up to the total row (for a dimension with
        open values, such as geography, they must not add up to more)."""
        from indicators.periods import period_label

        for (_pk, kind, start, end), (total, by_dim, code) in self.groups.items():
            if total is None:
                continue
            names = (_("total"),) if len(total) == 1 else (_("numerator"), _("denominator"))
            label = period_label(kind, start, end, fiscal_start_month=fiscal_start_month)
            for dim_code, (sums, first_row) in by_dim.items():
                dim = self.context.dimensions[dim_code]
                for what, part, whole in zip(names, sums, total, strict=True):
                    if part > whole or (part != whole and not dim.any_value):
                        report.add(
                            Problem(
                                first_row,
                                dim.name,
                                "breakdown_sum",
                                _(
                                    "%(indicator)s, %(period)s: the rows by %(dimension)s add "
                                    "up to a %(what)s of %(part)s, but the total row says "
                                    "%(whole)s. Add the missing group (for example "
                                    "“unknown”) or correct the numbers."
                                )
                                % {
                                    "indicator": code,
                                    "period": label,
                                    "dimension": dim.name,
                                    "part": _plain(part),
                                    "whole": _plain(whole),
                                    "what": what,
                                },
                            )
                        )
                        break


def _repeated_rows(hashes: array, rows: array) -> list[int]:
    """The row numbers whose hash an earlier row already had, in file order."""
    if len(hashes) < 2:
        return []
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is installed; plain Python otherwise
        seen: set[int] = set()
        repeated = []
        for digest, row in zip(hashes, rows, strict=True):
            if digest in seen:
                repeated.append(row)
            seen.add(digest)
        return repeated
    values = np.frombuffer(hashes, dtype=np.int64)
    order = np.argsort(values, kind="stable")  # equal hashes keep file order
    ordered = values[order]
    later = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    return sorted(np.frombuffer(rows, dtype=np.int32)[order[later]].tolist())


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")
