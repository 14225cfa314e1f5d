"""Stipend pages: a person's monthly statement, and the backbone staff's approval,
month and payment pages. Access → service → render.

Money is between a person and the backbone staff: a statement is seen by the person
and by backbone staff; every other page by backbone staff only. Everyone else gets a
404, as if the page did not exist (not even a chair or the person's own organization).
"""

import re
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.downloads import Cell, csv_response
from reentry.sharing.access import get_visible_or_404
from reentry.stipends import money, selectors, services
from reentry.stipends.forms import PaymentForm, RateForm, RejectForm
from reentry.stipends.models import (
    Source,
    StipendLine,
    StipendPayment,
    StipendRate,
    statement_people_visible_to,
)
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

PAGE_SIZE = 50
Status = StipendLine.Status


def _context(request: CollaborativeRequest, **extra) -> dict:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def _backbone_only(request: CollaborativeRequest) -> None:
    if not request.member.is_backbone:
        raise Http404


def _this_month() -> date:
    return money.month_start(timezone.localdate())


def _month(value: str | None, *, default: date | None = None) -> date:
    month = money.parse_month(value or "")
    if month is None:
        if default is not None:
            return default
        raise Http404
    return month


def _month_links(month: date, url_for: Callable[[str], str]) -> dict:
    """The months before and after, with their addresses (``url_for("2025-03")``)."""
    previous = money.month_start(month - timedelta(days=1))
    following = money.next_month(month)
    return {
        "previous_month": previous,
        "next_month": following,
        "previous_url": url_for(f"{previous:%Y-%m}"),
        "next_url": url_for(f"{following:%Y-%m}"),
    }


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Statements ---------------------------------------------------------------------------


@collaborative_view()
def my_statement(request: CollaborativeRequest, slug: str) -> HttpResponse:
    month = _month(request.GET.get("month"), default=_this_month())
    return redirect(
        "stipends:statement",
        slug=slug,
        public_id=request.member.public_id,
        month=f"{month:%Y-%m}",
    )


@collaborative_view()
def statement(request: CollaborativeRequest, slug: str, public_id, month: str) -> HttpResponse:
    """One person's month, printable. Theirs, or anyone's for backbone staff; else 404."""
    person = get_visible_or_404(
        Member.objects.filter(collaborative=request.collaborative),
        statement_people_visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("user"),
        request=request,
        public_id=public_id,
    )
    the_month = _month(month)
    return render(
        request,
        "stipends/statement.html",
        _context(
            request,
            person=person,
            month=the_month,
            statement=selectors.statement_for(person, the_month),
            months=selectors.months_with_lines(person),
            is_own=person.pk == request.member.pk,
            **_month_links(
                the_month,
                lambda m: reverse(
                    "stipends:statement",
                    kwargs={"slug": slug, "public_id": person.public_id, "month": m},
                ),
            ),
        ),
    )


# --- Approval -----------------------------------------------------------------------------


@collaborative_view()
def review(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """The month's lines, to approve or turn down in bulk."""
    _backbone_only(request)
    month = _month(request.GET.get("month"), default=_this_month())
    status = request.GET.get("status", Status.PENDING)
    lines = (
        StipendLine.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .in_month(month)
        .select_related("member__user")
        .order_by("date", "member__user__name", "pk")
    )
    if status in Status.values:
        lines = lines.filter(status=status)
    else:
        status = ""
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    decidable = set(
        StipendLine.objects.editable_by(request.user)
        .filter(pk__in=[line.pk for line in page], status=Status.PENDING)
        .values_list("pk", flat=True)
    )
    rate = StipendRate.objects.filter(
        collaborative=request.collaborative, source=Source.GATHERINGS
    ).first()
    return render(
        request,
        "stipends/review.html",
        _context(
            request,
            month=month,
            status=status,
            statuses=Status.choices,
            page=page,
            rows=[{"line": line, "can_decide": line.pk in decidable} for line in page],
            totals=selectors.month_totals(request.collaborative, month),
            rate=rate,
            reject_form=RejectForm(),
            **_month_links(
                month,
                lambda m: (
                    f"{reverse('stipends:review', kwargs={'slug': slug})}?month={m}&status={status}"
                ),
            ),
        ),
    )


@require_POST
@collaborative_view()
def decide(request: CollaborativeRequest, slug: str) -> HttpResponse:
    _backbone_only(request)
    ids = request.POST.getlist("line")
    back = reverse("stipends:review", kwargs={"slug": slug})
    month = money.parse_month(request.POST.get("month", ""))
    if month is not None:
        back += f"?month={month:%Y-%m}"
    if not ids:
        messages.error(request, _("Tick the lines first."))
        return redirect(back)
    try:
        if request.POST.get("action") == "reject":
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            n = services.stipend_lines_reject(
                actor=request.member, line_ids=ids, reason=reason, request=request
            )
            messages.success(request, _("Turned down: %(n)s.") % {"n": n})
        else:
            n = services.stipend_lines_approve(actor=request.member, line_ids=ids, request=request)
            messages.success(request, _("Approved: %(n)s.") % {"n": n})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(back)


# --- Month, payment, CSV ------------------------------------------------------------------


@collaborative_view()
def month_view(request: CollaborativeRequest, slug: str, month: str) -> HttpResponse:
    """Everyone paid in a month, their statements, and the payment export."""
    _backbone_only(request)
    the_month = _month(month)
    people = selectors.month_people(request.collaborative, the_month)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    payments = list(
        StipendPayment.objects.filter(collaborative=request.collaborative, month=the_month)
    )
    return render(
        request,
        "stipends/month.html",
        _context(
            request,
            month=the_month,
            page=page,
            payments=payments,
            totals=selectors.month_totals(request.collaborative, the_month),
            payment_form=PaymentForm(),
            **_month_links(
                the_month, lambda m: reverse("stipends:month", kwargs={"slug": slug, "month": m})
            ),
        ),
    )


@require_POST
@collaborative_view()
def pay(request: CollaborativeRequest, slug: str, month: str) -> HttpResponse:
    _backbone_only(request)
    the_month = _month(month)
    form = PaymentForm(request.POST)
    reference = form.cleaned_data["reference"] if form.is_valid() else ""
    try:
        payment = services.stipend_payment_create(
            actor=request.member, month=the_month, reference=reference, request=request
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("%(n)s lines are marked paid as %(ref)s. Download the file for payroll below.")
            % {"n": payment.line_count, "ref": payment.reference},
        )
    return redirect("stipends:month", slug=slug, month=f"{the_month:%Y-%m}")


CSV_HEADER = [
    "name",
    "email",
    "member_id",
    "month",
    "lines",
    "total",
    "currency",
    "reference",
    # The total split by what earned it, one column per source (gatherings, mentoring),
    # after the columns payroll systems read, so existing imports keep working.
    *(f"{source}_total" for source in Source.values),
]


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def payment_filename(collaborative_slug: str, reference: str) -> str:
    """The payroll file's name: the reference kept to letters, digits, dash and underscore,
    so nothing typed into it reaches the header or the saved file's name."""
    cleaned = _UNSAFE_IN_NAME.sub("-", reference).strip("-")[:60] or "payment"
    return f"stipends-{collaborative_slug}-{cleaned}.csv"


@collaborative_view()
def payment_csv(request: CollaborativeRequest, slug: str, public_id) -> HttpResponseBase:
    """The payroll file of one payment: one row per person with their total."""
    _backbone_only(request)
    payment = get_visible_or_404(
        StipendPayment.objects.all(),
        StipendPayment.objects.filter(collaborative=request.collaborative),
        request=request,
        public_id=public_id,
    )
    rows: list[list[Cell]] = [list(CSV_HEADER)]
    rows.extend(
        [
            row.name,
            row.email,
            str(row.member_id),
            f"{payment.month:%Y-%m}",
            row.lines,
            f"{row.total:.2f}",
            payment.currency,
            payment.reference,
            *(f"{row.by_source[source]:.2f}" for source in Source.values),
        ]
        for row in selectors.paid_rows(payment)
    )
    return csv_response(
        rows, payment_filename(request.collaborative.slug, payment.reference), stream=False
    )


# --- Settings -----------------------------------------------------------------------------


@collaborative_view()
def rate_settings(request: CollaborativeRequest, slug: str) -> HttpResponse:
    _backbone_only(request)
    rate = StipendRate.objects.filter(
        collaborative=request.collaborative, source=Source.GATHERINGS
    ).first()
    form = RateForm(request.POST or None, instance=rate)
    if request.method == "POST" and form.is_valid():
        try:
            services.stipend_rate_set(
                actor=request.member,
                is_active=form.cleaned_data["is_active"],
                unit=form.cleaned_data["unit"],
                amount=form.cleaned_data["amount"],
                monthly_cap=form.cleaned_data["monthly_cap"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Stipend settings saved."))
            return redirect("stipends:review", slug=slug)
    return render(
        request,
        "stipends/settings.html",
        _context(request, form=form, rate=rate, month=_this_month()),
    )
