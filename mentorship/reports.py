"""What a grant has spent (stipends from the ledger, typed expenses), its burn-down,
and the funder report."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from mentorship import burndown, outcomes
from mentorship.models import (
    Applicant,
    BudgetLine,
    Expense,
    Grant,
    Match,
    Program,
    Session,
    Stage,
    StageChange,
)
from reentry import suppression
from reentry.stipends import money
from reentry.stipends.models import Source, StipendLine

Category = BudgetLine.Category

# --- Spending -------------------------------------------------------------------------------


def stipend_lines_of(program: Program) -> QuerySet[StipendLine]:
    """The program's mentoring stipends that are money out: approved or paid."""
    return StipendLine.objects.filter(
        source=Source.MENTORING,
        session__match__program=program,
        status__in=(StipendLine.Status.APPROVED, StipendLine.Status.PAID),
    )


def stipend_spending_by_day(grant: Grant) -> dict[date, Decimal]:
    """The ledger's mentoring stipends that count against this grant, by day."""
    others = list(
        Grant.objects.filter(program_id=grant.program_id)
        .filter(
            Exists(BudgetLine.objects.filter(grant_id=OuterRef("pk"), category=Category.STIPENDS))
        )
        .exclude(pk=grant.pk)
        .values_list("starts_on", "ends_on", "pk")
    )
    if not grant.budget_lines.filter(category=Category.STIPENDS).exists():
        return {}
    earlier = [
        (start, end) for start, end, pk in others if (start, pk) < (grant.starts_on, grant.pk)
    ]
    rows = (
        stipend_lines_of(grant.program)
        .filter(date__gte=grant.starts_on, date__lte=grant.ends_on)
        .values("date")
        .annotate(total=Sum("amount"))
        .order_by("date")
    )
    return {
        row["date"]: row["total"]
        for row in rows
        if not any(start <= row["date"] <= end for start, end in earlier)
    }


@dataclass
class BudgetRow:
    line: BudgetLine
    spent: Decimal

    @property
    def left(self) -> Decimal:
        return self.line.amount - self.spent

    @property
    def over(self) -> bool:
        return self.spent > self.line.amount


@dataclass
class Spending:
    grant: Grant
    rows: list[BudgetRow]
    stipends: Decimal
    expenses: Decimal
    events: list[tuple[date, Decimal]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.stipends + self.expenses

    @property
    def left(self) -> Decimal:
        return self.grant.amount - self.total

    @property
    def budgeted(self) -> Decimal:
        return sum((r.line.amount for r in self.rows), start=money.ZERO)


def spending(grant: Grant) -> Spending:
    """What the grant has paid for, by budget line (a few queries, whatever the size)."""
    lines = list(
        grant.budget_lines.annotate(
            expense_total=Sum(
                "expenses__amount", default=money.ZERO, filter=Q(expenses__voided_at=None)
            ),
            expense_count=Count("expenses"),
        ).order_by("category", "label", "pk")
    )
    by_day = stipend_spending_by_day(grant)
    stipends = sum(by_day.values(), start=money.ZERO)
    stipend_line = next((line for line in lines if line.category == Category.STIPENDS), None)
    rows = [
        BudgetRow(
            line=line,
            spent=stipends
            if stipend_line is not None and line.pk == stipend_line.pk
            else line.expense_total,
        )
        for line in lines
    ]
    expense_days = (
        Expense.objects.filter(budget_line__grant=grant, voided_at=None)
        .values("date")
        .annotate(total=Sum("amount"))
        .order_by("date")
    )
    events = [(d, v) for d, v in by_day.items()]
    events += [(row["date"], row["total"]) for row in expense_days]
    expenses = sum(
        (row.spent for row in rows if row.line.category != Category.STIPENDS), start=money.ZERO
    )
    return Spending(grant=grant, rows=rows, stipends=stipends, expenses=expenses, events=events)


def burn_down(grant: Grant, today: date) -> list[burndown.Month]:
    s = spending(grant)
    return burndown.series(
        amount=grant.amount,
        starts_on=grant.starts_on,
        ends_on=grant.ends_on,
        spending=s.events,
        today=today,
    )


# --- The funder report ----------------------------------------------------------------------


@dataclass
class ReportFigure:
    key: str
    label: str
    value: Any
    numerator: int | None = None
    denominator: int | None = None
    hidden: bool = False
    unit: str = ""


@dataclass
class Report:
    program: Program
    starts_on: date
    ends_on: date
    figures: list[ReportFigure]
    threshold: int
    any_hidden: bool

    def __getitem__(self, key: str) -> ReportFigure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)


def _moment(program: Program, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=program.collaborative.zone)


def funder_report(program: Program, starts_on: date, ends_on: date, *, today: date) -> Report:
    """Mentors recruited and approved, matches made, sessions held, match length,
    retention at 3/6/12 months and goals met, for the period (inclusive), suppressed
    for publication."""
    since, until = _moment(program, starts_on), _moment(program, ends_on + timedelta(days=1))
    recruited = Applicant.objects.filter(
        program=program, created_at__gte=since, created_at__lt=until
    ).count()
    approved = (
        StageChange.objects.filter(
            applicant__program=program,
            to_stage=Stage.APPROVED,
            changed_at__gte=since,
            changed_at__lt=until,
        )
        .values("applicant_id")
        .distinct()
        .count()
    )
    started = Match.objects.filter(program=program, started_at__gte=since, started_at__lt=until)
    matches_made = started.count()
    held = Session.objects.filter(
        match__program=program, date__gte=starts_on, date__lte=ends_on
    ).exclude(status=Session.Status.REJECTED)
    totals = held.aggregate(n=Count("pk"), minutes=Sum("minutes", default=0))
    mentees_met = held.values("match__mentee_id").distinct().count()
    # Outcomes are measured at the end of the period, over every match started by then.
    as_of = min(ends_on, today)
    spans = [
        outcomes.Span(
            started=program.collaborative.local_date(m.started_at),
            ended=(
                program.collaborative.local_date(m.closed_at)
                if m.closed_at is not None
                and program.collaborative.local_date(m.closed_at) <= as_of
                else None
            ),
            goal_met=m.goal_met or m.closure_reason == Match.ClosureReason.GOALS_MET,
        )
        for m in Match.objects.filter(program=program, started_at__lt=until)
        .exclude(started_at=None)
        .annotate(
            goal_met=Exists(
                Session.objects.filter(match_id=OuterRef("pk"), goals_progress="met").exclude(
                    status=Session.Status.REJECTED
                )
            )
        )
        if m.started_at is not None
    ]
    lengths = outcomes.match_lengths(spans, as_of)
    retention = outcomes.retention_table(spans, as_of)
    goals = outcomes.goals_met(spans)
    hours = (Decimal(totals["minutes"]) / 60).quantize(Decimal("0.1"))
    figures = [
        ReportFigure("recruited", _("Mentors who applied"), recruited),
        ReportFigure("approved", _("Mentors approved"), approved),
        ReportFigure("matches", _("Matches made"), matches_made),
        ReportFigure("sessions", _("Sessions held"), totals["n"]),
        ReportFigure("mentees_met", _("Mentees who met their mentor"), mentees_met),
        ReportFigure("hours", _("Hours of mentoring"), hours, denominator=mentees_met, unit="h"),
        ReportFigure(
            "length",
            _("Average match length (months)"),
            lengths.mean_months,
            denominator=lengths.count,
        ),
        ReportFigure(
            "median_length",
            _("Median match length (months)"),
            lengths.median_months,
            denominator=lengths.count,
        ),
        *(
            ReportFigure(
                f"retention_{m}",
                _("Matches lasting %(n)s months") % {"n": m},
                retention[m].percent,
                numerator=retention[m].part,
                denominator=retention[m].whole,
                unit="%",
            )
            for m in outcomes.RETENTION_MONTHS
        ),
        ReportFigure(
            "goals",
            _("Matches where a goal was met"),
            goals.percent,
            numerator=goals.part,
            denominator=goals.whole,
            unit="%",
        ),
    ]
    count_keys = {"recruited", "approved", "matches", "sessions", "mentees_met"}
    threshold = program.collaborative.small_cell_threshold
    published = suppression.suppress(
        [
            suppression.Cell(
                key=f.key,
                value=f.value,
                numerator=f.numerator,
                denominator=f.denominator,
                is_count=f.key in count_keys,
            )
            for f in figures
        ],
        threshold=threshold,
    )
    for figure in figures:
        cell = published[figure.key]
        figure.hidden = cell.hidden
        if cell.hidden:
            figure.value = figure.numerator = figure.denominator = None
    return Report(
        program=program,
        starts_on=starts_on,
        ends_on=ends_on,
        figures=figures,
        threshold=threshold,
        any_hidden=any(f.hidden for f in figures),
    )
