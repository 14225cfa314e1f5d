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

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentorship import access, reports
from mentorship.models import (
    BudgetLine,
    Expense,
    Grant,
    Program,
)
from reentry.audit.log import record
from reentry.stipends import money
from stakeholders.models import Member

Category = BudgetLine.Category


# --- Writes ---------------------------------------------------------------------------------

GRANT_FIELDS = ("funder", "name", "reference", "amount", "starts_on", "ends_on", "restrictions")


def _log(action: str, grant: Grant, *, actor: Member, request, **details: Any) -> None:
    """The audit row for a grant (its lines and expenses included), by the acting person,
    in its program's collaborative."""
    record(
        action,
        actor=actor.user,
        request=request,
        obj=grant,
        collaborative=grant.program.collaborative,
        **details,
    )


@transaction.atomic
def grant_save(
    *, actor: Member, program: Program, grant: Grant | None = None, request=None, **fields: Any
) -> Grant:
    """Create a grant of the program, or change one."""
    access.require_manager(actor, program)
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
    _log(
        "mentorship.grant_created" if is_new else "mentorship.grant_changed",
        grant,
        actor=actor,
        request=request,
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
    *, actor: Member, grant: Grant, category: str, label: str, amount: Decimal, request=None
) -> BudgetLine:
    grant = (
        Grant.objects.select_for_update().select_related("program__collaborative").get(pk=grant.pk)
    )
    access.require_manager(actor, grant.program)
    line = BudgetLine(grant=grant, category=category, label=label.strip(), amount=amount)
    _check_budget_line(grant, line)
    line.save()
    _log(
        "mentorship.budget_line_added",
        grant,
        actor=actor,
        request=request,
        category=category,
        amount=str(amount),
    )
    return line


def _stipends_counted(grant: Grant) -> Decimal:
    return sum(reports.stipend_spending_by_day(grant).values(), start=money.ZERO)


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
    actor: Member,
    line: BudgetLine,
    category: str,
    label: str,
    amount: Decimal,
    request=None,
) -> BudgetLine:
    """Correct a budget line, by the same rules as adding one."""
    grant, line = _locked_line(line)
    access.require_manager(actor, grant.program)
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
    _log(
        "mentorship.budget_line_changed",
        grant,
        actor=actor,
        request=request,
        line=str(line.public_id),
        before=before,
        after=_line_values(line),
    )
    return line


@transaction.atomic
def budget_line_remove(*, actor: Member, line: BudgetLine, request=None) -> None:
    """Remove a budget line that nothing is drawn against (see ``why_line_stays``)."""
    grant, line = _locked_line(line)
    access.require_manager(actor, grant.program)
    reason = why_line_stays(line)
    if reason:
        raise ValidationError(reason)
    before = _line_values(line)
    public_id = str(line.public_id)
    line.delete()
    _log(
        "mentorship.budget_line_removed",
        grant,
        actor=actor,
        request=request,
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
    actor: Member,
    budget_line: BudgetLine,
    on: date,
    amount: Decimal,
    description: str,
    request=None,
) -> Expense:
    line = BudgetLine.objects.select_related("grant__program__collaborative").get(pk=budget_line.pk)
    grant = line.grant
    access.require_manager(actor, grant.program)
    _check_expense(grant, line, on)
    expense = Expense(
        budget_line=line,
        date=on,
        amount=amount,
        description=description.strip(),
        entered_by=actor.user,
    )
    expense.full_clean()
    expense.save()
    _log("mentorship.expense_added", grant, actor=actor, request=request, amount=str(amount))
    return expense


def _locked_expense(actor: Member, expense: Expense) -> Expense:
    """The expense, locked, once the person may manage its program and it is not removed."""
    locked = (
        Expense.objects.select_for_update(of=("self",))
        .select_related("budget_line__grant__program__collaborative")
        .get(pk=expense.pk)
    )
    access.require_manager(actor, locked.budget_line.grant.program)
    if locked.is_void:
        raise ValidationError(_("This expense was removed; it cannot be changed."))
    return locked


@transaction.atomic
def expense_change(
    *,
    actor: Member,
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
    _log(
        "mentorship.expense_changed",
        grant,
        actor=actor,
        request=request,
        expense=str(expense.public_id),
        before=before,
        after=_expense_values(expense),
    )
    return expense


@transaction.atomic
def expense_void(*, actor: Member, expense: Expense, reason: str, request=None) -> Expense:
    """Remove an expense from the grant's spending. The row stays, marked removed, with
    who, when and why, so the books still show it was entered."""
    expense = _locked_expense(actor, expense)
    grant = expense.budget_line.grant
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this expense is removed.")})
    expense.voided_at = timezone.now()
    expense.voided_by = actor.user
    expense.void_reason = reason
    expense.full_clean()
    expense.save(update_fields=["voided_at", "voided_by", "void_reason"])
    _log(
        "mentorship.expense_removed",
        grant,
        actor=actor,
        request=request,
        expense=str(expense.public_id),
        before=_expense_values(expense),
        reason=reason,
    )
    return expense
