from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reentry.audit.models import AuditEvent
from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.workgroups.conftest import make_group, make_meeting, seat
from workgroups import services
from workgroups.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    WorkingGroup,
)

pytestmark = pytest.mark.django_db


def url(name, slug="collab-a", **kw):
    return reverse(f"workgroups:{name}", kwargs={"slug": slug, **kw})


def _item(cast, wg):
    return services.followup_to_action_item(
        actor=cast.staff_a, meeting=wg.meeting, title="Find beds", owner_member=cast.staff_b
    )


# (url name, kwargs from (cast, wg), method, who may, expected status for them)
PAGES = [
    ("groups", lambda c, w: {}, "get", "community", 200),
    ("group_create", lambda c, w: {}, "get", "backbone", 200),
    ("my_action_items", lambda c, w: {}, "get", "staff_b", 200),
    ("group", lambda c, w: {"public_id": w.housing.public_id}, "get", "observer", 200),
    ("group_action_items", lambda c, w: {"public_id": w.housing.public_id}, "get", "staff_c", 200),
    ("group_join", lambda c, w: {"public_id": w.housing.public_id}, "post", "staff_c", 302),
    ("group_leave", lambda c, w: {"public_id": w.housing.public_id}, "post", "staff_b", 302),
    ("group_member_add", lambda c, w: {"public_id": w.housing.public_id}, "post", "staff_a", 302),
    ("meeting_create", lambda c, w: {"public_id": w.housing.public_id}, "get", "staff_a", 200),
    ("meeting", lambda c, w: {"public_id": w.meeting.public_id}, "get", "observer", 200),
    ("meeting_agenda", lambda c, w: {"public_id": w.meeting.public_id}, "get", "staff_c", 200),
    (
        "meeting_attendance",
        lambda c, w: {"public_id": w.meeting.public_id},
        "get",
        "community",
        200,
    ),
    ("agenda_add", lambda c, w: {"public_id": w.meeting.public_id}, "post", "staff_a", 302),
    ("meeting_minutes", lambda c, w: {"public_id": w.meeting.public_id}, "post", "staff_a", 302),
    ("decision_add", lambda c, w: {"public_id": w.meeting.public_id}, "post", "staff_a", 302),
    ("followup_add", lambda c, w: {"public_id": w.meeting.public_id}, "post", "staff_a", 302),
]
# Pages that take an object id: asked for from inside another collaborative.
TENANT_PAGES = [p for p in PAGES if p[0] not in ("groups", "group_create", "my_action_items")]


def _call(client, method, target, data=None):
    return getattr(client, method)(target, data or {})


class TestIsolation:
    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status"), PAGES)
    def test_the_right_person_gets_the_page(
        self, cast, wg, login, name, kwargs, method, who, status
    ):
        data = {"member": cast.staff_c.pk, "role": "member"} if name == "group_member_add" else {}
        response = _call(login(getattr(cast, who)), method, url(name, **kwargs(cast, wg)), data)
        assert response.status_code == status

    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status"), PAGES)
    def test_another_collaborative_gets_404(
        self, cast, wg, login, name, kwargs, method, who, status
    ):
        response = _call(login(cast.outsider), method, url(name, **kwargs(cast, wg)))
        assert response.status_code == 404

    @pytest.mark.parametrize(("name", "kwargs", "method", "who", "status"), TENANT_PAGES)
    def test_ids_from_another_collaborative_get_404_in_your_own(
        self, cast, wg, login, name, kwargs, method, who, status
    ):
        # collab-b's backbone asks, in collab-b, for collab-a's objects by id.
        response = _call(
            login(cast.outsider), method, url(name, slug="collab-b", **kwargs(cast, wg))
        )
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("name", "method"),
        [
            ("meeting", "get"),
            ("meeting_agenda", "get"),
            ("meeting_attendance", "get"),
            ("agenda_add", "post"),
            ("meeting_minutes", "post"),
            ("decision_add", "post"),
            ("followup_add", "post"),
        ],
    )
    def test_non_member_of_a_private_minutes_group_gets_404(self, cast, wg, login, name, method):
        target = url(name, public_id=wg.private_meeting.public_id)
        assert _call(login(cast.staff_b), method, target).status_code == 404
        assert AuditEvent.objects.filter(action="access.not_found").exists()
        # A member of the group reads it.
        if method == "get" and name != "meeting_attendance":
            assert login(cast.staff_c).get(target).status_code == 200

    def test_anonymous_is_sent_to_sign_in(self, cast, wg, client):
        response = client.get(url("meeting", public_id=wg.meeting.public_id))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    @pytest.mark.parametrize(
        ("name", "method"),
        [
            ("meeting_attendance", "get"),
            ("meeting_create", "get"),
            ("meeting_minutes", "post"),
            ("decision_add", "post"),
            ("followup_add", "post"),
            ("agenda_add", "post"),
            ("group_member_add", "post"),
        ],
    )
    def test_plain_members_get_403_for_managing(self, cast, wg, login, name, method):
        oid = wg.housing.public_id if name.startswith(("group", "meeting_create")) else None
        target = url(name, public_id=oid or wg.meeting.public_id)
        assert _call(login(cast.staff_b), method, target).status_code == 403

    def test_only_backbone_start_groups(self, cast, login):
        assert login(cast.admin_a).get(url("group_create")).status_code == 403

    def test_action_item_status_of_another_collaborative_gets_404(self, cast, wg, login):
        item = _item(cast, wg)
        target = url("action_item_status", slug="collab-b", public_id=item.public_id)
        assert login(cast.outsider).post(target, {"status": "done"}).status_code == 404

    def test_request_decide_is_for_chairs(self, cast, wg, login):
        jr = services.group_join(actor=cast.community, group=wg.private)
        target = url(
            "group_request_decide", public_id=wg.private.public_id, request_id=jr.public_id
        )
        assert login(cast.staff_b).post(target, {"decision": "approve"}).status_code == 403
        assert login(cast.admin_a).post(target, {"decision": "approve"}).status_code == 302
        assert wg.private.has_member(cast.community)

    def test_membership_of_another_group_gets_404(self, cast, wg, login):
        other = GroupMembership.objects.get(group=wg.private, member=cast.staff_c)
        target = url(
            "group_member_change", public_id=wg.housing.public_id, membership_id=other.public_id
        )
        response = login(cast.staff_a).post(target, {"action": "remove"})
        assert response.status_code == 404
        assert GroupMembership.objects.get(pk=other.pk).is_active


class TestGroupPages:
    def test_list_shows_join_and_ask_buttons(self, cast, wg, login):
        response = login(cast.observer).get(url("groups"))
        assert b"Housing Working Group" in response.content
        assert b"Hard Cases Group" in response.content
        assert b"Ask to join" in response.content
        assert b"Lakeshore" not in response.content

    def test_join_from_the_list_in_one_tap(self, cast, wg, login):
        response = login(cast.staff_c).post(
            url("group_join", public_id=wg.housing.public_id), {"next": "list"}
        )
        assert response["Location"] == url("groups")
        assert wg.housing.has_member(cast.staff_c)

    def test_ask_to_join_with_a_message(self, cast, wg, login):
        login(cast.community).post(
            url("group_join", public_id=wg.private.public_id), {"message": "I can help"}
        )
        jr = GroupJoinRequest.objects.get(group=wg.private, member=cast.community)
        assert jr.message == "I can help"
        page = login(cast.admin_a).get(url("group", public_id=wg.private.public_id))
        assert b"I can help" in page.content

    def test_invitation_group_offers_no_join_button(self, cast, wg, login):
        wg.housing.join_policy = WorkingGroup.JoinPolicy.INVITATION
        wg.housing.save()
        client = login(cast.staff_c)
        page = client.get(url("group", public_id=wg.housing.public_id))
        assert b"Join this group" not in page.content
        client.post(url("group_join", public_id=wg.housing.public_id))
        assert not wg.housing.has_member(cast.staff_c)

    def test_private_group_page_hides_gatherings_from_non_members(self, cast, wg, login):
        page = login(cast.staff_b).get(url("group", public_id=wg.private.public_id))
        assert page.status_code == 200
        assert b"Case review" not in page.content
        page = login(cast.staff_c).get(url("group", public_id=wg.private.public_id))
        assert b"Case review" in page.content

    def test_chair_changes_a_role_and_last_community_cochair_is_kept(self, cast, wg, login):
        client = login(cast.staff_a)
        community = GroupMembership.objects.get(group=wg.housing, member=cast.community)
        target = url(
            "group_member_change", public_id=wg.housing.public_id, membership_id=community.public_id
        )
        client.post(target, {"action": "role", "role": "member"})
        community.refresh_from_db()
        assert community.role == "cochair"
        b = GroupMembership.objects.get(group=wg.housing, member=cast.staff_b)
        client.post(
            url("group_member_change", public_id=wg.housing.public_id, membership_id=b.public_id),
            {"action": "role", "role": "cochair"},
        )
        b.refresh_from_db()
        assert b.role == "cochair"

    def test_group_create_page_makes_a_group(self, cast, login):
        response = login(cast.backbone).post(
            url("group_create"),
            {
                "name": "Transit Group",
                "key_area": cast.key_area.pk,
                "charter": "Rides",
                "join_policy": "open",
                "minutes_sharing": "collaborative",
            },
        )
        group = WorkingGroup.objects.get(name="Transit Group")
        assert response["Location"] == group.get_absolute_url()


class TestGatheringPages:
    def test_detail_shows_agenda_minutes_decisions(self, cast, wg, login):
        services.agenda_item_add(actor=cast.staff_a, meeting=wg.meeting, title="Bed count")
        services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text="Open more beds")
        services.meeting_record_minutes(actor=cast.staff_a, meeting=wg.meeting, minutes="We met.")
        page = login(cast.observer).get(url("meeting", public_id=wg.meeting.public_id))
        for text in (b"Bed count", b"Open more beds", b"We met."):
            assert text in page.content
        assert b"Take attendance" not in page.content
        chair_page = login(cast.staff_a).get(url("meeting", public_id=wg.meeting.public_id))
        assert b"Make this an action item" in chair_page.content

    def test_printable_agenda_has_print_styles(self, cast, wg, login):
        services.agenda_item_add(actor=cast.staff_a, meeting=wg.meeting, title="Bed count")
        page = login(cast.staff_b).get(url("meeting_agenda", public_id=wg.meeting.public_id))
        assert b"Bed count" in page.content
        assert b"workgroups/workgroups.css" in page.content
        assert b"<script" not in page.content.split(b"</head>")[1]  # no inline script

    def test_schedule_a_gathering(self, cast, wg, login):
        # 6 pm a week from today: "now + 7 days" lands in the hour the clocks skip (or
        # repeat) when run in the small hours a week before a DST change.
        start = datetime.combine(timezone.localdate() + timedelta(days=7), time(18))
        response = login(cast.staff_a).post(
            url("meeting_create", public_id=wg.housing.public_id),
            {
                "title": "Next month",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                "place": "",
                "video_link": "https://meet.example.org/x",
            },
        )
        meeting = Meeting.objects.get(title="Next month")
        assert response["Location"] == meeting.get_absolute_url()
        assert meeting.owner == wg.housing

    def test_schedule_form_keeps_what_was_typed_on_error(self, cast, wg, login):
        response = login(cast.staff_a).post(
            url("meeting_create", public_id=wg.housing.public_id),
            {"title": "Kept title", "starts_at": "", "ends_at": "", "place": ""},
        )
        assert response.status_code == 200
        assert b"Kept title" in response.content
        assert not Meeting.objects.filter(title="Kept title").exists()

    def test_attendance_from_a_phone_in_one_post(self, cast, wg, login):
        client = login(cast.community)  # a community co-chair takes attendance
        page = client.get(url("meeting_attendance", public_id=wg.meeting.public_id))
        for m in (cast.staff_a, cast.staff_b, cast.community):
            assert f'name="att-{m.public_id}"'.encode() in page.content
        response = client.post(
            url("meeting_attendance", public_id=wg.meeting.public_id),
            {
                f"att-{cast.staff_a.public_id}": "present",
                f"att-{cast.staff_b.public_id}": "excused",
                f"att-{cast.community.public_id}": "present",
                "walk_in": "Rosa Delgado\nKevin Moore",
                "then": "done",
            },
            HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile",
        )
        assert response.status_code == 302
        statuses = dict(
            Attendance.objects.filter(member__isnull=False).values_list("member_id", "status")
        )
        assert statuses == {
            cast.staff_a.pk: "present",
            cast.staff_b.pk: "excused",
            cast.community.pk: "present",
        }
        walk_ins = set(
            Attendance.objects.filter(member__isnull=True).values_list("walk_in_name", flat=True)
        )
        assert walk_ins == {"Rosa Delgado", "Kevin Moore"}

    def test_attendance_ignores_ids_of_people_not_on_the_list(self, cast, wg, login):
        login(cast.staff_a).post(
            url("meeting_attendance", public_id=wg.meeting.public_id),
            {f"att-{cast.outsider.public_id}": "present"},
        )
        assert not Attendance.objects.filter(member=cast.outsider).exists()

    def test_decision_to_action_item_in_one_step(self, cast, wg, login):
        decision = services.decision_record(
            actor=cast.staff_a, meeting=wg.meeting, text="Find ten more beds"
        )
        due = timezone.localdate() + timedelta(days=21)
        response = login(cast.staff_a).post(
            url("followup_add", public_id=wg.meeting.public_id),
            {
                "followup-source": f"d:{decision.public_id}",
                "followup-title": "Call three landlords",
                "followup-owner_member": cast.staff_c.pk,
                "followup-owner_organization": cast.org_c.pk,
                "followup-due_date": due.isoformat(),
            },
        )
        assert response.status_code == 302
        item = ActionItem.objects.get()
        assert (item.title, item.owner_member, item.owner_organization, item.due_date) == (
            "Call three landlords",
            cast.staff_c,
            cast.org_c,
            due,
        )
        assert item.source_decision == decision
        mine = login(cast.staff_c).get(url("my_action_items"))
        assert b"Call three landlords" in mine.content

    def test_follow_up_with_an_organization_of_another_collaborative_is_refused(
        self, cast, wg, login
    ):
        login(cast.staff_a).post(
            url("followup_add", public_id=wg.meeting.public_id),
            {"followup-title": "X", "followup-owner_organization": cast.org_x.pk},
        )
        assert not ActionItem.objects.exists()

    def test_agenda_and_decision_forms(self, cast, wg, login):
        client = login(cast.staff_a)
        client.post(
            url("agenda_add", public_id=wg.meeting.public_id),
            {"agenda-title": "First", "agenda-presenter": cast.community.pk},
        )
        client.post(url("agenda_add", public_id=wg.meeting.public_id), {"agenda-title": "Second"})
        second = AgendaItem.objects.get(title="Second")
        client.post(
            url("agenda_move", public_id=wg.meeting.public_id, item_id=second.public_id),
            {"direction": "up"},
        )
        assert list(wg.meeting.agenda_items.values_list("title", flat=True)) == ["Second", "First"]
        client.post(
            url("decision_add", public_id=wg.meeting.public_id),
            {"decision-text": "Yes", "decision-agenda_item": second.pk},
        )
        assert Decision.objects.get().agenda_item == second

    def test_owner_updates_status_from_my_action_items(self, cast, wg, login):
        item = _item(cast, wg)
        client = login(cast.staff_b)
        page = client.get(url("my_action_items"))
        assert f"st-{item.public_id}".encode() in page.content
        client.post(url("action_item_status", public_id=item.public_id), {"status": "done"})
        item.refresh_from_db()
        assert item.status == "done"

    def test_someone_else_cannot_update_the_status(self, cast, wg, login):
        item = _item(cast, wg)
        response = login(cast.staff_c).post(
            url("action_item_status", public_id=item.public_id), {"status": "done"}
        )
        assert response.status_code == 403
        item.refresh_from_db()
        assert item.status == "not_started"


class TestQueryCounts:
    """Every list page issues the same number of queries at 1 row and at 25."""

    def test_group_list(self, cast, login, count_queries):
        client = login(cast.community)
        group = make_group(cast.backbone, "Group 0")
        seat(group, cast.staff_a, "chair")
        few = count_queries(client, url("groups"))
        for i in range(1, 25):
            g = make_group(cast.backbone, f"Group {i}")
            seat(g, cast.staff_a, "chair")
            seat(g, cast.community, "cochair")
            make_meeting(cast.backbone, g, days=3)
        assert count_queries(client, url("groups")) == few <= 12
        assert all(f"Group {i}<" in count_queries.page for i in range(25))

    def test_group_page_members_and_gatherings(self, cast, wg, login, count_queries):
        client = login(cast.staff_a)
        target = url("group", public_id=wg.housing.public_id)
        few = count_queries(client, target)
        for i in range(24):
            seat(wg.housing, MemberFactory(collaborative=cast.collab))
            make_meeting(cast.backbone, wg.housing, days=i - 12, title=f"G{i}")
            services.followup_to_action_item(
                actor=cast.staff_a, meeting=wg.meeting, title=f"I{i}", owner_member=cast.staff_b
            )
        assert count_queries(client, target) == few <= 22

    def test_group_action_items(self, cast, wg, login, count_queries):
        client = login(cast.staff_a)
        target = url("group_action_items", public_id=wg.housing.public_id)
        _item(cast, wg)
        few = count_queries(client, target)
        for i in range(24):
            services.followup_to_action_item(
                actor=cast.staff_a,
                meeting=wg.meeting,
                title=f"I{i}",
                owner_member=cast.staff_b,
                owner_organization=cast.org_c,
            )
        assert count_queries(client, target) == few <= 10
        assert all(f"I{i}<" in count_queries.page for i in range(24))

    def test_my_action_items(self, cast, wg, login, count_queries):
        client = login(cast.staff_b)
        _item(cast, wg)
        few = count_queries(client, url("my_action_items"))
        for i in range(24):
            services.followup_to_action_item(
                actor=cast.staff_a, meeting=wg.meeting, title=f"I{i}", owner_member=cast.staff_b
            )
        assert count_queries(client, url("my_action_items")) == few <= 10
        assert all(f"I{i}<" in count_queries.page for i in range(24))

    def test_gathering_page(self, cast, wg, login, count_queries):
        client = login(cast.staff_a)
        target = url("meeting", public_id=wg.meeting.public_id)
        few = count_queries(client, target)
        for i in range(24):
            m = MemberFactory(collaborative=cast.collab)
            services.agenda_item_add(
                actor=cast.staff_a, meeting=wg.meeting, title=f"A{i}", presenter=m
            )
            services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text=f"D{i}")
            services.attendance_record(
                actor=cast.staff_a,
                meeting=wg.meeting,
                statuses={str(m.public_id): "present"},
                walk_ins=[f"Walk-in {i}"],
            )
        assert count_queries(client, target) == few <= 22
        page = count_queries.page
        assert all(f"A{i}<" in page and f"D{i}<" in page for i in range(24))

    def test_attendance_page(self, cast, wg, login, count_queries):
        client = login(cast.staff_a)
        target = url("meeting_attendance", public_id=wg.meeting.public_id)
        few = count_queries(client, target)
        for _ in range(24):
            m = MemberFactory(
                collaborative=cast.collab, role=Member.Role.PROVIDER_STAFF, organization=cast.org_b
            )
            seat(wg.housing, m)
        assert count_queries(client, target) == few <= 10
        assert f"att-{m.public_id}" in count_queries.page  # the last of the 24 is listed

    def test_whole_collaborative_gathering_lists_everyone_for_attendance(
        self, cast, login, count_queries
    ):
        meeting = make_meeting(cast.backbone, None)
        page = login(cast.backbone).get(url("meeting_attendance", public_id=meeting.public_id))
        assert f"att-{cast.observer.public_id}".encode() in page.content
        assert f"att-{cast.outsider.public_id}".encode() not in page.content
