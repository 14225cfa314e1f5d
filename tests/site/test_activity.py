"""Recent activity on a person's home (reentry/site/activity.py): gatherings held,
decisions, quick wins moved, polls opened and closed, datasets accepted, and only what
the viewer may see."""

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import DatasetVersion
from tests.indicators.dashboard_world import make_dataset
from tests.workgroups.polls_world import make_poll
from workgroups.models import Meeting
from workgroups.quickwins import services as quickwins
from workgroups.services import decision_record

pytestmark = pytest.mark.django_db


def activity(client) -> str:
    """The recent-activity column of the home page."""
    page = client.get(reverse("collaborative_home", args=["collab-a"])).content.decode()
    return page.split('id="recent-title"')[1]


def accepted(cast, owner, *, level, title):
    """An accepted dataset, with the date it was accepted."""
    dataset = make_dataset(cast, owner, level=level, title=title)
    DatasetVersion.objects.filter(pk=dataset.current_version_id).update(accepted_at=timezone.now())
    return dataset


def held(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)


class TestWhatShows:
    def test_gatherings_held_and_decisions(self, login, cast, wg):
        held(wg.meeting)
        decision_record(actor=cast.staff_a, meeting=wg.meeting, text="Ask the county for lockers")
        page = activity(login(cast.community))
        assert "Housing Working Group met" in page
        assert "Ask the county for lockers" in page

    def test_polls_opened(self, login, cast, wg):
        make_poll(cast.staff_a, wg.housing, title="Which first?")
        assert "Poll opened:" in activity(login(cast.staff_b))

    def test_quick_wins_moved(self, login, cast):
        quickwins.quickwin_propose(actor=cast.community, title="ID day", problem="No IDs.")
        assert "Quick win proposed:" in activity(login(cast.staff_c))

    def test_datasets_accepted_visible_to_the_viewer(self, login, cast):
        accepted(cast, cast.org_a, level="collaborative", title="Shared housing figures")
        assert "Shared housing figures" in activity(login(cast.community))


class TestWhatNeverShows:
    def test_private_minutes_gathering_and_its_decisions(self, login, cast, wg):
        held(wg.private_meeting)
        decision_record(actor=cast.admin_a, meeting=wg.private_meeting, text="Secret plan")
        outside = activity(login(cast.community))
        assert "Case review" not in outside and "Secret plan" not in outside
        inside = activity(login(cast.staff_c))  # a member of that group
        assert "Case review" in inside and "Secret plan" in inside

    def test_another_organizations_private_dataset(self, login, cast):
        accepted(cast, cast.org_c, level="private", title="Org C private figures")
        assert "Org C private figures" not in activity(login(cast.staff_a))
        assert "Org C private figures" in activity(login(cast.staff_c))

    def test_another_collaboratives_activity(self, login, cast, wg):
        held(wg.other_meeting)
        make_poll(cast.outsider, wg.other_group, title="Lakeshore question")
        for who in ("backbone", "community", "admin_a"):
            page = activity(login(getattr(cast, who)))
            assert "Elsewhere" not in page and "Lakeshore question" not in page

    def test_an_anonymous_proposal_does_not_name_its_proposer(self, login, cast):
        quickwins.quickwin_propose(
            actor=cast.community, title="Quiet idea", problem="Shy.", is_anonymous=True
        )
        page = activity(login(cast.staff_a))
        assert "Quiet idea" in page
        assert cast.community.user.name not in page


class TestTheListStaysTheSameSize:
    def test_same_queries_and_events_at_1x_and_10x(self, login, cast, wg, count_queries):
        """The newest ``LIMIT`` events, from a fixed number of queries: ten times the
        quick wins and decisions, the same page (issue 18)."""
        from reentry.site.activity import LIMIT

        held(wg.meeting)

        def add(n, start):
            for i in range(start, start + n):
                quickwins.quickwin_propose(actor=cast.community, title=f"Idea {i}", problem="P")
                decision_record(actor=cast.staff_a, meeting=wg.meeting, text=f"Decided {i}")

        client = login(cast.staff_b)
        home = reverse("collaborative_home", args=["collab-a"])
        add(LIMIT, 0)
        one = count_queries(client, home)
        events_1x = count_queries.page.split('id="recent-title"')[1].count("<li")
        add(9 * LIMIT, LIMIT)
        assert count_queries(client, home) == one
        recent = count_queries.page.split('id="recent-title"')[1]
        assert recent.count("<li") == events_1x >= LIMIT
        assert f"Idea {10 * LIMIT - 1}" in recent and "Idea 0<" not in recent
