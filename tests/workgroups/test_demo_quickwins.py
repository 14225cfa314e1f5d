"""seed_quickwins (workgroups/demo_quickwins.py): quick wins at every stage, one closed
poll of each method with stored, recomputable results split by lived experience, one
open poll, and idempotence. Run on a small stand-in for the demo collaborative with the
demo's sign-in addresses (the full seed_demo runs in tests/stakeholders)."""

import pytest

from stakeholders.models import Member
from tests.factories import (
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
    SectorFactory,
)
from workgroups import services
from workgroups.demo_quickwins import DOMAIN, seed_quickwins
from workgroups.models import ActionItem
from workgroups.polls import results as poll_results
from workgroups.polls.models import Ballot, BallotContent, Poll, PollResult
from workgroups.quickwins.models import QuickWin, QuickWinComment, QuickWinHelper

pytestmark = pytest.mark.django_db
Status = QuickWin.Status
R = Member.Role


@pytest.fixture
def cedar(db):
    collab = CollaborativeFactory(name="Cedar River", slug="cedar-river")
    sector = SectorFactory(collaborative=collab, name="Employment", slug="employment")
    fair = OrganizationFactory(
        collaborative=collab, sector=sector, name="Fair Chance Works", slug="fair-chance-works"
    )
    housing = OrganizationFactory(
        collaborative=collab, sector=sector, name="Second Step Housing", slug="second-step-housing"
    )

    def person(local, role, org=None, lived="", visibility="only_me"):
        return MemberFactory(
            collaborative=collab,
            role=role,
            organization=org,
            user__email=f"{local}@{DOMAIN}",
            lived_experience=lived,
            lived_experience_visibility=visibility,
        )

    backbone = person("backbone", R.BACKBONE)
    person("orgadmin", R.ORG_ADMIN, fair)
    person("staff", R.PROVIDER_STAFF, fair)
    person("housing", R.PROVIDER_STAFF, housing)
    for i in range(14):
        person(
            "community" if i == 0 else f"community{i}", R.COMMUNITY, None, "yes", "collaborative"
        )
    for i in range(12):
        person(f"provider{i}", R.PROVIDER_STAFF, fair if i % 2 else housing, "no", "backbone")
    person("observer", R.OBSERVER)
    for slug in ("transportation", "pre-release-preparation", "employment", "housing"):
        area = KeyAreaFactory(collaborative=collab, name=slug.title(), slug=slug)
        services.group_create(actor=backbone, name=f"{slug.title()} Group", key_area=area)
    return collab


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            QuickWin,
            QuickWinComment,
            QuickWinHelper,
            Poll,
            Ballot,
            BallotContent,
            PollResult,
            ActionItem,
        )
    }


def test_quick_wins_at_every_stage(cedar):
    seed_quickwins(cedar)
    wins = QuickWin.objects.filter(collaborative=cedar)
    assert set(wins.values_list("status", flat=True)) == set(Status.values)
    assert wins.filter(is_anonymous=True).exists() and wins.filter(is_anonymous=False).exists()
    roles = set(wins.values_list("proposer__role", flat=True))
    assert R.COMMUNITY in roles and R.PROVIDER_STAFF in roles
    chosen = wins.get(status=Status.SELECTED)
    items = ActionItem.objects.filter(priority=chosen.priority)
    assert items.exists()
    assert all(i.due_date and (i.owner_member or i.owner_organization) for i in items)
    assert chosen.priority.plan.group == chosen.group
    done = wins.get(status=Status.DONE)
    assert done.done_at and done.started_at and done.selected_at
    assert done.proposed_at < done.selected_at < done.started_at < done.done_at
    assert not ActionItem.objects.filter(priority=done.priority).exclude(status="done").exists()
    assert wins.get(status=Status.DROPPED).dropped_reason
    started = wins.get(status=Status.IN_PROGRESS)
    assert any(i.is_overdue for i in ActionItem.objects.filter(priority=started.priority))


def test_one_closed_poll_of_each_method_and_one_open(cedar):
    seed_quickwins(cedar)
    closed = Poll.objects.filter(collaborative=cedar, status=Poll.Status.CLOSED)
    assert sorted(closed.values_list("method", flat=True)) == sorted(Poll.Method.values)
    assert Poll.objects.filter(collaborative=cedar, status=Poll.Status.OPEN).count() == 1
    for poll in closed:
        assert poll_results.poll_result_verify(poll), poll.title
        assert poll.result.ballots_counted == poll.ballots.count() > 0
        assert poll.result.data["split_shown"], poll.title
        assert poll.closed_at < poll.result.computed_at or poll.closed_at == poll.result.computed_at
    irv = closed.get(method=Poll.Method.IRV)
    assert len(irv.result.data["counts"][0]["rounds"]) >= 3
    dots = closed.get(method=Poll.Method.DOTS)
    assert dots.ballots.filter(is_paper=True, entered_by__isnull=False).exists()


def test_seeding_twice_adds_nothing(cedar):
    seed_quickwins(cedar)
    before = _counts()
    seed_quickwins(cedar)
    assert _counts() == before
