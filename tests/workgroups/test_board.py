"""Action plans, the board, the filtered list and one action item: who sees and changes
what, moving cards (plain POST and HTMX), reordering priorities, and query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import MemberFactory
from tests.workgroups.board_world import make_board_world
from workgroups import services
from workgroups.models import ActionItem, ActionPlan, Priority, Update

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, slug="collab-a", **kw):
    return reverse(f"workgroups:{name}", kwargs={"slug": slug, **kw})


@pytest.fixture
def bw(cast, wg):
    return make_board_world(cast, wg)


def group_id(w, b):
    return {"public_id": w.housing.public_id}


# (url name, kwargs from (wg, bw), method, who may, expected status, POST data)
PAGES = [
    ("board", group_id, "get", "observer", 200, {}),
    ("plans", group_id, "get", "community", 200, {}),
    ("plan_create", group_id, "get", "staff_a", 200, {}),
    ("group_action_items", group_id, "get", "staff_c", 200, {}),
    ("action_item_create", group_id, "get", "community", 200, {}),
    ("plan", lambda w, b: {"public_id": b.plan.public_id}, "get", "observer", 200, {}),
    ("plan_edit", lambda w, b: {"public_id": b.plan.public_id}, "get", "backbone", 200, {}),
    (
        "priority_add",
        lambda w, b: {"public_id": b.plan.public_id},
        "post",
        "staff_a",
        302,
        {"title": "Jobs"},
    ),
    (
        "priority_move",
        lambda w, b: {"public_id": b.second.public_id},
        "post",
        "staff_a",
        302,
        {"direction": "up"},
    ),
    (
        "priority_change",
        lambda w, b: {"public_id": b.second.public_id},
        "post",
        "community",
        302,
        {"title": "Beds"},
    ),
    ("action_item", lambda w, b: {"public_id": b.by_b.public_id}, "get", "staff_c", 200, {}),
    ("action_item_edit", lambda w, b: {"public_id": b.by_b.public_id}, "get", "staff_a", 200, {}),
    (
        "action_item_move",
        lambda w, b: {"public_id": b.by_b.public_id},
        "post",
        "staff_b",
        302,
        {"status": "done"},
    ),
    (
        "progress_add",
        lambda w, b: {"public_id": b.by_c.public_id},
        "post",
        "staff_c",
        302,
        {"text": "Called them"},
    ),
]
IDS = [p[0] for p in PAGES]


def _call(client, method, target, data=None, **extra):
    return getattr(client, method)(target, data or {}, **extra)


class TestIsolation:
    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status", "data"), PAGES, ids=IDS)
    def test_the_right_person_gets_the_page(
        self, cast, wg, bw, login, name, kwargs, method, who, status, data
    ):
        response = _call(login(getattr(cast, who)), method, url(name, **kwargs(wg, bw)), data)
        assert response.status_code == status

    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status", "data"), PAGES, ids=IDS)
    def test_another_collaborative_gets_404(
        self, cast, wg, bw, login, name, kwargs, method, who, status, data
    ):
        response = _call(login(cast.outsider), method, url(name, **kwargs(wg, bw)), data)
        assert response.status_code == 404

    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status", "data"), PAGES, ids=IDS)
    def test_ids_from_another_collaborative_get_404_in_your_own(
        self, cast, wg, bw, login, name, kwargs, method, who, status, data
    ):
        target = url(name, slug="collab-b", **kwargs(wg, bw))
        assert _call(login(cast.outsider), method, target, data).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, cast, wg, bw, client):
        response = client.get(url("board", public_id=wg.housing.public_id))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    @pytest.mark.parametrize(
        ("name", "method"),
        [("action_item", "get"), ("action_item_move", "post"), ("progress_add", "post")],
    )
    def test_item_from_a_private_gathering_is_404_for_non_members(
        self, cast, wg, bw, login, name, method
    ):
        target = url(name, public_id=bw.private_item.public_id)
        assert _call(login(cast.staff_b), method, target, {"status": "done"}).status_code == 404
        bw.private_item.refresh_from_db()
        assert bw.private_item.status == "not_started"
        # A member of the group (and its owner) gets it.
        ok = login(cast.staff_c).get(url("action_item", public_id=bw.private_item.public_id))
        assert ok.status_code == 200

    def test_private_gathering_item_is_left_off_the_board_for_non_members(
        self, cast, wg, bw, login
    ):
        target = url("board", public_id=wg.private.public_id)
        response = login(cast.staff_b).get(target)
        assert response.status_code == 200
        assert bw.private_item.title.encode() not in response.content
        assert bw.private_item.title.encode() in login(cast.staff_c).get(target).content


class TestPermissions:
    @pytest.mark.parametrize(
        ("name", "kwargs", "method", "data"),
        [
            ("plan_create", group_id, "get", {}),
            ("plan_edit", lambda w, b: {"public_id": b.plan.public_id}, "get", {}),
            ("priority_add", lambda w, b: {"public_id": b.plan.public_id}, "post", {"title": "X"}),
            (
                "priority_move",
                lambda w, b: {"public_id": b.second.public_id},
                "post",
                {"direction": "up"},
            ),
            (
                "priority_change",
                lambda w, b: {"public_id": b.second.public_id},
                "post",
                {"action": "remove"},
            ),
            ("action_item_create", group_id, "get", {}),
            ("action_item_edit", lambda w, b: {"public_id": b.by_b.public_id}, "get", {}),
            (
                "action_item_move",
                lambda w, b: {"public_id": b.by_b.public_id},
                "post",
                {"status": "done"},
            ),
            (
                "progress_add",
                lambda w, b: {"public_id": b.by_b.public_id},
                "post",
                {"text": "Hi"},
            ),
        ],
    )
    def test_a_member_who_is_not_chair_or_owner_gets_403(
        self, cast, wg, bw, login, name, kwargs, method, data
    ):
        # staff_c is in the collaborative but not in the Housing group, owns nothing there
        # by person, and organization C owns only by_c.
        response = _call(login(cast.staff_c), method, url(name, **kwargs(wg, bw)), data)
        assert response.status_code == 403
        assert Priority.objects.filter(plan=bw.plan).count() == 2
        bw.by_b.refresh_from_db()
        assert bw.by_b.status == "not_started"

    def test_owner_moves_and_posts_but_cannot_rewrite_the_item(self, cast, wg, bw, login):
        client = login(cast.staff_b)
        assert client.get(url("action_item_edit", public_id=bw.by_b.public_id)).status_code == 403
        client.post(url("progress_add", public_id=bw.by_b.public_id), {"text": "Two landlords"})
        assert Update.objects.filter(item=bw.by_b, text="Two landlords").exists()

    def test_staff_of_the_owning_organization_move_its_item(self, cast, wg, bw, login):
        colleague = MemberFactory(
            collaborative=cast.collab, role="provider_staff", organization=cast.org_c
        )
        login(colleague).post(
            url("action_item_move", public_id=bw.by_c.public_id), {"status": "blocked"}
        )
        bw.by_c.refresh_from_db()
        assert bw.by_c.status == "blocked"

    def test_backbone_manages_any_group(self, cast, wg, bw, login):
        client = login(cast.backbone)
        response = client.post(
            url("action_item_edit", public_id=bw.orphan.public_id),
            {"title": "Count beds weekly", "owner_organization": cast.org_a.pk},
        )
        assert response.status_code == 302
        bw.orphan.refresh_from_db()
        assert (bw.orphan.title, bw.orphan.owner_organization) == ("Count beds weekly", cast.org_a)


class TestBoard:
    def test_cards_sit_in_the_column_of_their_status(self, cast, wg, bw, login):
        services.action_item_move(actor=cast.staff_a, item=bw.by_c, status="blocked")
        page = login(cast.observer).get(url("board", public_id=wg.housing.public_id))
        board = page.context["columns"]
        titles = {col.status: [i.title for i in col.cards] for col in board}
        assert titles["blocked"] == ["Write a landlord guide"]
        assert "Recruit fair-chance landlords" in titles["not_started"]
        assert titles["done"] == []

    def test_move_without_javascript_redirects_back_and_notes_the_change(self, cast, wg, bw, login):
        board = url("board", public_id=wg.housing.public_id)
        response = login(cast.staff_a).post(
            url("action_item_move", public_id=bw.by_b.public_id),
            {"status": "in_progress", "next": board},
        )
        assert response.status_code == 302
        assert response["Location"] == board
        bw.by_b.refresh_from_db()
        assert bw.by_b.status == "in_progress"
        assert Update.objects.get(item=bw.by_b).text == "Status: Not started → In progress"

    def test_move_refuses_a_next_address_outside_the_collaborative(self, cast, wg, bw, login):
        response = login(cast.staff_a).post(
            url("action_item_move", public_id=bw.by_b.public_id),
            {"status": "done", "next": "https://evil.example/"},
        )
        assert response["Location"] == url("board", public_id=wg.housing.public_id)

    def test_move_with_htmx_answers_the_board_fragment(self, cast, wg, bw, login):
        response = login(cast.staff_a).post(
            url("action_item_move", public_id=bw.by_b.public_id),
            {"status": "done", "plan": str(bw.plan.public_id)},
            **HTMX,
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert 'id="board"' in html
        assert 'hx-swap-oob="innerHTML"' in html
        assert "Moved “Recruit fair-chance landlords” to Done." in html
        done = {c.status: c.cards for c in response.context["columns"]}["done"]
        assert [i.title for i in done] == ["Recruit fair-chance landlords"]

    def test_an_unknown_status_changes_nothing(self, cast, wg, bw, login):
        client = login(cast.staff_a)
        target = url("action_item_move", public_id=bw.by_b.public_id)
        assert client.post(target, {"status": "lost"}, **HTMX).status_code == 400
        client.post(target, {"status": "lost"})
        bw.by_b.refresh_from_db()
        assert bw.by_b.status == "not_started"

    def test_board_fragment_for_htmx_and_plan_filter(self, cast, wg, bw, login):
        client = login(cast.staff_a)
        loose = services.action_item_create(actor=cast.staff_a, group=wg.housing, title="Loose")
        target = url("board", public_id=wg.housing.public_id)
        whole = client.get(target)
        assert b"<html" in whole.content and loose.title.encode() in whole.content
        fragment = client.get(target, {"plan": str(bw.plan.public_id)}, **HTMX)
        assert b"<html" not in fragment.content
        assert loose.title.encode() not in fragment.content
        assert bw.by_b.title.encode() in fragment.content

    def test_move_buttons_only_on_cards_you_may_move(self, cast, wg, bw, login):
        page = login(cast.staff_b).get(url("board", public_id=wg.housing.public_id))
        html = page.content.decode()
        assert f'value="{bw.by_b.public_id} done"' in html
        assert f'value="{bw.by_c.public_id} ' not in html


class TestPlans:
    def test_chair_starts_a_plan(self, cast, wg, login):
        response = login(cast.staff_a).post(
            url("plan_create", public_id=wg.housing.public_id),
            {"title": "Housing 2027", "period": "2027", "summary": "Beds."},
        )
        plan = ActionPlan.objects.get(period="2027")
        assert response["Location"] == url("plan", public_id=plan.public_id)

    def test_a_second_plan_for_the_same_period_is_refused_next_to_the_period(
        self, cast, wg, bw, login
    ):
        response = login(cast.staff_a).post(
            url("plan_create", public_id=wg.housing.public_id),
            {"title": "Again", "period": "2026"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["period"]
        assert response.context["form"]["title"].value() == "Again"

    def test_priorities_move_up_and_down_and_removal_renumbers(self, cast, wg, bw, login):
        third = services.priority_add(actor=cast.staff_a, plan=bw.plan, title="Jobs")
        client = login(cast.community)  # the community co-chair
        client.post(url("priority_move", public_id=third.public_id), {"direction": "up"})
        ranks = list(bw.plan.priorities.order_by("rank").values_list("title", flat=True))
        assert ranks == ["More landlords", "Jobs", "No one to the street"]
        client.post(url("priority_move", public_id=bw.first.public_id), {"direction": "down"})
        client.post(url("priority_change", public_id=third.public_id), {"action": "remove"})
        rows = list(bw.plan.priorities.order_by("rank").values_list("rank", "title"))
        assert rows == [(1, "More landlords"), (2, "No one to the street")]
        bw.by_b.refresh_from_db()
        assert bw.by_b.priority == bw.first

    def test_removing_a_priority_keeps_its_items_with_the_group(self, cast, wg, bw, login):
        login(cast.staff_a).post(
            url("priority_change", public_id=bw.second.public_id), {"action": "remove"}
        )
        bw.orphan.refresh_from_db()
        assert bw.orphan.priority is None and bw.orphan.group == wg.housing

    def test_add_an_item_owned_from_another_sector(self, cast, wg, bw, login):
        target = url("action_item_create", public_id=wg.housing.public_id)
        form = login(cast.staff_a).get(target, {"priority": str(bw.second.public_id)})
        assert form.context["form"].initial["priority"] == bw.second.pk
        due = timezone.localdate() + timedelta(days=14)
        response = login(cast.staff_a).post(
            target,
            {
                "title": "Ask the courts for release dates",
                "priority": bw.second.pk,
                "owner_member": cast.staff_c.pk,
                "owner_organization": cast.org_c.pk,
                "due_date": due.isoformat(),
            },
        )
        assert response.status_code == 302
        item = ActionItem.objects.get(title="Ask the courts for release dates")
        assert item.owner_organization.sector != cast.staff_a.organization.sector  # courts
        assert (item.owner_member, item.due_date, item.key_area) == (
            cast.staff_c,
            due,
            wg.housing.key_area,
        )

    def test_owners_of_another_collaborative_are_not_offered(self, cast, wg, bw, login):
        response = login(cast.staff_a).post(
            url("action_item_create", public_id=wg.housing.public_id),
            {"title": "X", "owner_organization": cast.org_x.pk, "owner_member": cast.outsider.pk},
        )
        assert response.status_code == 200
        assert {"owner_organization", "owner_member"} <= set(response.context["form"].errors)
        assert not ActionItem.objects.filter(title="X").exists()

    def test_plan_page_shows_ranked_priorities_with_their_items(self, cast, wg, bw, login):
        page = login(cast.observer).get(url("plan", public_id=bw.plan.public_id))
        html = page.content.decode()
        assert html.index("More landlords") < html.index("No one to the street")
        assert html.index("Recruit fair-chance landlords") < html.index("Count transitional beds")
        assert "Rename or remove" not in html  # an observer does not manage


class TestList:
    def _titles(self, client, wg, **params):
        page = client.get(url("group_action_items", public_id=wg.housing.public_id), params)
        return sorted(row["item"].title for row in page.context["rows"])

    def test_filters(self, cast, wg, bw, login):
        client = login(cast.staff_a)
        services.action_item_move(actor=cast.staff_a, item=bw.by_c, status="done")
        assert self._titles(client, wg) == ["Count transitional beds", bw.by_b.title]
        assert self._titles(client, wg, status="done") == [bw.by_c.title]
        assert len(self._titles(client, wg, status="all")) == 3
        assert self._titles(client, wg, owner=str(cast.org_b.public_id)) == [bw.by_b.title]
        soon = (timezone.localdate() + timedelta(days=31)).isoformat()
        assert self._titles(client, wg, due_before=soon) == [
            "Count transitional beds",
            bw.by_b.title,
        ]
        assert self._titles(client, wg, overdue="on") == ["Count transitional beds"]
        other = services.action_plan_create(
            actor=cast.staff_a, group=wg.housing, period="2027", title="Next"
        )
        assert self._titles(client, wg, plan=str(other.public_id)) == []

    def test_bad_filter_values_are_ignored(self, cast, wg, bw, login):
        client = login(cast.staff_a)
        services.action_item_move(actor=cast.staff_a, item=bw.by_c, status="done")
        titles = self._titles(client, wg, due_before="soon", owner="nope", status="done")
        assert titles == [bw.by_c.title]

    def test_htmx_gets_the_results_fragment(self, cast, wg, bw, login):
        response = login(cast.staff_a).get(
            url("group_action_items", public_id=wg.housing.public_id), {"status": "all"}, **HTMX
        )
        assert b"<html" not in response.content
        assert b'id="results"' in response.content


class TestQueryCounts:
    def _more_items(self, cast, wg, bw, n=24):
        for i in range(n):
            owner = MemberFactory(
                collaborative=cast.collab, role="provider_staff", organization=cast.org_c
            )
            item = services.action_item_create(
                actor=cast.staff_a,
                group=wg.housing,
                priority=bw.first if i % 2 else bw.second,
                title=f"Item {i}",
                owner_member=owner,
                owner_organization=cast.org_c,
                due_date=timezone.localdate() + timedelta(days=i - 5),
            )
            services.progress_update_add(actor=cast.staff_a, item=item, text="Going")
            services.action_item_move(actor=cast.staff_a, item=item, status="in_progress")

    @pytest.mark.parametrize(
        "name", ["board", "group_action_items", "plan", "plans"], ids=lambda n: n
    )
    def test_same_queries_at_1_and_25_items(self, cast, wg, login, count_queries, name):
        client = login(cast.staff_b)
        plan = services.action_plan_create(
            actor=cast.staff_a, group=wg.housing, period="2026", title="P"
        )
        first = services.priority_add(actor=cast.staff_a, plan=plan, title="A")
        services.priority_add(actor=cast.staff_a, plan=plan, title="B")
        services.action_item_create(
            actor=cast.staff_a, group=wg.housing, priority=first, title="One"
        )
        kwargs = {"public_id": plan.public_id if name == "plan" else wg.housing.public_id}
        target = url(name, **kwargs)
        params = {"status": "all"} if name == "group_action_items" else {}
        few = count_queries(client, target, **params)
        bw = type("BW", (), {"first": first, "second": plan.priorities.last()})
        self._more_items(cast, wg, bw)
        assert count_queries(client, target, **params) == few <= 12


class TestBoardStaysTheSameSize:
    """The board shows the first ``BOARD_LIMIT`` cards of each column and a "see all"
    link to the paged list: ten times the items, the same cards and the same queries."""

    def _add(self, cast, wg, n, start=0):
        today = timezone.localdate()
        ActionItem.objects.bulk_create(
            ActionItem(
                collaborative=wg.housing.collaborative,
                group=wg.housing,
                title=f"Bulk item {start + i}",
                owner_member=cast.staff_b if i % 2 else None,
                owner_organization=cast.org_b if i % 2 else None,
                due_date=today + timedelta(days=start + i),
                status=["not_started", "in_progress", "blocked", "done"][i % 4],
            )
            for i in range(n)
        )

    def test_same_queries_and_cards_at_1x_and_10x(self, cast, wg, login, count_queries):
        from workgroups.views.plans import BOARD_LIMIT

        client = login(cast.staff_b)
        target = url("board", public_id=wg.housing.public_id)
        self._add(cast, wg, 4 * BOARD_LIMIT + 4)  # one over the limit in every column
        few = count_queries(client, target)
        cards_1x = count_queries.page.count('<li class="board-card')
        forms_1x = count_queries.page.count("<form")
        self._add(cast, wg, 36 * BOARD_LIMIT + 36, start=1000)  # ten times as many
        assert count_queries(client, target) == few
        page = count_queries.page
        assert page.count('<li class="board-card') == cards_1x == 4 * BOARD_LIMIT
        assert page.count("<form") == forms_1x < BOARD_LIMIT  # one form, not one per card
        response = client.get(target)
        counts = {c.status: c.total for c in response.context["columns"]}
        assert counts == dict.fromkeys(["not_started", "in_progress", "blocked", "done"], 130)
        assert "See all 130" in page
        # The soonest due first, and the link leads to the whole column, paged.
        first = response.context["columns"][0]
        assert [i.title for i in first.cards[:2]] == ["Bulk item 0", "Bulk item 4"]
        listing = client.get(first.all_url)
        assert listing.status_code == 200
        assert listing.context["page"].paginator.count == 130
        assert client.get(first.all_url + "&page=2").context["page"].number == 2

    def test_one_form_moves_the_card_its_button_names(self, cast, wg, bw, login):
        client = login(cast.staff_a)
        board = url("board", public_id=wg.housing.public_id)
        response = client.post(
            url("board_move", public_id=wg.housing.public_id),
            {"move": f"{bw.by_b.public_id} in_progress", "next": board},
        )
        assert response.status_code == 302 and response["Location"] == board
        bw.by_b.refresh_from_db()
        assert bw.by_b.status == "in_progress"
        fragment = client.post(
            url("board_move", public_id=wg.housing.public_id),
            {"move": f"{bw.by_b.public_id} done"},
            **HTMX,
        )
        assert fragment.status_code == 200 and b"<html" not in fragment.content
        assert "Moved “Recruit fair-chance landlords” to Done." in fragment.content.decode()

    def test_board_move_refuses_items_of_other_groups_and_collaboratives(self, cast, wg, bw, login):
        client = login(cast.staff_a)
        target = url("board_move", public_id=wg.housing.public_id)
        other_group = client.post(target, {"move": f"{bw.private_item.public_id} done"})
        other_collab = client.post(target, {"move": f"{bw.other_item.public_id} done"})
        malformed = client.post(target, {"move": "nonsense done"})
        assert (other_group.status_code, other_collab.status_code) == (404, 404)
        assert malformed.status_code == 404
        outsider = login(cast.outsider).post(target, {"move": f"{bw.by_b.public_id} done"})
        assert outsider.status_code == 404
        for item in (bw.private_item, bw.other_item, bw.by_b):
            item.refresh_from_db()
            assert item.status != "done"

    def test_a_member_who_may_not_move_the_item_gets_403(self, cast, wg, bw, login):
        response = login(cast.observer).post(
            url("board_move", public_id=wg.housing.public_id),
            {"move": f"{bw.by_b.public_id} done"},
        )
        assert response.status_code == 403
