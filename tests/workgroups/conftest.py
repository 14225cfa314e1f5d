"""Working-group fixtures on top of the fixed cast (tests/conftest.py).

``wg`` adds, in collaborative A: an open Housing group chaired by staff_a with the
community member as co-chair and staff_b as a member; a private-minutes group chaired
by admin_a with staff_c as a member; a held gathering of each (yesterday), and a
gathering in collaborative B. It is a world (tests/worlds.py), built once for a run of
tests that use it.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from stakeholders.models import Member
from tests import worlds
from tests.factories import MemberFactory
from workgroups import services
from workgroups.models import GroupMembership, WorkingGroup

Role = GroupMembership.Role


def make_group(backbone: Member, name: str, **kw) -> WorkingGroup:
    return services.group_create(actor=backbone, name=name, **kw)


def seat(group: WorkingGroup, member: Member, role: str = Role.MEMBER) -> GroupMembership:
    return GroupMembership.objects.create(group=group, member=member, role=role)


def make_meeting(actor: Member, group: WorkingGroup | None, days: float = -1, **kw):
    starts = timezone.now() + timedelta(days=days)
    return services.meeting_create(
        actor=actor,
        group=group,
        title=kw.pop("title", "Monthly gathering"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=1, minutes=30),
        place=kw.pop("place", "Library, room B"),
        **kw,
    )


@worlds.world(needs=("cast",))
def build_wg(cast):
    housing = make_group(
        cast.backbone,
        "Housing Working Group",
        key_area=cast.key_area,
        charter="A place to live for everyone coming home.",
    )
    seat(housing, cast.staff_a, Role.CHAIR)
    seat(housing, cast.community, Role.COCHAIR)
    seat(housing, cast.staff_b)
    private = make_group(
        cast.backbone,
        "Hard Cases Group",
        minutes_sharing=WorkingGroup.MinutesSharing.PRIVATE,
        join_policy=WorkingGroup.JoinPolicy.REQUEST,
        requires_community_cochair=False,
    )
    seat(private, cast.admin_a, Role.CHAIR)
    seat(private, cast.staff_c)
    meeting = make_meeting(cast.backbone, housing)
    private_meeting = make_meeting(cast.backbone, private, title="Case review")
    other_backbone = cast.outsider
    other_group = make_group(other_backbone, "Lakeshore Housing")
    other_meeting = make_meeting(other_backbone, other_group, title="Elsewhere")
    return SimpleNamespace(
        housing=housing,
        private=private,
        meeting=meeting,
        private_meeting=private_meeting,
        other_group=other_group,
        other_meeting=other_meeting,
    )


@pytest.fixture
def wg(request, cast):
    return worlds.get(request, "wg", cast=cast)


@pytest.fixture
def extra_member(cast):
    """``extra_member(role=...)``: another active member of collaborative A."""

    def _make(role=Member.Role.COMMUNITY, organization=None):
        return MemberFactory(collaborative=cast.collab, role=role, organization=organization)

    return _make
