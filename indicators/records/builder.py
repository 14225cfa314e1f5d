"""The builder's form: what a person chooses on the "define an indicator" page, read from
the posted fields into the JSON that ``indicators.records.spec.parse_indicator`` reads,
and back (to edit a saved definition).

The whole definition travels in the form's own fields on every step (nothing in the
session), so an error, a "show the values" or a preview never loses what was typed:

- ``indicator`` (an indicator's public id, or ``new`` with ``new-code``, ``new-name``...)
- ``period_column``, ``period_kind`` (``year``, ``fiscal_year``, ``date:month``...)
- conditions ``num-<i>-…`` (counted on top) and ``den-<i>-…`` (out of; a count's rows):
  ``column``, ``how`` (in, not_in, blank, filled, compare), ``value`` (ticked values),
  ``op`` and ``number``
- breakdowns ``bd-<i>-…``: ``column``, ``dimension``, ``raw-<j>`` / ``map-<j>`` (each
  value of the column in the profile and what it becomes), ``blank``, ``other``, and
  ``shown`` (which column and dimension the mapping was drawn for: a new choice draws a
  fresh mapping, pre-filled with a guess).

Plain data in, plain data out: the view renders it, and the services check and save.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.records import profile as profiling
from indicators.records.spec import NUMERIC_OPS

MAX_ROWS = 12  # conditions or breakdowns of one kind on one definition
RATE_UNITS = ("percent", "rate_1000")
UNITS = ("count", *RATE_UNITS)

PERIOD_CHOICES = (
    ("year", gettext_lazy("Calendar year (the column holds years)")),
    ("fiscal_year", gettext_lazy("Fiscal year (the column holds fiscal years)")),
    ("date:month", gettext_lazy("Month of a date")),
    ("date:quarter", gettext_lazy("Quarter of a date")),
    ("date:year", gettext_lazy("Calendar year of a date")),
    ("date:fiscal_year", gettext_lazy("Fiscal year of a date")),
)
HOW_CHOICES = (
    ("in", gettext_lazy("is one of the ticked values")),
    ("not_in", gettext_lazy("is anything but the ticked values")),
    ("blank", gettext_lazy("is blank")),
    ("filled", gettext_lazy("is filled in")),
    ("compare", gettext_lazy("is a number…")),
)
OP_CHOICES = (
    ("lt", gettext_lazy("under")),
    ("lte", gettext_lazy("at most")),
    ("gt", gettext_lazy("over")),
    ("gte", gettext_lazy("at least")),
)
_UNKNOWN_WORDS = {"", "n-a", "na", "none", "null", "unknown", "not-recorded", "not-known"}


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", str(text).casefold()).strip("-")


def guess(raw: str, values: list[tuple[str, str]], *, means_unknown: bool = False) -> str:
    """A first guess at the dimension value a file's value becomes: the same label or
    code (case and punctuation aside), else the same first word; blanks and "N/A"-like
    values become "unknown". "" when nothing fits."""
    codes = [code for code, _label in values]
    wanted = _norm(raw)
    if (means_unknown or wanted in _UNKNOWN_WORDS) and "unknown" in codes:
        return "unknown"
    for code, label in values:
        if wanted in (_norm(code), _norm(label)):
            return code
    first = wanted.split("-")[0]
    if first:
        for code, label in values:
            if first in (_norm(code).split("-")[0], _norm(label).split("-")[0]):
                return code
    return ""


@dataclass
class DimensionChoice:
    code: str
    name: str
    values: list[tuple[str, str]]  # (code, label); empty when any value is accepted
    any_value: bool = False


@dataclass
class ValueChoice:
    value: str
    count: int
    checked: bool = False


@dataclass
class ConditionRow:
    prefix: str
    column: dict[str, Any] | None = None
    how: str = "in"
    chosen: list[str] = field(default_factory=list)
    op: str = "gte"
    number: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def values(self) -> list[ValueChoice]:
        if self.column is None:
            return []
        chosen = set(self.chosen)
        return [ValueChoice(v, c, v in chosen) for v, c in self.column["values"]]

    @property
    def is_number(self) -> bool:
        return self.column is not None and self.column["type"] in (
            profiling.NUMBER,
            profiling.YEAR,
        )

    def as_json(self) -> dict[str, Any] | None:
        if self.column is None:
            return None
        found: dict[str, Any] = {"column": self.column["name"]}
        if self.how in ("in", "not_in"):
            found[self.how] = list(self.chosen)
        elif self.how == "blank":
            found["blank"] = True
        elif self.how == "filled":
            found["blank"] = False
        else:
            found[self.op] = _number(self.number)
        return found


def _number(text: str) -> float | int | None:
    try:
        number = float(text.strip().replace(",", ""))
    except ValueError:
        return None
    return int(number) if number == int(number) else number


@dataclass
class MapRow:
    prefix: str
    index: int
    raw: str
    count: int
    chosen: str
    error: str = ""
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.prefix}-map-{self.index}"

    @property
    def raw_name(self) -> str:
        return f"{self.prefix}-raw-{self.index}"


@dataclass
class BreakdownRow:
    prefix: str
    column: dict[str, Any] | None = None
    dimension: DimensionChoice | None = None
    rows: list[MapRow] = field(default_factory=list)
    blank: str = ""
    other: str = ""
    blank_error: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def blanks(self) -> int:
        return int(self.column["blanks"]) if self.column else 0

    @property
    def shown(self) -> str:
        if self.column is None or self.dimension is None:
            return ""
        return f"{self.column['name']}\x1f{self.dimension.code}"

    def as_json(self) -> dict[str, Any] | None:
        if self.column is None or self.dimension is None:
            return None
        found: dict[str, Any] = {
            "column": self.column["name"],
            "dimension": self.dimension.code,
            "map": {row.raw: row.chosen for row in self.rows if row.chosen},
        }
        if self.blank:
            found["blank"] = self.blank
        if self.other:
            found["other"] = self.other
        return found


@dataclass
class Builder:
    """The builder's state, read from posted fields (``read``) or a saved spec
    (``from_spec``), checked by ``validate`` and written as a spec by ``spec_json``."""

    profile: dict[str, Any]
    dimensions: list[DimensionChoice]
    units: dict[str, str]  # indicator public id -> unit
    indicator: str = ""
    new: dict[str, str] = field(default_factory=dict)
    confirm_similar: bool = False
    period_column: str = ""
    period_kind: str = ""
    numerator: list[ConditionRow] = field(default_factory=list)
    denominator: list[ConditionRow] = field(default_factory=list)
    breakdowns: list[BreakdownRow] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    # --- reading -------------------------------------------------------------------

    def column(self, name: str) -> dict[str, Any] | None:
        return profiling.column(self.profile, name) if name else None

    def dimension(self, code: str) -> DimensionChoice | None:
        return next((d for d in self.dimensions if d.code == code), None)

    @property
    def unit(self) -> str:
        if self.indicator == "new":
            return self.new.get("unit", "")
        return self.units.get(self.indicator, "")

    @property
    def measure(self) -> str:
        return "count" if self.unit == "count" else "rate"

    @property
    def columns(self) -> list[dict[str, Any]]:
        return list(self.profile.get("columns", []))

    @property
    def period_columns(self) -> list[dict[str, Any]]:
        """Columns that can hold periods (years or dates), then the rest."""
        kinds = (profiling.YEAR, profiling.DATE)
        cols = self.columns
        return [c for c in cols if c["type"] in kinds] + [c for c in cols if c["type"] not in kinds]

    @property
    def breakdown_columns(self) -> list[dict[str, Any]]:
        return [c for c in self.columns if c["type"] != profiling.EMPTY]

    @classmethod
    def read(
        cls,
        data: MultiValueDict,
        *,
        profile: dict[str, Any],
        dimensions: list[DimensionChoice],
        units: dict[str, str],
    ) -> "Builder":
        def text(name: str) -> str:
            return str(data.get(name, "") or "").strip()

        builder = cls(profile, dimensions, units)
        builder.indicator = text("indicator")
        builder.new = {
            key: text(f"new-{key}") for key in ("code", "name", "question", "key_area", "unit")
        }
        builder.confirm_similar = bool(data.get("confirm_similar"))
        builder.period_column = text("period_column")
        builder.period_kind = text("period_kind")
        builder.numerator = builder._conditions(data, "num")
        builder.denominator = builder._conditions(data, "den")
        builder.breakdowns = builder._breakdowns(data)
        return builder

    def _conditions(self, data: MultiValueDict, prefix: str) -> list[ConditionRow]:
        rows: list[ConditionRow] = []
        for i in range(MAX_ROWS):
            here = f"{prefix}-{i}"
            if f"{here}-column" not in data:
                break
            named = str(data.get(f"{here}-column", ""))
            column = self.column(named)
            if column is None:
                self._gone(named)
                continue
            how = str(data.get(f"{here}-how", "in"))
            rows.append(
                ConditionRow(
                    f"{prefix}-{len(rows)}",
                    column,
                    how if how in dict(HOW_CHOICES) else "in",
                    [str(v) for v in data.getlist(f"{here}-value")],
                    str(data.get(f"{here}-op", "gte")),
                    str(data.get(f"{here}-number", "")).strip(),
                )
            )
        return rows

    def _breakdowns(self, data: MultiValueDict) -> list[BreakdownRow]:
        rows: list[BreakdownRow] = []
        for i in range(MAX_ROWS):
            here = f"bd-{i}"
            if f"{here}-column" not in data:
                break
            named = str(data.get(f"{here}-column", ""))
            column = self.column(named)
            if column is None:
                self._gone(named)
                continue
            row = BreakdownRow(f"bd-{len(rows)}", column)
            row.dimension = self.dimension(str(data.get(f"{here}-dimension", "")))
            if row.dimension is not None:
                same = str(data.get(f"{here}-shown", "")) == row.shown
                posted: dict[str, str] = {}
                if same:
                    for j in range(len(column["values"])):
                        raw = data.get(f"{here}-raw-{j}")
                        if raw is not None:
                            posted[str(raw)] = str(data.get(f"{here}-map-{j}", "")).strip()
                    row.blank = str(data.get(f"{here}-blank", "")).strip()
                    row.other = str(data.get(f"{here}-other", "")).strip()
                self._draw_mapping(row, posted if same else None)
            rows.append(row)
        return rows

    def _gone(self, named: str) -> None:
        """A column named (by a saved definition, or a page from before a new version)
        that the current version does not have: said, never dropped in silence."""
        if named.strip():
            self.add_error(
                "top",
                _(
                    "The current version has no column “%(column)s”: the part of the "
                    "definition that used it is left out below. Choose another column."
                )
                % {"column": named.strip()},
            )

    def _draw_mapping(self, row: BreakdownRow, posted: dict[str, str] | None) -> None:
        """Every value of the column with its count, and what it becomes: as posted, or
        (a column or dimension just chosen) as guessed."""
        if row.column is None or row.dimension is None:
            return
        unknown = set(row.column.get("means_unknown", []))
        values = row.dimension.values
        notes = _notes(row.column)
        row.rows = []
        for j, (raw, count) in enumerate(row.column["values"]):
            if posted is not None:
                chosen = posted.get(raw, "")
            elif row.dimension.any_value:
                chosen = _norm(raw)
            else:
                chosen = guess(raw, values, means_unknown=raw in unknown)
            row.rows.append(MapRow(row.prefix, j, raw, count, chosen, note=notes.get(raw, "")))
        if posted is None and row.blanks:
            row.blank = guess("", values) if values else "unknown"

    # --- from a saved definition ------------------------------------------------------

    @classmethod
    def from_spec(
        cls,
        spec: dict[str, Any],
        *,
        indicator: str,
        profile: dict[str, Any],
        dimensions: list[DimensionChoice],
        units: dict[str, str],
    ) -> "Builder":
        """The builder filled in from a stored definition (``DerivedIndicator.spec``)."""
        data: MultiValueDict = MultiValueDict()
        data["indicator"] = indicator
        period = spec.get("period") or {}
        data["period_column"] = period.get("column", "")
        kind = period.get("kind", "")
        data["period_kind"] = f"date:{period.get('cut')}" if kind == "date" else kind
        if spec.get("measure") == "count":
            groups = {"den": spec.get("conditions") or []}
        else:
            groups = {"num": spec.get("numerator") or [], "den": spec.get("denominator") or []}
        for prefix, conditions in groups.items():
            i = 0
            for condition in conditions:
                for how, extra in _condition_parts(condition):
                    here = f"{prefix}-{i}"
                    data[f"{here}-column"] = condition.get("column", "")
                    data[f"{here}-how"] = how
                    for key, value in extra.items():
                        data.setlist(f"{here}-{key}", value if isinstance(value, list) else [value])
                    i += 1
        for i, breakdown in enumerate(spec.get("breakdowns") or []):
            here = f"bd-{i}"
            data[f"{here}-column"] = breakdown.get("column", "")
            data[f"{here}-dimension"] = breakdown.get("dimension", "")
            found = profiling.column(profile, breakdown.get("column", ""))
            if found is None:
                continue
            data[f"{here}-shown"] = f"{found['name']}\x1f{breakdown.get('dimension', '')}"
            mapping = breakdown.get("map") or {}
            for j, (raw, _count) in enumerate(found["values"]):
                data[f"{here}-raw-{j}"] = raw
                data[f"{here}-map-{j}"] = mapping.get(raw, "")
            data[f"{here}-blank"] = breakdown.get("blank") or ""
            data[f"{here}-other"] = breakdown.get("other") or ""
        return cls.read(data, profile=profile, dimensions=dimensions, units=units)

    # --- checking --------------------------------------------------------------------

    def add_error(self, where: str, message: str) -> None:
        self.errors.setdefault(where, []).append(message)

    def validate(self, *, can_create: bool) -> bool:
        """Everything the person can fix on this page, each next to its field."""
        if not self.indicator:
            self.add_error("indicator", _("Choose the indicator these figures are for."))
        elif self.indicator == "new":
            if not can_create:
                self.add_error("indicator", _("Choose an indicator of the catalog."))
            for key, message in (
                ("code", _("Give the new indicator a short code, like IOWA-RETURN-3Y.")),
                ("name", _("Give the new indicator a name.")),
                ("question", _("Say what question the indicator answers.")),
                ("key_area", _("Choose the key area it belongs to.")),
            ):
                if not self.new.get(key):
                    self.add_error(f"new_{key}", message)
            if self.new.get("unit") not in UNITS:
                self.add_error("new_unit", _("Choose a count, a percent or a rate per 1,000."))
        elif self.indicator not in self.units:
            self.add_error("indicator", _("Choose an indicator of the catalog."))
        column = self.column(self.period_column)
        if column is None:
            self.add_error("period_column", _("Choose the column that says when."))
        if self.period_kind not in dict(PERIOD_CHOICES):
            self.add_error("period_kind", _("Say what the period column holds."))
        elif column is not None:
            wanted = profiling.DATE if self.period_kind.startswith("date") else profiling.YEAR
            if column["type"] not in (wanted, profiling.EMPTY):
                self.add_error(
                    "period_kind",
                    _("“%(column)s” holds %(found)s, not %(wanted)s.")
                    % {
                        "column": column["name"].strip(),
                        "found": str(profiling.TYPE_LABELS[column["type"]]).lower(),
                        "wanted": _("dates") if wanted == profiling.DATE else _("years"),
                    },
                )
        if self.measure == "rate" and not self.numerator:
            self.add_error("num", _("Say which rows are counted on top: add a condition."))
        conditions = self.numerator if self.measure == "rate" else []
        for condition in (*conditions, *self.denominator):
            if condition.how in ("in", "not_in") and not condition.chosen:
                condition.errors.append(_("Tick at least one value."))
            if condition.how == "compare":
                if not condition.is_number:
                    condition.errors.append(_("This column does not hold numbers."))
                elif condition.op not in NUMERIC_OPS or _number(condition.number) is None:
                    condition.errors.append(_("Write a number, like 25."))
        dimensions_used: set[str] = set()
        for row in self.breakdowns:
            if row.dimension is None:
                row.errors.append(_("Choose what this column breaks the figures down by."))
                continue
            if row.dimension.code in dimensions_used:
                row.errors.append(_("Another breakdown already uses this dimension."))
            dimensions_used.add(row.dimension.code)
            if row.column and row.column.get("more_values") and not row.other:
                row.errors.append(
                    _(
                        "This column has too many different values to list: say what the "
                        "others become."
                    )
                )
            allowed = {code for code, _label in row.dimension.values}
            for mapped in row.rows:
                if not mapped.chosen and not row.other:
                    mapped.error = _("Choose what this value becomes.")
                elif mapped.chosen and allowed and mapped.chosen not in allowed:
                    mapped.error = _("Choose one of the listed values.")
            if row.blanks and not row.blank:
                row.blank_error = _("Choose what blank cells become.")
            if any(m.error for m in row.rows) or row.blank_error:
                row.errors.append(_("Some values are not mapped yet (marked below)."))
        return not self.has_errors

    @property
    def has_errors(self) -> bool:
        rows: list[ConditionRow | BreakdownRow] = [
            *self.numerator,
            *self.denominator,
            *self.breakdowns,
        ]
        return bool(self.errors) or any(r.errors for r in rows)

    def place_problems(self, problems: list[str]) -> None:
        """The spec checks' sentences, next to the part they are about when they say."""
        for problem in problems:
            found = re.search(r"breakdowns\[(\d+)\]", problem)
            if found and int(found.group(1)) < len(self.breakdowns):
                self.breakdowns[int(found.group(1))].errors.append(_strip_where(problem))
            elif "period column" in problem:
                self.add_error("period_kind", _strip_where(problem))
            else:
                self.add_error("top", problem)

    # --- writing -----------------------------------------------------------------------

    def spec_json(self, code: str) -> dict[str, Any]:
        """The definition, as ``parse_indicator`` reads it."""
        kind, _sep, cut = self.period_kind.partition(":")
        period: dict[str, Any] = {"column": self.period_column, "kind": kind}
        if kind == "date":
            period["cut"] = cut
        column = self.column(self.period_column)
        if column is not None:
            period["column"] = column["name"]
        found: dict[str, Any] = {"code": code, "measure": self.measure}
        den = [c for c in (r.as_json() for r in self.denominator) if c]
        if self.measure == "rate":
            found["numerator"] = [c for c in (r.as_json() for r in self.numerator) if c]
            found["denominator"] = den
        else:
            found["conditions"] = den
        found["period"] = period
        found["breakdowns"] = [b for b in (r.as_json() for r in self.breakdowns) if b]
        return found


def _notes(column: dict[str, Any]) -> dict[str, str]:
    """What the profile noticed about a column's values, to show beside them: spellings
    of one value, values cut short, values that mean "not recorded"."""
    notes: dict[str, str] = {}
    for group in column.get("twins", []):
        for value in group:
            others = ", ".join(f"“{v}”" for v in group if v != value)
            notes[value] = _("Also written %(others)s.") % {"others": others}
    for value in column.get("cut_short", []):
        notes[value] = _("Looks cut short.")
    for value in column.get("means_unknown", []):
        notes[value] = _("Seems to mean “not recorded”.")
    return notes


def _condition_parts(condition: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """One stored condition as builder rows (a condition with several tests becomes
    several rows on the same column: they all must hold, as in the stored one)."""
    parts: list[tuple[str, dict[str, Any]]] = [
        (how, {"value": [str(v) for v in condition[how]]})
        for how in ("in", "not_in")
        if how in condition
    ]
    if condition.get("blank") is True:
        parts.append(("blank", {}))
    elif condition.get("blank") is False:
        parts.append(("filled", {}))
    for op in NUMERIC_OPS:
        if op in condition:
            number = condition[op]
            shown = int(number) if float(number) == int(number) else number
            parts.append(("compare", {"op": op, "number": str(shown)}))
    return parts


def _strip_where(problem: str) -> str:
    """ "IOWA › breakdowns[1]: “N/A -” is not mapped" -> "“N/A -” is not mapped"."""
    head, sep, rest = problem.partition(": ")
    return rest if sep and ("[" in head or "›" in head) else problem
