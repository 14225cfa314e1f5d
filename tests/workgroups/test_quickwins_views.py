"""Quick-win pages: who sees and changes what (isolation), the anonymous proposer, forms
that keep what was typed, choosing one into a plan from the page, the journey page, the
public page, and query counts on the lists."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.caches import clear_caches
from tests.factories import CollaborativeFactory
from tests.workgroups.quickwin_world import make_quickwin_world
from workgroups import services as group_services
from workgroups.models import ActionItem
from workgroups.quickwins import services
from workgroups.quickwins.models import QuickWin, QuickWinComment, QuickWinHelper

pytestmark = pytest.mark.django_db
Status = QuickWin.Status


def url(name, slug="collab-a", **kw):
    return reverse(f"quickwins:{name}", kwargs={"slug": slug, **kw})


@pytest.fixture
def qw(cast, wg):
    return make_quickwin_world(cast, wg)


def anon_id(qw):
    return {"public_id": qw.anonymous.public_id}


def named_id(qw):
    return {"public_id": qw.named.public_id}


# (url name, kwargs, method, who may, expected status, POST data)
PAGES = [
    ("list", lambda q: {}, "get", "observer", 200, {}),
    ("journey", lambda q: {}, "get", "staff_c", 200, {}),
    ("propose", lambda q: {}, "get", "community", 200, {}),
    ("propose", lambda q: {}, "post", "community", 302, {"title": "Idea", "problem": "Why"}),
    ("detail", anon_id, "get", "staff_c", 200, {}),
    ("comment", anon_id, "post", "observer", 302, {"text": "Good idea"}),
    ("help", named_id, "post", "staff_b", 302, {"note": ""}),
    ("move", anon_id, "post", "staff_a", 302, {"status": "shortlisted"}),
    ("select", anon_id, "get", "staff_a", 200, {}),
]
IDS = [f"{p[0]}-{p[2]}" for p in PAGES]
WITH_ID = [p for p in PAGES if p[1] in (anon_id, named_id)]


def _call(client, method, target, data=None):
    return getattr(client, method)(target, data or {})


class TestIsolation:
    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status", "data"), PAGES, ids=IDS)
    def test_the_right_person_gets_the_page(
        self, cast, qw, login, name, kwargs, method, who, status, data
    ):
        response = _call(login(getattr(cast, who)), method, url(name, **kwargs(qw)), data)
        assert response.status_code == status

    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status", "data"), PAGES, ids=IDS)
    def test_another_collaborative_gets_404(
        self, cast, qw, login, name, kwargs, method, who, status, data
    ):
        response = _call(login(cast.outsider), method, url(name, **kwargs(qw)), data)
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("name", "kwargs", "method", "who", "status", "data"),
        WITH_ID,
        ids=[f"{p[0]}-{p[2]}" for p in WITH_ID],
    )
    def test_ids_from_another_collaborative_get_404_in_your_own(
        self, cast, qw, login, name, kwargs, method, who, status, data
    ):
        target = url(name, slug="collab-b", **kwargs(qw))
        assert _call(login(cast.outsider), method, target, data).status_code == 404

    def test_a_quick_win_of_another_collaborative_is_404_here(self, cast, qw, login):
        client = login(cast.backbone)
        assert client.get(url("detail", public_id=qw.other.public_id)).status_code == 404
        response = client.post(url("move", public_id=qw.other.public_id), {"status": "dropped"})
        assert response.status_code == 404

    def test_anonymous_visitor_is_sent_to_sign_in(self, qw, client):
        response = client.get(url("list"))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "observer", "admin_a"])
    def test_people_who_do_not_manage_it_cannot_move_or_choose_it(self, cast, qw, login, who):
        client = login(getattr(cast, who))
        assert client.post(url("move", **anon_id(qw)), {"status": "shortlisted"}).status_code == 403
        assert client.get(url("select", **anon_id(qw))).status_code == 403
        assert QuickWin.objects.get(pk=qw.anonymous.pk).status == Status.PROPOSED

    def test_other_sector_sees_but_does_not_see_more(self, cast, qw, login):
        page = login(cast.staff_c).get(url("detail", **anon_id(qw)))
        assert page.status_code == 200
        assert b"Move it along" not in page.content


class TestAnonymousProposer:
    """The community member proposed ``anonymous`` with "keep my name private"."""

    @pytest.mark.parametrize("who", ["staff_a", "staff_b", "staff_c", "admin_a", "observer"])
    def test_hidden_from_everyone_but_backbone(self, cast, qw, login, who):
        name = cast.community.user.name
        client = login(getattr(cast, who))
        for target in (url("detail", **anon_id(qw)), url("list"), url("journey")):
            response = client.get(target)
            assert response.status_code == 200, target
            assert name not in response.content.decode(), target

    def test_backbone_staff_see_who_it_was(self, cast, qw, login):
        page = login(cast.backbone).get(url("detail", **anon_id(qw))).content.decode()
        assert cast.community.user.name in page
        assert "name kept private" in page

    def test_the_proposer_sees_themself_with_a_note(self, cast, qw, login):
        page = login(cast.community).get(url("detail", **anon_id(qw))).content.decode()
        assert "only backbone staff see your name" in page

    def test_a_named_proposer_is_shown_to_members(self, cast, qw, login):
        page = login(cast.observer).get(url("detail", **named_id(qw))).content.decode()
        assert cast.staff_c.user.name in page


class TestProposing:
    def test_a_community_member_proposes_anonymously(self, cast, wg, login):
        response = login(cast.community).post(
            url("propose"),
            {
                "title": "Phones for release day",
                "problem": "No phone, no job call-backs.",
                "key_areas": [cast.key_area.pk],
                "group": wg.housing.pk,
                "weeks_needed": "4",
                "money_needed": "1500",
                "is_anonymous": "on",
            },
        )
        quick_win = QuickWin.objects.get(title="Phones for release day")
        assert response["Location"] == quick_win.get_absolute_url()
        assert quick_win.is_anonymous and quick_win.proposer == cast.community
        assert quick_win.group == wg.housing and quick_win.weeks_needed == 4

    def test_the_form_keeps_what_was_typed(self, cast, login):
        response = login(cast.community).post(
            url("propose"), {"title": "", "problem": "My long story", "weeks_needed": "0"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "My long story" in page
        assert "This field is required." in page
        assert not QuickWin.objects.filter(problem="My long story").exists()

    def test_groups_of_another_collaborative_are_not_offered(self, cast, wg, login):
        page = login(cast.community).get(url("propose")).content.decode()
        assert wg.housing.name in page and wg.other_group.name not in page


class TestDetail:
    def test_comment_is_posted_and_an_empty_one_keeps_the_page(self, cast, qw, login):
        client = login(cast.observer)
        client.post(url("comment", **named_id(qw)), {"text": "Count me in"})
        assert QuickWinComment.objects.filter(quick_win=qw.named, author=cast.observer).exists()
        response = client.post(url("comment", **named_id(qw)), {"text": "  "})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()

    def test_help_toggles(self, cast, qw, login):
        client = login(cast.staff_b)
        client.post(url("help", **named_id(qw)), {"note": "I have a van"})
        assert QuickWinHelper.objects.get(quick_win=qw.named, member=cast.staff_b).note
        assert "Take my name off" in client.get(url("detail", **named_id(qw))).content.decode()
        client.post(url("help", **named_id(qw)))
        assert not QuickWinHelper.objects.filter(quick_win=qw.named).exists()

    def test_dropping_without_a_reason_shows_the_error(self, cast, qw, login):
        response = login(cast.backbone).post(url("move", **named_id(qw)), {"status": "dropped"})
        assert response.status_code == 200
        assert "Say in a few words why it is dropped." in response.content.decode()
        assert QuickWin.objects.get(pk=qw.named.pk).status == Status.PROPOSED

    def test_dropping_with_a_reason(self, cast, qw, login):
        login(cast.backbone).post(
            url("move", **named_id(qw)), {"status": "dropped", "reason": "Funded by the county"}
        )
        dropped = QuickWin.objects.get(pk=qw.named.pk)
        assert dropped.status == Status.DROPPED and dropped.dropped_reason == "Funded by the county"

    def test_done_is_offered_when_every_item_is_done(self, cast, wg, qw, login):
        chosen = services.quickwin_select(
            actor=cast.backbone,
            quick_win=qw.anonymous,
            group=wg.housing,
            steps=[
                services.Step(
                    title="Call the transit office",
                    owner_member=cast.staff_b,
                    owner_organization=None,
                    due_date=timezone.localdate() + timedelta(days=5),
                )
            ],
        )
        services.quickwin_move(actor=cast.backbone, quick_win=chosen, status=Status.IN_PROGRESS)
        client = login(cast.staff_a)
        before = client.get(url("detail", **anon_id(qw))).content.decode()
        assert "Mark the quick win done" not in before and "Mark it done" not in before
        assert "It can be marked done once its last open action item is done (1 left)." in before
        ActionItem.objects.filter(priority=chosen.priority).update(status=ActionItem.Status.DONE)
        assert (
            "Mark the quick win done" in client.get(url("detail", **anon_id(qw))).content.decode()
        )
        client.post(url("move", **anon_id(qw)), {"status": "done"})
        assert QuickWin.objects.get(pk=chosen.pk).status == Status.DONE


class TestSelectPage:
    def test_the_chair_chooses_it_into_the_plan(self, cast, wg, qw, login):
        due = timezone.localdate() + timedelta(days=21)
        response = login(cast.staff_a).post(
            url("select", **anon_id(qw)),
            {
                "group": wg.housing.pk,
                "priority_title": "Getting to appointments",
                "first_step": "Ask the transit office",
                "more_steps": "Print the passes\n\nHand them out at release",
                "owner_member": cast.staff_b.pk,
                "owner_organization": cast.org_b.pk,
                "due_date": due.isoformat(),
            },
        )
        assert response.status_code == 302
        chosen = QuickWin.objects.get(pk=qw.anonymous.pk)
        assert chosen.status == Status.SELECTED
        assert chosen.priority.title == "Getting to appointments"
        items = ActionItem.objects.filter(priority=chosen.priority)
        assert items.count() == 3
        assert {i.due_date for i in items} == {due}
        assert {i.owner_organization for i in items} == {cast.org_b}

    def test_errors_keep_what_was_typed(self, cast, wg, qw, login):
        response = login(cast.staff_a).post(
            url("select", **anon_id(qw)),
            {
                "group": wg.housing.pk,
                "priority_title": "Getting there",
                "first_step": "Ask the transit office",
                "due_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Ask the transit office" in page
        assert "Choose a date from today on." in page
        assert "Choose a person, an organization, or both." in page
        assert QuickWin.objects.get(pk=qw.anonymous.pk).status == Status.PROPOSED

    def test_a_chair_is_offered_only_the_quick_wins_own_group(self, cast, wg, qw, login):
        page = login(cast.staff_a).get(url("select", **anon_id(qw))).content.decode()
        assert wg.housing.name in page and wg.private.name not in page


class TestJourney:
    def test_rows_show_dates_and_what_is_overdue(self, cast, wg, qw, login):
        chosen = services.quickwin_select(
            actor=cast.backbone,
            quick_win=qw.anonymous,
            group=wg.housing,
            steps=[
                services.Step(
                    title="Late step",
                    owner_member=cast.staff_b,
                    owner_organization=None,
                    due_date=timezone.localdate() + timedelta(days=1),
                )
            ],
        )
        ActionItem.objects.filter(priority=chosen.priority).update(
            due_date=timezone.localdate() - timedelta(days=2)
        )
        client = login(cast.observer)
        page = client.get(url("journey")).content.decode()
        assert "1 action item overdue" in page
        # The page shows the day in the collaborative's time zone, not UTC's: from 6 pm
        # in Chicago (midnight UTC) the two differ.
        chosen_on = chosen.selected_at.astimezone(ZoneInfo(cast.collab.time_zone))
        assert chosen_on.strftime("%-d %b %Y") in page
        overdue = client.get(url("journey"), {"show": "overdue"}).content.decode()
        assert qw.anonymous.title in overdue and qw.named.title not in overdue

    def test_dropped_ones_are_apart(self, cast, qw, login):
        services.quickwin_move(
            actor=cast.backbone, quick_win=qw.named, status=Status.DROPPED, reason="No money"
        )
        client = login(cast.observer)
        response = client.get(url("journey"))
        assert response.status_code == 200
        assert qw.named.title not in response.content.decode()
        assert qw.named.title in client.get(url("journey"), {"show": "dropped"}).content.decode()


class TestList:
    def test_filters_by_status_and_key_area(self, cast, qw, login):
        services.quickwin_move(actor=cast.backbone, quick_win=qw.named, status=Status.SHORTLISTED)
        client = login(cast.observer)
        shortlisted = client.get(url("list"), {"status": "shortlisted"}).content.decode()
        assert qw.named.title in shortlisted and qw.anonymous.title not in shortlisted
        housing = client.get(url("list"), {"key_area": cast.key_area.slug}).content.decode()
        assert qw.anonymous.title in housing and qw.named.title not in housing
        bad = client.get(url("list"), {"status": "nonsense"})
        assert bad.status_code == 200

    def test_htmx_gets_the_results_only(self, cast, qw, login):
        page = login(cast.observer).get(url("list"), HTTP_HX_REQUEST="true").content.decode()
        assert 'id="results"' in page and "<html" not in page


def _many(cast, n):
    for k in range(n):
        quick_win = services.quickwin_propose(
            actor=cast.community if k % 2 else cast.staff_b,
            title=f"Idea {k}",
            problem="A problem",
            key_areas=[cast.key_area],
            is_anonymous=bool(k % 3),
        )
        services.quickwin_comment_add(actor=cast.staff_a, quick_win=quick_win, text="+1")
        services.quickwin_helper_toggle(actor=cast.staff_c, quick_win=quick_win)


class TestQueryCounts:
    @pytest.mark.parametrize("name", ["list", "journey"])
    def test_the_same_with_one_and_many_rows(self, cast, wg, login, count_queries, name):
        client = login(cast.backbone)
        _many(cast, 1)
        one = count_queries(client, url(name))
        _many(cast, 24)
        quick_win = QuickWin.objects.filter(collaborative=cast.collab).first()
        services.quickwin_select(
            actor=cast.backbone,
            quick_win=quick_win,
            group=wg.housing,
            steps=[
                services.Step(
                    title="x",
                    owner_member=cast.staff_b,
                    owner_organization=None,
                    due_date=timezone.localdate(),
                )
            ],
        )
        assert count_queries(client, url(name)) == one

    def test_public_page_the_same_with_one_and_many_rows(self, cast, wg, client, count_queries):
        def finish(n):
            for k in range(n):
                quick_win = services.quickwin_propose(
                    actor=cast.staff_b, title=f"Done {k}", problem="p", key_areas=[cast.key_area]
                )
                QuickWin.objects.filter(pk=quick_win.pk).update(
                    status=Status.DONE, done_at=timezone.now()
                )

        finish(1)
        one = count_queries(client, reverse("public_quickwins:list", args=["collab-a"]))
        finish(24)
        clear_caches()  # rows written straight into the table: the page kept whole is not told
        assert count_queries(client, reverse("public_quickwins:list", args=["collab-a"])) == one


class TestPublicPage:
    def _done(self, cast, wg, qw):
        chosen = services.quickwin_select(
            actor=cast.backbone,
            quick_win=qw.anonymous,
            group=wg.housing,
            steps=[
                services.Step(
                    title="Hand out passes",
                    owner_member=cast.staff_b,
                    owner_organization=cast.org_b,
                    due_date=timezone.localdate(),
                )
            ],
        )
        services.quickwin_move(actor=cast.backbone, quick_win=chosen, status=Status.IN_PROGRESS)
        ActionItem.objects.filter(priority=chosen.priority).update(status="done")
        services.quickwin_comment_add(actor=cast.staff_a, quick_win=chosen, text="Secret note")
        services.quickwin_helper_toggle(actor=cast.staff_c, quick_win=chosen, note="My van")
        return services.quickwin_move(actor=cast.backbone, quick_win=chosen, status=Status.DONE)

    def test_lists_done_quick_wins_to_anyone_without_private_data(self, cast, wg, qw, client):
        self._done(cast, wg, qw)
        response = client.get(reverse("public_quickwins:list", args=["collab-a"]))
        page = response.content.decode()
        assert response.status_code == 200
        assert qw.anonymous.title in page
        assert qw.named.title not in page  # not done
        for private in (
            cast.community.user.name,
            cast.staff_b.user.name,
            cast.staff_c.user.name,
            "Secret note",
            "My van",
            wg.housing.name,
            "Hand out passes",
        ):
            assert private not in page, private

    def test_a_signed_in_member_sees_the_same_public_page(self, cast, wg, qw, login):
        self._done(cast, wg, qw)
        page = login(cast.backbone).get(reverse("public_quickwins:list", args=["collab-a"]))
        assert cast.community.user.name not in page.content.decode()

    def test_404_when_nothing_is_done_or_no_such_collaborative(self, cast, qw, client):
        assert client.get(reverse("public_quickwins:list", args=["collab-a"])).status_code == 404
        assert client.get(reverse("public_quickwins:list", args=["nowhere"])).status_code == 404

    def test_another_collaborative_shows_only_its_own(self, cast, wg, qw, client):
        self._done(cast, wg, qw)
        plan = group_services.action_plan_create(
            actor=cast.outsider, group=wg.other_group, period="2026", title="p"
        )
        assert plan
        QuickWin.objects.filter(pk=qw.other.pk).update(status=Status.DONE, done_at=timezone.now())
        page = client.get(reverse("public_quickwins:list", args=["collab-b"])).content.decode()
        assert qw.other.title in page and qw.anonymous.title not in page
        CollaborativeFactory(slug="empty-one")
        assert client.get(reverse("public_quickwins:list", args=["empty-one"])).status_code == 404
