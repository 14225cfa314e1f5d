"""Action plans on top of the ``wg`` fixture, for the board, coordination and API tests.

In the Housing group (chaired by staff_a, co-chaired by the community member): a plan
for 2026 with two priorities; an item owned by staff_b (same sector as the chair), an
item owned by organization C (another sector), and an item nobody owns, overdue. In
the private-minutes group: an item that came out of its private gathering, owned by
staff_c. In collaborative B: a plan and an item of its own group.
"""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from workgroups import services


def make_board_world(cast, wg) -> SimpleNamespace:
    today = timezone.localdate()
    plan = services.action_plan_create(
        actor=cast.backbone, group=wg.housing, period="2026", title="Housing plan"
    )
    first = services.priority_add(actor=cast.staff_a, plan=plan, title="More landlords")
    second = services.priority_add(actor=cast.staff_a, plan=plan, title="No one to the street")
    by_b = services.action_item_create(
        actor=cast.staff_a,
        group=wg.housing,
        priority=first,
        title="Recruit fair-chance landlords",
        owner_member=cast.staff_b,
        owner_organization=cast.org_b,
        due_date=today + timedelta(days=30),
    )
    by_c = services.action_item_create(
        actor=cast.staff_a,
        group=wg.housing,
        priority=first,
        title="Write a landlord guide",
        owner_organization=cast.org_c,
        due_date=today + timedelta(days=60),
    )
    orphan = services.action_item_create(
        actor=cast.staff_a,
        group=wg.housing,
        priority=second,
        title="Count transitional beds",
        due_date=today - timedelta(days=3),
    )
    private_item = services.followup_to_action_item(
        actor=cast.admin_a,
        meeting=wg.private_meeting,
        title="Follow up on the hard case",
        owner_member=cast.staff_c,
    )
    other_plan = services.action_plan_create(
        actor=cast.outsider, group=wg.other_group, period="2026", title="Lakeshore plan"
    )
    other_priority = services.priority_add(actor=cast.outsider, plan=other_plan, title="Beds")
    other_item = services.action_item_create(
        actor=cast.outsider,
        group=wg.other_group,
        priority=other_priority,
        title="Recruit fair-chance landlords",
        owner_member=cast.outsider,
    )
    return SimpleNamespace(
        plan=plan,
        first=first,
        second=second,
        by_b=by_b,
        by_c=by_c,
        orphan=orphan,
        private_item=private_item,
        other_plan=other_plan,
        other_priority=other_priority,
        other_item=other_item,
    )
