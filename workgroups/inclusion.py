"""Inclusion, measured: the share of members and of people at gatherings who are people
with lived experience.

Counted only from what people chose to disclose to the person looking: someone counts
as having lived experience when they said so (themselves or through family) AND let the
viewer see it (``Member.objects.lived_experience_shared_with``): answers shared with the
whole collaborative for everyone, answers shared with backbone staff only for backbone
staff, "only me" answers never. So a figure never moves with an answer its viewer may
not see. Everyone else counts as not known, never as "no", so a share is a floor: "at
least this many". Nothing here is ever shown per person.

Every figure goes through the one suppression rule (reentry/suppression.py, DESIGN.md
rule 8) with the collaborative's small-number threshold: a share is a total and its two
parts (with lived experience, everyone else), so "100% of 12" and "9 of 40" are hidden
together with the part that would give them back; the chair seats held by community
members and the times people came are counts of people too. The number of gatherings
is not a count of people and is shown as it is.

People at gatherings are counted once per period however often they came (members by
their record, walk-ins by the name written down), so one regular cannot carry a share.
Every figure comes from aggregate queries: the report runs the same handful of queries
whatever the number of groups, gatherings or quarters.
"""

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncQuarter
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reentry.suppression import (
    TOTAL,
    Cell,
    PublishedCell,
    Reason,
    Suppression,
    suppress,
    suppress_parts,
)
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Collaborative, Member, lived_experience_shared_q
from workgroups.models import Attendance, GroupMembership, Meeting, WorkingGroup

LIVED = Member.LIVED_ANSWERS
REPORT_QUARTERS = 8
MIN_QUARTERS = 4
GROUP_PERIOD = timedelta(days=365)
RECENT_GATHERINGS = 5


def disclosed(viewer: Member | None, prefix: str = "") -> Q:
    """People who said they have lived experience and let ``viewer`` see it."""
    return lived_experience_shared_q(viewer, prefix)


LIVED_KEY = "lived_experience"
OTHERS_KEY = "others"


@dataclass(frozen=True)
class Share:
    """People counted and, among them, those counted as having lived experience: a
    total and its two parts, as everyone but the people themselves may see them."""

    counted: int
    with_lived_experience: int
    threshold: int

    @cached_property
    def published(self) -> Suppression:
        return suppress_parts(
            self.counted,
            {
                LIVED_KEY: self.with_lived_experience,
                OTHERS_KEY: self.counted - self.with_lived_experience,
            },
            threshold=self.threshold,
        )

    @property
    def total(self) -> PublishedCell:
        return self.published[TOTAL]

    @property
    def lived(self) -> PublishedCell:
        return self.published[LIVED_KEY]

    @property
    def others(self) -> PublishedCell:
        return self.published[OTHERS_KEY]

    @property
    def shown(self) -> bool:
        return not (self.total.hidden or self.lived.hidden) and self.counted > 0

    @property
    def percent(self) -> int | None:
        if not self.shown:
            return None
        return round(100 * self.with_lived_experience / self.counted)

    @property
    def reason(self) -> Reason | None:
        """Why the share is hidden: the reason of the first hidden cell it rests on."""
        return next((c.reason for c in (self.total, self.lived) if c.hidden), None)


def _present(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Attendance.Status.PRESENT})


def _attendee_counts(attendance, viewer: Member | None, *, by: str | None = None):
    """Distinct people present (members and walk-ins) and those counted, for ``viewer``,
    as having lived experience, overall or per ``by`` value. One query."""
    counts = {
        "members": Count("member", distinct=True, filter=Q(member__isnull=False)),
        "walk_ins": Count("walk_in_name", distinct=True, filter=Q(member__isnull=True)),
        "lived": Count("member", distinct=True, filter=disclosed(viewer, "member__")),
    }
    if by is None:
        return attendance.aggregate(**counts)
    return attendance.values(by).annotate(**counts).order_by(by)


def _share(row: Mapping[str, Any], threshold: int) -> Share:
    return Share(
        counted=(row["members"] or 0) + (row["walk_ins"] or 0),
        with_lived_experience=row["lived"] or 0,
        threshold=threshold,
    )


# --- One group (the group page) -------------------------------------------------------


@dataclass
class GroupInclusion:
    members: Share
    attendees: Share
    gatherings: list[tuple[Meeting, Share]]


def group_inclusion(
    group: WorkingGroup, user, viewer: Member | None, *, now: datetime | None = None
) -> GroupInclusion:
    """The group's members now, the people at its gatherings this past year, and its
    latest gatherings, each as a share (three queries), as ``viewer`` (``user``'s
    membership in the group's collaborative, or None) may see them. Gatherings the
    viewer may not see are left out."""
    if viewer is not None and viewer.collaborative_id != group.collaborative_id:
        viewer = None
    now = now or timezone.now()
    threshold = group.collaborative.small_cell_threshold
    people = group.active_people()
    member_row = people.aggregate(
        counted=Count("pk", distinct=True),
        lived=Count("pk", distinct=True, filter=disclosed(viewer)),
    )
    visible = Meeting.objects.visible_to(user).filter(owner=group).values("pk")
    attendance = Attendance.objects.filter(
        _present(), meeting_id__in=visible, meeting__starts_at__gte=now - GROUP_PERIOD
    )
    recent = list(
        Meeting.objects.filter(pk__in=visible, starts_at__lte=now)
        .filter(Exists(Attendance.objects.filter(_present(), meeting=OuterRef("pk"))))
        .annotate(
            members=Count("attendance__member", distinct=True, filter=_present("attendance__")),
            walk_ins=Count(
                "attendance__walk_in_name",
                distinct=True,
                filter=_present("attendance__") & Q(attendance__member__isnull=True),
            ),
            lived=Count(
                "attendance__member",
                distinct=True,
                filter=_present("attendance__") & disclosed(viewer, "attendance__member__"),
            ),
        )
        .select_related("collaborative")
        .order_by("-starts_at", "-pk")[:RECENT_GATHERINGS]
    )
    return GroupInclusion(
        members=Share(member_row["counted"], member_row["lived"], threshold),
        attendees=_share(_attendee_counts(attendance, viewer), threshold),
        gatherings=[
            (m, _share({"members": m.members, "walk_ins": m.walk_ins, "lived": m.lived}, threshold))
            for m in recent
        ],
    )


# --- The collaborative over time (backbone staff) -----------------------------------------


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarters_back(day: date, n: int) -> list[date]:
    """The quarter of ``day`` and the n-1 before it, oldest first."""
    start = _quarter_start(day)
    quarters = [start]
    for _i in range(n - 1):
        start = _quarter_start(start - timedelta(days=1))
        quarters.append(start)
    return list(reversed(quarters))


@dataclass
class QuarterRow:
    start: date
    gatherings: int
    attendances: PublishedCell
    people: Share

    @property
    def label(self) -> str:
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"


@dataclass
class GroupRow:
    group: WorkingGroup
    members: Share
    attendees: Share


@dataclass
class InclusionReport:
    threshold: int
    members: Share
    quarters: list[QuarterRow]
    groups: list[GroupRow]


def collaborative_inclusion(
    collaborative: Collaborative, viewer: Member | None, *, today: date | None = None
) -> InclusionReport:
    """Members now; people at gatherings per quarter (up to the last eight, in the
    collaborative's time zone); members and past-year attendees per group, as ``viewer``
    may see them. Four queries."""
    if viewer is not None and viewer.collaborative_id != collaborative.pk:
        viewer = None
    tz = zoneinfo.ZoneInfo(collaborative.time_zone)
    today = today or timezone.localtime(timezone=tz).date()
    threshold = collaborative.small_cell_threshold
    quarters = _quarters_back(today, REPORT_QUARTERS)
    since = datetime.combine(quarters[0], datetime.min.time(), tzinfo=tz)

    everyone = Member.objects.filter(collaborative=collaborative, is_active=True).aggregate(
        counted=Count("pk"), lived=Count("pk", filter=disclosed(viewer))
    )
    attendance = Attendance.objects.filter(
        _present(), meeting__collaborative=collaborative, meeting__starts_at__gte=since
    )
    by_quarter = {
        row["quarter"].date() if isinstance(row["quarter"], datetime) else row["quarter"]: row
        for row in attendance.annotate(quarter=TruncQuarter("meeting__starts_at", tzinfo=tz))
        .values("quarter")
        .annotate(
            gatherings=Count("meeting", distinct=True),
            attendances=Count("pk"),
            members=Count("member", distinct=True, filter=Q(member__isnull=False)),
            walk_ins=Count("walk_in_name", distinct=True, filter=Q(member__isnull=True)),
            lived=Count("member", distinct=True, filter=disclosed(viewer, "member__")),
        )
        .order_by("quarter")
    }
    empty = {"gatherings": 0, "attendances": 0, "members": 0, "walk_ins": 0, "lived": 0}
    quarter_rows = []
    for start in quarters:
        row = by_quarter.get(start, empty)
        quarter_rows.append(
            QuarterRow(
                start=start,
                gatherings=row["gatherings"],
                attendances=suppress(
                    [Cell("attendances", row["attendances"], is_count=True)], threshold=threshold
                )["attendances"],
                people=_share(row, threshold),
            )
        )

    # A young collaborative: start at its first gathering, showing at least a year.
    while len(quarter_rows) > MIN_QUARTERS and not quarter_rows[0].gatherings:
        quarter_rows.pop(0)

    active = Q(memberships__is_active=True, memberships__member__is_active=True)
    groups = list(
        WorkingGroup.objects.filter(
            collaborative=collaborative, is_active=True, is_whole_collaborative=False
        )
        .select_related("key_area", "collaborative")
        .annotate(
            member_count=Count("memberships", filter=active, distinct=True),
            lived_count=Count(
                "memberships",
                filter=active & disclosed(viewer, "memberships__member__"),
                distinct=True,
            ),
        )
        .order_by("key_area__order", "name")
    )
    past_year = datetime.combine(today - GROUP_PERIOD, datetime.min.time(), tzinfo=tz)
    per_group = {
        row["meeting__owner"]: row
        for row in _attendee_counts(
            Attendance.objects.filter(
                _present(),
                meeting__collaborative=collaborative,
                meeting__starts_at__gte=past_year,
            ),
            viewer,
            by="meeting__owner",
        )
    }
    group_rows = [
        GroupRow(
            group=g,
            members=Share(g.member_count, g.lived_count, threshold),
            attendees=_share(per_group.get(g.pk, empty), threshold),
        )
        for g in groups
    ]
    return InclusionReport(
        threshold=threshold,
        members=Share(everyone["counted"], everyone["lived"], threshold),
        quarters=quarter_rows,
        groups=group_rows,
    )


@collaborative_view(roles=(Member.Role.BACKBONE,))
def inclusion_report(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Backbone staff: inclusion across the collaborative, by quarter and by group."""
    report = collaborative_inclusion(request.collaborative, request.member)
    return render(
        request,
        "workgroups/inclusion/report.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "report": report,
            "chair_seats": _chair_seats(request.collaborative),
        },
    )


def _chair_seats(collaborative: Collaborative) -> Suppression:
    """Chair and co-chair seats of active groups: in all (``TOTAL``), held by community
    members (``"community"``) and by everyone else (``"others"``). One query."""
    seats = GroupMembership.objects.filter(
        group__collaborative=collaborative,
        group__is_active=True,
        is_active=True,
        role__in=GroupMembership.CHAIR_ROLES,
    ).aggregate(
        seats=Count("pk"),
        community=Count("pk", filter=Q(member__role=Member.Role.COMMUNITY)),
    )
    return suppress_parts(
        seats["seats"],
        {"community": seats["community"], "others": seats["seats"] - seats["community"]},
        threshold=collaborative.small_cell_threshold,
    )
