"""What needs a person now, in one collaborative: the reads behind their home page.

Every list here comes from the apps' own read paths (``visible_to``, ``owned_by``,
``reviewable_by``, casework's referral selectors), narrowed to this person. Each
section is one or two queries whatever its length, so the home page costs the same
with one open poll or fifty (tests/site/test_homes.py counts them).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce

from casework import access as casework_access
from casework.selectors import referrals as referral_selectors
from indicators.models import DataRequest, Dataset, DatasetVersion, ImportJob
from indicators.selectors import data_requests_for
from reentry.audit.models import AuditEvent
from reentry.stipends.models import StipendLine
from stakeholders.models import JoinRequest, Member
from workgroups.models import ActionItem, GroupJoinRequest, GroupMembership, Meeting, WorkingGroup
from workgroups.polls.models import Ballot, Poll, PollVoter
from workgroups.quickwins.models import QuickWin

#: How many rows a section shows; its count says how many there are in all.
SHOWN = 5

Role = Member.Role


@dataclass
class Section:
    """A few rows of one kind, how many there are in all, and where to see them all."""

    rows: list[Any] = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0


def _section(queryset: QuerySet, shown: int = SHOWN) -> Section:
    """The first ``shown`` rows and how many there are in all, in one query (the total
    is a window over the whole result, counted before the limit)."""
    rows = list(queryset.annotate(_total=Window(Count("pk")))[:shown])
    return Section(rows=rows, total=rows[0]._total if rows else 0)


# --- Everyone who takes part ---------------------------------------------------------------


def polls_to_vote(member: Member, *, now: datetime) -> Section:
    """Open polls this person may vote in and has not: visible to them, still open, the
    whole collaborative's or their group's (as taken when it opened). Observers follow
    along but do not vote."""
    if member.role == Role.OBSERVER:
        return Section()
    electorate = Q(electorate=Poll.Electorate.COLLABORATIVE) | Q(
        Exists(PollVoter.objects.filter(poll=OuterRef("pk"), member=member))
    )
    polls = (
        Poll.objects.visible_to(member.user)
        .filter(collaborative_id=member.collaborative_id, status=Poll.Status.OPEN)
        .filter(closes_at__gt=now)
        .filter(electorate)
        .exclude(Exists(Ballot.objects.filter(poll=OuterRef("pk"), voter=member)))
        .select_related("group")
        .order_by("closes_at", "pk")
    )
    return _section(polls)


def next_gatherings(member: Member) -> Section:
    """The coming gatherings of this person's groups (and the whole collaborative's)."""
    mine = GroupMembership.objects.filter(member=member, is_active=True).values("group_id")
    meetings = (
        Meeting.objects.visible_to(member.user)
        .filter(collaborative_id=member.collaborative_id)
        .upcoming()
        .filter(Q(owner_id__in=mine) | Q(owner__is_whole_collaborative=True))
        .select_related("owner", "collaborative")
    )
    return _section(meetings, shown=3)


def my_quick_wins(member: Member) -> Section:
    """Quick wins this person proposed, the latest move first: what happened to them."""
    quick_wins = (
        QuickWin.objects.visible_to(member.user)
        .filter(collaborative_id=member.collaborative_id, proposer=member)
        .select_related("collaborative")
        .order_by("-updated_at", "-pk")
    )
    section = _section(quick_wins)
    for qw in section.rows:
        qw.moved_at = getattr(qw, QuickWin.STATUS_TIMESTAMP[qw.status]) or qw.updated_at
    return section


def my_stipends(member: Member) -> Section:
    """This person's latest stipend lines and where each stands."""
    lines = (
        StipendLine.objects.visible_to(member.user)
        .filter(member=member)
        .select_related("meeting")
        .order_by("-date", "-pk")
    )
    return _section(lines, shown=4)


def my_action_items(member: Member, *, today) -> Section:
    """Open action items this person owns (directly or through their organization),
    overdue first, then the soonest due."""
    items = (
        ActionItem.objects.visible_to(member.user)
        .filter(collaborative_id=member.collaborative_id)
        .owned_by(member)
        .exclude(status=ActionItem.Status.DONE)
        .select_related("group", "collaborative")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    return _section(items)


# --- Organization staff and admins ---------------------------------------------------------


def referrals_waiting(member: Member, *, today) -> Section:
    """How many referrals wait for this organization's answer, through casework's own
    selector (rule 7). Only the count: the rows name participants, and reading them is
    for the inbox, which logs it."""
    if not casework_access.is_caseworker(member):
        return Section()
    count = referral_selectors.waiting_count(member.user, member, today=today)
    return Section(total=count)


def datasets_to_submit(member: Member) -> Section:
    """The organization's datasets whose current version is still a draft, those sent
    back by backbone staff first (with their note), and never submitted ones."""
    if not member.works_for(member.organization_id):
        return Section()
    datasets = (
        Dataset.objects.visible_to(member.user)
        .filter(collaborative_id=member.collaborative_id, owner_id=member.organization_id)
        .filter(
            Q(current_version__isnull=True) | Q(current_version__status=DatasetVersion.Status.DRAFT)
        )
        .select_related("collaborative", "current_version")
        .order_by("-updated_at", "-pk")
    )
    section = _section(datasets)
    # Which of the shown ones were sent back: one query of the audit log for them all.
    shown = {str(d.public_id): d for d in section.rows}
    notes: dict[str, str] = {}
    for object_id, at, details in (
        AuditEvent.objects.filter(
            action="dataset.returned",
            object_type=Dataset._meta.label,
            object_id__in=list(shown),
        )
        .order_by("at", "id")
        .values_list("object_id", "at", "details")
    ):
        version = shown[object_id].current_version
        if version is not None and at >= version.created_at:
            notes[object_id] = (details or {}).get("note", "")
    for key, dataset in shown.items():
        dataset.returned_note = notes.get(key)
    section.rows.sort(key=lambda d: d.returned_note is None)
    return section


def uploads_waiting(member: Member) -> Section:
    """Uploads of this person's organization that wait for them: columns to map, errors
    to fix, rows ready to save, or a save that failed."""
    organization_id = member.organization_id
    if organization_id is None or not member.works_for(organization_id):
        return Section()
    S = ImportJob.Status
    jobs = (
        ImportJob.objects.visible_to(member.user)
        .filter(
            collaborative_id=member.collaborative_id,
            organization_id=organization_id,
            status__in=[S.UPLOADED, S.INVALID, S.VALID, S.FAILED],
        )
        .select_related("collaborative")
        .order_by("-pk")
    )
    return _section(jobs, shown=3)


def data_requests_to_answer(member: Member) -> Section:
    """Requests to the organization for its data, waiting for its admin's answer
    (``data_requests_for``: an admin sees those to their organization)."""
    if member.role != Role.ORG_ADMIN or not member.organization_id:
        return Section()
    requests = (
        data_requests_for(member)
        .filter(dataset__owner_id=member.organization_id, status=DataRequest.Status.PENDING)
        .select_related("dataset", "requesting_organization")
        .order_by("created_at", "pk")
    )
    return _section(requests, shown=3)


def group_requests_to_decide(member: Member) -> Section:
    """Requests to join a group this person chairs (or any group, for backbone staff)."""
    managed = WorkingGroup.objects.managed_by(member.user).filter(
        collaborative_id=member.collaborative_id
    )
    requests = (
        GroupJoinRequest.objects.filter(
            group__in=managed.values("pk"), status=GroupJoinRequest.Status.PENDING
        )
        .select_related("group", "member__user")
        .order_by("created_at", "pk")
    )
    return _section(requests, shown=3)


# --- Backbone staff ------------------------------------------------------------------------


def overdue_items(member: Member, *, today) -> Section:
    """Every open action item past its due date that this person sees, the oldest first."""
    items = (
        ActionItem.objects.visible_to(member.user)
        .filter(collaborative_id=member.collaborative_id, due_date__lt=today)
        .exclude(status=ActionItem.Status.DONE)
        .select_related("group", "collaborative", "owner_organization")
        .order_by("due_date", "pk")
    )
    return _section(items)


@dataclass
class Approvals:
    """What waits for backbone staff's yes or no, as counts (one query)."""

    join_requests: int = 0
    stipend_lines: int = 0
    datasets: int = 0
    quick_wins: int = 0

    @property
    def total(self) -> int:
        return self.join_requests + self.stipend_lines + self.datasets + self.quick_wins


def approvals(member: Member) -> Approvals:
    """Counts of what waits for backbone staff: people asking to join, stipend lines to
    approve, datasets submitted for acceptance, quick wins proposed and not yet looked at.
    One query, each count through its model's own scoped read."""
    if not member.is_backbone:
        return Approvals()
    collaborative_id = member.collaborative_id
    user = member.user
    counts = Member.objects.filter(pk=member.pk).annotate(
        n_join_requests=_count_of(
            JoinRequest.objects.pending().filter(collaborative_id=collaborative_id)
        ),
        n_stipend_lines=_count_of(
            StipendLine.objects.editable_by(user).filter(
                collaborative_id=collaborative_id, status=StipendLine.Status.PENDING
            )
        ),
        n_datasets=_count_of(
            Dataset.objects.reviewable_by(user).filter(
                collaborative_id=collaborative_id,
                current_version__status=DatasetVersion.Status.SUBMITTED,
            )
        ),
        n_quick_wins=_count_of(
            QuickWin.objects.visible_to(user).filter(
                collaborative_id=collaborative_id, status=QuickWin.Status.PROPOSED
            )
        ),
    )
    names = ("join_requests", "stipend_lines", "datasets", "quick_wins")
    row = counts.values(*(f"n_{k}" for k in names)).get()
    return Approvals(**{k: row[f"n_{k}"] or 0 for k in names})


def _count_of(queryset: QuerySet) -> Coalesce:
    """``COUNT(*)`` of ``queryset`` (all in one collaborative) as a subquery, so that
    several counts come back in one aggregate."""
    counted = queryset.order_by().values("collaborative_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def previous_visit(member: Member) -> datetime | None:
    """When this person last signed in before this visit: their sign-in before the
    latest, from the audit log."""
    return (
        AuditEvent.objects.filter(actor_id=member.user_id, action="auth.sign_in")
        .order_by("-at", "-id")
        .values_list("at", flat=True)[1:2]
        .first()
    )
