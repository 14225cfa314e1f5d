"""Grant pages and the funder report: for backbone staff and the program's
coordinators (``access.manages``); every other member of the collaborative
gets 403, anyone else 404. Access → service (``mentorship.services.grants``) → render.

The burn-down is an SVG drawn on the server from ``mentorship.burndown`` (no script, no
chart library), with the same numbers as a table beside it for screen readers and print.
"""

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship import access, burndown, reports, selectors
from mentorship.forms.grants import BudgetLineForm, ExpenseForm, ExpenseRemoveForm, GrantForm
from mentorship.models import Expense, Grant, Program
from mentorship.services import grants
from mentorship.views import outcomes
from mentorship.views.base import error_text
from reentry.downloads import csv_response
from reentry.forms import apply_errors
from reentry.stipends import money
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25
EXPENSES_PAGE_SIZE = 10  # the grant page: the burn-down first, then recent expenses


def _program(request: CollaborativeRequest, program_id: uuid.UUID) -> Program:
    return access.access_program(request, program_id, action="manage")


def _managed_grant(
    request: CollaborativeRequest, program_id: uuid.UUID, grant_id: uuid.UUID
) -> Grant:
    """A grant page answers 404 to anyone but the program's managers (``access_grant``)."""
    program = access.access_program(request, program_id)
    return access.access_grant(request, program, grant_id)


def _context(request: CollaborativeRequest, program: Program, **extra: Any) -> dict[str, Any]:
    return {
        "collaborative": request.collaborative,
        "member": request.member,
        "program": program,
        "is_coordinator": access.coordinates(request.member, program),
        **extra,
    }


def _line_fields(form: BudgetLineForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in ("category", "label", "amount")}


def _expense_fields(form: ExpenseForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "budget_line": data["budget_line"],
        "on": data["date"],
        "amount": data["amount"],
        "description": data["description"],
    }


def _to_grant(grant: Grant) -> HttpResponse:
    return redirect(
        "mentorship:grant",
        slug=grant.program.collaborative.slug,
        program_id=grant.program.public_id,
        grant_id=grant.public_id,
    )


def _add_on_grant_page(
    request: CollaborativeRequest,
    grant: Grant,
    form: BudgetLineForm | ExpenseForm,
    add: Callable[[], object],
    *,
    done: str,
    invalid: str = "",
) -> HttpResponse:
    """The small forms on the grant page: run ``add`` on a valid form, say how it went
    (``invalid``, or else the form's own errors, when it is not) and go back to the page."""
    if form.is_valid():
        try:
            add()
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, done)
    else:
        messages.error(
            request, invalid or " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    return _to_grant(grant)


def _correction_page(
    request: CollaborativeRequest,
    grant: Grant,
    form: BudgetLineForm | ExpenseForm | ExpenseRemoveForm,
    change: Callable[[], object],
    *,
    done: str,
    template: str,
    **extra: Any,
) -> HttpResponse:
    """A correction's own page: on a valid POST run ``change``; what it refuses shows next
    to the fields, and once done the person is back on the grant page."""
    if request.method == "POST" and form.is_valid():
        try:
            change()
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return _to_grant(grant)
    return render(
        request, template, _context(request, grant.program, grant=grant, form=form, **extra)
    )


@collaborative_view()
def grant_list(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    program = _program(request, program_id)
    rows = (
        selectors.grants_visible_to(request.user)
        .filter(program=program)
        .annotate(budgeted=Sum("budget_lines__amount", default=money.ZERO))
        .order_by("-starts_on", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorship/grants/list.html",
        _context(request, program, page=page, today=program.collaborative.today()),
    )


@collaborative_view()
def grant_edit(
    request: CollaborativeRequest,
    slug: str,
    program_id: uuid.UUID,
    grant_id: uuid.UUID | None = None,
) -> HttpResponse:
    grant = _managed_grant(request, program_id, grant_id) if grant_id else None
    program = grant.program if grant else _program(request, program_id)
    form = GrantForm(request.POST or None, instance=grant)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in grants.GRANT_FIELDS}
        try:
            saved = grants.grant_save(
                actor=request.member, program=program, grant=grant, request=request, **fields
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Grant saved. Add its budget lines next."))
            return redirect(
                "mentorship:grant",
                slug=slug,
                program_id=program.public_id,
                grant_id=saved.public_id,
            )
    return render(
        request, "mentorship/grants/form.html", _context(request, program, form=form, grant=grant)
    )


def _chart_context(grant: Grant, today: date) -> dict[str, Any]:
    spent = reports.spending(grant)
    rows = burndown.series(
        amount=grant.amount,
        starts_on=grant.starts_on,
        ends_on=grant.ends_on,
        spending=spent.events,
        today=today,
    )
    return {"spending": spent, "months": rows, "chart": burndown.chart(rows, grant.amount)}


@collaborative_view()
def grant_detail(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, grant_id: uuid.UUID
) -> HttpResponse:
    grant = _managed_grant(request, program_id, grant_id)
    program = grant.program
    today = program.collaborative.today()
    expenses = (
        Expense.objects.filter(budget_line__grant=grant)
        .select_related("budget_line")
        .order_by("-date", "-pk")
    )
    page = Paginator(expenses, EXPENSES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorship/grants/detail.html",
        _context(
            request,
            program,
            grant=grant,
            today=today,
            page=page,
            line_form=BudgetLineForm(),
            expense_form=ExpenseForm(grant=grant, initial={"date": min(today, grant.ends_on)}),
            **_chart_context(grant, today),
        ),
    )


@require_POST
@collaborative_view()
def budget_line_add(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, grant_id: uuid.UUID
) -> HttpResponse:
    grant = _managed_grant(request, program_id, grant_id)
    form = BudgetLineForm(request.POST)
    return _add_on_grant_page(
        request,
        grant,
        form,
        lambda: grants.budget_line_add(
            actor=request.member, grant=grant, request=request, **_line_fields(form)
        ),
        done=_("Budget line added."),
        invalid=_("Choose a category and give an amount."),
    )


@require_POST
@collaborative_view()
def expense_add(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, grant_id: uuid.UUID
) -> HttpResponse:
    grant = _managed_grant(request, program_id, grant_id)
    form = ExpenseForm(request.POST, grant=grant)
    return _add_on_grant_page(
        request,
        grant,
        form,
        lambda: grants.expense_add(actor=request.member, request=request, **_expense_fields(form)),
        done=_("Expense added."),
    )


# --- Corrections: change or remove a budget line or an expense -------------------------------


@collaborative_view()
def budget_line_edit(
    request: CollaborativeRequest,
    slug: str,
    program_id: uuid.UUID,
    grant_id: uuid.UUID,
    line_id: uuid.UUID,
) -> HttpResponse:
    grant = _managed_grant(request, program_id, grant_id)
    line = access.access_budget_line(request, grant, line_id)
    initial = {"category": line.category, "label": line.label, "amount": line.amount}
    form = BudgetLineForm(request.POST or None, initial=initial)
    return _correction_page(
        request,
        grant,
        form,
        lambda: grants.budget_line_change(
            actor=request.member, line=line, request=request, **_line_fields(form)
        ),
        done=_("Budget line saved."),
        template="mentorship/grants/line_form.html",
        line=line,
    )


@collaborative_view()
def budget_line_remove(
    request: CollaborativeRequest,
    slug: str,
    program_id: uuid.UUID,
    grant_id: uuid.UUID,
    line_id: uuid.UUID,
) -> HttpResponse:
    """A confirmation page (GET), then the removal (POST); or why the line stays."""
    grant = _managed_grant(request, program_id, grant_id)
    line = access.access_budget_line(request, grant, line_id)
    if request.method == "POST":
        try:
            grants.budget_line_remove(actor=request.member, line=line, request=request)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Budget line removed."))
            return _to_grant(grant)
    return render(
        request,
        "mentorship/grants/line_remove.html",
        _context(request, grant.program, grant=grant, line=line, why=grants.why_line_stays(line)),
    )


@collaborative_view()
def expense_edit(
    request: CollaborativeRequest,
    slug: str,
    program_id: uuid.UUID,
    grant_id: uuid.UUID,
    expense_id: uuid.UUID,
) -> HttpResponse:
    grant = _managed_grant(request, program_id, grant_id)
    expense = access.access_expense(request, grant, expense_id)
    if expense.is_void:
        messages.info(request, _("That expense was already removed."))
        return _to_grant(grant)
    initial = {
        "budget_line": expense.budget_line,
        "date": expense.date,
        "amount": expense.amount,
        "description": expense.description,
    }
    form = ExpenseForm(request.POST or None, grant=grant, initial=initial)
    return _correction_page(
        request,
        grant,
        form,
        lambda: grants.expense_change(
            actor=request.member, expense=expense, request=request, **_expense_fields(form)
        ),
        done=_("Expense corrected."),
        template="mentorship/grants/expense_form.html",
        expense=expense,
    )


@collaborative_view()
def expense_remove(
    request: CollaborativeRequest,
    slug: str,
    program_id: uuid.UUID,
    grant_id: uuid.UUID,
    expense_id: uuid.UUID,
) -> HttpResponse:
    """A confirmation page asking why (GET), then the removal (POST): the expense is
    marked removed and leaves the totals, but stays on the record."""
    grant = _managed_grant(request, program_id, grant_id)
    expense = access.access_expense(request, grant, expense_id)
    if expense.is_void:
        messages.info(request, _("That expense was already removed."))
        return _to_grant(grant)
    form = ExpenseRemoveForm(request.POST or None)
    return _correction_page(
        request,
        grant,
        form,
        lambda: grants.expense_void(
            actor=request.member,
            expense=expense,
            reason=form.cleaned_data["reason"],
            request=request,
        ),
        done=_("Expense removed. It stays on the record, struck out."),
        template="mentorship/grants/expense_remove.html",
        expense=expense,
    )


# --- The funder report ----------------------------------------------------------------------


def _period(request: CollaborativeRequest, program: Program) -> tuple[date, date, Grant | None]:
    """The grant's period (``?grant=``), or ``?from=`` and ``?to=``, or the last year."""
    grant = None
    grant_id = request.GET.get("grant")
    if grant_id:
        grant = access.access_grant(request, program, grant_id)
        return grant.starts_on, grant.ends_on, grant
    today = program.collaborative.today()
    try:
        starts = date.fromisoformat(request.GET.get("from", ""))
        ends = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        return today - timedelta(days=364), today, None
    if ends < starts:
        starts, ends = ends, starts
    return starts, ends, None


@collaborative_view()
def funder_report(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    program = _program(request, program_id)
    starts, ends, grant = _period(request, program)
    today = program.collaborative.today()
    report = reports.funder_report(program, starts, ends, today=today)
    context = _context(
        request,
        program,
        report=report,
        grant=grant,
        grants=list(selectors.grants_visible_to(request.user).filter(program=program)),
        today=today,
        **outcomes.export_context(request.collaborative, request.GET),
    )
    if grant is not None:
        context.update(_chart_context(grant, today))
    return render(request, "mentorship/grants/report.html", context)


@collaborative_view()
def funder_report_csv(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID
) -> HttpResponseBase:
    program = _program(request, program_id)
    starts, ends, _grant_shown = _period(request, program)
    report = reports.funder_report(program, starts, ends, today=program.collaborative.today())
    header = ["measure", "value", "unit", "numerator", "denominator", "hidden", "from", "to"]
    rows = [
        [
            figure.label,
            figure.value,
            figure.unit,
            figure.numerator,
            figure.denominator,
            "yes" if figure.hidden else "no",
            starts,
            ends,
        ]
        for figure in report.figures
    ]
    return csv_response(
        [header, *rows],
        f"funder-report-{program.slug}-{starts:%Y%m%d}-{ends:%Y%m%d}.csv",
        stream=False,
    )
