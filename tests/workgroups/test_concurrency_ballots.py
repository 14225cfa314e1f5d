"""One ballot per person per poll, also when the same person submits twice at the same
instant: real concurrent transactions on PostgreSQL (each thread has its own database
connection), released together by a barrier. CI runs this on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections

from reentry.audit.models import AuditEvent
from tests.workgroups.polls_world import keys, make_poll
from workgroups.polls import results as poll_results
from workgroups.polls import services as polls
from workgroups.polls.models import Ballot, BallotContent, Poll, PollResult

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: SQLite serializes every write, so there is no race to prove. "
        "CI runs it with DATABASE_URL pointing at PostgreSQL.",
    ),
]

THREADS = 6


def _race(work, n: int = THREADS) -> tuple[list, list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            value = work(i)
            with lock:
                results.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


@pytest.mark.parametrize("secret", [False, True])
def test_same_person_at_the_same_instant_gets_exactly_one_ballot(cast, wg, secret):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=secret)
    k = list(keys(poll).values())

    results, errors = _race(
        lambda i: polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k[i % len(k)]])
    )

    assert errors == []
    assert len(results) == THREADS
    assert Ballot.objects.filter(poll=poll, voter=cast.staff_b).count() == 1
    assert BallotContent.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.get().changes == THREADS - 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="poll.ballot").values_list("action", flat=True)
    )
    assert sorted(actions) == ["poll.ballot_cast"] + ["poll.ballot_changed"] * (THREADS - 1)


def test_same_person_through_real_requests_gets_one_ballot_and_no_500(cast, wg):
    from django.test import Client

    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    k = list(keys(poll).values())
    url = f"/c/{cast.collab.slug}/polls/{poll.public_id}/vote/"
    clients = []
    for _ in range(THREADS):
        c = Client()
        c.force_login(cast.staff_b.user)
        clients.append(c)

    results, errors = _race(
        lambda i: clients[i].post(url, {"approve": [k[i % len(k)]]}).status_code
    )

    assert errors == []
    assert sorted(results) == [302] * THREADS
    assert Ballot.objects.filter(poll=poll, voter=cast.staff_b).count() == 1
    assert BallotContent.objects.filter(poll=poll).count() == 1


def test_a_ballot_racing_the_close_is_either_counted_or_refused(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=False)
    k = list(keys(poll).values())
    voters = [cast.staff_b, cast.community, cast.staff_a]

    def work(i: int):
        if i == len(voters):
            return polls.poll_close(actor=cast.staff_a, poll=poll)
        try:
            return polls.ballot_cast(actor=voters[i], poll=poll, choices=[k[0]])
        except Exception as exc:  # noqa: BLE001
            return exc

    _results, errors = _race(work, n=len(voters) + 1)

    assert errors == []
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    stored = PollResult.objects.get(poll=poll)
    # Every ballot that exists was counted: none slipped in after the close.
    assert stored.ballots_counted == Ballot.objects.filter(poll=poll).count()
    assert poll_results.poll_result_verify(poll)
