"""Mentoring sessions: the mentor logs them, the coordinator approves or turns them down;
approval makes the mentor's stipend line (``mentorship.ledger``).

``actor`` is the acting ``Member``. Notes marked private are for the program's
coordinators (and the mentor who wrote them); the audit log records that a session was
logged, never its notes or topics.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentorship import access, ledger
from mentorship.models import Match, Program, Session
from mentorship.services.lifecycle import start_day
from reentry.audit.log import record
from reentry.stipends import money
from stakeholders.models import KeyArea, Member

Status = Session.Status

#: How far back a session may be logged.
LOG_BACK_DAYS = 90


@transaction.atomic
def session_log(
    *,
    actor: Member,
    match: Match,
    on: date,
    minutes: int,
    mode: str,
    key_areas: Iterable[KeyArea] = (),
    topics: str = "",
    goals_progress: str = Session.Progress.SOME,
    notes: str = "",
    private: bool = False,
    request=None,
) -> Session:
    """The mentor (or a coordinator for them) logs a session of an active or paused
    match they may log for."""
    loggable = (
        Match.objects.select_related("program__collaborative", "mentor__applicant")
        .filter(pk=match.pk, status__in=(Match.Status.ACTIVE, Match.Status.PAUSED))
        .first()
    )
    if loggable is None or not (
        access.is_mentor_in(actor, loggable) or access.coordinates(actor, loggable.program)
    ):
        raise PermissionDenied(_("You cannot log sessions for this match."))
    match = loggable
    today = match.program.collaborative.today()
    started = start_day(match)
    if on > today:
        raise ValidationError({"on": _("That day has not come yet.")})
    if started is not None and on < started:
        raise ValidationError(
            {"on": _("The match started on %(d)s.") % {"d": formats.date_format(started)}}
        )
    if (today - on).days > LOG_BACK_DAYS:
        raise ValidationError(
            {"on": _("Sessions more than %(n)s days ago cannot be logged.") % {"n": LOG_BACK_DAYS}}
        )
    areas = list(key_areas)
    if any(area.collaborative_id != match.program.collaborative_id for area in areas):
        raise ValidationError({"key_areas": _("Choose topics from the list.")})
    session = Session(
        match=match,
        date=on,
        minutes=minutes,
        mode=mode,
        topics=topics.strip(),
        goals_progress=goals_progress,
        notes=notes.strip(),
        notes_private_to_coordinator=private,
        logged_by=actor.user,
    )
    session.full_clean()
    session.save()
    session.key_areas.set(areas)
    record(
        "mentorship.session_logged",
        actor=actor.user,
        request=request,
        obj=session,
        collaborative=match.program.collaborative,
        match=str(match.public_id),
    )
    return session


def _sessions_for_review(actor: Member, program: Program, session_ids: Iterable) -> list[Session]:
    """Every id re-checked: a logged session of this program, not the actor's own as a
    mentor. One that is not answers for all (nothing changes)."""
    try:
        wanted = {uuid.UUID(str(value)) for value in session_ids}
    except ValueError as exc:
        raise ValidationError(_("Choose sessions from the list.")) from exc
    if not wanted:
        raise ValidationError(_("Choose at least one session."))
    sessions = list(
        Session.objects.filter(match__program=program, public_id__in=wanted)
        .exclude(match__mentor__applicant__member=actor)
        .select_for_update(of=("self",))
        .select_related("match__program__collaborative", "match__mentor__applicant__member")
        .order_by("date", "pk")
    )
    if len(sessions) != len(wanted):
        raise ValidationError(
            _("Some of the sessions chosen cannot be reviewed by you. Nothing was changed.")
        )
    return sessions


@dataclass(frozen=True)
class Approval:
    approved: int
    lines: int
    total: Any
    without_account: int


@transaction.atomic
def sessions_approve(
    *, actor: Member, program: Program, session_ids: Iterable, request=None
) -> Approval:
    """Approve logged sessions; each earns its mentor a stipend line under the program's
    rates and cap. Sessions already approved or turned down are left as they are."""
    access.require_coordinator(actor, program)
    sessions = [
        s for s in _sessions_for_review(actor, program, session_ids) if s.status == Status.LOGGED
    ]
    now = timezone.now()
    for session in sessions:
        session.status, session.reviewed_by, session.reviewed_at = Status.APPROVED, actor.user, now
    Session.objects.bulk_update(sessions, ["status", "reviewed_by", "reviewed_at"])
    result = ledger.stipend_lines_for_sessions(approver=actor, program=program, sessions=sessions)
    total = sum((line.amount for line in result.lines), start=money.ZERO)
    if sessions:
        record(
            "mentorship.sessions_approved",
            actor=actor.user,
            request=request,
            obj=program,
            collaborative=program.collaborative,
            sessions=[str(s.public_id) for s in sessions],
            stipend_lines=len(result.lines),
            total=str(total),
        )
    return Approval(
        approved=len(sessions),
        lines=len(result.lines),
        total=total,
        without_account=result.without_account,
    )


@transaction.atomic
def sessions_reject(
    *, actor: Member, program: Program, session_ids: Iterable, reason: str, request=None
) -> int:
    """Turn down logged sessions, with a reason the mentor sees. No stipend line."""
    access.require_coordinator(actor, program)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the mentor knows.")})
    sessions = [
        s for s in _sessions_for_review(actor, program, session_ids) if s.status == Status.LOGGED
    ]
    now = timezone.now()
    for session in sessions:
        session.status, session.rejection_reason = Status.REJECTED, reason[:300]
        session.reviewed_by, session.reviewed_at = actor.user, now
    Session.objects.bulk_update(
        sessions, ["status", "rejection_reason", "reviewed_by", "reviewed_at"]
    )
    if sessions:
        record(
            "mentorship.sessions_rejected",
            actor=actor.user,
            request=request,
            obj=program,
            collaborative=program.collaborative,
            sessions=[str(s.public_id) for s in sessions],
        )
    return len(sessions)
