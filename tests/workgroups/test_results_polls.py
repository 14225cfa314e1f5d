"""Poll results (workgroups/polls/results.py): the stored result matches a recount of the
stored ballots, IRV rounds on the page, the lived-experience split only above the
small-number threshold, double majority, quorum and turnout."""

import pytest
from django.urls import reverse

from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.workgroups.conftest import seat
from tests.workgroups.polls_world import keys, make_poll
from workgroups.polls import selectors as poll_selectors
from workgroups.polls import services as polls
from workgroups.polls.models import BallotContent, Poll, PollResult
from workgroups.polls.results import compute_result, poll_result_verify, results_for, turnout

pytestmark = pytest.mark.django_db

LIVED = {
    "lived_experience": Member.LivedExperience.YES,
    "lived_experience_visibility": Member.Visibility.COLLABORATIVE,
}


def people(cast, group, n, **kw):
    made = [
        MemberFactory(collaborative=cast.collab, role=Member.Role.COMMUNITY, **kw) for _ in range(n)
    ]
    for person in made:
        seat(group, person)
    return made


def results_url(poll):
    return reverse("polls:results", args=[poll.collaborative.slug, poll.public_id])


def test_irv_hand_worked_with_rounds_stored_and_recomputed(cast, wg, login):
    cast.collab.small_cell_threshold = 3  # a secret poll shows its count from 3 ballots
    cast.collab.save()
    voters = people(cast, wg.housing, 7)
    poll = make_poll(cast.staff_a, wg.housing, method=Poll.Method.IRV, options=["A", "B", "C"])
    k = keys(poll)
    ballots = [["A", "B"], ["A", "C"], ["A"], ["B", "C"], ["B", "C"], ["C", "B"], ["C", "B"]]
    for voter, ballot in zip(voters, ballots, strict=True):
        polls.ballot_cast(actor=voter, poll=poll, choices=[k[o] for o in ballot])

    result = polls.poll_close(actor=cast.staff_a, poll=poll)

    rounds = result.data["counts"][0]["rounds"]
    # Round 1: A 3, B 2, C 2 (tied for last; C goes out by option order after equal history).
    assert rounds[0]["tallies"] == {k["A"]: 3, k["B"]: 2, k["C"]: 2}
    assert rounds[0]["tied_for_last"] == [k["B"], k["C"]]
    assert rounds[0]["eliminated"] == [k["C"]]
    # Round 2: C's ballots go to B: B 4 of 7 wins.
    assert rounds[1]["tallies"] == {k["A"]: 3, k["B"]: 4}
    assert rounds[1]["winner"] == k["B"]
    assert result.data["winners"] == [k["B"]]
    poll.refresh_from_db()
    assert poll_result_verify(poll)

    page = login(cast.staff_b).get(results_url(poll)).content.decode()
    assert "Round by round" in page and "Round 2" in page
    assert "B wins with more than half" in page


def test_recount_catches_a_tampered_ballot(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=False)
    k = keys(poll)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["Bus passes"]])
    polls.poll_close(actor=cast.staff_a, poll=poll)
    assert poll_result_verify(poll)

    BallotContent.objects.filter(poll=poll).update(choices=[k["ID clinic"]])
    assert not poll_result_verify(poll)


def test_several_winners_give_a_full_ordering(cast, wg):
    voters = people(cast, wg.housing, 5)
    poll = make_poll(
        cast.staff_a, wg.housing, method=Poll.Method.IRV, options=["A", "B", "C"], seats=2
    )
    k = keys(poll)
    for voter, ballot in zip(
        voters, [["A", "B"], ["A", "B"], ["A", "C"], ["B"], ["C", "B"]], strict=True
    ):
        polls.ballot_cast(actor=voter, poll=poll, choices=[k[o] for o in ballot])
    result = polls.poll_close(actor=cast.staff_a, poll=poll)
    assert result.data["winners"] == [k["A"], k["B"]]
    assert len(result.data["counts"]) == 2


def test_dots_totals(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, method=Poll.Method.DOTS)
    k = keys(poll)
    polls.ballot_cast(
        actor=cast.staff_b, poll=poll, choices={k["Bus passes"]: 2, k["ID clinic"]: 1}
    )
    polls.ballot_cast(actor=cast.community, poll=poll, choices={k["ID clinic"]: 2})
    data = polls.poll_close(actor=cast.staff_a, poll=poll).data
    assert data["totals"] == {k["Bus passes"]: 2, k["Storage lockers"]: 0, k["ID clinic"]: 3}
    assert data["supporters"][k["ID clinic"]] == 2
    assert data["winners"] == [k["ID clinic"]]


def test_split_hidden_below_the_threshold(cast, wg, login):
    cast.collab.small_cell_threshold = 3
    cast.collab.save()
    lived = people(cast, wg.housing, 2, **LIVED)
    poll = make_poll(cast.staff_a, wg.housing, double_majority=True)
    k = keys(poll)
    for voter in [*lived, cast.staff_b, cast.staff_a, cast.community]:
        polls.ballot_cast(actor=voter, poll=poll, choices=[k["Bus passes"]])
    data = polls.poll_close(actor=cast.staff_a, poll=poll).data

    assert data["split_shown"] is False and data["split"] is None
    assert data["double_majority"] is None
    page = login(cast.staff_b).get(results_url(poll)).content.decode()
    assert "is shown only when each side has at least 3 voters" in page
    assert "double-majority rule could not be applied" in page


def test_split_and_double_majority_when_both_sides_are_big_enough(cast, wg, login):
    cast.collab.small_cell_threshold = 3
    cast.collab.save()
    lived = people(cast, wg.housing, 3, **LIVED)
    # Said yes but chose "only me": counted as everyone else, never as lived experience.
    hidden = people(
        cast,
        wg.housing,
        1,
        lived_experience=Member.LivedExperience.YES,
        lived_experience_visibility=Member.Visibility.ONLY_ME,
    )
    others = [cast.staff_b, cast.staff_a, *hidden]
    poll = make_poll(cast.staff_a, wg.housing, double_majority=True)
    k = keys(poll)
    for voter in lived:
        polls.ballot_cast(actor=voter, poll=poll, choices=[k["ID clinic"], k["Bus passes"]])
    for voter in others:
        polls.ballot_cast(actor=voter, poll=poll, choices=[k["Bus passes"]])

    data = polls.poll_close(actor=cast.staff_a, poll=poll).data

    assert data["split"]["lived_experience"]["ballots"] == 3
    assert data["split"]["others"]["ballots"] == 3
    assert data["double_majority"][k["Bus passes"]]["passes"] is True
    assert data["double_majority"][k["ID clinic"]]["passes"] is False  # others: 0 of 3
    poll.refresh_from_db()
    assert poll_result_verify(poll)
    page = login(cast.community).get(results_url(poll)).content.decode()
    assert "People with lived experience" in page and "Passes" in page and "Does not pass" in page


def test_stored_threshold_is_used_for_a_recount(cast, wg):
    cast.collab.small_cell_threshold = 1
    cast.collab.save()
    poll = make_poll(cast.staff_a, wg.housing)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["ID clinic"]])
    polls.poll_close(actor=cast.staff_a, poll=poll)
    cast.collab.small_cell_threshold = 11
    cast.collab.save()
    poll.refresh_from_db()
    assert poll_result_verify(poll)


def test_quorum_not_met_is_said_plainly(cast, wg, login):
    # Not secret: a secret poll with one ballot shows no count at all.
    poll = make_poll(cast.staff_a, wg.housing, quorum=3, is_secret=False)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["ID clinic"]])
    data = polls.poll_close(actor=cast.staff_a, poll=poll).data
    assert data["quorum_met"] is False
    page = login(cast.staff_b).get(results_url(poll)).content.decode()
    assert "The quorum was not reached" in page


def test_results_hidden_page_while_open(cast, wg, login):
    poll = make_poll(cast.staff_a, wg.housing)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["ID clinic"]])
    for member in (cast.backbone, cast.staff_a, cast.staff_b):
        page = login(member).get(results_url(poll))
        assert page.status_code == 200
        assert "Results are hidden until the poll closes" in page.content.decode()
        assert results_for(poll, member) is None


def test_turnout_by_constituency(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]])
    rows = {r.label: r for r in turnout(poll, poll_selectors.electorate(poll), cast.staff_b)}
    assert (rows["Everyone"].voted, rows["Everyone"].eligible) == (1, 3)
    # Each constituency is a small number (1 of 1, 0 of 2): hidden, saying why.
    for label in ("Community member", "Organization staff", "People with lived experience"):
        assert (rows[label].voted, rows[label].eligible) == (None, None)
        assert rows[label].reason is not None


def test_compute_result_has_no_voter_information(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=False)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["ID clinic"]])
    data = compute_result(poll, threshold=11)
    text = str(data)
    assert str(cast.staff_b.public_id) not in text and cast.staff_b.user.email not in text


def test_closed_result_is_stored_once(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    polls.poll_close(actor=cast.staff_a, poll=poll)
    assert PollResult.objects.filter(poll=poll).count() == 1
    assert polls.polls_open_and_close_due() == (0, 0)


def test_a_backbone_only_answer_is_not_on_the_lived_experience_side(cast, wg, login):
    """The split and the double-majority outcome are shown to every member, so a voter
    who shared their answer with backbone staff only is counted with everyone else, and
    the turnout row for people with lived experience leaves them out for other viewers."""
    cast.collab.small_cell_threshold = 3
    cast.collab.save()
    lived = people(cast, wg.housing, 3, **LIVED)
    backbone_only = people(
        cast,
        wg.housing,
        1,
        lived_experience=Member.LivedExperience.YES,
        lived_experience_visibility=Member.Visibility.BACKBONE,
    )
    # Two who do not vote: one of each, so that no turnout row is "all of them".
    people(cast, wg.housing, 1, **LIVED)
    people(
        cast,
        wg.housing,
        1,
        lived_experience=Member.LivedExperience.FAMILY,
        lived_experience_visibility=Member.Visibility.BACKBONE,
    )
    poll = make_poll(cast.staff_a, wg.housing, double_majority=True)
    k = keys(poll)
    for voter in [*lived, *backbone_only, cast.staff_b, cast.staff_a]:
        polls.ballot_cast(actor=voter, poll=poll, choices=[k["Bus passes"]])
    data = polls.poll_close(actor=cast.staff_a, poll=poll).data
    assert data["split"]["lived_experience"]["ballots"] == 3
    assert data["split"]["others"]["ballots"] == 3
    assert data["double_majority"][k["Bus passes"]]["lived_experience_base"] == 3
    cast.collab.small_cell_threshold = 1  # to read the turnout rows unsuppressed
    cast.collab.save()
    poll.collaborative = cast.collab
    electorate = poll_selectors.electorate(poll)
    staff_rows = {r.label: r for r in turnout(poll, electorate, cast.staff_b)}
    backbone_rows = {r.label: r for r in turnout(poll, electorate, cast.backbone)}
    lived_row = "People with lived experience"
    assert (staff_rows[lived_row].voted, staff_rows[lived_row].eligible) == (3, 4)
    assert (backbone_rows[lived_row].voted, backbone_rows[lived_row].eligible) == (4, 6)
