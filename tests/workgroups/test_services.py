from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reentry.audit.models import AuditEvent
from tests.workgroups.conftest import make_group, make_meeting, seat
from workgroups import services
from workgroups.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    GroupJoinRequest,
    GroupMembership,
    WorkingGroup,
)

pytestmark = pytest.mark.django_db
Role = GroupMembership.Role
Policy = WorkingGroup.JoinPolicy


class TestGroupCreate:
    def test_only_backbone_staff_start_groups(self, cast):
        with pytest.raises(PermissionDenied):
            services.group_create(actor=cast.admin_a, name="New group")

    def test_slugs_stay_unique_and_creation_is_audited(self, cast):
        a = make_group(cast.backbone, "Housing Group")
        b = make_group(cast.backbone, "Housing Group")
        assert a.slug != b.slug
        assert AuditEvent.objects.filter(action="workgroup.created").count() == 2

    def test_key_area_of_another_collaborative_is_refused(self, cast):
        from tests.factories import KeyAreaFactory

        elsewhere = KeyAreaFactory(collaborative=cast.other_collab)
        with pytest.raises(ValidationError):
            make_group(cast.backbone, "Mixed", key_area=elsewhere)


class TestJoining:
    def test_open_group_makes_a_member_at_once(self, cast, wg):
        result = services.group_join(actor=cast.staff_c, group=wg.housing)
        assert isinstance(result, GroupMembership)
        assert wg.housing.has_member(cast.staff_c)
        assert cast.staff_c.user.groups.filter(pk=wg.housing.group_id).exists()
        assert AuditEvent.objects.filter(action="workgroup.joined").exists()

    def test_on_request_group_makes_a_request(self, cast, wg):
        result = services.group_join(actor=cast.community, group=wg.private, message="Hi")
        assert isinstance(result, GroupJoinRequest)
        assert result.status == GroupJoinRequest.Status.PENDING
        assert not wg.private.has_member(cast.community)
        again = services.group_join(actor=cast.community, group=wg.private)
        assert again.pk == result.pk

    def test_by_invitation_group_refuses(self, cast, wg):
        wg.housing.join_policy = Policy.INVITATION
        wg.housing.save()
        with pytest.raises(PermissionDenied):
            services.group_join(actor=cast.staff_c, group=wg.housing)
        assert not wg.housing.has_member(cast.staff_c)

    def test_members_of_another_collaborative_cannot_join(self, cast, wg):
        with pytest.raises(PermissionDenied):
            services.group_join(actor=cast.outsider, group=wg.housing)

    def test_joining_twice_is_refused(self, cast, wg):
        with pytest.raises(ValidationError):
            services.group_join(actor=cast.staff_b, group=wg.housing)

    def test_chair_approves_a_request(self, cast, wg):
        jr = services.group_join(actor=cast.community, group=wg.private)
        services.group_join_request_decide(actor=cast.admin_a, join_request=jr, approve=True)
        assert wg.private.has_member(cast.community)
        assert cast.community.user.groups.filter(pk=wg.private.group_id).exists()

    def test_decline_leaves_them_out(self, cast, wg):
        jr = services.group_join(actor=cast.community, group=wg.private)
        services.group_join_request_decide(actor=cast.backbone, join_request=jr, approve=False)
        jr.refresh_from_db()
        assert jr.status == GroupJoinRequest.Status.DECLINED
        assert not wg.private.has_member(cast.community)

    def test_a_plain_member_cannot_decide(self, cast, wg):
        jr = services.group_join(actor=cast.community, group=wg.private)
        with pytest.raises(PermissionDenied):
            services.group_join_request_decide(actor=cast.staff_c, join_request=jr, approve=True)

    def test_chairs_add_people_to_an_invitation_group(self, cast, wg):
        wg.housing.join_policy = Policy.INVITATION
        wg.housing.save()
        services.group_membership_add(actor=cast.staff_a, group=wg.housing, member=cast.staff_c)
        assert wg.housing.has_member(cast.staff_c)


class TestRoles:
    def test_last_community_cochair_cannot_be_demoted(self, cast, wg):
        membership = GroupMembership.objects.get(group=wg.housing, member=cast.community)
        with pytest.raises(ValidationError, match="community co-chair"):
            services.group_membership_set_role(
                actor=cast.staff_a, membership=membership, role=Role.MEMBER
            )
        membership.refresh_from_db()
        assert membership.role == Role.COCHAIR

    def test_last_community_cochair_cannot_leave(self, cast, wg):
        membership = GroupMembership.objects.get(group=wg.housing, member=cast.community)
        with pytest.raises(ValidationError):
            services.group_membership_end(actor=cast.community, membership=membership)

    def test_demotion_is_fine_once_another_community_cochair_exists(self, cast, wg, extra_member):
        seat(wg.housing, extra_member(), Role.COCHAIR)
        membership = GroupMembership.objects.get(group=wg.housing, member=cast.community)
        services.group_membership_set_role(
            actor=cast.staff_a, membership=membership, role=Role.MEMBER
        )
        membership.refresh_from_db()
        assert membership.role == Role.MEMBER
        assert AuditEvent.objects.filter(action="workgroup.role_changed").exists()

    def test_switching_chair_and_cochair_keeps_the_seat(self, cast, wg):
        membership = GroupMembership.objects.get(group=wg.housing, member=cast.community)
        services.group_membership_set_role(
            actor=cast.backbone, membership=membership, role=Role.CHAIR
        )
        membership.refresh_from_db()
        assert membership.role == Role.CHAIR

    def test_groups_without_the_rule_can_lose_chairs(self, cast, wg):
        membership = GroupMembership.objects.get(group=wg.private, member=cast.admin_a)
        services.group_membership_set_role(
            actor=cast.backbone, membership=membership, role=Role.MEMBER
        )
        assert not wg.private.is_managed_by(cast.admin_a)

    def test_members_cannot_change_roles(self, cast, wg):
        membership = GroupMembership.objects.get(group=wg.housing, member=cast.staff_b)
        with pytest.raises(PermissionDenied):
            services.group_membership_set_role(
                actor=cast.staff_b, membership=membership, role=Role.CHAIR
            )


class TestMeetings:
    def test_only_managers_schedule(self, cast, wg):
        with pytest.raises(PermissionDenied):
            make_meeting(cast.staff_b, wg.housing)
        with pytest.raises(PermissionDenied):
            make_meeting(cast.staff_a, None)

    def test_place_or_video_is_needed(self, cast, wg):
        with pytest.raises(ValidationError):
            make_meeting(cast.staff_a, wg.housing, place="")

    def test_agenda_add_and_reorder(self, cast, wg):
        a = services.agenda_item_add(actor=cast.staff_a, meeting=wg.meeting, title="One")
        b = services.agenda_item_add(
            actor=cast.staff_a, meeting=wg.meeting, title="Two", presenter=cast.community
        )
        assert (a.order, b.order) == (0, 1)
        services.agenda_item_reorder(
            actor=cast.staff_a, meeting=wg.meeting, order=[b.public_id, a.public_id]
        )
        assert list(wg.meeting.agenda_items.values_list("title", flat=True)) == ["Two", "One"]
        with pytest.raises(ValidationError):
            services.agenda_item_reorder(
                actor=cast.staff_a, meeting=wg.meeting, order=[a.public_id]
            )

    def test_presenter_from_another_collaborative_is_refused(self, cast, wg):
        with pytest.raises(ValidationError):
            services.agenda_item_add(
                actor=cast.staff_a, meeting=wg.meeting, title="X", presenter=cast.outsider
            )


class TestAttendance:
    def test_bulk_record_with_walk_ins(self, cast, wg):
        written = services.attendance_record(
            actor=cast.staff_a,
            meeting=wg.meeting,
            statuses={
                str(cast.staff_a.public_id): "present",
                str(cast.community.public_id): "excused",
                str(cast.staff_b.public_id): "absent",
            },
            walk_ins=["Rosa Delgado", " ", "Rosa Delgado"],
        )
        assert written == 4
        rows = {(a.member_id, a.walk_in_name): a.status for a in Attendance.objects.all()}
        assert rows[(cast.community.pk, "")] == "excused"
        assert rows[(None, "Rosa Delgado")] == "present"
        wg.meeting.refresh_from_db()
        assert wg.meeting.status == "held"

    def test_recording_again_updates_and_clears(self, cast, wg):
        sid = str(cast.staff_b.public_id)
        services.attendance_record(actor=cast.staff_a, meeting=wg.meeting, statuses={sid: "absent"})
        services.attendance_record(
            actor=cast.staff_a, meeting=wg.meeting, statuses={sid: "present"}
        )
        assert Attendance.objects.get(member=cast.staff_b).status == "present"
        services.attendance_record(actor=cast.staff_a, meeting=wg.meeting, statuses={sid: ""})
        assert not Attendance.objects.filter(member=cast.staff_b).exists()

    def test_people_of_another_collaborative_are_refused(self, cast, wg):
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=cast.staff_a,
                meeting=wg.meeting,
                statuses={str(cast.outsider.public_id): "present"},
            )
        assert not Attendance.objects.exists()

    def test_bad_status_is_refused(self, cast, wg):
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=cast.staff_a,
                meeting=wg.meeting,
                statuses={str(cast.staff_b.public_id): "asleep"},
            )

    def test_members_cannot_take_attendance(self, cast, wg):
        with pytest.raises(PermissionDenied):
            services.attendance_record(actor=cast.staff_b, meeting=wg.meeting, statuses={})

    def test_not_weeks_before_the_gathering(self, cast, wg):
        future = make_meeting(cast.staff_a, wg.housing, days=14)
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=cast.staff_a, meeting=future, statuses={}, walk_ins=["Early Bird"]
            )


class TestDecisionsAndFollowUps:
    def test_decision_to_action_item_in_one_step(self, cast, wg):
        topic = services.agenda_item_add(actor=cast.staff_a, meeting=wg.meeting, title="Beds")
        decision = services.decision_record(
            actor=cast.staff_a, meeting=wg.meeting, text="Open ten beds", agenda_item=topic
        )
        due = timezone.localdate() + timedelta(days=30)
        item = services.followup_to_action_item(
            actor=cast.staff_a,
            meeting=wg.meeting,
            decision=decision,
            title="Find ten beds",
            owner_member=cast.staff_c,
            owner_organization=cast.org_c,
            due_date=due,
        )
        assert item.group == wg.housing
        assert item.collaborative == cast.collab
        assert item.key_area == cast.key_area
        assert item.source_decision == decision
        assert item.source_agenda_item == topic
        assert item.owner_organization == cast.org_c  # another sector than the chair's
        assert item.due_date == due
        event = AuditEvent.objects.get(action="action_item.created")
        assert event.details["meeting"] == str(wg.meeting.public_id)

    def test_a_person_who_left_is_not_given_a_follow_up(self, cast, wg):
        cast.staff_c.is_active = False
        cast.staff_c.save(update_fields=["is_active"])
        with pytest.raises(ValidationError):
            services.followup_to_action_item(
                actor=cast.staff_a, meeting=wg.meeting, title="X", owner_member=cast.staff_c
            )
        assert not ActionItem.objects.exists()

    def test_an_owner_is_required(self, cast, wg):
        with pytest.raises(ValidationError):
            services.followup_to_action_item(actor=cast.staff_a, meeting=wg.meeting, title="X")

    def test_a_decision_of_another_gathering_is_refused(self, cast, wg):
        decision = services.decision_record(
            actor=cast.admin_a, meeting=wg.private_meeting, text="Private decision"
        )
        with pytest.raises(ValidationError):
            services.followup_to_action_item(
                actor=cast.staff_a,
                meeting=wg.meeting,
                decision=decision,
                title="X",
                owner_member=cast.staff_a,
            )

    def test_owners_of_another_collaborative_are_refused(self, cast, wg):
        with pytest.raises(ValidationError):
            services.followup_to_action_item(
                actor=cast.staff_a, meeting=wg.meeting, title="X", owner_organization=cast.org_x
            )

    def test_owner_moves_the_status_with_an_update(self, cast, wg):
        item = services.followup_to_action_item(
            actor=cast.staff_a, meeting=wg.meeting, title="X", owner_member=cast.staff_c
        )
        services.action_item_set_status(actor=cast.staff_c, item=item, status="in_progress")
        item.refresh_from_db()
        assert item.status == ActionItem.Status.IN_PROGRESS
        assert item.updates.count() == 1
        with pytest.raises(PermissionDenied):
            services.action_item_set_status(actor=cast.staff_b, item=item, status="done")


def test_agenda_items_are_seen_through_their_gathering(cast, wg):
    services.agenda_item_add(actor=cast.admin_a, meeting=wg.private_meeting, title="Secret")
    assert not AgendaItem.objects.visible_to(cast.staff_b.user).exists()
    assert AgendaItem.objects.visible_to(cast.staff_c.user).count() == 1


def test_action_items_from_private_minutes_stay_private(cast, wg):
    services.followup_to_action_item(
        actor=cast.admin_a, meeting=wg.private_meeting, title="X", owner_member=cast.admin_a
    )
    assert not ActionItem.objects.visible_to(cast.staff_b.user).exists()
    assert ActionItem.objects.visible_to(cast.staff_c.user).count() == 1
    assert not ActionItem.objects.visible_to(cast.outsider.user).exists()
