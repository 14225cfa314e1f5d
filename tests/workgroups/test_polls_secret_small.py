"""A secret poll holds its totals (result, tallies, turnout) while fewer ballots were cast
than the collaborative's small-number threshold: with one voter, "1 ballot, Bus passes 1"
beside the audit log's "cast a ballot" would say who chose what."""

import pytest
from django.urls import reverse

from tests.workgroups.polls_world import keys, make_poll
from workgroups.polls import services as polls
from workgroups.polls.results import results_for, secret_results_held

pytestmark = pytest.mark.django_db

HELD = "Results of a secret poll are shown once at least 3 people have voted"


def _results_url(poll):
    return reverse("polls:results", args=[poll.collaborative.slug, poll.public_id])


def _api_url(poll):
    return f"/api/v1/collaboratives/{poll.collaborative.slug}/polls/{poll.public_id}/results/"


@pytest.fixture
def threshold_3(cast):
    cast.collab.small_cell_threshold = 3
    cast.collab.save()


def _closed_poll(cast, wg, voters, *, is_secret=True):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=is_secret)
    k = keys(poll)
    for voter in voters:
        polls.ballot_cast(actor=voter, poll=poll, choices=[k["Bus passes"]])
    polls.poll_close(actor=cast.staff_a, poll=poll)
    poll.refresh_from_db()
    return poll


def test_one_ballot_in_a_secret_poll_shows_no_totals(cast, wg, login, threshold_3):
    poll = _closed_poll(cast, wg, [cast.staff_b])
    assert results_for(poll, cast.backbone) is None
    assert secret_results_held(poll) == 3
    for who in (cast.backbone, cast.staff_a, cast.staff_b):
        response = login(who).get(_results_url(poll))
        assert response.status_code == 200
        page = response.content.decode()
        assert HELD in page
        assert "ballots counted" not in page and 'id="totals-title"' not in page
        assert response.context["turnout"] is None


def test_the_api_holds_them_too(cast, wg, login, threshold_3):
    poll = _closed_poll(cast, wg, [cast.staff_b, cast.community])
    response = login(cast.backbone).get(_api_url(poll))
    assert response.status_code == 403
    assert HELD in response.json()["detail"]


def test_they_are_shown_once_enough_people_voted(cast, wg, login, threshold_3):
    poll = _closed_poll(cast, wg, [cast.staff_a, cast.staff_b, cast.community])
    assert secret_results_held(poll) is None
    page = login(cast.staff_b).get(_results_url(poll)).content.decode()
    assert HELD not in page and "ballots counted" in page
    assert login(cast.staff_b).get(_api_url(poll)).json()["ballots"] == 3


def test_a_poll_that_is_not_secret_shows_one_ballot(cast, wg, login, threshold_3):
    poll = _closed_poll(cast, wg, [cast.staff_b], is_secret=False)
    assert secret_results_held(poll) is None
    assert login(cast.staff_a).get(_api_url(poll)).json()["ballots"] == 1
