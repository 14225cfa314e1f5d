"""Deriving an indicator's figures from person-level rows, in the database.

One grouped query per indicator: the ORM builds the inner select (one row per record
kept by the conditions: its period, its mapped value for each breakdown, and whether it
meets the numerator's conditions) and the outer query groups it by period, once for the
total and once per breakdown: ``GROUPING SETS`` on PostgreSQL (one scan), the same
groupings joined by ``UNION ALL`` elsewhere. Python then only sees one row per period
and breakdown value (a few hundred at most), which become ``Observation`` rows in the
dataset version. Nothing is suppressed here: the rows are the owner's exact figures,
and every figure leaves through the one suppression entry point (rule 8) when shown.

The inner select is any queryset with the aliases ``p`` (period text), ``b0``…``bN``
(mapped breakdown values) and ``n`` (1 when the numerator's conditions hold, else 0),
so other sources (casework: ``casework.indicators``, a floor above) reuse the same
grouping, ``cells`` and ``observations``.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import (
    Dataset,
    DatasetVersion,
    DerivedIndicator,
    Indicator,
    Observation,
    PeriodKind,
    Record,
)
from indicators.periods import Period, fiscal_year, period_of_month
from indicators.records.spec import (
    Breakdown,
    Condition,
    Dimensions,
    IndicatorSpec,
    SpecError,
    check_against,
)


@dataclass(frozen=True)
class Group:
    """One grouped row: ``dimension`` is None for the period's total."""

    period: str
    dimension: str | None
    value: str | None
    denominator: int
    numerator: int


@dataclass
class Derivation:
    """What a derivation did, kept on ``DerivedIndicator.report``."""

    rows_counted: int = 0
    rows_without_period: int = 0
    observations: int = 0
    periods: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows_counted": self.rows_counted,
            "rows_without_period": self.rows_without_period,
            "observations": self.observations,
            "periods": self.periods,
        }


# --- the inner select -------------------------------------------------------------------


class CellAt(Func):
    """The text of a record's cell at a position: ``cells ->> 3`` on PostgreSQL,
    ``JSON_EXTRACT(cells, '$[3]')`` elsewhere. A plain text expression, so that ``in``
    and ``=`` compare text (Django's JSON key lookups would compare JSON values)."""

    output_field = CharField()

    def __init__(self, position: int):
        super().__init__(F("cells"))
        self.position = int(position)

    def as_sql(self, compiler, connection, *args, **extra_context):
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"JSON_EXTRACT({lhs}, '$[{self.position}]')", params

    def as_postgresql(self, compiler, connection, **extra_context):
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"({lhs} ->> {self.position})", params


def _condition_q(condition: Condition, alias: str, numeric_alias: str) -> Q:
    q = Q()
    if condition.is_in is not None:
        q &= Q(**{f"{alias}__in": list(condition.is_in)})
    if condition.not_in is not None:
        q &= ~Q(**{f"{alias}__in": list(condition.not_in)})
    if condition.blank is True:
        q &= Q(**{alias: ""})
    elif condition.blank is False:
        q &= ~Q(**{alias: ""})
    for op, number in condition.numeric:
        q &= Q(**{f"{numeric_alias}__{op}": number})
    return q


def mapped(breakdown: Breakdown, alias: str) -> Case:
    """A breakdown column's dimension value code for each raw value of ``alias`` (NULL
    for a value no mapping covers). Public: casework's source maps its fields the same way."""
    by_target: dict[str, list[str]] = defaultdict(list)
    for raw, code in breakdown.mapping.items():
        by_target[code].append(raw)
    whens = [When(**{f"{alias}__in": raws}, then=Value(code)) for code, raws in by_target.items()]
    if breakdown.blank is not None:
        whens.append(When(**{alias: ""}, then=Value(breakdown.blank)))
    default = Value(breakdown.other) if breakdown.other is not None else Value(None)
    return Case(*whens, default=default, output_field=CharField())


def records_select(version: DatasetVersion, spec: IndicatorSpec, names: dict[str, str]) -> QuerySet:
    """The inner select over a version's records (``names``: spec column -> file column,
    from ``check_against``)."""
    index = {name: i for i, name in enumerate(version.columns)}
    aliases: dict[str, dict[str, Any]] = {}
    text: dict[str, str] = {}
    numeric: dict[str, str] = {}
    for name in spec.columns:
        position = index[names[name]]
        text[name] = f"c{position}"
        numeric[name] = f"x{position}"
        aliases[text[name]] = {"expr": CellAt(position)}
    qs = Record.objects.filter(version_id=version.pk).order_by()
    qs = qs.alias(**{alias: spec_["expr"] for alias, spec_ in aliases.items()})
    for condition in (*spec.denominator, *spec.numerator):
        if condition.numeric:
            alias = numeric[condition.column]
            qs = qs.alias(
                **{alias: Cast(NullIf(F(text[condition.column]), Value("")), FloatField())}
            )
    for condition in spec.denominator:
        qs = qs.filter(_condition_q(condition, text[condition.column], numeric[condition.column]))
    period: Any = F(text[spec.period.column])
    if spec.period.kind == "date":
        period = Substr(period, 1, 7)
    annotations: dict[str, Any] = {"p": period}
    for i, breakdown in enumerate(spec.breakdowns):
        annotations[f"b{i}"] = mapped(breakdown, text[breakdown.column])
    if spec.numerator:
        numerator = Q()
        for condition in spec.numerator:
            numerator &= _condition_q(condition, text[condition.column], numeric[condition.column])
        annotations["n"] = Case(
            When(numerator, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    else:
        annotations["n"] = Value(1, output_field=IntegerField())
    return qs.annotate(**annotations).values(*annotations)


# --- the grouped query --------------------------------------------------------------------


def grouped(inner: QuerySet, breakdowns: int) -> list[Group]:
    """Run one grouped query over ``inner`` (aliases p, b0…, n): the total per period
    and each breakdown per period. A breakdown value of NULL means a value no mapping
    covers: refused, so that nothing is silently dropped."""
    sql, params = inner.query.sql_with_params()
    columns = [f"b{i}" for i in range(breakdowns)]
    rows: list[tuple[Any, ...]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if columns:
                sets = ", ".join(["(p)", *(f"(p, {c})" for c in columns)])
                select = ", ".join(columns)
                cursor.execute(
                    f"SELECT GROUPING({select}), p, {select}, COUNT(*), SUM(n) "  # noqa: S608
                    f"FROM ({sql}) AS r GROUP BY GROUPING SETS ({sets})",
                    params,
                )
                all_ones = (1 << len(columns)) - 1
                rows = []
                for g, p, *rest in cursor.fetchall():
                    values, d, n = rest[: len(columns)], rest[-2], rest[-1]
                    if g == all_ones:
                        rows.append((-1, p, None, d, n))
                    else:
                        which = next(
                            i for i in range(len(columns)) if not g >> (len(columns) - 1 - i) & 1
                        )
                        rows.append((which, p, values[which], d, n))
            else:
                cursor.execute(
                    f"SELECT -1, p, NULL, COUNT(*), SUM(n) FROM ({sql}) AS r GROUP BY p",  # noqa: S608
                    params,
                )
                rows = cursor.fetchall()
        else:
            arms = ["SELECT -1, p, NULL, COUNT(*), SUM(n) FROM r GROUP BY p"]
            arms += [
                f"SELECT {i}, p, {c}, COUNT(*), SUM(n) FROM r GROUP BY p, {c}"  # noqa: S608
                for i, c in enumerate(columns)
            ]
            cursor.execute(f"WITH r AS ({sql}) " + " UNION ALL ".join(arms), params)  # noqa: S608
            rows = cursor.fetchall()
    groups = []
    for which, p, value, d, n in rows:
        if which >= 0 and value is None:
            raise SpecError(
                [_("Some rows have a value in a breakdown column that no mapping covers.")]
            )
        groups.append(
            Group(
                "" if p is None else str(p).strip(),
                None if which < 0 else str(which),
                value,
                int(d),
                int(n or 0),
            )
        )
    return groups


# --- periods ----------------------------------------------------------------------------


def _period(text: str, spec: IndicatorSpec, fiscal_start_month: int) -> Period | None:
    """The period a group's period text names, or None (blank or unreadable: left out)."""
    try:
        if spec.period.kind == "year":
            year = int(text)
            return Period(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))
        if spec.period.kind == "fiscal_year":
            return fiscal_year(int(text), fiscal_start_month)
        year, month = (int(part) for part in text.split("-")[:2])
        return period_of_month(
            year, month, spec.period.cut or "month", fiscal_start_month=fiscal_start_month
        )
    except ValueError:
        return None


# --- observations ---------------------------------------------------------------------


def cells(
    groups: list[Group], spec: IndicatorSpec, fiscal_start_month: int
) -> tuple[dict[tuple[Period, str, str], list[int]], Derivation]:
    """Sum the groups into cells keyed by (period, dimension code, value code) ("", ""
    for the total): [denominator, numerator]. Several months fold into one quarter or
    year here (a handful of rows per cell)."""
    result = Derivation()
    sums: dict[tuple[Period, str, str], list[int]] = {}
    for group in groups:
        period = _period(group.period, spec, fiscal_start_month)
        if group.dimension is None:
            if period is None:
                result.rows_without_period += group.denominator
                continue
            result.rows_counted += group.denominator
            key = (period, "", "")
        else:
            if period is None:
                continue
            breakdown = spec.breakdowns[int(group.dimension)]
            key = (period, breakdown.dimension, group.value or "")
        found = sums.setdefault(key, [0, 0])
        found[0] += group.denominator
        found[1] += group.numerator
    result.periods = len({k[0] for k in sums})
    return sums, result


def observations(
    sums: dict[tuple[Period, str, str], list[int]],
    spec: IndicatorSpec,
    indicator: Indicator,
    version: DatasetVersion,
) -> list[Observation]:
    found = []
    for (period, dimension, value), (denominator, numerator) in sorted(
        sums.items(), key=lambda kv: (kv[0][0].start, kv[0][1], kv[0][2])
    ):
        breakdown = {dimension: value} if dimension else {}
        if spec.measure == "rate":
            if not denominator:
                continue
            figure = indicator.derive_value(Decimal(numerator), Decimal(denominator))
            top, bottom = Decimal(numerator), Decimal(denominator)
        else:
            figure, top, bottom = Decimal(denominator), None, None
        found.append(
            Observation(
                dataset_id=version.dataset_id,
                version_id=version.pk,
                indicator_id=indicator.pk,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                breakdown=breakdown,
                breakdown_dims=dimension,
                breakdown_key=f"{dimension}={value}" if dimension else "",
                value=figure,
                numerator=top,
                denominator=bottom,
            )
        )
    return found


def check_unit(spec: IndicatorSpec, indicator: Indicator) -> None:
    if spec.measure == "rate" and not indicator.is_ratio:
        raise SpecError(
            [
                _(
                    "%(code)s: a rate needs an indicator whose unit is a percent or a rate per "
                    "1,000 (its unit is %(unit)s)."
                )
                % {"code": indicator.code, "unit": indicator.get_unit_display()}
            ]
        )
    if spec.measure == "count" and indicator.unit != Indicator.Unit.COUNT:
        raise SpecError(
            [
                _(
                    "%(code)s: a count needs an indicator whose unit is a count "
                    "(its unit is %(unit)s)."
                )
                % {"code": indicator.code, "unit": indicator.get_unit_display()}
            ]
        )


def derive(
    indicator: Indicator,
    spec: IndicatorSpec,
    version: DatasetVersion,
    *,
    dimensions: Dimensions | None = None,
    fiscal_start_month: int | None = None,
) -> Derivation:
    """Replace ``indicator``'s observations in ``version`` with those derived from the
    version's records. Raises ``SpecError`` (nothing changed) when the definition does
    not fit the data. Run inside the caller's transaction, or its own."""
    from indicators.dashboards import fiscal_start_month as fiscal_month_of

    dataset: Dataset = version.dataset
    if dataset.kind != Dataset.Kind.RECORDS:
        raise SpecError([_("Only a record-level dataset has rows to derive figures from.")])
    if indicator.collaborative_id != dataset.collaborative_id:
        raise SpecError([_("Choose an indicator of the dataset's collaborative.")])
    check_unit(spec, indicator)
    dimensions = dimensions or Dimensions.load(dataset.collaborative)
    names = check_against(spec, version.profile, dimensions)
    month = (
        fiscal_start_month
        if fiscal_start_month is not None
        else fiscal_month_of(dataset.collaborative)
    )
    groups = grouped(records_select(version, spec, names), len(spec.breakdowns))
    sums, result = cells(groups, spec, month)
    rows = observations(sums, spec, indicator, version)
    with transaction.atomic():
        Observation.objects.filter(version=version, indicator=indicator).delete()
        Observation.objects.bulk_create(rows)
    result.observations = len(rows)
    return result


def derive_all(version: DatasetVersion) -> dict[int, Derivation]:
    """Derive every indicator defined on the version's dataset into the version (a new
    version re-runs them all). Raises ``SpecError`` naming every definition that no
    longer fits the data; the caller's transaction then saves nothing."""
    from indicators.records.describe import describe

    definitions = list(
        DerivedIndicator.objects.filter(dataset_id=version.dataset_id).select_related("indicator")
    )
    if not definitions:
        return {}
    from indicators.dashboards import fiscal_start_month as fiscal_month_of
    from indicators.records.spec import parse_indicator

    dimensions = Dimensions.load(version.dataset.collaborative)
    month = fiscal_month_of(version.dataset.collaborative)
    problems: list[str] = []
    done: dict[int, Derivation] = {}
    now = timezone.now()
    for definition in definitions:
        try:
            spec = parse_indicator(definition.spec, definition.indicator.code)
            result = derive(
                definition.indicator,
                spec,
                version,
                dimensions=dimensions,
                fiscal_start_month=month,
            )
        except SpecError as exc:
            problems += exc.problems
            continue
        definition.derived_version = version
        definition.derived_at = now
        definition.report = result.as_dict()
        definition.description = describe(spec, dimensions)
        definition.save(update_fields=["derived_version", "derived_at", "report", "description"])
        done[definition.pk] = result
    if problems:
        raise SpecError(problems)
    return done
