"""The directory's reads, already scoped to the viewer: what is listed, the search, the
languages on offer, an organization's contact people."""

from datetime import datetime

from django.db.models import F, OrderBy
from django.utils import timezone

from stakeholders.directory.forms import ELIGIBILITY_FLAGS, flag_rule
from stakeholders.models import (
    Collaborative,
    Contact,
    KeyArea,
    Language,
    Organization,
    Sector,
    Service,
    ServiceQuerySet,
)

PAGE_SIZE = 25

LISTED = (Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED)


def listed_services(viewer, collaborative: Collaborative) -> ServiceQuerySet:
    """What the directory lists for this viewer: visible, of this collaborative, not closed."""
    return (
        Service.objects.visible_to(viewer).in_collaborative(collaborative).filter(status__in=LISTED)
    )


def listed_language_codes(listed: ServiceQuerySet) -> list[str]:
    """The languages the listed services work in, for the language filter (one query)."""
    return list(
        Language.objects.filter(service__in=listed.values("pk"))
        .exclude(code="")
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()
    )


def search_services(
    listed: ServiceQuerySet,
    asked: dict,
    *,
    key_areas: list[KeyArea],
    sectors: list[Sector],
    time_zone: str,
    now: datetime | None = None,
) -> ServiceQuerySet:
    """The directory's results for the filters asked (``DirectorySearchForm.filters()``),
    ready for a page of cards: no query runs until it is paginated."""
    now = now or timezone.now()
    results = listed
    if asked.get("q"):
        results = results.search(asked["q"])
    if area := next((a for a in key_areas if a.slug == asked.get("key_area")), None):
        results = results.in_key_area(area)
    if sector := next((s for s in sectors if s.slug == asked.get("sector")), None):
        results = results.in_sector(sector)
    if asked.get("language"):
        results = results.speaking(asked["language"])
    for flag in asked.get("eligibility") or ():
        _label, kind, value = ELIGIBILITY_FLAGS[flag]
        results = results.without_criterion(kind, value, flag_rule(kind))
    if asked.get("referrals"):
        results = results.accepting_referrals()
    if asked.get("open_now"):
        results = results.open_at(now, time_zone)
    order: list[str | OrderBy]
    if asked.get("sort") == "verified":
        order = [F("last_verified_at").desc(nulls_last=True), "name", "pk"]
    else:
        order = ["name", "pk"]
    return (
        results.with_open_at(now, time_zone)
        .select_related("organization")
        .prefetch_related("key_areas", "languages")
        .order_by(*order)
    )


def organization_contacts(organization: Organization) -> list[Contact]:
    """The organization's contact people, the whole organization's first (one query).

    Only called once the organization itself is visible: contacts are as visible as it is.
    """
    return list(
        Contact.objects.filter(organization=organization)
        .select_related("service")
        .order_by(F("service__name").asc(nulls_first=True), "name", "pk")
    )
