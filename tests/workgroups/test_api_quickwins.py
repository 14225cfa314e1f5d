"""/api/v1/collaboratives/<slug>/quick-wins/: isolation, the anonymous proposer (never
exposed but to backbone staff and the proposer), filters, tokens, query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reentry.api.services import api_token_create
from stakeholders.models import Member
from tests.workgroups.quickwin_world import make_quickwin_world
from workgroups.quickwins import services
from workgroups.quickwins.models import QuickWin

pytestmark = pytest.mark.django_db

V1 = "/api/v1/collaboratives"


@pytest.fixture
def qw(cast, wg):
    return make_quickwin_world(cast, wg)


def _list(slug="collab-a"):
    return f"{V1}/{slug}/quick-wins/"


def _one(quick_win, slug="collab-a"):
    return f"{V1}/{slug}/quick-wins/{quick_win.public_id}/"


def _token_client(member) -> Client:
    member = Member.objects.select_related("organization", "collaborative").get(pk=member.pk)
    _, plain = api_token_create(actor=member, name="Case system")
    return Client(headers={"Authorization": f"Token {plain}"})


class TestIsolation:
    def test_another_collaborative_gets_404(self, cast, qw, login):
        client = login(cast.outsider)
        assert client.get(_list()).status_code == 404
        assert client.get(_one(qw.named)).status_code == 404

    def test_ids_of_another_collaborative_are_404_in_your_own(self, cast, qw, login):
        assert login(cast.outsider).get(_one(qw.named, slug="collab-b")).status_code == 404
        assert login(cast.backbone).get(_one(qw.other)).status_code == 404

    @pytest.mark.parametrize("who", ["staff_c", "community", "observer"])
    def test_members_of_any_sector_read_them(self, cast, qw, login, who):
        response = login(getattr(cast, who)).get(_list())
        assert response.status_code == 200
        titles = {row["title"] for row in response.json()["results"]}
        assert titles == {qw.anonymous.title, qw.named.title}

    def test_anonymous_visitor_is_refused(self, qw, client):
        assert client.get(_list()).status_code in (401, 403)


class TestAnonymousProposer:
    @pytest.mark.parametrize("who", ["staff_a", "staff_b", "staff_c", "admin_a", "observer"])
    def test_never_exposed_to_non_backbone(self, cast, qw, login, who):
        client = login(getattr(cast, who))
        one = client.get(_one(qw.anonymous)).json()
        assert one["proposer"] is None
        fetched = client.get(_list())
        assert fetched.status_code == 200
        listed = fetched.content.decode()
        assert cast.community.user.name not in listed
        assert str(cast.community.public_id) not in listed

    def test_not_through_an_organization_token_either(self, cast, qw):
        client = _token_client(cast.admin_a)
        one = client.get(_one(qw.anonymous))
        assert one.status_code == 200 and one.json()["proposer"] is None
        response = client.get(_list())
        assert response.status_code == 200
        assert cast.community.user.name not in response.content.decode()

    def test_backbone_and_the_proposer_see_it(self, cast, qw, login):
        assert login(cast.backbone).get(_one(qw.anonymous)).json()["proposer"] == (
            cast.community.user.name
        )
        assert login(cast.community).get(_one(qw.anonymous)).json()["proposer"] == (
            cast.community.user.name
        )

    def test_a_named_proposer_is_shown(self, cast, qw, login):
        assert login(cast.observer).get(_one(qw.named)).json()["proposer"] == (
            cast.staff_c.user.name
        )


class TestFilters:
    def test_status_and_key_area(self, cast, qw, login):
        services.quickwin_move(
            actor=cast.backbone, quick_win=qw.named, status=QuickWin.Status.SHORTLISTED
        )
        client = login(cast.staff_a)
        rows = client.get(_list(), {"status": "shortlisted"}).json()["results"]
        assert [r["title"] for r in rows] == [qw.named.title]
        rows = client.get(_list(), {"key_area": cast.key_area.slug}).json()["results"]
        assert [r["title"] for r in rows] == [qw.anonymous.title]
        assert client.get(_list(), {"status": "nope"}).status_code == 400

    def test_journey_fields(self, cast, qw, login):
        row = login(cast.staff_a).get(_one(qw.anonymous)).json()
        assert row["status"] == "proposed"
        assert row["proposed_at"] and row["selected_at"] is None
        assert row["key_areas"] == [cast.key_area.slug]
        assert row["overdue_items"] == 0


def test_the_same_queries_with_one_and_many(cast, wg, login):
    client = login(cast.backbone)

    def add(n):
        for k in range(n):
            quick_win = services.quickwin_propose(
                actor=cast.community,
                title=f"Idea {k}",
                problem="p",
                key_areas=[cast.key_area],
                group=wg.housing,
                is_anonymous=bool(k % 2),
            )
            services.quickwin_comment_add(actor=cast.staff_a, quick_win=quick_win, text="+1")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_list()).status_code == 200
        return len(ctx.captured_queries)

    add(1)
    one = count()
    add(24)
    assert count() == one
