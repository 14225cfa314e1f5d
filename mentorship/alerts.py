"""Alerts of the mentoring program, sent by email from the Celery tasks in
``mentorship/tasks.py`` (daily, in ``CELERY_BEAT_SCHEDULE``):

- **No session for a while**: an active match with no session for the program's
  ``quiet_alert_days`` (21 by default) — to the mentor and the coordinators, once per
  quiet spell (the spell is keyed by the day of the last session, or the start).
- **A release date is near**: a mentee waiting or matched whose release date is within
  the program's ``release_alert_days`` — to the coordinators, once per release date.
  The release date is a mentee detail beyond the match, so never to the mentor.
- **Check-ins due**: a digest to each coordinator of the check-ins overdue or due today
  in their program — once a day, only when there are any.

Claim-before-send (``SentAlert`` through ``reentry.claims.claim_once``): a claim row per
(kind, object, person, day) under a unique constraint, inserted with ON CONFLICT DO
NOTHING under a fresh claim id in the transaction that queues the email; only the rows
of this run's claim are emailed, so a retry or two workers at once send nothing twice.
Only people who chose email (``Member.contact_by_email``) hear from us.

The daily run also keeps every active match's check-ins written three months ahead
(``lifecycle.monitoring_schedule_extend``).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from mentorship.models import Match, MenteeProfile, MonitoringContact, Program, SentAlert, Session
from mentorship.services import lifecycle
from reentry.audit.log import record
from reentry.claims import claim_once
from reentry.mail import send_templated_email
from stakeholders.access import unsubscribe_url
from stakeholders.models import Member

Kind = SentAlert.Kind


def _emailable(members) -> list[Member]:
    return list(
        members.filter(is_active=True, contact_by_email=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def _coordinators(program: Program) -> list[Member]:
    return _emailable(program.coordinators.all())


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def active_programs() -> list[int]:
    return list(Program.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))


# --- No session for a while ----------------------------------------------------------------


def quiet_matches(program: Program, today: date) -> list[tuple[Match, date]]:
    """Active matches with no session (not turned down) for ``quiet_alert_days``, with
    the day the quiet spell began (the last session, or the start)."""
    matches = (
        Match.objects.filter(program=program, status=Match.Status.ACTIVE)
        .annotate(
            last_session=Max("sessions__date", filter=~Q(sessions__status=Session.Status.REJECTED))
        )
        .select_related("mentor__applicant__member__user", "mentee")
        .order_by("pk")
    )
    quiet: list[tuple[Match, date]] = []
    for match in matches:
        since = match.last_session or lifecycle.start_day(match)
        if since is not None and (today - since).days >= program.quiet_alert_days:
            quiet.append((match, since))
    return quiet


# --- Sending ---------------------------------------------------------------------------------


@transaction.atomic
def program_alerts_send(*, program_id: int, today: date | None = None) -> int:
    """Every alert of one program for today, each person at most once. Returns how many
    emails were queued."""
    program = (
        Program.objects.select_related("collaborative")
        .filter(pk=program_id, is_active=True)
        .first()
    )
    if program is None:
        return 0
    today = today or program.collaborative.today()
    collab = program.collaborative
    coordinators = _coordinators(program)
    settings_url = _url("stakeholders:profile", slug=collab.slug)
    sent = 0

    for match in Match.objects.filter(program=program, status=Match.Status.ACTIVE).select_related(
        "program__collaborative"
    ):
        lifecycle.monitoring_schedule_extend(match=match, today=today)

    with timezone.override(collab.time_zone):
        for match, since in quiet_matches(program, today):
            mentor = match.mentor.applicant.member
            people = list(coordinators)
            if mentor is not None and mentor.contact_by_email and mentor.is_active:
                people.append(mentor)
            claimed = claim_once(
                SentAlert,
                kind=Kind.QUIET,
                object_key=str(match.public_id),
                on_date=since,
                members=people,
            )
            url = _url(
                "mentorship:match",
                slug=collab.slug,
                program_id=program.public_id,
                match_id=match.public_id,
            )
            for person in people:
                if person.pk not in claimed:
                    continue
                send_templated_email(
                    "mentoring-quiet",
                    to=person.user.email,
                    language=person.user.preferred_language,
                    unsubscribe_url=unsubscribe_url(person, "mentoring-quiet", slug=collab.slug),
                    context={
                        "member": person,
                        "program": program,
                        "match": match,
                        "since": since,
                        "days": (today - since).days,
                        "is_mentor": mentor is not None and person.pk == mentor.pk,
                        "url": url,
                        "log_url": _url("mentorship:session_log", slug=collab.slug)
                        + f"?match={match.public_id}",
                        "collaborative": collab,
                        "settings_url": settings_url,
                    },
                )
                sent += 1

        horizon = today + timedelta(days=program.release_alert_days)
        releasing = (
            MenteeProfile.objects.filter(
                program=program,
                release_date__gte=today,
                release_date__lte=horizon,
                status__in=(MenteeProfile.Status.WAITING, MenteeProfile.Status.MATCHED),
            )
            .annotate(
                has_match=Exists(
                    Match.objects.filter(
                        mentee_id=OuterRef("pk"), status__in=("proposed", "active", "paused")
                    )
                )
            )
            .order_by("release_date", "pk")
        )
        for mentee in releasing:
            release = mentee.release_date
            if release is None:  # filtered out above; narrows the type
                continue
            claimed = claim_once(
                SentAlert,
                kind=Kind.RELEASE,
                object_key=str(mentee.public_id),
                on_date=release,
                members=coordinators,
            )
            for person in coordinators:
                if person.pk not in claimed:
                    continue
                send_templated_email(
                    "mentoring-release",
                    to=person.user.email,
                    language=person.user.preferred_language,
                    unsubscribe_url=unsubscribe_url(person, "mentoring-release", slug=collab.slug),
                    context={
                        "member": person,
                        "program": program,
                        "mentee": mentee,
                        "days": (release - today).days,
                        "url": _url(
                            "mentorship:suggestions",
                            slug=collab.slug,
                            program_id=program.public_id,
                            mentee_id=mentee.public_id,
                        ),
                        "collaborative": collab,
                        "settings_url": settings_url,
                    },
                )
                sent += 1

        later_done = MonitoringContact.objects.filter(
            match_id=OuterRef("match_id"),
            with_whom=OuterRef("with_whom"),
            due_on__gt=OuterRef("due_on"),
            done_at__isnull=False,
        ).exclude(kind=MonitoringContact.Kind.EXTRA)
        due = (
            MonitoringContact.objects.filter(
                match__program=program,
                match__status=Match.Status.ACTIVE,
                done_at__isnull=True,
                due_on__lte=today,
            )
            .exclude(kind=MonitoringContact.Kind.EXTRA)
            .exclude(Exists(later_done))
        )
        overdue = due.filter(due_on__lt=today).count()
        due_today = due.filter(due_on=today).count()
        if overdue or due_today:
            claimed = claim_once(
                SentAlert,
                kind=Kind.CONTACT_DUE,
                object_key=str(program.public_id),
                on_date=today,
                members=coordinators,
            )
            for person in coordinators:
                if person.pk not in claimed:
                    continue
                send_templated_email(
                    "mentoring-checkins",
                    to=person.user.email,
                    language=person.user.preferred_language,
                    unsubscribe_url=unsubscribe_url(person, "mentoring-checkins", slug=collab.slug),
                    context={
                        "member": person,
                        "program": program,
                        "overdue": overdue,
                        "due_today": due_today,
                        "url": _url(
                            "mentorship:checkins", slug=collab.slug, program_id=program.public_id
                        ),
                        "collaborative": collab,
                        "settings_url": settings_url,
                    },
                )
                sent += 1
    if sent:
        record("mentorship.alerts_sent", collaborative=collab, obj=program, emails=sent)
    return sent
