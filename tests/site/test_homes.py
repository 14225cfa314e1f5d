"""A person's home in a collaborative (reentry/site/homes.py): what needs them now, by
role, only what they may see, in a bounded number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import DatasetVersion
from reentry.audit.log import record
from stakeholders.models import JoinRequest
from tests.factories import MemberFactory, UserFactory
from tests.indicators.dashboard_world import make_dataset
from tests.workgroups.polls_world import keys, make_poll
from workgroups.models import ActionItem
from workgroups.polls import services as polls
from workgroups.polls.models import Poll
from workgroups.services import action_item_create

pytestmark = pytest.mark.django_db


def home(slug="collab-a"):
    return reverse("collaborative_home", kwargs={"slug": slug})


def everyone_poll(cast, wg, title):
    """An open poll every member of collaborative A may vote in."""
    return make_poll(
        cast.backbone, wg.housing, title=title, electorate=Poll.Electorate.COLLABORATIVE
    )


class TestAccess:
    def test_anonymous_is_sent_to_sign_in(self, client, cast):
        response = client.get(home())
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    def test_other_collaborative_gets_404(self, login, cast):
        assert login(cast.outsider).get(home()).status_code == 404

    @pytest.mark.parametrize(
        "who", ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer"]
    )
    def test_every_member_gets_their_home(self, login, cast, who):
        response = login(getattr(cast, who)).get(home())
        assert response.status_code == 200
        assert b'class="site-menu"' in response.content

    def test_the_collaborative_link_lands_on_the_home(self, cast):
        assert cast.collab.get_absolute_url() == home()

    def test_overview_keeps_its_own_address(self, login, cast):
        response = login(cast.community).get(reverse("stakeholders:overview", args=["collab-a"]))
        assert response.status_code == 200
        assert b"Key areas" in response.content


class TestStraightIn:
    def test_one_collaborative_goes_straight_in(self, login, cast):
        response = login(cast.community).get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == home()

    def test_the_chooser_is_still_there_when_asked(self, login, cast):
        response = login(cast.community).get(reverse("home") + "?all=1")
        assert response.status_code == 200
        assert b"Collaborative A" in response.content

    def test_several_collaboratives_get_a_chooser(self, client, cast):
        user = UserFactory()
        MemberFactory(user=user, collaborative=cast.collab, role="community")
        MemberFactory(user=user, collaborative=cast.other_collab, role="community")
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Collaborative A" in page and "Collaborative B" in page


class TestPolls:
    def test_open_poll_not_voted_shows_then_goes_once_voted(self, login, cast, wg):
        poll = everyone_poll(cast, wg, "Bus passes or lockers?")
        client = login(cast.community)
        page = client.get(home()).content.decode()
        assert "Bus passes or lockers?" in page
        assert reverse("polls:vote", args=["collab-a", poll.public_id]) in page
        polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["Bus passes"]])
        # Still in recent activity ("Poll opened"), no longer among what needs them.
        needs = client.get(home()).content.decode().split("<aside")[0]
        assert "Bus passes or lockers?" not in needs

    def test_a_group_poll_shows_only_to_its_voters(self, login, cast, wg):
        make_poll(cast.staff_a, wg.housing, title="Housing group question")
        assert "Housing group question" in login(cast.staff_b).get(home()).content.decode()
        page = login(cast.staff_c).get(home()).content.decode()
        assert "Housing group question" not in page.split("<aside")[0]

    def test_observers_are_not_asked_to_vote(self, login, cast, wg):
        everyone_poll(cast, wg, "Everyone votes")
        page = login(cast.observer).get(home()).content.decode()
        assert "Everyone votes" not in page.split("<aside")[0]

    def test_another_collaboratives_poll_never_shows(self, login, cast, wg):
        make_poll(cast.outsider, wg.other_group, title="Lakeshore question")
        for who in ("community", "backbone", "staff_a"):
            page = login(getattr(cast, who)).get(home()).content.decode()
            assert "Lakeshore question" not in page

    def test_closed_poll_does_not_ask(self, login, cast, wg):
        poll = everyone_poll(cast, wg, "Already over")
        Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
        page = login(cast.community).get(home()).content.decode()
        assert "Already over" not in page.split("<aside")[0]


class TestGatherings:
    def test_my_groups_next_gathering_shows_not_others(self, login, cast, wg):
        from tests.workgroups.conftest import make_meeting

        make_meeting(cast.backbone, wg.housing, days=3, title="Housing in three days")
        make_meeting(cast.backbone, wg.private, days=3, title="Hard cases in three days")
        page = login(cast.community).get(home()).content.decode()
        assert "Housing in three days" in page
        assert "Hard cases in three days" not in page


class TestStaff:
    def test_my_organizations_action_items_show_overdue(self, login, cast, wg):
        action_item_create(
            actor=cast.staff_a,
            group=wg.housing,
            title="Call the landlord association",
            owner_organization=cast.org_a,
            due_date=timezone.localdate() - timedelta(days=2),
        )
        page = login(cast.staff_a).get(home()).content.decode()
        assert "Call the landlord association" in page
        assert "overdue since" in page
        assert (
            "Call the landlord association" not in login(cast.staff_b).get(home()).content.decode()
        )

    def test_datasets_to_submit_are_my_organizations_only(self, login, cast):
        make_dataset(cast, cast.org_a, level="private", accepted=False, title="A draft of ours")
        make_dataset(cast, cast.org_b, level="collaborative", accepted=False, title="B's draft")
        page = login(cast.staff_a).get(home()).content.decode()
        assert "A draft of ours" in page
        assert "B&#x27;s draft" not in page and "B's draft" not in page
        assert "A draft of ours" not in login(cast.community).get(home()).content.decode()

    def test_a_returned_dataset_says_so_with_the_note(self, login, cast):
        dataset = make_dataset(cast, cast.org_a, level="private", accepted=False, title="Q3")
        record(
            "dataset.returned",
            actor=cast.backbone.user,
            collaborative=cast.collab,
            obj=dataset,
            note="The totals do not add up.",
        )
        page = login(cast.admin_a).get(home()).content.decode()
        assert "Sent back by backbone staff" in page
        assert "The totals do not add up." in page

    def test_submitted_dataset_is_not_to_submit(self, login, cast):
        dataset = make_dataset(cast, cast.org_a, level="private", accepted=False, title="Sent in")
        DatasetVersion.objects.filter(pk=dataset.current_version_id).update(
            status=DatasetVersion.Status.SUBMITTED
        )
        assert "Sent in" not in login(cast.staff_a).get(home()).content.decode()


class TestOrgAdmin:
    def test_group_join_requests_to_a_group_i_chair(self, login, cast, wg, extra_member):
        from workgroups.models import GroupJoinRequest

        asker = extra_member()
        GroupJoinRequest.objects.create(group=wg.private, member=asker)
        page = login(cast.admin_a).get(home()).content.decode()
        assert "asks to join Hard Cases Group" in page
        assert "asks to join" not in login(cast.staff_a).get(home()).content.decode()


class TestBackbone:
    def test_overdue_items_and_approvals(self, login, cast, wg):
        action_item_create(
            actor=cast.backbone,
            group=wg.housing,
            title="Late item",
            owner_organization=cast.org_b,
            due_date=timezone.localdate() - timedelta(days=5),
        )
        JoinRequest.objects.create(collaborative=cast.collab, user=UserFactory(), message="Hi")
        page = login(cast.backbone).get(home()).content.decode()
        assert "1 action item is overdue" in page
        assert "Late item" in page
        assert "1 person asks to join" in page

    def test_approvals_are_for_backbone_only(self, login, cast):
        JoinRequest.objects.create(collaborative=cast.collab, user=UserFactory(), message="Hi")
        assert "asks to join" not in login(cast.admin_a).get(home()).content.decode()

    def test_other_collaboratives_overdue_items_never_show(self, login, cast, wg):
        action_item_create(
            actor=cast.outsider,
            group=wg.other_group,
            title="Lakeshore late item",
            due_date=timezone.localdate() - timedelta(days=5),
        )
        assert "Lakeshore late item" not in login(cast.backbone).get(home()).content.decode()

    def test_what_changed_since_the_last_visit_is_marked_new(self, login, cast, wg):
        record("auth.sign_in", actor=cast.backbone.user)  # the visit before
        everyone_poll(cast, wg, "Opened since")
        page = login(cast.backbone).get(home()).content.decode()  # signs in again
        assert "1 thing happened since your last visit" in page
        assert '<span class="badge">new</span>' in page


class TestEmpty:
    def test_nothing_waiting_says_so(self, login, cast):
        page = login(cast.staff_c).get(home()).content.decode()
        assert "Nothing is waiting for you right now." in page


class TestQueries:
    def test_same_queries_with_one_and_many(self, login, cast, wg, count_queries):
        client = login(cast.community)

        def add(n):
            for i in range(n):
                everyone_poll(cast, wg, f"Question {i}")
                item = action_item_create(
                    actor=cast.backbone,
                    group=wg.housing,
                    title=f"Item {i}",
                    owner_member=cast.community,
                    due_date=timezone.localdate() + timedelta(days=i),
                )
                assert item.pk

        add(1)
        one = count_queries(client, home())
        add(24)
        many = count_queries(client, home())
        assert "Question 20" in count_queries.page or "polls are waiting" in count_queries.page
        assert one == many
        assert ActionItem.objects.filter(owner_member=cast.community).count() == 25

    def test_backbone_home_same_queries_with_one_and_many(self, login, cast, wg, count_queries):
        client = login(cast.backbone)

        def add(n, start):
            for i in range(start, start + n):
                action_item_create(
                    actor=cast.backbone,
                    group=wg.housing,
                    title=f"Late {i}",
                    owner_organization=cast.org_c,
                    due_date=timezone.localdate() - timedelta(days=1 + i),
                )
                JoinRequest.objects.create(collaborative=cast.collab, user=UserFactory())
                everyone_poll(cast, wg, f"Question {i}")

        add(1, 0)
        one = count_queries(client, home())
        add(24, 1)
        many = count_queries(client, home())
        assert "25 action items are overdue" in count_queries.page
        assert "25 people ask to join" in count_queries.page
        assert one == many
