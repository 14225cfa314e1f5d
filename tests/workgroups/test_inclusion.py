"""Inclusion, measured (workgroups/inclusion.py): counted only from what people chose
to disclose, suppressed below the small-number threshold, never per person."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reentry.suppression import Reason
from stakeholders.models import Collaborative, Member
from tests.factories import MemberFactory
from tests.workgroups.conftest import make_group, seat
from workgroups import services
from workgroups.inclusion import Share, collaborative_inclusion, group_inclusion
from workgroups.models import Attendance, Meeting

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
L = Member.LivedExperience
V = Member.Visibility

# (lived experience, who may see it, counts as lived experience?)
DISCLOSURES = [
    (L.YES, V.COLLABORATIVE, True),
    (L.FAMILY, V.BACKBONE, True),
    (L.YES, V.ONLY_ME, False),  # said yes, but kept it to themselves
    (L.NO, V.COLLABORATIVE, False),
    (L.UNSAID, V.COLLABORATIVE, False),
]


def _threshold(cast, n):
    Collaborative.objects.filter(pk=cast.collab.pk).update(small_cell_threshold=n)
    cast.collab.refresh_from_db()


def _person(cast, lived, visibility):
    return MemberFactory(
        collaborative=cast.collab,
        lived_experience=lived,
        lived_experience_visibility=visibility,
    )


def _present(meeting, people, walk_ins=()):
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=p, status="present") for p in people]
        + [Attendance(meeting=meeting, walk_in_name=n, status="present") for n in walk_ins]
    )


class TestShare:
    def test_a_share_below_the_threshold_is_not_shown(self):
        assert Share(counted=10, with_lived_experience=4, threshold=11).percent is None
        # 4 with lived experience is itself a small number, whatever the total.
        assert Share(counted=11, with_lived_experience=4, threshold=11).percent is None
        assert Share(counted=22, with_lived_experience=11, threshold=11).percent == 50

    def test_nobody_counted_is_never_shown(self):
        assert not Share(counted=0, with_lived_experience=0, threshold=1).shown


class TestGroup:
    @pytest.fixture
    def group(self, cast):
        group = make_group(cast.backbone, "Inclusion Group")
        for lived, visibility, _counts in DISCLOSURES:
            seat(group, _person(cast, lived, visibility))
        return group

    def test_only_disclosed_and_shared_answers_count(self, cast, group):
        _threshold(cast, 1)
        result = group_inclusion(group, cast.backbone.user, cast.backbone)
        assert (result.members.counted, result.members.with_lived_experience) == (5, 2)
        assert result.members.percent == 40

    def test_below_the_threshold_it_says_too_few(self, cast, group, login):
        _threshold(cast, 6)
        assert group_inclusion(group, cast.backbone.user, cast.backbone).members.percent is None
        page = login(cast.staff_b).get(group.get_absolute_url()).content.decode()
        assert Reason.SMALL_COUNT.label in page
        assert "40%" not in page

    def test_the_group_page_shows_the_share_and_no_names(self, cast, group, login):
        _threshold(cast, 1)
        # Staff see the one answer shared with everyone; backbone staff also the one
        # shared with them.
        assert "40%" in login(cast.backbone).get(group.get_absolute_url()).content.decode()
        page = login(cast.staff_b).get(group.get_absolute_url()).content.decode()
        assert "20%" in page
        card = page[page.index('id="inclusion-title"') : page.index('id="calendar-title"')]
        names = [m.member.user.name for m in group.memberships.select_related("member__user")]
        assert names
        for name in names:
            assert name not in card

    def test_people_at_gatherings_counted_once_and_walk_ins_as_not_known(self, cast, group):
        _threshold(cast, 1)
        yes, family, hidden, no, unsaid = [m.member for m in group.memberships.order_by("pk")]
        now = timezone.now()
        for days in (30, 60):
            meeting = Meeting.objects.create(
                owner=group,
                title=f"G{days}",
                starts_at=now - timedelta(days=days),
                ends_at=now - timedelta(days=days) + timedelta(hours=1),
                place="Hall",
                sharing_level="collaborative",
            )
            _present(meeting, [yes, family, hidden], walk_ins=["Ana"])
        result = group_inclusion(group, cast.backbone.user, cast.backbone, now=now)
        # yes, family, hidden and one walk-in: 4 different people, 2 counted as lived.
        assert (result.attendees.counted, result.attendees.with_lived_experience) == (4, 2)
        assert [s.percent for _m, s in result.gatherings] == [50, 50]

    def test_a_private_groups_gatherings_are_left_out_for_non_members(self, cast, wg):
        _threshold(cast, 1)
        _present(wg.private_meeting, [cast.staff_c])
        outside = group_inclusion(wg.private, cast.staff_b.user, cast.staff_b)
        inside = group_inclusion(wg.private, cast.staff_c.user, cast.staff_c)
        assert outside.gatherings == [] and outside.attendees.counted == 0
        assert [m for m, _s in inside.gatherings] == [wg.private_meeting]


class TestReport:
    def url(self, slug="collab-a"):
        return reverse("inclusion_report", kwargs={"slug": slug})

    def test_backbone_staff_see_the_report(self, cast, wg, login):
        response = login(cast.backbone).get(self.url())
        assert response.status_code == 200
        assert "Housing Working Group" in response.content.decode()

    @pytest.mark.parametrize("who", ["admin_a", "staff_b", "community", "observer"])
    def test_other_members_get_403(self, cast, wg, login, who):
        assert login(getattr(cast, who)).get(self.url()).status_code == 403

    def test_another_collaborative_gets_404(self, cast, wg, login):
        assert login(cast.outsider).get(self.url()).status_code == 404

    def test_quarters_follow_the_collaboratives_time_zone(self, cast, wg):
        # 31 March, 11:30 pm in Chicago is 1 April in UTC: it belongs to Q1.
        _threshold(cast, 1)
        starts = datetime(2025, 3, 31, 23, 30, tzinfo=CHICAGO)
        meeting = Meeting.objects.create(
            owner=wg.housing,
            title="Late",
            starts_at=starts,
            ends_at=starts + timedelta(minutes=20),
            place="Hall",
            sharing_level="collaborative",
        )
        person = _person(cast, L.YES, V.BACKBONE)
        _present(meeting, [person, cast.staff_a])
        report = collaborative_inclusion(cast.collab, cast.backbone, today=date(2025, 6, 1))
        by_label = {q.label: q for q in report.quarters}
        assert by_label["2025 Q1"].gatherings == 1
        assert (by_label["2025 Q1"].people.counted, by_label["2025 Q1"].people.percent) == (2, 50)
        assert by_label["2025 Q2"].gatherings == 0
        # Quarters before the first gathering are left out, keeping at least a year.
        assert [q.label for q in report.quarters] == ["2024 Q3", "2024 Q4", "2025 Q1", "2025 Q2"]

    def test_constant_queries_whatever_the_groups_and_quarters(
        self, cast, wg, login, count_queries
    ):
        client = login(cast.backbone)
        few = count_queries(client, self.url())
        now = timezone.now()
        for i in range(25):
            group = make_group(cast.backbone, f"Group {i}")
            seat(group, _person(cast, L.YES, V.COLLABORATIVE))
            starts = now - timedelta(days=40 * i + 1)
            meeting = Meeting.objects.create(
                owner=group,
                title=f"G{i}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                place="Hall",
                sharing_level="collaborative",
            )
            _present(meeting, list(group.active_people()), walk_ins=[f"W{i}"])
        assert count_queries(client, self.url()) == few <= 12

    def test_the_group_page_stays_within_its_query_budget(self, cast, wg, login, count_queries):
        client = login(cast.staff_a)
        few = count_queries(client, wg.housing.get_absolute_url())
        for i in range(10):
            seat(wg.housing, _person(cast, L.YES, V.COLLABORATIVE))
            meeting = services.meeting_create(
                actor=cast.backbone,
                group=wg.housing,
                title=f"G{i}",
                starts_at=timezone.now() - timedelta(days=i + 2),
                ends_at=timezone.now() - timedelta(days=i + 2) + timedelta(hours=1),
                place="Hall",
            )
            _present(meeting, list(wg.housing.active_people()))
        assert count_queries(client, wg.housing.get_absolute_url()) == few


class TestOnlyAnswersTheViewerMaySee:
    """A figure shown to someone is counted only from answers shared with them: it must
    not move when a person who shared with backbone staff only (or with no one) joins."""

    @pytest.fixture
    def group(self, cast):
        _threshold(cast, 1)
        group = make_group(cast.backbone, "Reentry Voices")
        for i in range(13):
            lived = (L.YES, V.COLLABORATIVE) if i < 4 else (L.NO, V.COLLABORATIVE)
            seat(group, _person(cast, *lived))
        return group

    def _card(self, client, group) -> str:
        page = client.get(group.get_absolute_url()).content.decode()
        return page[page.index('id="inclusion-title"') : page.index('id="calendar-title"')]

    def test_a_backbone_only_sharer_joining_does_not_move_the_share(self, cast, group, login):
        client = login(cast.staff_b)
        assert "31%" in self._card(client, group)  # 4 of 13
        seat(group, _person(cast, L.YES, V.BACKBONE))  # her name is in the member list
        card = self._card(client, group)
        assert "36%" not in card  # 5 of 14 would give her answer away
        assert "29%" in card  # still 4, now of 14
        members = group_inclusion(group, cast.staff_b.user, cast.staff_b).members
        assert (members.counted, members.with_lived_experience) == (14, 4)

    def test_backbone_staff_count_what_was_shared_with_them(self, cast, group):
        seat(group, _person(cast, L.YES, V.BACKBONE))
        seat(group, _person(cast, L.FAMILY, V.ONLY_ME))
        members = group_inclusion(group, cast.backbone.user, cast.backbone).members
        assert (members.counted, members.with_lived_experience) == (15, 5)

    def test_people_at_gatherings_are_counted_the_same_way(self, cast, group):
        meeting = Meeting.objects.create(
            owner=group,
            title="Listening session",
            starts_at=timezone.now() - timedelta(days=3),
            ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=1),
            place="Hall",
            sharing_level="collaborative",
        )
        people = [m.member for m in group.memberships.order_by("pk")]
        _present(meeting, [*people, _person(cast, L.YES, V.BACKBONE)])
        staff = group_inclusion(group, cast.staff_b.user, cast.staff_b)
        assert staff.attendees.with_lived_experience == 4
        assert staff.gatherings[0][1].with_lived_experience == 4
        backbone = group_inclusion(group, cast.backbone.user, cast.backbone)
        assert backbone.attendees.with_lived_experience == 5

    def test_the_report_counts_for_its_viewer(self, cast, group):
        _person(cast, L.YES, V.BACKBONE)
        report = collaborative_inclusion(cast.collab, cast.staff_b)
        mine = collaborative_inclusion(cast.collab, cast.backbone)
        assert report.members.with_lived_experience + 1 == mine.members.with_lived_experience
