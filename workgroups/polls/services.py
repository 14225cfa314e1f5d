"""Polls: set up, open, vote, close. Every write is ``<entity>_<verb>(*, actor, ...)``.

``actor`` is the acting person's ``Member`` (``request.member``), or ``None`` for the
beat task that opens and closes polls on time.

Integrity:

* one ballot per person per poll — the unique constraint on ``Ballot(poll, voter)``;
* no vote after close — ``ballot_cast`` and ``poll_close`` both lock the poll row
  (``select_for_update``), so a ballot either commits before the poll closes (and is
  counted) or sees it closed; a ballot after ``closes_at`` is refused even if the beat
  task has not run yet;
* every ballot change is audit-logged; for a secret poll without the choices;
* the result stored at close can be recomputed from the stored ballots
  (``results.poll_result_verify``).

Opening and closing a poll queue its emails (``notifications``) once the transaction
commits. How secret ballots are kept secret is explained in ``workgroups/polls/models.py``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.queue import enqueue
from stakeholders.models import Member
from workgroups.inclusion import LIVED
from workgroups.models import WorkingGroup
from workgroups.polls import notifications, voting
from workgroups.polls.access import EDITABLE_STATUSES, can_manage, voter_refusal
from workgroups.polls.models import (
    Ballot,
    BallotContent,
    Poll,
    PollOption,
    PollResult,
    PollVoter,
)
from workgroups.polls.results import compute_result
from workgroups.quickwins.models import QuickWin

MAX_OPTIONS = 40


@dataclass(frozen=True)
class LinkedOption:
    """An option that stands for a row of another app: ``field`` is the ``PollOption``
    foreign key it fills (``"indicator"``), ``target`` the row (of this collaborative).
    The app that owns the rows builds these (``indicators/polls.py``)."""

    field: str
    target: Model
    label: str
    description: str = ""
    label_es: str = ""


def _check_manager(actor: Member, poll_or_group: Poll | WorkingGroup) -> None:
    allowed = (
        can_manage(actor, poll_or_group)
        if isinstance(poll_or_group, Poll)
        else poll_or_group.is_managed_by(actor)
    )
    if not allowed:
        raise PermissionDenied(_("Only the group's chairs and backbone staff can do that."))


def _audit(action: str, *, actor: Member | None, poll: Poll, request=None, **details) -> None:
    record(
        action,
        actor=actor.user if actor is not None else None,
        request=request,
        collaborative=poll.collaborative,
        obj=poll,
        **details,
    )


# --- setting a poll up --------------------------------------------------------------


def _clean_labels(labels: Iterable[str], labels_es: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Each text option once, with its Spanish (given line by line, in the same order)."""
    cleaned: dict[str, str] = {}
    spanish = [" ".join(str(label).split())[:200] for label in labels_es]
    for n, label in enumerate(labels):
        label = " ".join(str(label).split())[:200]
        if label and label not in cleaned:
            cleaned[label] = spanish[n] if n < len(spanish) else ""
    return list(cleaned.items())


@transaction.atomic
def poll_create(
    *,
    actor: Member,
    group: WorkingGroup,
    title: str,
    method: str,
    opens_at: datetime,
    closes_at: datetime,
    options: Iterable[str] = (),
    options_es: Iterable[str] = (),
    quick_wins: Iterable[QuickWin] = (),
    linked: Iterable[LinkedOption] = (),
    request=None,
    **fields: Any,
) -> Poll:
    """A draft poll with its options (plain texts, then quick wins, then options other
    apps offer, such as candidate indicators)."""
    if group.collaborative_id != actor.collaborative_id:
        raise PermissionDenied
    _check_manager(actor, group)
    poll = Poll(
        group=group,
        collaborative_id=group.collaborative_id,
        title=title,
        method=method,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
        **fields,
    )
    poll.full_clean()
    poll.save()
    poll_set_options(
        actor=actor,
        poll=poll,
        labels=options,
        labels_es=options_es,
        quick_wins=quick_wins,
        linked=linked,
    )
    _audit("poll.created", actor=actor, poll=poll, request=request)
    return poll


@transaction.atomic
def poll_update(*, actor: Member, poll: Poll, request=None, **fields: Any) -> Poll:
    """Change a poll's settings while it is being prepared or waiting to open."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _check_manager(actor, poll)
    if poll.status not in EDITABLE_STATUSES:
        raise ValidationError(_("A poll cannot be changed once it has opened."))
    if "group" in fields and fields["group"].collaborative_id != poll.collaborative_id:
        raise PermissionDenied
    changed = sorted(k for k, v in fields.items() if getattr(poll, k) != v)
    for key, value in fields.items():
        setattr(poll, key, value)
    poll.full_clean()
    poll.save()
    if changed:
        _audit("poll.updated", actor=actor, poll=poll, request=request, fields=changed)
    return poll


@transaction.atomic
def poll_set_options(
    *,
    actor: Member,
    poll: Poll,
    labels: Iterable[str] = (),
    labels_es: Iterable[str] = (),
    quick_wins: Iterable[QuickWin] = (),
    linked: Iterable[LinkedOption] = (),
) -> list[PollOption]:
    """Replace the options of a poll that has not opened: texts first, then quick wins,
    then linked options such as candidate indicators (each once, from this collaborative).
    ``labels_es`` are the texts' Spanish versions, line for line (optional); quick wins and
    linked rows bring their own."""
    _check_manager(actor, poll)
    if poll.status not in EDITABLE_STATUSES:
        raise ValidationError(_("The options cannot change once the poll has opened."))
    texts = _clean_labels(labels, labels_es)
    wins = list(dict.fromkeys(quick_wins))
    for quick_win in wins:
        if quick_win.collaborative_id != poll.collaborative_id:
            raise PermissionDenied
    others = list({(o.field, o.target.pk): o for o in linked}.values())
    for other in others:
        if getattr(other.target, "collaborative_id", None) != poll.collaborative_id:
            raise PermissionDenied
    if len(texts) + len(wins) + len(others) > MAX_OPTIONS:
        raise ValidationError(
            _("A poll can have at most %(count)d options.") % {"count": MAX_OPTIONS}
        )
    poll.options.all().delete()
    created = [
        PollOption(poll=poll, label=label, label_es=label_es, position=n)
        for n, (label, label_es) in enumerate(texts, start=1)
    ]
    created += [
        PollOption(
            poll=poll,
            label=qw.title[:200],
            label_es=qw.title_es[:200],
            quick_win=qw,
            position=len(texts) + n,
        )
        for n, qw in enumerate(wins, start=1)
    ]
    created += [
        PollOption(
            poll=poll,
            label=other.label[:200],
            label_es=other.label_es[:200],
            description=other.description[:2000],
            position=len(texts) + len(wins) + n,
            **{other.field: other.target},
        )
        for n, other in enumerate(others, start=1)
    ]
    return PollOption.objects.bulk_create(created)


def _check_ready(poll: Poll, options: list[PollOption], now: datetime) -> None:
    if len(options) < 2:
        raise ValidationError(_("A poll needs at least two options."))
    if poll.seats > len(options):
        raise ValidationError(
            _("The poll asks for %(seats)d winners but has only %(count)d options.")
            % {"seats": poll.seats, "count": len(options)}
        )
    if poll.closes_at <= now:
        raise ValidationError(_("Set a closing time in the future first."))


@transaction.atomic
def poll_schedule(*, actor: Member, poll: Poll, request=None) -> Poll:
    """Ready: the poll opens by itself at its opening time (or now, if that has passed)."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _check_manager(actor, poll)
    if poll.status != Poll.Status.DRAFT:
        raise ValidationError(_("Only a poll being prepared can be scheduled."))
    _check_ready(poll, list(poll.options.all()), timezone.now())
    poll.status = Poll.Status.SCHEDULED
    poll.save(update_fields=["status", "updated_at"])
    _audit("poll.scheduled", actor=actor, poll=poll, request=request)
    if poll.opens_at <= timezone.now():
        return poll_open(actor=actor, poll=poll, request=request)
    return poll


@transaction.atomic
def poll_open(*, actor: Member | None, poll: Poll, request=None) -> Poll:
    """Open the poll now. For a group poll, the group's members at this moment (not
    observers) become its voters. ``actor`` None: the beat task, at the opening time."""
    poll = Poll.objects.select_for_update().select_related("group").get(pk=poll.pk)
    if actor is not None:
        _check_manager(actor, poll)
    if poll.status not in EDITABLE_STATUSES:
        raise ValidationError(_("This poll is already open or closed."))
    now = timezone.now()
    _check_ready(poll, list(poll.options.all()), now)
    if poll.electorate == Poll.Electorate.GROUP:
        people = poll.group.active_people().exclude(role=Member.Role.OBSERVER)
        PollVoter.objects.bulk_create(
            [PollVoter(poll=poll, member_id=pk) for pk in people.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )
    poll.status = Poll.Status.OPEN
    poll.opened_at = now
    poll.save(update_fields=["status", "opened_at", "updated_at"])
    _audit(
        "poll.opened",
        actor=actor,
        poll=poll,
        request=request,
        voters=poll.voters.count() if poll.electorate == Poll.Electorate.GROUP else None,
    )
    enqueue(notifications.send_poll_opened, poll.pk)
    return poll


@transaction.atomic
def poll_close(*, actor: Member | None, poll: Poll, request=None) -> PollResult:
    """Close the poll, count it and store the result. For a secret poll the ballot key
    is erased, so no ballot can be linked to a person any more. ``actor`` None: the beat
    task, at the closing time."""
    poll = Poll.objects.select_for_update().select_related("collaborative").get(pk=poll.pk)
    if actor is not None:
        _check_manager(actor, poll)
    if poll.status == Poll.Status.CLOSED:
        if actor is not None:
            raise ValidationError(_("This poll is already closed."))
        return poll.result
    if poll.status != Poll.Status.OPEN:
        raise ValidationError(_("Only an open poll can be closed."))
    now = timezone.now()
    data = compute_result(poll, threshold=poll.collaborative.small_cell_threshold)
    result = PollResult.objects.create(
        poll=poll, data=data, ballots_counted=data["ballots"], computed_at=now
    )
    poll.status = Poll.Status.CLOSED
    poll.closed_at = now
    poll.closed_by = actor
    fields = ["status", "closed_at", "closed_by", "updated_at"]
    if poll.is_secret:
        poll.ballot_key = ""
        fields.append("ballot_key")
    poll.save(update_fields=fields)
    _audit(
        "poll.closed",
        actor=actor,
        poll=poll,
        request=request,
        ballots=data["ballots"],
        on_time=actor is None,
    )
    enqueue(notifications.send_poll_results, poll.pk)
    return result


def polls_open_and_close_due(*, now: datetime | None = None) -> tuple[int, int]:
    """The beat task's work: open scheduled polls whose time has come and close open
    polls whose time is up. Each poll in its own transaction; safe to run twice."""
    now = now or timezone.now()
    opened = closed = 0
    due_open = Poll.objects.filter(status=Poll.Status.SCHEDULED, opens_at__lte=now)
    for poll in due_open.order_by("opens_at", "pk"):
        try:
            poll_open(actor=None, poll=poll)
        except ValidationError:
            continue  # opened (or closed) meanwhile, or not ready: left as it is
        opened += 1
    due_close = Poll.objects.filter(status=Poll.Status.OPEN, closes_at__lte=now)
    for poll in due_close.order_by("closes_at", "pk"):
        poll_close(actor=None, poll=poll)
        closed += 1
    return opened, closed


# --- casting a ballot ------------------------------------------------------------------


def _disclosed_lived_experience(member: Member) -> bool:
    """Whether the ballot counts on the lived-experience side of the split and of the
    double-majority rule: only when the voter shared their answer with the whole
    collaborative. The result (and the outcome the rule decides) is shown to every
    member, so it may rest only on answers every member may see; an answer shared with
    backbone staff only is for stipends and inclusion reports."""
    return member.lived_experience in LIVED and (
        member.lived_experience_visibility in Member.visibilities_shown_to(None)
    )


# --- choices -------------------------------------------------------------------------


def _choices_error(message: str) -> ValidationError:
    return ValidationError(message, code="choices")


def clean_choices(poll: Poll, choices: Any, keys: list[str]) -> list[str] | dict[str, int]:
    """The ballot as the counting functions take it, or a ValidationError in plain words."""
    known = set(keys)
    if poll.method == Poll.Method.DOTS:
        if not isinstance(choices, Mapping):
            raise _choices_error(_("Say how many dots go on each option."))
        dots: dict[str, int] = {}
        for key, value in choices.items():
            if key not in known:
                raise _choices_error(_("One of the options is not in this poll."))
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _choices_error(_("Dots must be whole numbers, zero or more."))
            if value > (poll.max_dots_per_option or 0):
                raise _choices_error(
                    _("You can put at most %(max)d dots on one option.")
                    % {"max": poll.max_dots_per_option}
                )
            if value:
                dots[key] = value
        used = sum(dots.values())
        if used > (poll.dots_per_voter or 0):
            raise _choices_error(
                _("You used %(used)d dots; you have %(max)d.")
                % {"used": used, "max": poll.dots_per_voter}
            )
        if not dots:
            raise _choices_error(_("Put at least one dot on an option."))
        return {k: dots[k] for k in keys if k in dots}
    if isinstance(choices, (str, Mapping)) or not isinstance(choices, Iterable):
        raise _choices_error(_("Choose from the options of this poll."))
    picked = list(choices)
    if any(not isinstance(k, str) or k not in known for k in picked):
        raise _choices_error(_("One of the options is not in this poll."))
    if len(set(picked)) != len(picked):
        raise _choices_error(_("Each option can be chosen only once."))
    if not picked:
        if poll.method == Poll.Method.IRV:
            raise _choices_error(_("Rank at least one option."))
        raise _choices_error(_("Tick at least one option."))
    if poll.method == Poll.Method.APPROVAL:
        return [k for k in keys if k in set(picked)]
    return picked


def _count_one(poll: Poll, keys: list[str], ballot: list[str] | dict[str, int]) -> None:
    """A last check that the counting functions accept this ballot as it will be stored."""
    try:
        if poll.method == Poll.Method.DOTS:
            assert isinstance(ballot, dict)  # noqa: S101 - clean_choices returns a dict here
            voting.count_dots(
                keys,
                [ballot],
                dots_per_voter=poll.dots_per_voter or 0,
                max_per_option=poll.max_dots_per_option or 0,
            )
        elif poll.method == Poll.Method.IRV:
            voting.count_irv(keys, [list(ballot)], seats=min(poll.seats, len(keys)))
        else:
            voting.count_approval(keys, [list(ballot)])
    except ValueError as exc:
        raise _choices_error(str(exc)) from exc


def _lock_open_poll(poll: Poll) -> Poll:
    locked = Poll.objects.select_for_update().select_related("group").get(pk=poll.pk)
    if locked.status != Poll.Status.OPEN or locked.closes_at <= timezone.now():
        raise ValidationError(_("This poll has closed. Ballots can no longer be cast or changed."))
    return locked


def ballot_cast(
    *,
    actor: Member,
    poll: Poll,
    choices: Any,
    voter: Member | None = None,
    request=None,
) -> Ballot:
    """Cast or change a ballot. ``voter`` other than ``actor``: a paper ballot collected
    at a gathering and typed in by a group chair or backbone staff (``actor``), marked as
    entered by them for ``voter``; it cannot overwrite a ballot the person cast
    themself. Raises PermissionDenied (not eligible) or ValidationError."""
    voter = voter or actor
    paper = voter.pk != actor.pk
    for attempt in range(2):
        try:
            return _ballot_cast(actor, poll, choices, voter, paper, request)
        except IntegrityError:
            # Only possible without the poll lock (SQLite); the row exists now: update it.
            if attempt:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _ballot_cast(
    actor: Member, poll: Poll, choices: Any, voter: Member, paper: bool, request
) -> Ballot:
    poll = _lock_open_poll(poll)
    if paper:
        if not can_manage(actor, poll):
            raise PermissionDenied(
                _("Only the group's chairs and backbone staff can enter paper ballots.")
            )
        if voter.collaborative_id != poll.collaborative_id:
            raise PermissionDenied(_("Only members of this collaborative can vote."))
    refusal = voter_refusal(poll, voter)
    if refusal:
        raise PermissionDenied(refusal)
    keys = [o.key for o in poll.options.all()]
    cleaned = clean_choices(poll, choices, keys)
    _count_one(poll, keys, cleaned)

    ballot = Ballot.objects.filter(poll=poll, voter=voter).first()
    changed = ballot is not None
    if ballot is not None:
        if paper and not ballot.is_paper:
            raise ValidationError(
                _("%(name)s has already voted on their own. Only they can change their ballot.")
                % {"name": voter.user.name or voter.user.email}
            )
        ballot.changes += 1
        if paper:
            ballot.entered_by = actor
        elif ballot.is_paper:
            # The person changes, on their own device, a ballot staff typed in for them.
            ballot.is_paper = False
            ballot.entered_by = None
        ballot.save()
    else:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                poll=poll, voter=voter, is_paper=paper, entered_by=actor if paper else None
            )

    lived = _disclosed_lived_experience(voter)
    if poll.is_secret:
        BallotContent.objects.update_or_create(
            poll=poll,
            seal=poll.seal_for(voter),
            defaults={"choices": cleaned, "lived_experience": lived},
        )
    else:
        BallotContent.objects.update_or_create(
            ballot=ballot,
            defaults={"poll": poll, "choices": cleaned, "lived_experience": lived},
        )

    action = {
        (False, False): "poll.ballot_cast",
        (False, True): "poll.ballot_changed",
        (True, False): "poll.paper_ballot_entered",
        (True, True): "poll.paper_ballot_changed",
    }[(paper, changed)]
    details: dict[str, Any] = {"ballot": str(ballot.public_id)}
    if paper:
        details["voter"] = str(voter.public_id)
    if not poll.is_secret:
        details["choices"] = cleaned
    _audit(action, actor=actor, poll=poll, request=request, **details)
    return ballot
