"""A match's own page and its lifecycle (pause, resume, close, re-match), fit checks and
monitoring: the coordinator's "check-ins due and overdue" page and recording a check-in.
Access (``mentorship.access``) → service (``mentorship.services.lifecycle``) → render.

Who sees what on a match page: coordinators everything (monitoring, fit checks, the
closure conversation, every session note); the mentor and the mentee their match and its
sessions, without notes marked private unless they wrote them, and of the other person
only what the match needs (a name, the goals, the needs). Anyone else: 404.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship import access, schedule, selectors
from mentorship.forms.matches import CloseForm, ContactForm, FitCheckForm, PauseForm
from mentorship.models import FitCheck, Match, MonitoringContact, Program, Session
from mentorship.services import lifecycle
from mentorship.views.base import error_text
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25
SESSIONS_ON_MATCH_PAGE = 50


def _context(request: CollaborativeRequest, program: Program, **extra: Any) -> dict[str, Any]:
    return {
        "collaborative": request.collaborative,
        "member": request.member,
        "program": program,
        **extra,
    }


def _match_url(program: Program, match: Match) -> str:
    return reverse(
        "mentorship:match",
        kwargs={
            "slug": program.collaborative.slug,
            "program_id": program.public_id,
            "match_id": match.public_id,
        },
    )


def _missed_later(prefix: str = "") -> Exists:
    """A check-in with the same person of the same match, due later and done: the open
    one before it was missed, no longer something to do."""
    return Exists(
        MonitoringContact.objects.filter(
            match_id=OuterRef(f"{prefix}match_id"),
            with_whom=OuterRef(f"{prefix}with_whom"),
            due_on__gt=OuterRef(f"{prefix}due_on"),
            done_at__isnull=False,
        ).exclude(kind=MonitoringContact.Kind.EXTRA)
    )


def monitoring_state(contact: MonitoringContact, today, *, missed: bool) -> str:
    if contact.done_at is not None:
        return schedule.State.DONE
    if missed:
        return schedule.State.MISSED
    if contact.due_on < today:
        return schedule.State.OVERDUE
    if contact.due_on <= today + timedelta(days=schedule.DUE_SOON_DAYS):
        return schedule.State.DUE
    return schedule.State.UPCOMING


# --- Lists ---------------------------------------------------------------------------------


@collaborative_view()
def match_list(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    """The program's matches for its coordinators (by status); a mentor's or mentee's own
    matches for them."""
    program = access.access_program(request, program_id)
    is_coordinator = access.coordinates(request.member, program)
    status = request.GET.get("status", "active")
    matches = (
        selectors.matches_visible_to(request.user)
        .filter(program=program)
        .select_related("mentor__applicant", "mentee")
        .annotate(
            session_count=Count(
                "sessions", filter=~Q(sessions__status=Session.Status.REJECTED), distinct=True
            ),
            last_session=Max("sessions__date", filter=~Q(sessions__status="rejected")),
            next_checkin=Min(
                "monitoring_contacts__due_on",
                filter=Q(monitoring_contacts__done_at__isnull=True),
            ),
        )
        .order_by("-started_at", "-proposed_at", "-pk")
    )
    if status in Match.Status.values:
        matches = matches.filter(status=status)
    else:
        status = ""
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentorship/matches/list.html",
        _context(
            request,
            program,
            page=page,
            status=status,
            statuses=Match.Status.choices,
            is_coordinator=is_coordinator,
            today=program.collaborative.today(),
        ),
    )


@collaborative_view()
def checkins(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    """The coordinator's list: check-ins overdue and due this week, fit checks to do."""
    program = access.access_program(request, program_id, action="coordinate")
    today = program.collaborative.today()
    due = (
        selectors.monitoring_contacts_visible_to(request.user)
        .filter(
            match__program=program,
            match__status=Match.Status.ACTIVE,
            done_at__isnull=True,
            due_on__lte=today + timedelta(days=schedule.DUE_SOON_DAYS),
        )
        .exclude(kind=MonitoringContact.Kind.EXTRA)
        .exclude(_missed_later())
        .select_related("match__mentor__applicant", "match__mentee")
        .order_by("due_on", "match_id", "with_whom")
    )
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"contact": c, "state": monitoring_state(c, today, missed=False)} for c in page]
    fit_checks = (
        selectors.matches_managed_by(request.user)
        .filter(program=program, status=Match.Status.ACTIVE)
        .filter(Exists(Session.objects.filter(match_id=OuterRef("pk")).exclude(status="rejected")))
        .exclude(Exists(FitCheck.objects.filter(match_id=OuterRef("pk"))))
        .select_related("mentor__applicant", "mentee")
        .order_by("started_at", "pk")[:PAGE_SIZE]
    )
    return render(
        request,
        "mentorship/matches/checkins.html",
        _context(
            request,
            program,
            page=page,
            rows=rows,
            overdue_count=sum(1 for r in rows if r["state"] == schedule.State.OVERDUE),
            fit_checks=list(fit_checks),
            today=today,
        ),
    )


# --- One match -------------------------------------------------------------------------------


@collaborative_view()
def match_detail(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, match_id: uuid.UUID
) -> HttpResponse:
    program = access.access_program(request, program_id)
    match = access.access_match(request, program, match_id)
    user = request.user
    is_coordinator = access.coordinates(request.member, program)
    is_mentor = access.is_mentor_in(request.member, match)
    sessions = list(
        selectors.sessions_visible_to(user)
        .filter(match=match)
        .prefetch_related("key_areas")
        .order_by("-date", "-pk")[:SESSIONS_ON_MATCH_PAGE]
    )
    session_rows = [
        {
            "session": s,
            "notes_visible": access.may_read_session_notes(
                request.member, s, coordinator=is_coordinator
            ),
        }
        for s in sessions
    ]
    today = program.collaborative.today()
    context: dict[str, Any] = {
        "match": match,
        "is_coordinator": is_coordinator,
        "is_mentor": is_mentor,
        "session_rows": session_rows,
        "start": lifecycle.start_day(match),
        "today": today,
        "can_log": match.status in (Match.Status.ACTIVE, Match.Status.PAUSED)
        and (is_mentor or is_coordinator),
    }
    if is_coordinator:
        contacts = list(
            MonitoringContact.objects.filter(match=match)
            .annotate(missed=_missed_later())
            .select_related("done_by")
            .order_by("due_on", "with_whom", "pk")
        )
        fit_checks = list(
            FitCheck.objects.filter(match=match).select_related("recorded_by").order_by("-pk")
        )
        context.update(
            contacts=[
                {"contact": c, "state": monitoring_state(c, today, missed=c.missed)}
                for c in contacts
                if c.done_at is not None or c.due_on <= today + timedelta(days=31)
            ],
            fit_checks=fit_checks,
            needs_fit_check=lifecycle.needs_fit_check(
                match, has_session=bool(sessions), has_fit_check=bool(fit_checks)
            ),
            contact_form=ContactForm(initial={"on": today, "with_whom": "mentor"}),
            fit_form=FitCheckForm(),
            pause_form=PauseForm(),
            rematches=list(match.rematches.select_related("mentor__applicant")),
            is_poor_fit=any(f.is_poor for f in fit_checks),
        )
    return render(request, "mentorship/matches/detail.html", _context(request, program, **context))


def _coordinated_match(request: CollaborativeRequest, program_id: uuid.UUID, match_id: uuid.UUID):
    program = access.access_program(request, program_id, action="coordinate")
    return program, access.access_match(request, program, match_id)


@require_POST
@collaborative_view()
def match_pause(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, match_id: uuid.UUID
) -> HttpResponse:
    program, match = _coordinated_match(request, program_id, match_id)
    form = PauseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        lifecycle.match_pause(actor=request.member, match=match, reason=reason, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The match is paused. Check-ins wait until it resumes."))
    return redirect(_match_url(program, match))


@require_POST
@collaborative_view()
def match_resume(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, match_id: uuid.UUID
) -> HttpResponse:
    program, match = _coordinated_match(request, program_id, match_id)
    try:
        lifecycle.match_resume(actor=request.member, match=match, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The match is running again. Check-ins moved by the pause."))
    return redirect(_match_url(program, match))


@collaborative_view()
def match_close(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, match_id: uuid.UUID
) -> HttpResponse:
    program, match = _coordinated_match(request, program_id, match_id)
    initial = {}
    if request.GET.get("reason") == Match.ClosureReason.POOR_FIT:
        initial = {"reason": Match.ClosureReason.POOR_FIT, "find_another": True}
    form = CloseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lifecycle.match_close(
                actor=request.member,
                match=match,
                reason=data["reason"],
                conversation=data["conversation"],
                find_another=data["find_another"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if data["find_another"]:
                messages.success(
                    request, _("The match is closed. Choose the mentee's next mentor below.")
                )
                return redirect(
                    reverse(
                        "mentorship:suggestions",
                        kwargs={
                            "slug": slug,
                            "program_id": program.public_id,
                            "mentee_id": match.mentee.public_id,
                        },
                    )
                )
            messages.success(request, _("The match is closed. Its history stays here."))
            return redirect(_match_url(program, match))
    return render(
        request,
        "mentorship/matches/close.html",
        _context(request, program, match=match, form=form),
    )


@require_POST
@collaborative_view()
def fit_check(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, match_id: uuid.UUID
) -> HttpResponse:
    program, match = _coordinated_match(request, program_id, match_id)
    form = FitCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the fit answers and try again."))
        return redirect(_match_url(program, match) + "#fit")
    data = form.cleaned_data
    try:
        check = lifecycle.fit_check_record(
            actor=request.member,
            match=match,
            mentor_fit=data["mentor_fit"],
            mentee_fit=data["mentee_fit"],
            concerns=data["concerns"],
            rematch_recommended=data["rematch_recommended"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_match_url(program, match) + "#fit")
    if check.is_poor:
        messages.warning(
            request,
            _("Recorded: a poor fit. Close the match and find the mentee another mentor?"),
        )
    else:
        messages.success(request, _("Fit check recorded."))
    return redirect(_match_url(program, match) + "#fit")


@require_POST
@collaborative_view()
def contact_record(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, match_id: uuid.UUID
) -> HttpResponse:
    program, match = _coordinated_match(request, program_id, match_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say with whom, on which day and how."))
        return redirect(_match_url(program, match) + "#checkins")
    data = form.cleaned_data
    try:
        contact = lifecycle.monitoring_contact_record(
            actor=request.member,
            match=match,
            with_whom=data["with_whom"],
            on=data["on"],
            method=data["method"],
            notes=data["notes"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if contact.kind == MonitoringContact.Kind.EXTRA:
            messages.success(request, _("Check-in recorded (an extra one)."))
        else:
            messages.success(
                request,
                _("Check-in recorded: the one due %(d)s.")
                % {"d": formats.date_format(contact.due_on, "SHORT_DATE_FORMAT")},
            )
    back = request.POST.get("next", "")
    if back == "checkins":
        return redirect("mentorship:checkins", slug=slug, program_id=program.public_id)
    return redirect(_match_url(program, match) + "#checkins")
