"""Reads scoped to the person: a person's own action items and calendar feed, and
coordination across groups (one key area's priorities and action items from every
group, the overlaps between groups, the orphans, and what an organization owns).

Everything is read through ``visible_to(user)`` and in a fixed number of queries,
whatever the number of groups and items.

An item *touches* a key area when it names that area, or names none and its group
works in that area. A priority touches an area when its group works there or one of its
items touches it.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from stakeholders.models import Collaborative, KeyArea, Member, Organization
from workgroups.models import (
    ActionItem,
    CalendarFeed,
    GroupMembership,
    Meeting,
    PartnerInitiative,
    Priority,
    WorkingGroup,
)

# Words too common to say two titles are about the same thing.
# fmt: off
STOP_WORDS = frozenset({
    "a", "all", "an", "and", "any", "are", "as", "at", "be", "by", "each", "every", "for",
    "from", "in", "into", "is", "it", "more", "new", "next", "of", "on", "or", "our", "out",
    "per", "so", "than", "that", "the", "their", "them", "then", "these", "this", "those",
    "to", "up", "via", "we", "will", "with",
})
# fmt: on
OVERLAP_THRESHOLD = 0.5  # share of the two titles' words they have in common
OVERLAP_LIMIT = 50  # most pairs listed on one page
ORGANIZATION_ITEM_LIMIT = 50
FEED_PAST = timedelta(days=180)
FEED_LIMIT = 500

Status = ActionItem.Status


def title_words(title: str) -> frozenset[str]:
    """The words of a title that carry meaning: lower-case, accents and punctuation
    dropped, small words ("the", "for", "with"…) left out, and a plural "s" trimmed so
    "landlord" and "landlords" match."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = set()
    for word in re.findall(r"[a-z0-9]+", text):
        if word in STOP_WORDS or len(word) < 2:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return frozenset(words)


def title_similarity(first: str, second: str) -> float:
    """Shared words over all words of the two titles (Jaccard): 1.0 for the same words,
    0.0 for none in common."""
    a, b = title_words(first), title_words(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass
class Overlap:
    first: ActionItem
    second: ActionItem
    score: float
    shared: list[str]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def find_overlaps(items: list[ActionItem]) -> list[Overlap]:
    """Pairs of items of *different* groups whose titles are alike enough to be two
    groups planning the same thing. Pairs where both are done are left out."""
    words = {item.pk: title_words(item.title) for item in items}
    found = []
    for first, second in combinations(items, 2):
        if first.group_id == second.group_id:
            continue
        if first.status == Status.DONE and second.status == Status.DONE:
            continue
        a, b = words[first.pk], words[second.pk]
        if not a or not b:
            continue
        score = len(a & b) / len(a | b)
        if score >= OVERLAP_THRESHOLD:
            found.append(Overlap(first, second, score, sorted(a & b)))
    found.sort(key=lambda o: (-o.score, o.first.title))
    return found[:OVERLAP_LIMIT]


def is_orphan(item: ActionItem) -> bool:
    return item.status != Status.DONE and (
        item.is_overdue or (item.owner_member_id is None and item.owner_organization_id is None)
    )


def touching_area(queryset: QuerySet, area: KeyArea) -> QuerySet:
    return queryset.filter(Q(key_area=area) | Q(key_area__isnull=True, group__key_area=area))


@dataclass
class GroupSection:
    group: WorkingGroup
    in_area: bool
    priorities: list[tuple[Priority, list[ActionItem]]] = field(default_factory=list)
    unranked: list[ActionItem] = field(default_factory=list)


@dataclass
class KeyAreaOverview:
    area: KeyArea
    sections: list[GroupSection]
    items: list[ActionItem]
    overlaps: list[Overlap]
    overdue: list[ActionItem]
    unowned: list[ActionItem]
    partners: list[PartnerInitiative]
    organizations: int
    sectors: int

    @property
    def open_count(self) -> int:
        return sum(1 for i in self.items if i.status != Status.DONE)


def key_area_overview(*, user, collaborative: Collaborative, area: KeyArea) -> KeyAreaOverview:
    """Five queries: groups, priorities, items, partner initiatives (the area is given)."""
    visible_groups = WorkingGroup.objects.visible_to(user).filter(collaborative=collaborative)
    items = list(
        touching_area(
            ActionItem.objects.visible_to(user).filter(
                collaborative=collaborative, group__in=visible_groups
            ),
            area,
        )
        .select_related("owner_member__user", "owner_organization__sector", "priority")
        .order_by("due_date", "pk")
    )
    item_ids = [i.pk for i in items]
    priorities = list(
        Priority.objects.filter(plan__group__in=visible_groups)
        .filter(Q(plan__group__key_area=area) | Q(action_items__pk__in=item_ids))
        .select_related("plan")
        .distinct()
        .order_by("plan__group_id", "-plan__period", "rank", "pk")
    )
    group_ids = {i.group_id for i in items} | {p.plan.group_id for p in priorities}
    groups = list(
        visible_groups.filter(Q(key_area=area) | Q(pk__in=group_ids))
        .select_related("key_area", "collaborative")
        .order_by("-is_whole_collaborative", "name")
    )
    by_group = {g.pk: GroupSection(group=g, in_area=g.key_area_id == area.pk) for g in groups}
    for item in items:
        item.group = by_group[item.group_id].group  # no extra query per row
    items_by_priority: dict[int, list[ActionItem]] = {}
    for item in items:
        items_by_priority.setdefault(item.priority_id, []).append(item)
    for priority in priorities:
        section = by_group.get(priority.plan.group_id)
        if section is not None:
            section.priorities.append((priority, items_by_priority.get(priority.pk, [])))
    ranked = {p.pk for p in priorities}
    for item in items:
        if item.priority_id not in ranked:
            by_group[item.group_id].unranked.append(item)
    sections = sorted(by_group.values(), key=lambda s: (not s.in_area, s.group.name))
    open_items = [i for i in items if i.status != Status.DONE]
    partners = list(
        PartnerInitiative.objects.visible_to(user)
        .filter(collaborative=collaborative, is_active=True)
        .select_related("collaborative")
        .filter(
            Q(groups__key_area=area)
            | Q(action_items__pk__in=item_ids)
            | Q(priorities__pk__in=[p.pk for p in priorities])
        )
        .distinct()
        .order_by("name")
    )
    owners = [i.owner_organization for i in items if i.owner_organization_id]
    return KeyAreaOverview(
        area=area,
        sections=sections,
        items=items,
        overlaps=find_overlaps(items),
        overdue=[i for i in open_items if i.is_overdue],
        unowned=[i for i in open_items if not i.owner_member_id and not i.owner_organization_id],
        partners=partners,
        organizations=len({o.pk for o in owners}),
        sectors=len({o.sector_id for o in owners}),
    )


def key_area_counts(*, user, collaborative: Collaborative) -> list[KeyArea]:
    """Every key area with its number of groups and of open, overdue and unowned items
    (three queries)."""
    today = collaborative.today()
    open_q = ~Q(status=Status.DONE)
    counts = {
        row["area_id"]: row
        for row in ActionItem.objects.visible_to(user)
        .filter(collaborative=collaborative)
        .annotate(area_id=Coalesce("key_area_id", "group__key_area_id"))
        .values("area_id")
        .annotate(
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
            unowned=Count(
                "pk",
                filter=open_q & Q(owner_member__isnull=True, owner_organization__isnull=True),
            ),
        )
        .order_by()
    }
    groups = dict(
        WorkingGroup.objects.visible_to(user)
        .filter(collaborative=collaborative, is_active=True, key_area__isnull=False)
        .values("key_area_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("key_area_id", "n")
    )
    areas = list(KeyArea.objects.filter(collaborative=collaborative).order_by("order", "name"))
    for area in areas:
        row = counts.get(area.pk, {})
        # The counts ride on the instances for the template (KeyArea has no such fields).
        vars(area).update(
            group_count=groups.get(area.pk, 0),
            open_count=row.get("open", 0),
            overdue_count=row.get("overdue", 0),
            unowned_count=row.get("unowned", 0),
        )
    return areas


def organization_items(*, user, organization: Organization) -> list[ActionItem]:
    """The open action items an organization owns across the collaborative, the soonest
    due first (one query)."""
    return list(
        ActionItem.objects.visible_to(user)
        .filter(collaborative_id=organization.collaborative_id, owner_organization=organization)
        .exclude(status=Status.DONE)
        .select_related("group__collaborative", "owner_member__user", "key_area")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:ORGANIZATION_ITEM_LIMIT]
    )


# --- A person's own -----------------------------------------------------------------------


def my_action_items(member: Member) -> QuerySet[ActionItem]:
    """The action items a person owns in their collaborative, directly or through their
    organization, that they may see."""
    return (
        ActionItem.objects.visible_to(member.user)
        .filter(collaborative_id=member.collaborative_id)
        .owned_by(member)
    )


def calendar_feed_meetings(feed: CalendarFeed, *, now: datetime | None = None) -> QuerySet:
    """The gatherings this feed's person may see: of the feed's group, or of every
    group they belong to (and the whole collaborative's), from six months back."""
    member = feed.member
    now = now or timezone.now()
    meetings = Meeting.objects.visible_to(member.user).filter(
        collaborative_id=member.collaborative_id, ends_at__gte=now - FEED_PAST
    )
    if feed.group_id is not None:
        meetings = meetings.filter(
            owner_id=feed.group_id,
            owner__in=WorkingGroup.objects.visible_to(member.user),
        )
    else:
        mine = GroupMembership.objects.filter(member=member, is_active=True).values("group_id")
        meetings = meetings.filter(Q(owner_id__in=mine) | Q(owner__is_whole_collaborative=True))
    return meetings.select_related("owner", "collaborative").order_by("starts_at", "pk")[
        :FEED_LIMIT
    ]


__all__ = [
    "KeyAreaOverview",
    "Overlap",
    "calendar_feed_meetings",
    "find_overlaps",
    "key_area_counts",
    "key_area_overview",
    "my_action_items",
    "organization_items",
    "title_similarity",
    "title_words",
]
