"""Poll services (workgroups/polls/services.py): opening, eligibility, casting and
changing ballots, closing on time, audit, and results recomputed from the stored ballots."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from reentry.audit.models import AuditEvent
from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.workgroups.conftest import seat
from tests.workgroups.polls_world import expire, keys, make_poll
from workgroups.polls import access as poll_access
from workgroups.polls import selectors as poll_selectors
from workgroups.polls import services as polls
from workgroups.polls import tasks
from workgroups.polls.models import Ballot, BallotContent, Poll, PollResult, PollVoter
from workgroups.polls.results import poll_result_verify, results_for
from workgroups.verification.services import member_verify

pytestmark = pytest.mark.django_db


def test_opening_snapshots_the_groups_members_but_not_observers(cast, wg):
    seat(wg.housing, cast.observer)
    poll = make_poll(cast.staff_a, wg.housing)

    voters = set(PollVoter.objects.filter(poll=poll).values_list("member_id", flat=True))
    assert voters == {cast.staff_a.pk, cast.community.pk, cast.staff_b.pk}
    assert poll.status == Poll.Status.OPEN and poll.opened_at is not None


def test_someone_who_joins_after_opening_cannot_vote_in_a_group_poll(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    seat(wg.housing, cast.staff_c)

    refusal = poll_access.voter_refusal(poll, cast.staff_c)
    assert refusal is not None and "when the poll opened" in refusal
    with pytest.raises(PermissionDenied):
        polls.ballot_cast(actor=cast.staff_c, poll=poll, choices=[keys(poll)["Bus passes"]])
    assert not Ballot.objects.exists()


def test_collaborative_wide_poll_lets_every_member_vote_but_observers(cast, wg):
    poll = make_poll(cast.backbone, wg.housing, electorate=Poll.Electorate.COLLABORATIVE)

    assert poll_access.voter_refusal(poll, cast.staff_c) is None
    assert (
        poll_access.voter_refusal(poll, cast.observer) == "Observers follow along but do not vote."
    )
    assert poll_access.voter_refusal(poll, cast.outsider) is not None


def test_only_managers_open_and_close(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, open_now=False)
    with pytest.raises(PermissionDenied):
        polls.poll_open(actor=cast.staff_b, poll=poll)
    polls.poll_open(actor=cast.backbone, poll=poll)
    with pytest.raises(PermissionDenied):
        polls.poll_close(actor=cast.staff_b, poll=poll)


def test_a_poll_needs_two_options_to_open(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, options=["Only one"], open_now=False)
    with pytest.raises(ValidationError, match="at least two options"):
        polls.poll_open(actor=cast.staff_a, poll=poll)


def test_cast_then_change_keeps_one_ballot_and_audits_both(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=False, results_hidden_until_close=False)
    k = keys(poll)

    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["Bus passes"]])
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["ID clinic"], k["Bus passes"]])

    ballot = Ballot.objects.get()
    assert ballot.changes == 1
    assert poll_selectors.my_choices(poll, cast.staff_b) == [k["Bus passes"], k["ID clinic"]]
    events = list(AuditEvent.objects.filter(action__startswith="poll.ballot").order_by("pk"))
    assert [e.action for e in events] == ["poll.ballot_cast", "poll.ballot_changed"]
    assert events[1].details["choices"] == [k["Bus passes"], k["ID clinic"]]
    assert events[1].actor == cast.staff_b.user


def test_secret_ballot_audit_never_records_choices(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    k = keys(poll)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["Bus passes"]])
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["ID clinic"]])

    events = AuditEvent.objects.filter(action__startswith="poll.ballot")
    assert events.count() == 2
    for event in events:
        assert "choices" not in event.details
        assert k["Bus passes"] not in str(event.details)
        assert k["ID clinic"] not in str(event.details)


def test_secret_ballot_content_is_not_linked_to_the_ballot(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    k = keys(poll)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["Bus passes"]])
    polls.ballot_cast(actor=cast.community, poll=poll, choices=[k["ID clinic"]])

    contents = list(BallotContent.objects.filter(poll=poll))
    assert len(contents) == 2
    assert all(c.ballot_id is None and len(c.seal) == 64 for c in contents)
    assert str(cast.staff_b.pk) not in {c.seal for c in contents}
    # The voter can still read back and change their own ballot while the poll is open.
    assert poll_selectors.my_choices(poll, cast.staff_b) == [k["Bus passes"]]
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["Storage lockers"]])
    assert BallotContent.objects.filter(poll=poll).count() == 2


def test_closing_a_secret_poll_erases_the_key(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    k = keys(poll)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["Bus passes"]])

    polls.poll_close(actor=cast.staff_a, poll=poll)

    poll.refresh_from_db()
    assert poll.ballot_key == ""
    assert poll_selectors.my_choices(poll, cast.staff_b) is None
    assert poll_result_verify(poll)


def test_secret_poll_always_hides_results_until_close(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True, results_hidden_until_close=False)
    assert poll.results_hidden_until_close is True
    with pytest.raises(IntegrityError):
        Poll.objects.filter(pk=poll.pk).update(results_hidden_until_close=False)


def test_results_hidden_until_close_then_shown(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=False)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["Bus passes"]])
    assert results_for(poll, cast.staff_a) is None

    polls.poll_close(actor=cast.staff_a, poll=poll)
    poll.refresh_from_db()
    results = results_for(poll, cast.staff_b)
    assert results is not None and results.is_final
    assert [o.label for o in results.winners] == ["Bus passes"]


def test_open_poll_with_visible_results_shows_a_live_count(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=False, results_hidden_until_close=False)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["ID clinic"]])
    results = results_for(poll, cast.staff_a)
    assert results is not None and not results.is_final
    assert results.ballots == 1


def test_no_vote_after_closing_time_even_before_the_beat_runs(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    poll = expire(poll)

    with pytest.raises(ValidationError, match="closed"):
        polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["Bus passes"]])
    assert not Ballot.objects.exists()


def test_no_vote_after_close_by_hand(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    polls.poll_close(actor=cast.staff_a, poll=poll)
    with pytest.raises(ValidationError, match="closed"):
        polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["Bus passes"]])


def test_beat_task_opens_and_closes_on_time(cast, wg):
    scheduled = make_poll(cast.staff_a, wg.housing, open_now=False, title="Later")
    Poll.objects.filter(pk=scheduled.pk).update(opens_at=timezone.now() + timedelta(hours=1))
    polls.poll_schedule(actor=cast.staff_a, poll=scheduled)
    due = make_poll(cast.staff_a, wg.housing, title="Due")
    polls.ballot_cast(actor=cast.staff_b, poll=due, choices=[keys(due)["ID clinic"]])
    expire(due)

    assert tasks.open_and_close_polls() == [0, 1]
    assert tasks.open_and_close_polls() == [0, 0]  # safe to run twice
    due.refresh_from_db()
    assert due.status == Poll.Status.CLOSED and due.closed_by is None
    assert PollResult.objects.get(poll=due).ballots_counted == 1

    Poll.objects.filter(pk=scheduled.pk).update(opens_at=timezone.now() - timedelta(minutes=1))
    assert tasks.open_and_close_polls() == [1, 0]
    scheduled.refresh_from_db()
    assert scheduled.status == Poll.Status.OPEN
    assert AuditEvent.objects.filter(action="poll.closed", details__on_time=True).count() == 1


def test_verified_voters_only(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, verified_voters_only=True)
    refusal = poll_access.voter_refusal(poll, cast.staff_b)
    assert refusal is not None and "No ID is needed" in refusal
    member_verify(actor=cast.backbone, member=cast.staff_b)
    assert poll_access.voter_refusal(poll, cast.staff_b) is None


@pytest.mark.parametrize(
    ("method", "bad", "message"),
    [
        (Poll.Method.APPROVAL, [], "Tick at least one"),
        (Poll.Method.APPROVAL, ["nope"], "not in this poll"),
        (Poll.Method.IRV, ["A", "A"], "only once"),
        (Poll.Method.DOTS, {"A": 3}, "at most 2 dots"),
        (Poll.Method.DOTS, {"A": 2, "B": 2}, "you have 3"),
        (Poll.Method.DOTS, {"A": -1}, "zero or more"),
        (Poll.Method.DOTS, ["A"], "how many dots"),
    ],
)
def test_bad_ballots_are_refused_in_plain_words(cast, wg, method, bad, message):
    poll = make_poll(cast.staff_a, wg.housing, method=method, options=["A", "B", "C"])
    k = keys(poll)
    if isinstance(bad, dict):
        bad = {k.get(o, o): n for o, n in bad.items()}
    elif isinstance(bad, list):
        bad = [k.get(o, o) for o in bad]
    with pytest.raises(ValidationError, match=message):
        polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=bad)
    assert not Ballot.objects.exists()


def test_paper_ballot_is_marked_entered_by_whom_for_whom(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=False)
    k = keys(poll)
    ballot = polls.ballot_cast(
        actor=cast.staff_a, voter=cast.community, poll=poll, choices=[k["ID clinic"]]
    )
    assert ballot.is_paper and ballot.entered_by == cast.staff_a and ballot.voter == cast.community
    event = AuditEvent.objects.get(action="poll.paper_ballot_entered")
    assert event.actor == cast.staff_a.user
    assert event.details["voter"] == str(cast.community.public_id)


def test_paper_ballot_cannot_overwrite_a_persons_own_ballot(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    k = keys(poll)
    polls.ballot_cast(actor=cast.community, poll=poll, choices=[k["ID clinic"]])
    with pytest.raises(ValidationError, match="already voted on their own"):
        polls.ballot_cast(
            actor=cast.staff_a, voter=cast.community, poll=poll, choices=[k["Bus passes"]]
        )


def test_only_managers_enter_paper_ballots(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    with pytest.raises(PermissionDenied):
        polls.ballot_cast(
            actor=cast.staff_b, voter=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]]
        )


def test_options_are_shuffled_per_person_and_stable(cast, wg):
    labels = [f"Option {n}" for n in range(12)]
    poll = make_poll(cast.staff_a, wg.housing, options=labels)
    mine = [o.label for o in poll_selectors.options_for(poll, cast.staff_b)]
    assert mine == [o.label for o in poll_selectors.options_for(poll, cast.staff_b)]
    assert sorted(mine) == sorted(labels)
    theirs = [o.label for o in poll_selectors.options_for(poll, cast.community)]
    assert mine != theirs or mine != labels
    poll.shuffle_options = False
    assert [o.label for o in poll_selectors.options_for(poll, cast.staff_b)] == labels


def test_options_cannot_change_once_open(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    with pytest.raises(ValidationError):
        polls.poll_set_options(actor=cast.staff_a, poll=poll, labels=["X", "Y"])
    with pytest.raises(ValidationError):
        polls.poll_update(actor=cast.staff_a, poll=poll, title="Changed")


def test_electorate_counts_for_turnout(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    assert set(poll_selectors.electorate(poll)) == {cast.staff_a, cast.community, cast.staff_b}
    extra = MemberFactory(collaborative=cast.collab, role=Member.Role.COMMUNITY)
    seat(wg.housing, extra)
    assert extra not in set(poll_selectors.electorate(poll))
