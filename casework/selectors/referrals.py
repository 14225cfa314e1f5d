"""Reads for the referral pages, already scoped by rule 7 (``visible_to``)."""

from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from casework.models import Enrolment, Referral, ReferralEvent, ServiceLog
from reentry import rowsecurity
from reentry.suppression import TOTAL, Cell, Relation, suppress
from stakeholders.models import Collaborative, Member

S = Referral.Status

TABS = ("waiting", "received", "sent")

#: The key of the totals row of the outcomes table.
ALL = "all"

#: The columns of the outcomes table: each status a referral can be in, as counted.
OUTCOME_COLUMNS = (
    ("sent", (S.SENT, S.INFO_REQUESTED)),
    ("accepted", (S.ACCEPTED,)),
    ("declined", (S.DECLINED,)),
    ("delivered", (S.DELIVERED,)),
    ("closed", (S.CLOSED,)),
    ("withdrawn", (S.WITHDRAWN,)),
)


def referrals_for(user, *, today: date) -> QuerySet[Referral]:
    return Referral.objects.visible_to(user, today=today)


def inbox(user, member: Member, tab: str, *, today: date) -> QuerySet[Referral]:
    """One tab of an organization's referrals: waiting for its answer, all received, or
    sent. Everything a row shows is joined in one query."""
    mine = referrals_for(user, today=today)
    if tab == "sent":
        mine = mine.filter(from_organization_id=member.organization_id)
    else:
        mine = mine.filter(to_organization_id=member.organization_id)
        if tab == "waiting":
            mine = mine.filter(status__in=Referral.WAITING_STATUSES)
    return mine.select_related(
        "participant", "from_organization", "to_organization", "to_service", "key_area"
    ).order_by("-sent_at", "-id")


def waiting_count(user, member: Member, *, today: date) -> int:
    return inbox(user, member, "waiting", today=today).count()


def referral_page(user, *, today: date) -> QuerySet[Referral]:
    """Referrals with what their page shows: both organizations, the service, the
    receiver's enrolment and service log, and the timeline of steps."""
    return (
        referrals_for(user, today=today)
        .select_related(
            "participant",
            "collaborative",
            "from_organization",
            "to_organization",
            "to_service",
            "key_area",
            "consent",
            "service_log",
            "service_log__key_area",
            "to_enrolment",
            "from_organization__part2_program",
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ReferralEvent.objects.select_related("by", "by_organization").order_by(
                    "at", "id"
                ),
            )
        )
    )


def own_enrolments_matching(user, member: Member, query: str) -> QuerySet[Enrolment]:
    """The actor's organization's own participants whose code or name matches ``query``
    (one field: a code, or part of a name), at most 20."""
    query = query.strip()
    enrolments = (
        Enrolment.objects.owned_by(user)
        .filter(organization_id=member.organization_id, participant__merged_into__isnull=True)
        .select_related("participant", "identity")
    )
    if not query:
        return enrolments.none()
    condition = Q(participant__code__iexact=query) | Q(participant__code__icontains=query)
    if len(query) >= 2:
        condition |= Q(identity__search_name__contains=query.casefold())
    return enrolments.filter(condition).order_by("participant__code")[:20]


def own_enrolment(user, member: Member, public_id) -> Enrolment | None:
    try:
        return (
            Enrolment.objects.owned_by(user)
            .filter(organization_id=member.organization_id, public_id=public_id)
            .select_related("participant", "identity", "organization", "collaborative")
            .first()
        )
    except (ValueError, TypeError):
        return None


def receiver_logs(user, referral: Referral) -> QuerySet[ServiceLog]:
    """The receiver's own service logs of the referred person, newest first."""
    return (
        ServiceLog.objects.owned_by(user)
        .filter(organization_id=referral.to_organization_id, participant_id=referral.participant_id)
        .select_related("key_area", "service")
        .order_by("-delivered_on", "-id")[:20]
    )


def outcome_counts(collaborative: Collaborative) -> list[dict[str, Any]]:
    """Referrals per receiving service (or organization, when no service was named) and
    key area, by status: the raw counts, for ``reentry.suppression`` before anyone sees
    them."""
    rows = (
        Referral.objects.filter(collaborative=collaborative)
        .values(
            "to_organization_id",
            "to_organization__name",
            "to_service_id",
            "to_service__name",
            "key_area_id",
            "key_area__name",
            "status",
        )
        .annotate(n=Count("pk"))
        .order_by("to_organization__name", "to_service__name", "key_area__name", "status")
    )
    # Every organization's referrals, counted for suppression only (row-level security
    # would count only the reader's own).
    with rowsecurity.system():
        return [dict(row) for row in rows]


def outcomes_table(collaborative: Collaborative) -> dict:
    """The outcomes page's table, through ``reentry.suppression`` (DESIGN.md rule 8): one
    row per receiving service and key area, one column per status, with row, column and
    grand totals related so that complementary suppression protects every small cell.
    Nobody sees these exact figures: backbone staff are beyond every owner."""
    counts = outcome_counts(collaborative)
    rows: dict[tuple, dict] = {}
    for item in counts:
        key = (item["to_organization_id"], item["to_service_id"], item["key_area_id"])
        row = rows.setdefault(
            key,
            {
                "key": key,
                "organization": item["to_organization__name"],
                "service": item["to_service__name"] or "",
                "key_area": item["key_area__name"],
                "counts": dict.fromkeys((name for name, _s in OUTCOME_COLUMNS), 0),
            },
        )
        for name, statuses in OUTCOME_COLUMNS:
            if item["status"] in statuses:
                row["counts"][name] += item["n"]
    columns = [name for name, _s in OUTCOME_COLUMNS]
    cells: list[Cell] = []
    relations: list[Relation] = []
    for key, row in rows.items():
        parts = [(key, name) for name in columns]
        cells.extend(Cell(part, row["counts"][part[1]], is_count=True) for part in parts)
        cells.append(Cell((key, TOTAL), sum(row["counts"].values()), is_count=True))
        relations.append(Relation((key, TOTAL), tuple(parts)))
    for name in [*columns, TOTAL]:
        column_total = sum(
            row["counts"][name] if name != TOTAL else sum(row["counts"].values())
            for row in rows.values()
        )
        cells.append(Cell((ALL, name), column_total, is_count=True))
        if rows:
            relations.append(Relation((ALL, name), tuple((key, name) for key in rows)))
    relations.append(Relation((ALL, TOTAL), tuple((ALL, name) for name in columns)))
    result = suppress(cells, relations, threshold=collaborative.small_cell_threshold)

    def line(key) -> list:
        return [result[(key, name)] for name in [*columns, TOTAL]]

    return {
        "columns": columns,
        "rows": [{**row, "cells": line(key)} for key, row in rows.items()],
        "totals": line(ALL),
        "any_hidden": any(cell.hidden for cell in result),
        "threshold": collaborative.small_cell_threshold,
    }
