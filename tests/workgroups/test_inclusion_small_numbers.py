"""Inclusion figures hide the cells the dashboard rules would (DESIGN.md rule 8): a share
is a total and its two parts (with lived experience, everyone else), so "100% of 12"
and "9 of 40" are hidden along with the cell that would give them back, and each
hidden cell says why. Counts of people (chair seats, people at gatherings) go through
the same rule."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reentry.suppression import Reason
from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.workgroups.conftest import make_group, seat
from workgroups.inclusion import collaborative_inclusion, group_inclusion
from workgroups.models import Attendance, Meeting

pytestmark = pytest.mark.django_db

LIVED = {
    "lived_experience": Member.LivedExperience.YES,
    "lived_experience_visibility": Member.Visibility.COLLABORATIVE,
}
SMALL = Reason.SMALL_COUNT.label
COMPLEMENTARY = Reason.COMPLEMENTARY.label


def _people(cast, n, **kw):
    return [MemberFactory(collaborative=cast.collab, **kw) for _ in range(n)]


def _group(cast, lived: int, others: int):
    group = make_group(cast.backbone, "Small Numbers Group")
    for person in _people(cast, lived, **LIVED) + _people(cast, others):
        seat(group, person)
    return group


def _card(page: str) -> str:
    return page[page.index('id="inclusion-title"') : page.index('id="calendar-title"')]


def _report_row(page: str, name: str) -> str:
    start = page.index(f">{name}</a>")
    return page[start : page.index("</tr>", start)]


class TestTwelveAllWithLivedExperience:
    """12 people, all 12 with lived experience: "100%" tells everyone the status of all
    twelve. "Everyone else" is 0 (under the threshold), and "with" is the total minus 0,
    so both are hidden; the total of 12 stays."""

    @pytest.fixture
    def group(self, cast):
        return _group(cast, lived=12, others=0)

    def test_both_cells_are_hidden_with_their_reasons(self, cast, group):
        share = group_inclusion(group, cast.backbone.user, cast.backbone).members
        assert share.percent is None
        assert share.total.value == 12 and not share.total.hidden
        assert share.lived.hidden and share.lived.reason == Reason.COMPLEMENTARY
        assert share.others.hidden and share.others.reason == Reason.SMALL_COUNT

    def test_the_group_page_does_not_say_100_percent(self, cast, group, login):
        card = _card(login(cast.staff_b).get(group.get_absolute_url()).content.decode())
        assert "100%" not in card
        assert COMPLEMENTARY in card

    def test_people_at_a_gathering_all_with_lived_experience(self, cast, group, login):
        starts = timezone.now() - timedelta(days=3)
        meeting = Meeting.objects.create(
            owner=group,
            title="All twelve",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place="Hall",
            sharing_level="collaborative",
        )
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=m, status="present") for m in group.active_people()
        )
        result = group_inclusion(group, cast.backbone.user, cast.backbone)
        assert result.attendees.percent is None
        assert [s.percent for _m, s in result.gatherings] == [None]
        report = collaborative_inclusion(cast.collab, cast.backbone)
        assert next(q for q in report.quarters if q.gatherings).people.percent is None
        page = login(cast.backbone).get(reverse("inclusion_report", args=["collab-a"]))
        text = page.content.decode()
        assert "100%" not in text
        assert COMPLEMENTARY in _report_row(text, group.name)


class TestNineBesideForty:
    """40 members, 9 with lived experience: 9 is hidden, and so is "everyone else" (31),
    since 40 − 31 would give the 9 back."""

    @pytest.fixture
    def group(self, cast):
        return _group(cast, lived=9, others=31)

    def test_the_small_cell_and_its_complement_are_hidden(self, cast, group):
        share = group_inclusion(group, cast.backbone.user, cast.backbone).members
        assert share.percent is None
        assert (share.total.value, share.total.hidden) == (40, False)
        assert share.lived.hidden and share.lived.reason == Reason.SMALL_COUNT
        assert share.others.hidden and share.others.reason == Reason.COMPLEMENTARY
        assert share.lived.value is None and share.others.value is None

    def test_the_page_shows_neither_and_says_why(self, cast, group, login):
        card = _card(login(cast.staff_b).get(group.get_absolute_url()).content.decode())
        assert "22%" not in card and "23%" not in card
        assert SMALL in card

    def test_the_report_row_hides_it_too(self, cast, group, login):
        page = login(cast.backbone).get(reverse("inclusion_report", args=["collab-a"]))
        row = _report_row(page.content.decode(), group.name)
        assert "22%" not in row
        assert SMALL in row


def test_a_share_with_both_parts_large_enough_is_shown(cast, login):
    group = _group(cast, lived=20, others=20)
    share = group_inclusion(group, cast.backbone.user, cast.backbone).members
    assert share.percent == 50
    assert (share.lived.value, share.others.value) == (20, 20)
    card = _card(login(cast.staff_b).get(group.get_absolute_url()).content.decode())
    assert "50%" in card


def test_a_small_total_is_hidden_as_a_count(cast, login):
    """Five people in a quarter: the dashboard would hide a count of 5."""
    group = _group(cast, lived=2, others=3)
    starts = timezone.now() - timedelta(days=3)
    meeting = Meeting.objects.create(
        owner=group,
        title="Five",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place="Hall",
        sharing_level="collaborative",
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=m, status="present") for m in group.active_people()
    )
    quarter = next(
        q for q in collaborative_inclusion(cast.collab, cast.backbone).quarters if q.gatherings
    )
    assert quarter.people.total.hidden and quarter.people.total.reason == Reason.SMALL_COUNT
    assert quarter.people.lived.hidden and quarter.people.others.hidden


def test_chair_seats_held_by_community_members_are_suppressed(cast, wg, login):
    """The Housing group's co-chair is the one community member among a few seats."""
    page = login(cast.backbone).get(reverse("inclusion_report", args=["collab-a"]))
    text = page.content.decode()
    stat = text[text.index('<div class="stats">') : text.index('id="quarters-title"')]
    seats = stat[stat.rindex('<div class="stat">') :]
    assert "1 / " not in seats
    assert SMALL in seats
