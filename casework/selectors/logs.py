"""Reads for the service log pages and the API, already scoped to the person (rule 7
through the models' ``visible_to`` and ``owned_by``; nothing here decides who may see
what).

- ``own_enrolments`` / ``find_enrolments``: the participants the caseworker's own
  organization serves, found by code or name in one field;
- ``last_log``: the caseworker's last log, for the form's defaults;
- ``own_logs`` / ``shared_logs``: the organization's logs, and the logs other
  organizations' consents show it, one page at a time by keyset (no COUNT over a table of
  millions), ``-delivered_on, -id`` on the ``servicelog_org`` index.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from casework import access
from casework.models import Consent, Enrolment, Identity, ServiceLog
from stakeholders.models import Member, Service

PAGE_SIZE = 25
FIND_LIMIT = 20

# "p7km3q9xa", "7KM3-Q9XA", "P-7KM3-Q9XA": one participant code, however it was typed.
_CODE = re.compile(r"^(?:P-?)?([0-9A-Z]{4})-?([0-9A-Z]{4})$")


def normalise_code(text: str) -> str | None:
    """The full participant code ``text`` spells, or None if it is not one."""
    match = _CODE.match(re.sub(r"\s+", "", text).upper())
    return f"P-{match.group(1)}-{match.group(2)}" if match else None


def organization_id(member: Member) -> int:
    """The caseworker's organization (``access.is_caseworker`` made sure there is one)."""
    if member.organization_id is None:
        raise PermissionDenied
    return member.organization_id


def own_enrolments(member: Member) -> QuerySet[Enrolment]:
    """The participants the member's organization serves, in this collaborative."""
    return Enrolment.objects.owned_by(member.user).filter(
        collaborative_id=member.collaborative_id, organization_id=organization_id(member)
    )


def with_names(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Code and the organization's own identity record (the owner may see it)."""
    return enrolments.select_related("participant", "identity")


def find_enrolments(member: Member, text: str, *, limit: int = FIND_LIMIT) -> list[Enrolment]:
    """Own enrolments whose code or name contains ``text`` (at most ``limit`` + 1, so the
    caller can say there are more). Active ones first, then by name."""
    text = " ".join(text.split())
    if len(text) < 2:
        return []
    code = normalise_code(text)
    condition = Q(participant__code__icontains=text.upper()) | Q(
        identity__search_name__contains=text.casefold()
    )
    if code is not None:
        condition |= Q(participant__code=code)
    rows = (
        with_names(own_enrolments(member))
        .filter(condition)
        .order_by("status", "identity__search_name", "participant__code")[: limit + 1]
    )
    return list(rows)


def decisive_match(text: str, matches: list[Enrolment]) -> Enrolment | None:
    """The one enrolment ``text`` names beyond doubt: its full code, or the whole name of
    the only person so named. A partial name never logs a service without a choice."""
    code = normalise_code(text)
    if code is not None:
        by_code = [e for e in matches if e.participant.code == code]
        if len(by_code) == 1:
            return by_code[0]
    wanted = " ".join(text.split()).casefold()
    by_name = [e for e in matches if _search_name(e) == wanted]
    return by_name[0] if len(by_name) == 1 else None


def _search_name(enrolment: Enrolment) -> str:
    try:
        return enrolment.identity.search_name
    except Enrolment.identity.RelatedObjectDoesNotExist:
        return ""


def display_name(enrolment: Enrolment) -> str:
    try:
        return enrolment.identity.full_name
    except Enrolment.identity.RelatedObjectDoesNotExist:
        return ""


def own_services(member: Member) -> QuerySet[Service]:
    """The organization's own directory services (never another's)."""
    return (
        Service.objects.filter(organization_id=organization_id(member))
        .exclude(status=Service.Status.DEFUNCT)
        .prefetch_related("key_areas")
        .order_by("name", "pk")
    )


def last_log(member: Member) -> ServiceLog | None:
    """The caseworker's own last log at their organization: the form starts from it."""
    return (
        ServiceLog.objects.owned_by(member.user)
        .filter(organization_id=organization_id(member), created_by_id=member.user_id)
        .order_by("-created_at", "-id")
        .first()
    )


def own_logs(member: Member) -> QuerySet[ServiceLog]:
    """The organization's own logs (index ``servicelog_org``)."""
    return ServiceLog.objects.owned_by(member.user).filter(
        collaborative_id=member.collaborative_id, organization_id=organization_id(member)
    )


def shared_logs(member: Member, *, today: date) -> QuerySet[ServiceLog]:
    """Other organizations' logs that consents in force show the member's organization
    (never the person's own record, never the organization's own logs)."""
    return (
        ServiceLog.objects.visible_to(member.user, today=today, as_organization=True)
        .filter(collaborative_id=member.collaborative_id)
        .exclude(organization_id=organization_id(member))
    )


def filter_logs(logs: QuerySet[ServiceLog], filters: dict[str, Any]) -> QuerySet[ServiceLog]:
    """The list's filters (a ``LogFilterForm``'s cleaned data)."""
    if filters.get("date_from"):
        logs = logs.filter(delivered_on__gte=filters["date_from"])
    if filters.get("date_to"):
        logs = logs.filter(delivered_on__lte=filters["date_to"])
    if filters.get("key_area"):
        logs = logs.filter(key_area=filters["key_area"])
    if filters.get("service"):
        logs = logs.filter(service=filters["service"])
    if filters.get("participant"):
        logs = logs.filter(participant__code=filters["participant"])
    return logs


def for_list(logs: QuerySet[ServiceLog], *, shared: bool = False) -> QuerySet[ServiceLog]:
    """What a list row shows; for shared logs, who logged them and whether they are a
    Part 2 program's (the notice). Few joins: at two million rows PostgreSQL's planning
    time grows with every table joined, more than the page's reading time."""
    related = ["participant", "key_area", "service"]
    if shared:
        related.append("organization__part2_program")
    return logs.select_related(*related)


def names_of(logs: list[ServiceLog]) -> dict[int, str]:
    """The organization's own names for the people on a page of its own logs (one query):
    {enrolment id: full name}."""
    identities = Identity.objects.filter(enrolment_id__in={log.enrolment_id for log in logs})
    return {identity.enrolment_id: identity.full_name for identity in identities}


@dataclass
class KeysetPage:
    """One page of rows, newest first, with the boundary rows' public ids for the
    "newer" and "older" links (no sequential id in a URL, no COUNT)."""

    rows: list[Any] = field(default_factory=list)
    newer: str | None = None
    older: str | None = None

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def keyset_page(
    rows: QuerySet,
    *,
    older_than: str | None = None,
    newer_than: str | None = None,
    size: int = PAGE_SIZE,
    by: str = "delivered_on",
) -> KeysetPage:
    """A page of ``rows`` in ``-by, -pk`` order, after (older) or before (newer) the row
    with the given public id, looked up among ``rows`` themselves so a cursor names
    nothing the person may not see. A cursor that names nothing: page one."""
    anchor_id = older_than or newer_than
    anchor = None
    if anchor_id:
        try:
            anchor = rows.filter(public_id=anchor_id).values(by, "pk").first()
        except (ValueError, TypeError, ValidationError):  # a malformed id names nothing
            anchor = None
    newest_first = (f"-{by}", "-pk")
    if anchor is None:
        found = list(rows.order_by(*newest_first)[: size + 1])
        page = KeysetPage(rows=found[:size])
        if len(found) > size:
            page.older = str(found[size - 1].public_id)
        return page
    value, pk = anchor[by], anchor["pk"]
    if older_than:
        after = Q(**{f"{by}__lt": value}) | Q(**{by: value, "pk__lt": pk})
        found = list(rows.filter(after).order_by(*newest_first)[: size + 1])
        page = KeysetPage(rows=found[:size])
        if page.rows:
            page.newer = str(page.rows[0].public_id)
        if len(found) > size:
            page.older = str(found[size - 1].public_id)
        return page
    before = Q(**{f"{by}__gt": value}) | Q(**{by: value, "pk__gt": pk})
    found = list(rows.filter(before).order_by(by, "pk")[: size + 1])
    more_newer = len(found) > size
    found = list(reversed(found[:size]))
    page = KeysetPage(rows=found)
    if found:
        page.older = str(found[-1].public_id)
        if more_newer:
            page.newer = str(found[0].public_id)
    return page


def covering_consents(member: Member, logs: list[ServiceLog], *, today: date) -> dict[int, list]:
    """For shared logs: which consents in force show each log to the member's
    organization (for the audit log's "why"). Two queries, whatever the page size."""
    enrolment_ids = {log.enrolment_id for log in logs}
    if not enrolment_ids:
        return {}
    consents = (
        access.recipient_consents(member.user, today=today, shares="shares_service_logs")
        .filter(enrolment_id__in=enrolment_ids)
        .distinct()
        .prefetch_related("key_areas")
    )
    by_enrolment: dict[int, list[Consent]] = {}
    for consent in consents:
        by_enrolment.setdefault(consent.enrolment_id, []).append(consent)
    return {
        log.pk: [
            str(c.public_id)
            for c in by_enrolment.get(log.enrolment_id, [])
            if any(area.pk == log.key_area_id for area in c.key_areas.all())
        ]
        for log in logs
    }
