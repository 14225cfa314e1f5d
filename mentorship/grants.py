"""Grants: writes (grant, budget lines, expenses), what was spent, and the funder report.

Spending of a grant is drawn from two places and never typed twice:

- **Stipends** come from the one stipend ledger: the approved and paid lines of the
  program's mentoring sessions (``StipendLine.session``), dated within the grant's
  period, count against the grant's *stipends* budget line. When two grants of a
  program both have a stipends line and overlap in time, a line counts against the one
  that started first (the older money is spent first), so no dollar counts twice.
- **Everything else** (coordinator, training, other) is entered as ``Expense`` rows
  against the grant's budget lines; a stipends budget line takes no typed expenses.

Mistakes are corrected, not hidden: a budget line can be changed by the same rules as
adding one, and removed only while nothing is drawn against it; an expense can be
corrected, or removed by voiding it (it stays on the record, struck out, with who, when
and why, and leaves every total). Every correction is audit-logged with before and after.

The funder report is published beyond the collaborative, so its counts and rates go
through ``reentry.suppression`` (DESIGN.md rule 8) with the collaborative's
small-number threshold.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentorship import access, burndown, outcomes
from mentorship.lifecycle import _zone, local_day
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
from reentry.audit.log import record
from reentry.stipends import money
from reentry.stipends.models import Source, StipendLine

Category = BudgetLine.Category


def _require_manager(actor: Any, program: Program) -> None:
    if not access.can_manage(actor, program):
        raise PermissionDenied(_("Only backbone staff and the program's coordinators can do that."))


# --- Writes ---------------------------------------------------------------------------------

GRANT_FIELDS = ("funder", "name", "reference", "amount", "starts_on", "ends_on", "restrictions")


@transaction.atomic
def grant_save(
    *, actor: Any, program: Program, grant: Grant | None = None, request=None, **fields: Any
) -> Grant:
    """Create a grant of the program, or change one."""
    _require_manager(actor, program)
    unknown = set(fields) - set(GRANT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown grant fields: {sorted(unknown)}")
    is_new = grant is None
    grant = grant or Grant(program=program, currency=program.currency)
    if grant.program_id != program.pk:
        raise PermissionDenied
    for name, value in fields.items():
        setattr(grant, name, value)
    grant.full_clean()
    if not is_new:
        budgeted = grant.budget_lines.aggregate(total=Sum("amount"))["total"] or money.ZERO
        if budgeted > grant.amount:
            raise ValidationError(
                {"amount": _("The budget lines add up to more than this amount.")}
            )
    grant.save()
    record(
        "mentorship.grant_created" if is_new else "mentorship.grant_changed",
        actor=actor,
        request=request,
        obj=grant,
        collaborative=program.collaborative,
        amount=str(grant.amount),
    )
    return grant


def _check_budget_line(grant: Grant, line: BudgetLine) -> None:
    """The rules every budget line keeps, new or changed: the model's own (an amount of
    zero or more) and the grant's lines adding up to no more than the grant."""
    line.full_clean()
    others = grant.budget_lines.exclude(pk=line.pk) if line.pk else grant.budget_lines.all()
    budgeted = others.aggregate(total=Sum("amount"))["total"] or money.ZERO
    if budgeted + line.amount > grant.amount:
        raise ValidationError(
            {
                "amount": _("That would budget %(total)s of a %(amount)s grant.")
                % {"total": f"${budgeted + line.amount:,.2f}", "amount": f"${grant.amount:,.2f}"}
            }
        )


def _locked_line(line: BudgetLine) -> tuple[Grant, BudgetLine]:
    """The line's grant and the line, locked, so two people's changes cannot cross."""
    grant = (
        Grant.objects.select_for_update()
        .select_related("program__collaborative")
        .get(pk=line.grant_id)
    )
    line = BudgetLine.objects.select_for_update().get(pk=line.pk, grant=grant)
    line.grant = grant
    return grant, line


def _line_values(line: BudgetLine) -> dict[str, str]:
    return {"category": line.category, "label": line.label, "amount": f"{line.amount:.2f}"}


@transaction.atomic
def budget_line_add(
    *, actor: Any, grant: Grant, category: str, label: str, amount: Decimal, request=None
) -> BudgetLine:
    grant = (
        Grant.objects.select_for_update().select_related("program__collaborative").get(pk=grant.pk)
    )
    _require_manager(actor, grant.program)
    line = BudgetLine(grant=grant, category=category, label=label.strip(), amount=amount)
    _check_budget_line(grant, line)
    line.save()
    record(
        "mentorship.budget_line_added",
        actor=actor,
        request=request,
        obj=grant,
        collaborative=grant.program.collaborative,
        category=category,
        amount=str(amount),
    )
    return line


def _stipends_counted(grant: Grant) -> Decimal:
    return sum(stipend_spending_by_day(grant).values(), start=money.ZERO)


def why_line_stays(line: BudgetLine) -> str | None:
    """Why this budget line cannot be removed, or None when nothing is drawn against it."""
    entered = line.expenses.filter(voided_at=None).count()
    if entered:
        return ngettext(
            "%(n)s expense is entered against this line. Move it to another line or "
            "remove it first, or set this line's amount to $0.",
            "%(n)s expenses are entered against this line. Move them to another line or "
            "remove them first, or set this line's amount to $0.",
            entered,
        ) % {"n": entered}
    if line.expenses.exists():
        return _(
            "Removed expenses stay on this line so the record shows what happened. "
            "Set this line's amount to $0 instead."
        )
    if line.category == Category.STIPENDS and _stipends_counted(line.grant):
        return _(
            "Mentor stipends from the ledger count against this line. "
            "Set its amount to what was paid instead."
        )
    return None


@transaction.atomic
def budget_line_change(
    *,
    actor: Any,
    line: BudgetLine,
    category: str,
    label: str,
    amount: Decimal,
    request=None,
) -> BudgetLine:
    """Correct a budget line, by the same rules as adding one."""
    grant, line = _locked_line(line)
    _require_manager(actor, grant.program)
    before = _line_values(line)
    if category != line.category:
        if category == Category.STIPENDS and line.expenses.exists():
            raise ValidationError(
                {"category": _("Expenses are entered against this line, and stipends take none.")}
            )
        if line.category == Category.STIPENDS and _stipends_counted(grant):
            raise ValidationError(
                {
                    "category": _(
                        "Mentor stipends from the ledger count against this line, "
                        "so it stays a stipends line."
                    )
                }
            )
    line.category, line.label, line.amount = category, label.strip(), amount
    _check_budget_line(grant, line)
    line.save()
    record(
        "mentorship.budget_line_changed",
        actor=actor,
        request=request,
        obj=grant,
        collaborative=grant.program.collaborative,
        line=str(line.public_id),
        before=before,
        after=_line_values(line),
    )
    return line


@transaction.atomic
def budget_line_remove(*, actor: Any, line: BudgetLine, request=None) -> None:
    """Remove a budget line that nothing is drawn against (see ``why_line_stays``)."""
    grant, line = _locked_line(line)
    _require_manager(actor, grant.program)
    reason = why_line_stays(line)
    if reason:
        raise ValidationError(reason)
    before = _line_values(line)
    public_id = str(line.public_id)
    line.delete()
    record(
        "mentorship.budget_line_removed",
        actor=actor,
        request=request,
        obj=grant,
        collaborative=grant.program.collaborative,
        line=public_id,
        before=before,
    )


def _check_expense(grant: Grant, line: BudgetLine, on: date) -> None:
    """Where an expense may go, new or corrected: a typed-in line of its grant, in the
    grant's period."""
    if line.grant_id != grant.pk:
        raise PermissionDenied
    if line.category == Category.STIPENDS:
        raise ValidationError(
            {"budget_line": _("Stipends come from the stipend ledger; they are not typed in.")}
        )
    if not grant.starts_on <= on <= grant.ends_on:
        raise ValidationError({"date": _("The date must be within the grant's period.")})


def _expense_values(expense: Expense) -> dict[str, str]:
    return {
        "budget_line": str(expense.budget_line.public_id),
        "category": expense.budget_line.category,
        "date": expense.date.isoformat(),
        "amount": f"{expense.amount:.2f}",
        "description": expense.description,
    }


@transaction.atomic
def expense_add(
    *,
    actor: Any,
    budget_line: BudgetLine,
    on: date,
    amount: Decimal,
    description: str,
    request=None,
) -> Expense:
    line = BudgetLine.objects.select_related("grant__program__collaborative").get(pk=budget_line.pk)
    grant = line.grant
    _require_manager(actor, grant.program)
    _check_expense(grant, line, on)
    expense = Expense(
        budget_line=line,
        date=on,
        amount=amount,
        description=description.strip(),
        entered_by=actor,
    )
    expense.full_clean()
    expense.save()
    record(
        "mentorship.expense_added",
        actor=actor,
        request=request,
        obj=grant,
        collaborative=grant.program.collaborative,
        amount=str(amount),
    )
    return expense


def _locked_expense(actor: Any, expense: Expense) -> Expense:
    """The expense, locked, once the person may manage its program and it is not removed."""
    locked = (
        Expense.objects.select_for_update(of=("self",))
        .select_related("budget_line__grant__program__collaborative")
        .get(pk=expense.pk)
    )
    _require_manager(actor, locked.budget_line.grant.program)
    if locked.is_void:
        raise ValidationError(_("This expense was removed; it cannot be changed."))
    return locked


@transaction.atomic
def expense_change(
    *,
    actor: Any,
    expense: Expense,
    budget_line: BudgetLine,
    on: date,
    amount: Decimal,
    description: str,
    request=None,
) -> Expense:
    """Correct an expense (its line, date, amount or what it was for), by the same rules
    as entering one; the audit log keeps what it said before."""
    expense = _locked_expense(actor, expense)
    grant = expense.budget_line.grant
    line = BudgetLine.objects.get(pk=budget_line.pk)
    _check_expense(grant, line, on)
    before = _expense_values(expense)
    expense.budget_line = line
    expense.date, expense.amount, expense.description = on, amount, description.strip()
    expense.full_clean()
    expense.save()
    record(
        "mentorship.expense_changed",
        actor=actor,
        request=request,
        obj=grant,
        collaborative=grant.program.collaborative,
        expense=str(expense.public_id),
        before=before,
        after=_expense_values(expense),
    )
    return expense


@transaction.atomic
def expense_void(*, actor: Any, expense: Expense, reason: str, request=None) -> Expense:
    """Remove an expense from the grant's spending. The row stays, marked removed, with
    who, when and why, so the books still show it was entered."""
    expense = _locked_expense(actor, expense)
    grant = expense.budget_line.grant
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this expense is removed.")})
    expense.voided_at = timezone.now()
    expense.voided_by = actor
    expense.void_reason = reason
    expense.full_clean()
    expense.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record(
        "mentorship.expense_removed",
        actor=actor,
        request=request,
        obj=grant,
        collaborative=grant.program.collaborative,
        expense=str(expense.public_id),
        before=_expense_values(expense),
        reason=reason,
    )
    return expense


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
    return datetime.combine(day, time(0), tzinfo=_zone(program))


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
            started=local_day(program, m.started_at),
            ended=(
                local_day(program, m.closed_at)
                if m.closed_at is not None and local_day(program, m.closed_at) <= as_of
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
