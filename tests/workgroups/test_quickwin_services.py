"""Quick-win services: proposing, helpers, the status journey, and choosing one into a
group's action plan in one transaction."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reentry.audit.models import AuditEvent
from tests.workgroups.quickwin_world import make_quickwin_world
from workgroups.models import ActionItem, ActionPlan, Priority
from workgroups.quickwins import services
from workgroups.quickwins.models import QuickWin, QuickWinHelper

pytestmark = pytest.mark.django_db
Status = QuickWin.Status


@pytest.fixture
def qw(cast, wg):
    return make_quickwin_world(cast, wg)


def step(owner, days=14, title="Call the transit office"):
    return services.Step(
        title=title,
        owner_member=owner,
        owner_organization=owner.organization,
        due_date=timezone.localdate() + timedelta(days=days),
    )


def test_a_community_member_proposes_and_it_is_audited(cast, qw):
    assert qw.anonymous.collaborative == cast.collab
    assert qw.anonymous.status == Status.PROPOSED
    assert list(qw.anonymous.key_areas.all()) == [cast.key_area]
    event = AuditEvent.objects.get(
        action="quick_win.proposed", object_id=str(qw.anonymous.public_id)
    )
    assert event.details["anonymous"] is True


def test_a_group_of_another_collaborative_is_refused(cast, wg):
    with pytest.raises(ValidationError):
        services.quickwin_propose(
            actor=cast.community, title="x", problem="y", group=wg.other_group
        )


def test_helper_toggle_signs_up_and_off(cast, qw):
    assert services.quickwin_helper_toggle(actor=cast.staff_b, quick_win=qw.named, note="Van")
    assert QuickWinHelper.objects.get(quick_win=qw.named, member=cast.staff_b).note == "Van"
    assert not services.quickwin_helper_toggle(actor=cast.staff_b, quick_win=qw.named)
    assert not QuickWinHelper.objects.filter(quick_win=qw.named).exists()


def test_an_outsider_cannot_comment_or_help(cast, qw):
    with pytest.raises(PermissionDenied):
        services.quickwin_comment_add(actor=cast.outsider, quick_win=qw.named, text="hi")
    with pytest.raises(PermissionDenied):
        services.quickwin_helper_toggle(actor=cast.outsider, quick_win=qw.named)


class TestMoving:
    def test_chair_of_the_owning_group_shortlists(self, cast, qw):
        moved = services.quickwin_move(
            actor=cast.staff_a, quick_win=qw.anonymous, status=Status.SHORTLISTED
        )
        assert moved.status == Status.SHORTLISTED and moved.shortlisted_at is not None
        event = AuditEvent.objects.get(action="quick_win.status_changed")
        assert event.details == {"before": "proposed", "after": "shortlisted"}

    @pytest.mark.parametrize("who", ["staff_b", "community_elsewhere", "admin_a", "observer"])
    def test_others_cannot_move_it(self, cast, qw, who):
        # The community member co-chairs Housing, so they may move that one; not the other.
        actor = cast.community if who == "community_elsewhere" else getattr(cast, who)
        with pytest.raises(PermissionDenied):
            services.quickwin_move(actor=actor, quick_win=qw.named, status=Status.SHORTLISTED)

    def test_dropping_needs_a_reason_and_reopening_clears_it(self, cast, qw):
        with pytest.raises(ValidationError):
            services.quickwin_move(actor=cast.backbone, quick_win=qw.named, status=Status.DROPPED)
        dropped = services.quickwin_move(
            actor=cast.backbone,
            quick_win=qw.named,
            status=Status.DROPPED,
            reason="Funded elsewhere",
        )
        assert dropped.dropped_reason == "Funded elsewhere" and dropped.dropped_at
        reopened = services.quickwin_move(
            actor=cast.backbone, quick_win=dropped, status=Status.PROPOSED
        )
        assert reopened.status == Status.PROPOSED
        assert reopened.dropped_reason == "" and reopened.dropped_at is None

    def test_a_step_not_allowed_is_refused(self, cast, qw):
        with pytest.raises(ValidationError):
            services.quickwin_move(actor=cast.backbone, quick_win=qw.named, status=Status.DONE)
        with pytest.raises(ValidationError):
            services.quickwin_move(actor=cast.backbone, quick_win=qw.named, status=Status.SELECTED)


class TestSelecting:
    def test_choosing_creates_a_plan_priority_and_items(self, cast, wg, qw):
        assert not ActionPlan.objects.filter(group=wg.housing).exists()
        chosen = services.quickwin_select(
            actor=cast.staff_a,
            quick_win=qw.anonymous,
            group=wg.housing,
            steps=[step(cast.staff_b), step(cast.staff_c, title="Print the passes")],
        )
        plan = ActionPlan.objects.get(group=wg.housing)
        assert plan.period == str(timezone.localdate().year)
        priority = Priority.objects.get(plan=plan)
        assert chosen.priority == priority and priority.title == qw.anonymous.title
        assert chosen.status == Status.SELECTED and chosen.selected_at is not None
        items = ActionItem.objects.filter(priority=priority).order_by("title")
        assert [i.title for i in items] == ["Call the transit office", "Print the passes"]
        assert {i.owner_member for i in items} == {cast.staff_b, cast.staff_c}
        assert AuditEvent.objects.filter(action="quick_win.selected").count() == 1

    def test_an_existing_plan_for_this_year_is_used(self, cast, wg, qw):
        from workgroups import services as wg_services

        year = str(timezone.localdate().year)
        plan = wg_services.action_plan_create(
            actor=cast.backbone, group=wg.housing, period=year, title="Housing plan"
        )
        services.quickwin_select(
            actor=cast.backbone,
            quick_win=qw.anonymous,
            group=wg.housing,
            steps=[step(cast.staff_b)],
        )
        assert ActionPlan.objects.filter(group=wg.housing).count() == 1
        assert plan.priorities.count() == 1

    def test_a_failure_leaves_nothing_behind(self, cast, wg, qw):
        bad = services.Step(
            title="", owner_member=cast.staff_b, owner_organization=None, due_date=None
        )
        with pytest.raises(ValidationError):
            services.quickwin_select(
                actor=cast.backbone, quick_win=qw.anonymous, group=wg.housing, steps=[bad]
            )
        assert not ActionPlan.objects.filter(group=wg.housing).exists()
        assert QuickWin.objects.get(pk=qw.anonymous.pk).status == Status.PROPOSED

    def test_each_item_needs_an_owner(self, cast, wg, qw):
        nobody = services.Step(
            title="x", owner_member=None, owner_organization=None, due_date=timezone.localdate()
        )
        with pytest.raises(ValidationError):
            services.quickwin_select(
                actor=cast.backbone, quick_win=qw.anonymous, group=wg.housing, steps=[nobody]
            )

    def test_a_chair_cannot_plan_into_a_group_they_do_not_chair(self, cast, wg, qw):
        # staff_a chairs Housing; the named quick win has no group, and backbone is needed
        # to place it elsewhere.
        with pytest.raises(PermissionDenied):
            services.quickwin_select(
                actor=cast.staff_a, quick_win=qw.named, group=wg.private, steps=[step(cast.staff_b)]
            )

    def test_it_can_be_done_only_when_its_items_are(self, cast, wg, qw):
        chosen = services.quickwin_select(
            actor=cast.backbone,
            quick_win=qw.anonymous,
            group=wg.housing,
            steps=[step(cast.staff_b)],
        )
        started = services.quickwin_move(
            actor=cast.backbone, quick_win=chosen, status=Status.IN_PROGRESS
        )
        assert started.started_at is not None
        with pytest.raises(ValidationError, match="not done yet"):
            services.quickwin_move(actor=cast.backbone, quick_win=started, status=Status.DONE)
        ActionItem.objects.filter(priority=chosen.priority).update(status=ActionItem.Status.DONE)
        done = services.quickwin_move(actor=cast.backbone, quick_win=started, status=Status.DONE)
        assert done.status == Status.DONE and done.done_at is not None
