"""Working groups as owners in the sharing mechanism: auth.Group membership follows
group membership, and Meeting.visible_to follows the minutes' sharing rules."""

import pytest
from django.contrib.auth.models import AnonymousUser

from reentry.sharing.levels import SharingLevel
from reentry.sharing.services import sharing_set
from stakeholders.models import Member
from tests.workgroups.conftest import make_meeting, seat
from workgroups import services
from workgroups.models import GroupMembership, Meeting, WorkingGroup

pytestmark = pytest.mark.django_db

CAST = ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer", "outsider"]


def in_auth_group(member: Member, group: WorkingGroup) -> bool:
    return member.user.groups.filter(pk=group.group_id).exists()


class TestAuthGroupSync:
    def test_group_has_its_own_backing_auth_group(self, wg):
        assert wg.housing.group is not None
        assert wg.housing.group.name.startswith("sharing:workinggroup:")

    def test_members_are_in_the_auth_group_exactly_while_active(self, cast, wg):
        assert in_auth_group(cast.staff_b, wg.housing)
        assert not in_auth_group(cast.staff_c, wg.housing)
        membership = GroupMembership.objects.get(group=wg.housing, member=cast.staff_b)
        membership.is_active = False
        membership.save()
        assert not in_auth_group(cast.staff_b, wg.housing)
        membership.is_active = True
        membership.save()
        assert in_auth_group(cast.staff_b, wg.housing)

    def test_deleting_a_membership_takes_the_person_out(self, cast, wg):
        GroupMembership.objects.filter(group=wg.housing, member=cast.staff_b).delete()
        # A queryset delete sends post_delete per row: the signal still runs.
        assert not in_auth_group(cast.staff_b, wg.housing)

    def test_leaving_the_collaborative_takes_the_person_out(self, cast, wg):
        cast.staff_b.is_active = False
        cast.staff_b.save()
        assert not in_auth_group(cast.staff_b, wg.housing)

    def test_other_memberships_groups_are_kept(self, cast, wg):
        GroupMembership.objects.filter(group=wg.housing, member=cast.staff_b).delete()
        assert cast.staff_b.user.groups.filter(pk=cast.org_b.group_id).exists()
        assert cast.staff_b.user.groups.filter(pk=cast.collab.group_id).exists()

    def test_everyone_active_is_in_the_whole_collaborative_group(self, cast):
        whole = services.whole_collaborative_group(collaborative=cast.collab)
        assert in_auth_group(cast.community, whole)
        assert in_auth_group(cast.observer, whole)
        assert not in_auth_group(cast.outsider, whole)


def visible(meeting: Meeting, member_or_none) -> bool:
    user = member_or_none.user if member_or_none is not None else AnonymousUser()
    return Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists()


class TestMeetingVisibility:
    @pytest.mark.parametrize("who", CAST)
    def test_private_minutes_are_for_group_members_and_backbone(self, cast, wg, who):
        member = getattr(cast, who)
        expected = who in ("admin_a", "staff_c", "backbone")  # chair, member, convener
        assert visible(wg.private_meeting, member) is expected
        assert wg.private_meeting.is_visible_to(member.user) is expected

    @pytest.mark.parametrize("who", CAST)
    def test_collaborative_minutes_are_for_every_member(self, cast, wg, who):
        member = getattr(cast, who)
        assert visible(wg.meeting, member) is (who != "outsider")

    def test_anonymous_sees_only_public_minutes(self, cast, wg):
        assert not visible(wg.meeting, None)
        services.group_set_minutes_sharing(
            actor=cast.backbone, group=wg.housing, level=SharingLevel.PUBLIC
        )
        assert visible(wg.meeting, None)

    @pytest.mark.parametrize("who", CAST)
    def test_shared_with_an_organization(self, cast, wg, who):
        sharing_set(
            actor=cast.admin_a,
            obj=wg.private_meeting,
            level=SharingLevel.SHARED,
            share_with=[cast.org_b],
        )
        member = getattr(cast, who)
        expected = who in ("admin_a", "staff_c", "backbone", "staff_b")
        assert visible(wg.private_meeting, member) is expected

    def test_a_new_group_member_sees_private_minutes_and_a_leaver_does_not(self, cast, wg):
        assert not visible(wg.private_meeting, cast.staff_b)
        membership = seat(wg.private, cast.staff_b)
        assert visible(wg.private_meeting, cast.staff_b)
        services.group_membership_end(actor=cast.staff_b, membership=membership)
        assert not visible(wg.private_meeting, cast.staff_b)

    def test_gathering_takes_the_groups_minutes_level(self, cast, wg):
        assert wg.private_meeting.sharing_level == SharingLevel.PRIVATE
        assert wg.meeting.sharing_level == SharingLevel.COLLABORATIVE

    def test_changing_the_groups_level_relevels_every_gathering(self, cast, wg):
        sharing_set(
            actor=cast.admin_a,
            obj=wg.private_meeting,
            level=SharingLevel.SHARED,
            share_with=[cast.org_b],
        )
        services.group_set_minutes_sharing(
            actor=cast.admin_a, group=wg.private, level=SharingLevel.PRIVATE
        )
        wg.private_meeting.refresh_from_db()
        assert wg.private_meeting.sharing_level == SharingLevel.PRIVATE
        assert not visible(wg.private_meeting, cast.staff_b)

    @pytest.mark.parametrize("who", CAST)
    def test_editable_by_is_chairs_and_backbone(self, cast, wg, who):
        member = getattr(cast, who)
        editable = Meeting.objects.editable_by(member.user).filter(pk=wg.meeting.pk).exists()
        assert editable is (who in ("backbone", "staff_a", "community"))
        assert wg.meeting.is_editable_by(member.user) is editable

    def test_whole_collaborative_gathering_is_owned_by_the_full_group(self, cast):
        meeting = make_meeting(cast.backbone, None, title="All hands")
        assert meeting.owner.is_whole_collaborative
        assert meeting.owner.collaborative == cast.collab
        assert visible(meeting, cast.observer)
        assert not visible(meeting, cast.outsider)
        again = make_meeting(cast.backbone, None, title="All hands again")
        assert again.owner == meeting.owner

    def test_visible_to_runs_one_query(self, cast, wg, django_assert_num_queries):
        with django_assert_num_queries(1):
            list(Meeting.objects.visible_to(cast.staff_c.user))
