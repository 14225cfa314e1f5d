"""Poll figures about who people are hide the cells the dashboard rules would (DESIGN.md
rule 8): turnout per role and for people with lived experience, and the split of each
option between people with lived experience and everyone else (with the double-majority
figures). The poll's own outcome (ballots counted, each option's total) is what the
electorate decided and is published; every breakdown of it is suppressed so that,
subtracted from that outcome, it gives no small number back. Each hidden cell says why.
"""

import pytest
from django.urls import reverse

from reentry.suppression import Reason
from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.workgroups.conftest import seat
from tests.workgroups.polls_world import keys, make_poll
from workgroups.models import Poll
from workgroups.polls import services as polls
from workgroups.polls.results import results_for, turnout
from workgroups.polls.selectors import electorate

pytestmark = pytest.mark.django_db

LIVED = {
    "lived_experience": Member.LivedExperience.YES,
    "lived_experience_visibility": Member.Visibility.COLLABORATIVE,
}
SMALL = Reason.SMALL_COUNT.label
COMPLEMENTARY = Reason.COMPLEMENTARY.label


def _results_url(poll):
    return reverse("polls:results", args=[poll.collaborative.slug, poll.public_id])


def _api_url(poll):
    return f"/api/v1/collaboratives/{poll.collaborative.slug}/polls/{poll.public_id}/results/"


def _section(page: str, title_id: str) -> str:
    start = page.index(f'id="{title_id}"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def world(cast, wg):
    """Threshold 3. The Housing group gets six people with lived experience (L1–L6),
    three more without (beside staff_a, staff_b and the community co-chair) and three
    who will not vote: fifteen may vote, two of them organization staff. Twelve vote on
    options A–D:

    ======  ==================  ===========================
    option  lived experience    everyone else
    ======  ==================  ===========================
    A       3 of 6 (L1–L3)      6 of 6
    B       3 of 6 (L1–L3)      3 of 6
    C       1 of 6 (L1)         3 of 6
    D       3 of 6 (L4–L6)      0 of 6
    ======  ==================  ===========================
    """
    cast.collab.small_cell_threshold = 3
    cast.collab.save()
    lived = [MemberFactory(collaborative=cast.collab, **LIVED) for _ in range(6)]
    more = [MemberFactory(collaborative=cast.collab) for _ in range(3)]
    absent = [MemberFactory(collaborative=cast.collab) for _ in range(3)]
    for person in lived + more + absent:
        seat(wg.housing, person)
    poll = make_poll(cast.staff_a, wg.housing, options=["A", "B", "C", "D"], double_majority=True)
    k = keys(poll)
    others = [cast.staff_a, cast.staff_b, cast.community, *more]
    ballots = [
        (lived[0], "ABC"),
        (lived[1], "AB"),
        (lived[2], "AB"),
        *((person, "D") for person in lived[3:]),
        *((person, "ABC") for person in others[:3]),
        *((person, "A") for person in others[3:]),
    ]
    for voter, chosen in ballots:
        polls.ballot_cast(actor=voter, poll=poll, choices=[k[c] for c in chosen])
    polls.poll_close(actor=cast.staff_a, poll=poll)
    poll.refresh_from_db()
    return poll


class TestSplit:
    def test_hidden_cells_are_the_dashboards(self, cast, world, login):
        data = login(cast.staff_b).get(_api_url(world)).json()
        split = {o["label"]: o["split"] for o in data["options"]}
        # A: everyone else 6 of 6 (no one without) is hidden, and so is the lived
        # side, which the option's total (9) minus it would give back.
        assert split["A"] == {"lived_experience": None, "others": None}
        # B: both sides large enough.
        assert split["B"] == {"lived_experience": 3, "others": 3}
        # C: 1 with lived experience is hidden, and its complement in the total.
        assert split["C"] == {"lived_experience": None, "others": None}
        # D: nobody else chose it (0 is under the threshold): both hidden.
        assert split["D"] == {"lived_experience": None, "others": None}

    def test_each_hidden_cell_carries_its_reason(self, cast, world):
        rows = {r.option.label: r for r in results_for(world, cast.staff_b).rows}
        assert rows["A"].split_reasons == {
            "lived_experience": Reason.COMPLEMENTARY,
            "others": Reason.SMALL_COUNT,
        }
        assert rows["B"].split_reasons == {}
        assert rows["C"].split_reasons == {
            "lived_experience": Reason.SMALL_COUNT,
            "others": Reason.COMPLEMENTARY,
        }

    def test_double_majority_figures_follow_the_split(self, cast, world, login):
        data = login(cast.staff_b).get(_api_url(world)).json()
        dm = {o["label"]: o["double_majority"] for o in data["options"]}
        assert dm["A"]["passes"] is False  # the verdict stays: 3 of 6 is not a majority
        assert dm["A"]["lived_experience_support"] is None
        assert dm["A"]["others_support"] is None
        assert (dm["B"]["lived_experience_support"], dm["B"]["lived_experience_base"]) == (3, 6)

    def test_the_page_says_why(self, cast, world, login):
        page = login(cast.staff_b).get(_results_url(world)).content.decode()
        totals = _section(page, "totals-title")
        assert SMALL in totals and COMPLEMENTARY in totals
        assert "3 of 6 with lived experience · 6 of 6 others" not in totals
        assert "1 of 6 with lived experience" not in totals


class TestTurnout:
    def test_per_role_and_lived_experience_rows(self, cast, world):
        rows = {r.label: r for r in turnout(world, electorate(world), cast.staff_b)}
        # The ballots counted and the electorate are the poll's outcome: shown.
        assert (rows["Everyone"].voted, rows["Everyone"].eligible) == (12, 15)
        # Organization staff: 2 of 2 (two people, and no one who did not vote): hidden;
        # community members (10 of 13) would give it back from "Everyone", so hidden too.
        staff, community = rows["Organization staff"], rows["Community member"]
        assert (staff.voted, staff.eligible) == (None, None)
        assert staff.reason == Reason.SMALL_DENOMINATOR
        assert (community.voted, community.reason) == (None, Reason.COMPLEMENTARY)
        # All six people with lived experience voted: 0 did not, so hidden.
        lived = rows["People with lived experience"]
        assert (lived.voted, lived.eligible, lived.reason) == (None, None, Reason.SMALL_COUNT)

    def test_the_api_gives_no_hidden_figure(self, cast, world, login):
        rows = {r["group"]: r for r in login(cast.staff_b).get(_api_url(world)).json()["turnout"]}
        for group in ("Organization staff", "Community member", "People with lived experience"):
            assert rows[group]["voted"] is None and rows[group]["eligible"] is None
            assert rows[group]["hidden_reason"]
        assert rows["Everyone"]["voted"] == 12

    def test_the_page_says_why(self, cast, world, login):
        page = login(cast.staff_b).get(_results_url(world)).content.decode()
        who = _section(page, "turnout-title")
        assert "100%" not in who
        assert SMALL in who and COMPLEMENTARY in who

    def test_one_vote_in_a_small_group(self, cast, wg):
        """The turnout example of the old tests: 1 community member of 1 voted."""
        poll = make_poll(cast.staff_a, wg.housing)
        polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]])
        rows = {r.label: r for r in turnout(poll, electorate(poll), cast.staff_b)}
        assert rows["Community member"].voted is None
        assert rows["Organization staff"].voted is None


def test_ranked_choice_first_preferences_are_suppressed(cast, wg, login):
    """Threshold 3; three with lived experience all rank A first; of the three others,
    one ranks A first and two B. The lived side's 0 for B and C are hidden, and so is
    its 3 for A: with the side's 3 ballots shown, 3 − 3 says B and C got nothing."""
    cast.collab.small_cell_threshold = 3
    cast.collab.save()
    lived = [MemberFactory(collaborative=cast.collab, **LIVED) for _ in range(3)]
    for person in lived:
        seat(wg.housing, person)
    poll = make_poll(cast.staff_a, wg.housing, method=Poll.Method.IRV, options=["A", "B", "C"])
    k = keys(poll)
    for person in lived:
        polls.ballot_cast(actor=person, poll=poll, choices=[k["A"], k["B"]])
    polls.ballot_cast(actor=cast.staff_a, poll=poll, choices=[k["A"]])
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["B"]])
    polls.ballot_cast(actor=cast.community, poll=poll, choices=[k["B"], k["A"]])
    polls.poll_close(actor=cast.staff_a, poll=poll)
    poll.refresh_from_db()
    data = login(cast.staff_b).get(_api_url(poll)).json()
    lived_side = {o["label"]: o["split"]["lived_experience"] for o in data["options"]}
    assert lived_side == {"A": None, "B": None, "C": None}
