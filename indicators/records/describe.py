"""A derived indicator's definition in words, for the indicator page: how each number
is computed, in sentences a reader can check against the file."""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from indicators.records.spec import Condition, Dimensions, IndicatorSpec

PERIOD_WORDS = {
    "year": lambda: _("calendar year"),
    "fiscal_year": lambda: _("fiscal year"),
    "month": lambda: _("month"),
    "quarter": lambda: _("quarter"),
}


def _values(values: tuple[str, ...]) -> str:
    return _(" or ").join(f"“{v}”" if v else _("blank") for v in values)


def condition_words(condition: Condition) -> str:
    parts = []
    column = f"“{condition.column.strip()}”"
    if condition.is_in is not None:
        parts.append(
            _("%(column)s is %(values)s") % {"column": column, "values": _values(condition.is_in)}
        )
    if condition.not_in is not None:
        parts.append(
            _("%(column)s is not %(values)s")
            % {"column": column, "values": _values(condition.not_in)}
        )
    if condition.blank is True:
        parts.append(_("%(column)s is blank") % {"column": column})
    elif condition.blank is False:
        parts.append(_("%(column)s is filled in") % {"column": column})
    ops = {
        "lt": _("%(column)s is under %(number)s"),
        "lte": _("%(column)s is at most %(number)s"),
        "gt": _("%(column)s is over %(number)s"),
        "gte": _("%(column)s is at least %(number)s"),
    }
    for op, number in condition.numeric:
        shown = int(number) if number == int(number) else number
        parts.append(ops[op] % {"column": column, "number": shown})
    return _(" and ").join(parts)


def _all(conditions: tuple[Condition, ...]) -> str:
    return _(", and ").join(condition_words(c) for c in conditions)


def describe(spec: IndicatorSpec, dimensions: Dimensions | None = None) -> str:
    """E.g. "Percent of rows where “Recidivism - Return to Prison” is “Yes”, out of all
    rows, by fiscal year (from “Fiscal Year Released”). Broken down by Sex (from
    “Sex”: “Male” → male, “Female” → female, blank → unknown)."""
    sentences = []
    if spec.measure == "rate":
        among = (
            _("out of the rows where %(conditions)s") % {"conditions": _all(spec.denominator)}
            if spec.denominator
            else _("out of all rows")
        )
        sentences.append(
            _("The share of rows where %(numerator)s, %(among)s.")
            % {"numerator": _all(spec.numerator), "among": among}
        )
    elif spec.denominator:
        sentences.append(
            _("The number of rows where %(conditions)s.") % {"conditions": _all(spec.denominator)}
        )
    else:
        sentences.append(_("The number of rows."))
    period = spec.period
    if period.kind == "date":
        sentences.append(
            _("Counted by %(period)s of the date in “%(column)s”.")
            % {"period": PERIOD_WORDS[period.cut or "month"](), "column": period.column.strip()}
        )
    else:
        sentences.append(
            _(
                "Counted by %(period)s, as written in “%(column)s”; rows with no period "
                "are left out."
            )
            % {"period": PERIOD_WORDS[period.kind](), "column": period.column.strip()}
        )
    for breakdown in spec.breakdowns:
        name = (dimensions.names.get(breakdown.dimension) if dimensions else None) or (
            breakdown.dimension
        )

        def label(code: str, dimension: str = breakdown.dimension) -> str:
            return dimensions.label(dimension, code) if dimensions else code

        pairs = [f"“{raw}” → {label(code)}" for raw, code in breakdown.mapping.items()]
        if breakdown.blank is not None:
            pairs.append(_("blank → %(code)s") % {"code": label(breakdown.blank)})
        if breakdown.other is not None:
            pairs.append(_("anything else → %(code)s") % {"code": label(breakdown.other)})
        sentences.append(
            str(
                format_lazy(
                    _("Broken down by {name} from “{column}”: {pairs}."),
                    name=name,
                    column=breakdown.column.strip(),
                    pairs="; ".join(pairs),
                )
            )
        )
    return " ".join(sentences)
