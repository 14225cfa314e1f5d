"""A match after it starts: monitoring check-ins, fit checks, pause and resume, closure
and re-matching. ``<entity>_<verb>(*, actor, ...)``, atomic, audited; ``actor`` is the
acting ``Member`` (as in every service).

Monitoring follows ``mentorship.schedule``: when a match starts, the check-ins of the
next three months are written as ``MonitoringContact`` rows for both people; the daily
alert task keeps three months ahead (``monitoring_schedule_extend``). A pause moves
every check-in not done and due on or after the pause's first day by the pause's
length, when the match resumes. Closing removes the check-ins still to come.

A program's cadence: ``first_contact_hours``, ``first_month_contacts``, and
``contact_every_days`` — where 30 means every calendar month (MENTOR's "monthly",
on the start's day of the month), anything else that many days.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship import access, schedule
from mentorship.models import FitCheck, Match, MenteeProfile, MonitoringContact, Program, Session
from reentry.audit.log import record
from stakeholders.models import Member

#: How far ahead check-ins are written down.
SCHEDULE_AHEAD_DAYS = 92
MONTHLY_DAYS = 30

Kind = MonitoringContact.Kind
With = MonitoringContact.With


def cadence_for(program: Program) -> schedule.Cadence:
    every = program.contact_every_days
    return schedule.Cadence(
        first_contact_hours=program.first_contact_hours,
        first_month_contacts=program.first_month_contacts,
        every_days=None if every == MONTHLY_DAYS else every,
    )


def start_day(match: Match) -> date | None:
    return (
        None
        if match.started_at is None
        else match.program.collaborative.local_date(match.started_at)
    )


def _moment(program: Program, day: date) -> datetime:
    """A day as a moment: now if it is today, else noon that day, in local time."""
    if day == program.collaborative.today():
        return timezone.now()
    return datetime.combine(day, time(12, 0), tzinfo=program.collaborative.zone)


def _locked(match: Match) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))
        .select_related("program__collaborative", "mentor__applicant__member", "mentee__member")
        .get(pk=match.pk)
    )


# --- Monitoring schedule -----------------------------------------------------------------


def monitoring_schedule_extend(*, match: Match, today: date | None = None) -> int:
    """Write down the check-ins of an active match up to three months from today, for
    both people. Idempotent: what is written already is not written again. Returns how
    many rows were added."""
    start = start_day(match)
    if start is None or match.status != Match.Status.ACTIVE:
        return 0
    today = today or match.program.collaborative.today()
    until = max(today, start) + timedelta(days=SCHEDULE_AHEAD_DAYS)
    cadence = cadence_for(match.program)
    new: list[MonitoringContact] = []
    for person in (With.MENTOR, With.MENTEE):
        kept = list(
            MonitoringContact.objects.filter(match=match, with_whom=person)
            .exclude(kind=Kind.EXTRA)
            .order_by("due_on", "pk")
            .values_list("due_on", flat=True)
        )
        plan = schedule.continue_plan(
            start, cadence, scheduled=len(kept), last_due=kept[-1] if kept else None, until=until
        )
        new.extend(
            MonitoringContact(match=match, with_whom=person, kind=p.kind.value, due_on=p.due)
            for p in plan
        )
    MonitoringContact.objects.bulk_create(new)
    return len(new)


def monitoring_schedule_start(*, match: Match) -> int:
    """Called when a match starts (``proposals.match_accept``)."""
    return monitoring_schedule_extend(match=match)


@transaction.atomic
def monitoring_contact_record(
    *,
    actor: Member,
    match: Match,
    with_whom: str,
    on: date,
    method: str,
    notes: str = "",
    request=None,
) -> MonitoringContact:
    """The coordinator checked in with the mentor or the mentee on a day. It settles the
    scheduled check-in whose window that day falls in (``schedule.slot_for``); a second
    check-in in the same window is kept as an extra one."""
    match = _locked(match)
    access.require_coordinator(actor, match.program)
    if with_whom not in With.values:
        raise ValidationError({"with_whom": _("Choose the mentor or the mentee.")})
    if method not in MonitoringContact.Method.values:
        raise ValidationError({"method": _("Say how you were in touch.")})
    start = start_day(match)
    if start is None:
        raise ValidationError(_("This match has not started yet."))
    if on < start:
        raise ValidationError({"on": _("The match started on %(d)s.") % {"d": start}})
    if on > match.program.collaborative.today():
        raise ValidationError({"on": _("That day has not come yet.")})
    rows = list(
        MonitoringContact.objects.select_for_update()
        .filter(match=match, with_whom=with_whom)
        .exclude(kind=Kind.EXTRA)
        .order_by("due_on", "pk")
    )
    index = schedule.slot_for(
        on, start, [r.due_on for r in rows], [r.done_at is not None for r in rows]
    )
    contact = (
        rows[index]
        if index is not None
        else MonitoringContact(match=match, with_whom=with_whom, kind=Kind.EXTRA, due_on=on)
    )
    contact.done_at = _moment(match.program, on)
    contact.done_by = actor.user
    contact.method = method
    contact.notes = notes.strip()
    contact.full_clean()
    contact.save()
    record(
        "mentorship.monitoring_contact",
        actor=actor.user,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
        with_whom=with_whom,
        kind=contact.kind,
        due_on=str(contact.due_on),
        on=str(on),
    )
    return contact


# --- Fit check ---------------------------------------------------------------------------


@transaction.atomic
def fit_check_record(
    *,
    actor: Member,
    match: Match,
    mentor_fit: int | None,
    mentee_fit: int | None,
    concerns: str = "",
    rematch_recommended: bool = False,
    request=None,
) -> FitCheck:
    """How the match fits after the first session, as the coordinator heard it from both.
    A poor fit is where re-matching starts (``match_close(..., find_another=True)``)."""
    match = _locked(match)
    access.require_coordinator(actor, match.program)
    if match.status not in (Match.Status.ACTIVE, Match.Status.PAUSED):
        raise ValidationError(_("Only a running match has a fit check."))
    if mentor_fit is None and mentee_fit is None:
        raise ValidationError(_("Say how at least one of them feels it fits."))
    first = (
        Session.objects.filter(match=match)
        .exclude(status=Session.Status.REJECTED)
        .order_by("date", "pk")
        .first()
    )
    check = FitCheck(
        match=match,
        session=first,
        mentor_fit=mentor_fit,
        mentee_fit=mentee_fit,
        concerns=concerns.strip(),
        rematch_recommended=rematch_recommended,
        recorded_by=actor.user,
    )
    check.full_clean()
    check.save()
    record(
        "mentorship.fit_check",
        actor=actor.user,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
        poor=check.is_poor,
    )
    return check


def needs_fit_check(match: Match, *, has_session: bool, has_fit_check: bool) -> bool:
    """After the first session and before any fit check."""
    return match.status == Match.Status.ACTIVE and has_session and not has_fit_check


# --- Pause, resume, close ----------------------------------------------------------------


@transaction.atomic
def match_pause(*, actor: Member, match: Match, reason: str, request=None) -> Match:
    match = _locked(match)
    access.require_coordinator(actor, match.program)
    if match.status != Match.Status.ACTIVE:
        raise ValidationError(_("Only an active match can be paused."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the next person to look knows.")})
    match.status = Match.Status.PAUSED
    match.paused_at = timezone.now()
    match.pause_reason = reason[:300]
    match.full_clean(validate_constraints=False)
    match.save()
    record(
        "mentorship.match_paused",
        actor=actor.user,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
    )
    return match


@transaction.atomic
def match_resume(*, actor: Member, match: Match, request=None) -> Match:
    """Back to active. Check-ins not done and due on or after the pause's first day move
    later by the days paused."""
    match = _locked(match)
    access.require_coordinator(actor, match.program)
    if match.status != Match.Status.PAUSED or match.paused_at is None:
        raise ValidationError(_("Only a paused match can be resumed."))
    paused_on = match.program.collaborative.local_date(match.paused_at)
    days = (match.program.collaborative.today() - paused_on).days
    moved = 0
    if days > 0:
        rows = list(
            MonitoringContact.objects.select_for_update().filter(
                match=match, done_at__isnull=True, due_on__gte=paused_on
            )
        )
        for row in rows:
            row.due_on += timedelta(days=days)
        MonitoringContact.objects.bulk_update(rows, ["due_on"])
        moved = len(rows)
    match.status = Match.Status.ACTIVE
    match.paused_at = None
    match.save(update_fields=["status", "paused_at"])
    monitoring_schedule_extend(match=match)
    record(
        "mentorship.match_resumed",
        actor=actor.user,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
        days_paused=days,
        checkins_moved=moved,
    )
    return match


@transaction.atomic
def match_close(
    *,
    actor: Member,
    match: Match,
    reason: str,
    conversation: str,
    find_another: bool = False,
    request=None,
) -> Match:
    """Close an active or paused match with a reason and the closure conversation.

    Its sessions, check-ins done and fit checks stay (history); check-ins still to come
    are removed. ``find_another``: the mentee waits for a new mentor (re-matching, e.g.
    after a poor fit); otherwise the mentee leaves the program."""
    match = _locked(match)
    access.require_coordinator(actor, match.program)
    if match.status not in (Match.Status.ACTIVE, Match.Status.PAUSED):
        raise ValidationError(_("Only an active or paused match can be closed."))
    if reason not in Match.ClosureReason.values or reason == Match.ClosureReason.DECLINED:
        raise ValidationError({"reason": _("Choose why the match ended.")})
    conversation = conversation.strip()
    if not conversation:
        raise ValidationError(
            {"conversation": _("Write down the closure conversation: what each of them said.")}
        )
    now = timezone.now()
    match.status = Match.Status.CLOSED
    match.closed_at = now
    match.closed_by = actor.user
    match.closure_reason = reason
    match.closure_notes = conversation
    match.full_clean(validate_constraints=False)
    match.save()
    removed, _detail = MonitoringContact.objects.filter(
        match=match, done_at__isnull=True, due_on__gt=match.program.collaborative.local_date(now)
    ).delete()
    MenteeProfile.objects.filter(pk=match.mentee_id).update(
        status=MenteeProfile.Status.WAITING if find_another else MenteeProfile.Status.EXITED
    )
    record(
        "mentorship.match_closed",
        actor=actor.user,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
        reason=reason,
        find_another=find_another,
        checkins_removed=removed,
    )
    return match


def previous_match(mentee: MenteeProfile) -> Match | None:
    """The mentee's latest closed match, for a re-match to point back to."""
    return (
        Match.objects.filter(mentee=mentee, status=Match.Status.CLOSED)
        .exclude(closure_reason=Match.ClosureReason.DECLINED)
        .order_by("-closed_at", "-pk")
        .first()
    )
