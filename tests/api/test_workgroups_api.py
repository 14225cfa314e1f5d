"""/api/v1/collaboratives/<slug>/groups/, meetings/, action-plans/, action-items/:
isolation, sharing (private minutes), filters and query counts."""

import pytest

from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.workgroups.board_world import make_board_world
from tests.workgroups.conftest import make_group, make_meeting, seat
from tests.workgroups.conftest import wg as wg  # noqa: F401 - the working-group fixture
from workgroups import services

pytestmark = pytest.mark.django_db

V1 = "/api/v1/collaboratives"


@pytest.fixture
def bw(cast, wg):
    return make_board_world(cast, wg)


def endpoints(cast, wg, bw, slug="collab-a") -> dict[str, str]:
    base = f"{V1}/{slug}"
    return {
        "groups": f"{base}/groups/",
        "group": f"{base}/groups/{wg.housing.public_id}/",
        "meetings": f"{base}/meetings/",
        "meeting": f"{base}/meetings/{wg.meeting.public_id}/",
        "action-plans": f"{base}/action-plans/",
        "action-plan": f"{base}/action-plans/{bw.plan.public_id}/",
        "action-items": f"{base}/action-items/",
        "action-item": f"{base}/action-items/{bw.by_b.public_id}/",
    }


NAMES = [
    "groups",
    "group",
    "meetings",
    "meeting",
    "action-plans",
    "action-plan",
    "action-items",
    "action-item",
]


@pytest.mark.parametrize("name", NAMES)
def test_member_of_another_collaborative_gets_404(cast, wg, bw, login, name):
    assert login(cast.outsider).get(endpoints(cast, wg, bw)[name]).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_ids_of_another_collaborative_get_404_in_your_own(cast, wg, bw, login, name):
    target = endpoints(cast, wg, bw, slug="collab-b")[name]
    expected = 200 if name in ("groups", "meetings", "action-plans", "action-items") else 404
    assert login(cast.outsider).get(target).status_code == expected


@pytest.mark.parametrize("name", NAMES)
def test_token_of_another_collaborative_gets_404(cast, wg, bw, make_token, token_client, name):
    admin_x = MemberFactory(
        collaborative=cast.other_collab, role=Member.Role.ORG_ADMIN, organization=cast.org_x
    )
    _t, plain = make_token(admin_x)
    assert token_client(plain).get(endpoints(cast, wg, bw)[name]).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_refused(cast, wg, bw, client, name):
    assert client.get(endpoints(cast, wg, bw)[name]).status_code in (401, 403)


@pytest.mark.parametrize("name", NAMES)
def test_a_member_and_a_token_of_the_collaborative_read_them(
    cast, wg, bw, login, make_token, token_client, name
):
    assert login(cast.community).get(endpoints(cast, wg, bw)[name]).status_code == 200
    _t, plain = make_token(cast.admin_a)
    assert token_client(plain).get(endpoints(cast, wg, bw)[name]).status_code == 200


def _ids(response):
    return {row["public_id"] for row in response.json()["results"]}


class TestSharing:
    def test_private_minutes_are_for_group_members(self, cast, wg, bw, login):
        endpoints_a = endpoints(cast, wg, bw)
        private = f"{V1}/collab-a/meetings/{wg.private_meeting.public_id}/"
        outside = login(cast.staff_b)
        assert str(wg.private_meeting.public_id) not in _ids(outside.get(endpoints_a["meetings"]))
        assert outside.get(private).status_code == 404
        inside = login(cast.staff_c)
        assert str(wg.private_meeting.public_id) in _ids(inside.get(endpoints_a["meetings"]))
        assert inside.get(private).json()["minutes"] == ""

    def test_items_from_private_gatherings_follow_the_minutes(self, cast, wg, bw, login):
        item = f"{V1}/collab-a/action-items/{bw.private_item.public_id}/"
        assert login(cast.staff_b).get(item).status_code == 404
        assert login(cast.staff_c).get(item).status_code == 200  # member and owner
        listing = login(cast.staff_b).get(f"{V1}/collab-a/action-items/")
        assert str(bw.private_item.public_id) not in _ids(listing)

    def test_token_reads_as_its_creator(self, cast, wg, bw, make_token, token_client):
        _t, plain = make_token(cast.admin_a)  # chair of the private group
        client = token_client(plain)
        assert str(wg.private_meeting.public_id) in _ids(client.get(f"{V1}/collab-a/meetings/"))


class TestShape:
    def test_item_fields_and_updates(self, cast, wg, bw, login):
        services.progress_update_add(actor=cast.staff_b, item=bw.by_b, text="Two landlords")
        data = login(cast.community).get(f"{V1}/collab-a/action-items/{bw.by_b.public_id}/")
        data = data.json()
        assert data["group"] == str(wg.housing.public_id)
        assert data["priority"] == str(bw.first.public_id)
        assert data["owner_organization"] == str(cast.org_b.public_id)
        assert data["owner_name"] == cast.staff_b.user.name
        assert data["key_area"] == "housing"
        assert [u["text"] for u in data["updates"]] == ["Two landlords"]

    def test_plan_lists_ranked_priorities(self, cast, wg, bw, login):
        services.priority_move(actor=cast.staff_a, priority=bw.second, up=True)
        data = login(cast.community).get(f"{V1}/collab-a/action-plans/{bw.plan.public_id}/")
        assert [p["title"] for p in data.json()["priorities"]] == [
            "No one to the street",
            "More landlords",
        ]

    def test_meeting_has_agenda_and_decisions_but_no_attendance(self, cast, wg, bw, login):
        data = login(cast.community).get(f"{V1}/collab-a/meetings/{wg.meeting.public_id}/")
        assert {"agenda", "decisions", "minutes"} <= set(data.json())
        assert "attendance" not in data.json()


class TestFilters:
    def test_item_filters(self, cast, wg, bw, login):
        client = login(cast.staff_a)
        base = f"{V1}/collab-a/action-items/"
        services.action_item_move(actor=cast.staff_a, item=bw.by_c, status="done")
        assert _ids(client.get(base, {"status": "done"})) == {str(bw.by_c.public_id)}
        assert str(bw.by_c.public_id) not in _ids(client.get(base, {"status": "open"}))
        assert _ids(client.get(base, {"overdue": "true"})) == {str(bw.orphan.public_id)}
        owner = {"owner_organization": str(cast.org_b.public_id)}
        assert _ids(client.get(base, owner)) == {str(bw.by_b.public_id)}
        assert len(_ids(client.get(base, {"plan": str(bw.plan.public_id)}))) == 3
        assert client.get(base, {"status": "lost"}).status_code == 400
        assert client.get(base, {"due_before": "soon"}).status_code == 400
        assert client.get(base, {"group": "not-a-uuid"}).status_code == 400

    def test_meeting_filters(self, cast, wg, bw, login):
        upcoming = make_meeting(cast.staff_a, wg.housing, days=5, title="Next month")
        client = login(cast.staff_a)
        ids = _ids(client.get(f"{V1}/collab-a/meetings/", {"upcoming": "true"}))
        assert ids == {str(upcoming.public_id)}
        group = {"group": str(wg.private.public_id)}
        assert _ids(client.get(f"{V1}/collab-a/meetings/", group)) == set()  # not a member
        chair = login(cast.admin_a)
        assert _ids(chair.get(f"{V1}/collab-a/meetings/", group)) == {
            str(wg.private_meeting.public_id)
        }


class TestQueryCounts:
    @pytest.mark.parametrize("name", ["groups", "meetings", "action-plans", "action-items"])
    def test_same_queries_at_1_and_25_rows(self, cast, wg, bw, login, count_queries, name):
        client = login(cast.backbone)
        target = f"{V1}/collab-a/{name}/"
        few = count_queries(client, target)
        for i in range(24):
            group = make_group(cast.backbone, f"G{i}")
            seat(group, cast.staff_a, "chair")
            meeting = make_meeting(cast.backbone, group, title=f"M{i}")
            services.agenda_item_add(
                actor=cast.backbone, meeting=meeting, title="Hello", presenter=cast.staff_b
            )
            services.decision_record(actor=cast.backbone, meeting=meeting, text="Yes")
            plan = services.action_plan_create(
                actor=cast.backbone, group=group, period="2026", title=f"P{i}"
            )
            priority = services.priority_add(actor=cast.backbone, plan=plan, title="One")
            item = services.action_item_create(
                actor=cast.backbone,
                group=group,
                priority=priority,
                title=f"I{i}",
                owner_member=cast.staff_b,
                owner_organization=cast.org_b,
                key_area=cast.key_area,
            )
            services.progress_update_add(actor=cast.backbone, item=item, text="Going")
        assert count_queries(client, target) == few <= 10


def test_schema_validates_and_lists_the_endpoints(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for name in ("groups", "meetings", "action-plans", "action-items"):
        assert f"  /api/v1/collaboratives/{{collaborative_slug}}/{name}/{{public_id}}/:" in text
