"""The definition of a derived indicator, as JSON (docs/derived-indicators.md).

``parse_file`` reads a whole spec file (a dataset description and a list of
indicators); ``parse_indicator`` one indicator's definition, as the builder stores it
on ``DerivedIndicator.spec``. ``check_against`` then checks a parsed definition against
a version's column profile and the collaborative's dimensions, so that no row is
silently dropped: every value of a breakdown column must be mapped (or fall under
"other"), and the period column must hold periods of the kind named.

Every problem is a plain sentence naming where it is ("indicators[0] › breakdowns[1]").
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from indicators.records import profile as profiling
from reentry.i18n import localized

MEASURES = ("rate", "count")
PERIOD_KINDS = ("year", "fiscal_year", "date")
DATE_CUTS = ("month", "quarter", "year", "fiscal_year")
NUMERIC_OPS = ("lt", "lte", "gt", "gte")
CONDITION_KEYS = ("column", "in", "not_in", "blank", *NUMERIC_OPS)
SHARE_LEVELS = ("private", "sector", "collaborative", "public")


class SpecError(ValueError):
    """The definition cannot be used; ``problems`` says every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Condition:
    column: str
    is_in: tuple[str, ...] | None = None
    not_in: tuple[str, ...] | None = None
    blank: bool | None = None
    numeric: tuple[tuple[str, float], ...] = ()

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"column": self.column}
        if self.is_in is not None:
            found["in"] = list(self.is_in)
        if self.not_in is not None:
            found["not_in"] = list(self.not_in)
        if self.blank is not None:
            found["blank"] = self.blank
        found.update(dict(self.numeric))
        return found


@dataclass(frozen=True)
class PeriodSpec:
    column: str
    kind: str
    cut: str | None = None

    def as_json(self) -> dict[str, Any]:
        found = {"column": self.column, "kind": self.kind}
        if self.cut:
            found["cut"] = self.cut
        return found


@dataclass(frozen=True)
class Breakdown:
    column: str
    dimension: str
    mapping: dict[str, str]
    blank: str | None = None
    other: str | None = None

    def code_for(self, raw: str) -> str | None:
        if raw == "":
            return self.blank
        return self.mapping.get(raw, self.other)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "column": self.column,
            "dimension": self.dimension,
            "map": dict(self.mapping),
        }
        if self.blank is not None:
            found["blank"] = self.blank
        if self.other is not None:
            found["other"] = self.other
        return found


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator's definition. ``catalog`` holds the catalog fields given in a spec
    file (name, question, unit...), used only to create a new catalog entry."""

    code: str
    measure: str
    period: PeriodSpec
    numerator: tuple[Condition, ...] = ()
    denominator: tuple[Condition, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    catalog: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        """The definition as stored on ``DerivedIndicator.spec`` (and in spec files)."""
        found: dict[str, Any] = {"code": self.code, **self.catalog, "measure": self.measure}
        if self.measure == "rate":
            found["numerator"] = [c.as_json() for c in self.numerator]
            found["denominator"] = [c.as_json() for c in self.denominator]
        else:
            found["conditions"] = [c.as_json() for c in self.denominator]
        found["period"] = self.period.as_json()
        found["breakdowns"] = [b.as_json() for b in self.breakdowns]
        return found

    @property
    def columns(self) -> list[str]:
        """Every column the definition reads, once each, in order of first use."""
        names = [self.period.column]
        names += [c.column for c in (*self.denominator, *self.numerator)]
        names += [b.column for b in self.breakdowns]
        return list(dict.fromkeys(names))


CATALOG_KEYS = (
    "name",
    "question",
    "description",
    "key_area",
    "unit",
    "direction",
    "kind",
    "frequency",
    "numerator_definition",
    "denominator_definition",
    "source",
    "status",
    "is_public",
)
INDICATOR_KEYS = (
    "code",
    "measure",
    "numerator",
    "denominator",
    "conditions",
    "period",
    "breakdowns",
    *CATALOG_KEYS,
)


def _text_list(value: Any, where: str, problems: list[str]) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        problems.append(_("%(where)s: give a list of values.") % {"where": where})
        return None
    return tuple(str(v).strip() for v in value)


def _conditions(value: Any, where: str, problems: list[str]) -> tuple[Condition, ...]:
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        problems.append(_("%(where)s: give a list of conditions.") % {"where": where})
        return ()
    found = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("column"), str):
            problems.append(_("%(where)s: a condition names its column.") % {"where": here})
            continue
        unknown = sorted(set(item) - set(CONDITION_KEYS))
        if unknown:
            problems.append(
                _("%(where)s: unknown key(s) %(keys)s; a condition takes %(allowed)s.")
                % {"where": here, "keys": ", ".join(unknown), "allowed": ", ".join(CONDITION_KEYS)}
            )
            continue
        is_in = _text_list(item["in"], f"{here}.in", problems) if "in" in item else None
        not_in = (
            _text_list(item["not_in"], f"{here}.not_in", problems) if "not_in" in item else None
        )
        blank = item.get("blank")
        if blank is not None and not isinstance(blank, bool):
            problems.append(_("%(where)s.blank: write true or false.") % {"where": here})
            blank = None
        numeric = []
        for op in NUMERIC_OPS:
            if op in item:
                number = item[op]
                if isinstance(number, bool) or not isinstance(number, int | float):
                    problems.append(
                        _("%(where)s.%(op)s: give a number.") % {"where": here, "op": op}
                    )
                    continue
                numeric.append((op, float(number)))
        if is_in is None and not_in is None and blank is None and not numeric:
            problems.append(
                _("%(where)s: say which rows it keeps (in, not_in, blank, lt, lte, gt, gte).")
                % {"where": here}
            )
            continue
        found.append(Condition(item["column"], is_in, not_in, blank, tuple(numeric)))
    return tuple(found)


def _period(value: Any, where: str, problems: list[str]) -> PeriodSpec | None:
    if not isinstance(value, dict) or not isinstance(value.get("column"), str):
        problems.append(_("%(where)s: name the period column.") % {"where": where})
        return None
    kind = value.get("kind")
    if kind not in PERIOD_KINDS:
        problems.append(
            _("%(where)s.kind: write one of %(kinds)s.")
            % {"where": where, "kinds": ", ".join(PERIOD_KINDS)}
        )
        return None
    cut = value.get("cut")
    if kind == "date":
        if cut not in DATE_CUTS:
            problems.append(
                _("%(where)s.cut: a date column is cut into %(cuts)s.")
                % {"where": where, "cuts": ", ".join(DATE_CUTS)}
            )
            return None
    elif cut is not None:
        problems.append(_("%(where)s.cut: only a date column is cut.") % {"where": where})
        return None
    return PeriodSpec(value["column"], kind, cut)


def _breakdowns(value: Any, where: str, problems: list[str]) -> tuple[Breakdown, ...]:
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        problems.append(_("%(where)s: give a list of breakdowns.") % {"where": where})
        return ()
    found: list[Breakdown] = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("column"), str)
            or not isinstance(item.get("dimension"), str)
        ):
            problems.append(
                _("%(where)s: a breakdown names its column and its dimension.") % {"where": here}
            )
            continue
        mapping = item.get("map", {})
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            problems.append(
                _("%(where)s.map: map each value in the file to a dimension value code.")
                % {"where": here}
            )
            continue
        blank, other = item.get("blank"), item.get("other")
        for key, target in (("blank", blank), ("other", other)):
            if target is not None and not isinstance(target, str):
                problems.append(
                    _("%(where)s.%(key)s: give a dimension value code.")
                    % {"where": here, "key": key}
                )
        if any(b.dimension == item["dimension"] for b in found):
            problems.append(
                _("%(where)s: the dimension %(dimension)s is used twice.")
                % {"where": here, "dimension": item["dimension"]}
            )
            continue
        found.append(
            Breakdown(
                item["column"],
                item["dimension"],
                {k.strip(): v.strip() for k, v in mapping.items()},
                blank if isinstance(blank, str) else None,
                other if isinstance(other, str) else None,
            )
        )
    return tuple(found)


def parse_indicator(data: Any, where: str = "indicator") -> IndicatorSpec:
    """One indicator's definition; raises ``SpecError`` naming every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise SpecError([_("%(where)s: give the definition as an object.") % {"where": where}])
    unknown = sorted(set(data) - set(INDICATOR_KEYS))
    if unknown:
        problems.append(
            _("%(where)s: unknown key(s) %(keys)s.") % {"where": where, "keys": ", ".join(unknown)}
        )
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        problems.append(_("%(where)s.code: give the indicator's code.") % {"where": where})
        code = ""
    measure = data.get("measure")
    if measure not in MEASURES:
        problems.append(_("%(where)s.measure: write “rate” or “count”.") % {"where": where})
    period = _period(data.get("period"), f"{where}.period", problems)
    if measure == "rate":
        numerator = _conditions(data.get("numerator"), f"{where}.numerator", problems)
        denominator = _conditions(data.get("denominator"), f"{where}.denominator", problems)
        if not numerator:
            problems.append(
                _("%(where)s.numerator: say which rows are counted on top.") % {"where": where}
            )
        if "conditions" in data:
            problems.append(
                _("%(where)s: a rate has a numerator and a denominator, not conditions.")
                % {"where": where}
            )
    else:
        numerator = ()
        denominator = _conditions(data.get("conditions"), f"{where}.conditions", problems)
        if "numerator" in data or "denominator" in data:
            problems.append(
                _("%(where)s: a count has conditions, not a numerator and a denominator.")
                % {"where": where}
            )
    breakdowns = _breakdowns(data.get("breakdowns"), f"{where}.breakdowns", problems)
    if problems or period is None:
        raise SpecError(problems)
    catalog = {k: data[k] for k in CATALOG_KEYS if k in data}
    return IndicatorSpec(
        code.strip(), str(measure), period, numerator, denominator, breakdowns, catalog
    )


@dataclass(frozen=True)
class SpecFile:
    dataset: dict[str, Any]
    indicators: tuple[IndicatorSpec, ...]


DATASET_KEYS = ("title", "source", "methodology", "licence", "share")


def parse_file(data: Any) -> SpecFile:
    """A whole spec file: ``{"dataset": {...}, "indicators": [...]}``."""
    if not isinstance(data, dict):
        raise SpecError([_("The file holds one JSON object, with “indicators” in it.")])
    problems: list[str] = []
    unknown = sorted(set(data) - {"dataset", "indicators", "format", "$schema", "comment"})
    if unknown:
        problems.append(_("Unknown key(s) %(keys)s.") % {"keys": ", ".join(unknown)})
    dataset = data.get("dataset", {})
    if not isinstance(dataset, dict) or set(dataset) - set(DATASET_KEYS):
        problems.append(
            _("dataset: give an object with %(keys)s.") % {"keys": ", ".join(DATASET_KEYS)}
        )
        dataset = {}
    if "share" in dataset and dataset["share"] not in SHARE_LEVELS:
        problems.append(
            _("dataset.share: write one of %(levels)s.") % {"levels": ", ".join(SHARE_LEVELS)}
        )
    items = data.get("indicators")
    indicators: list[IndicatorSpec] = []
    if not isinstance(items, list) or not items:
        problems.append(_("indicators: give a list of at least one indicator."))
        items = []
    for index, item in enumerate(items):
        try:
            indicators.append(parse_indicator(item, f"indicators[{index}]"))
        except SpecError as exc:
            problems += exc.problems
    codes = [i.code.upper() for i in indicators]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(_("indicators: the code %(code)s is defined twice.") % {"code": code})
    if problems:
        raise SpecError(problems)
    return SpecFile(dataset, tuple(indicators))


# --- against the data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Dimensions:
    """The collaborative's dimensions: code -> (name, value codes or None for any)."""

    names: dict[str, str]
    values: dict[str, tuple[str, ...] | None]
    #: (dimension code, value code) -> the value's label, translated.
    labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def label(self, dimension: str, code: str) -> str:
        return self.labels.get((dimension, code), code)

    @classmethod
    def load(cls, collaborative) -> "Dimensions":
        from indicators.models import Dimension
        from indicators.seeds import indicator_settings_for

        indicator_settings_for(collaborative)  # seeds the default dimensions once
        names: dict[str, str] = {}
        values: dict[str, tuple[str, ...] | None] = {}
        labels: dict[tuple[str, str], str] = {}
        for dimension in Dimension.objects.filter(collaborative=collaborative).prefetch_related(
            "values"
        ):
            names[dimension.code] = localized(dimension, "name")
            for value in dimension.values.all():
                labels[dimension.code, value.code] = localized(value, "label")
            values[dimension.code] = (
                None
                if dimension.accepts_any_value
                else tuple(v.code for v in dimension.values.all())
            )
        return cls(names, values, labels)


def _quote(value: str) -> str:
    return f"“{value}”" if value else _("(blank)")


def check_against(
    spec: IndicatorSpec,
    profile: dict[str, Any],
    dimensions: Dimensions,
    *,
    where: str | None = None,
) -> dict[str, str]:
    """Check a definition against a version's profile. Returns the actual column name
    for each column the definition names (exact, or trimmed and case-folded); raises
    ``SpecError`` naming every problem."""
    where = where or spec.code
    problems: list[str] = []
    names: dict[str, str] = {}
    for name in spec.columns:
        found = profiling.column(profile, name)
        if found is None:
            problems.append(
                _("%(where)s: the file has no column “%(column)s”.")
                % {"where": where, "column": name}
            )
        else:
            names[name] = found["name"]
    if problems:
        raise SpecError(problems)

    def col(name: str) -> dict[str, Any]:
        found = profiling.column(profile, name)
        if found is None:  # pragma: no cover - every name was found above
            raise SpecError([name])
        return found

    period_column = col(spec.period.column)
    wanted_type = profiling.DATE if spec.period.kind == "date" else profiling.YEAR
    if period_column["type"] not in (wanted_type, profiling.EMPTY):
        problems.append(
            _(
                "%(where)s: the period column “%(column)s” holds %(found)s, not %(wanted)s "
                "(for a %(kind)s period)."
            )
            % {
                "where": where,
                "column": period_column["name"],
                "found": str(profiling.TYPE_LABELS[period_column["type"]]).lower(),
                "wanted": (
                    _("dates, like 2026-01-31")
                    if wanted_type == profiling.DATE
                    else _("years, like 2026")
                ),
                "kind": spec.period.kind.replace("_", " "),
            }
        )
    for condition in (*spec.denominator, *spec.numerator):
        found = col(condition.column)
        if condition.numeric and found["type"] not in (profiling.NUMBER, profiling.YEAR):
            problems.append(
                _("%(where)s: “%(column)s” is not a number column, so it cannot be compared.")
                % {"where": where, "column": found["name"]}
            )
    for index, breakdown in enumerate(spec.breakdowns):
        here = f"{where} › breakdowns[{index}]"
        found = col(breakdown.column)
        if breakdown.dimension not in dimensions.names:
            problems.append(
                _(
                    "%(where)s: the collaborative has no dimension “%(dimension)s” "
                    "(it has %(known)s)."
                )
                % {
                    "where": here,
                    "dimension": breakdown.dimension,
                    "known": ", ".join(sorted(dimensions.names)),
                }
            )
            continue
        allowed = dimensions.values[breakdown.dimension]
        targets = {t for t in (*breakdown.mapping.values(), breakdown.blank, breakdown.other) if t}
        if allowed is not None:
            problems.extend(
                _("%(where)s: “%(code)s” is not a value of %(dimension)s (use %(allowed)s).")
                % {
                    "where": here,
                    "code": target,
                    "dimension": dimensions.names[breakdown.dimension],
                    "allowed": ", ".join(allowed),
                }
                for target in sorted(t for t in targets if t not in allowed)
            )
        if found.get("more_values") and breakdown.other is None:
            problems.append(
                _(
                    "%(where)s: “%(column)s” has more than %(max)s different values; say what "
                    "the others become (“other”)."
                )
                % {"where": here, "column": found["name"], "max": profiling.MAX_VALUES}
            )
        for value, count in profiling.value_counts(found).items():
            if breakdown.code_for(value) is None:
                problems.append(
                    _(
                        "%(where)s: %(value)s (%(count)s rows) in “%(column)s” is not mapped "
                        "to a value of %(dimension)s. Map it, or say what other values "
                        "become."
                    )
                    % {
                        "where": here,
                        "value": _quote(value),
                        "count": count,
                        "column": found["name"],
                        "dimension": dimensions.names[breakdown.dimension],
                    }
                )
    if problems:
        raise SpecError(problems)
    return names
