"""Small builders for the directory view tests (rows made directly, not through services)."""

from datetime import time

from django.urls import reverse
from django.utils import timezone

from stakeholders.models import (
    Language,
    Location,
    Phone,
    RegularSchedule,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
)

WEEKDAYS = range(1, 6)


def make_service(
    organization,
    name: str,
    *,
    key_areas=(),
    accepts_referrals: bool = False,
    languages=(),
    criteria=(),
    hours=None,
    description: str = "",
    status: str = Service.Status.ACTIVE,
    last_verified_at="today",
    phone: str = "",
    location=None,
) -> Service:
    """``hours``: {weekday: (opens, closes)} with times as "HH:MM"."""
    service = Service.objects.create(
        organization=organization,
        name=name,
        description=description,
        accepts_referrals=accepts_referrals,
        status=status,
        last_verified_at=timezone.localdate() if last_verified_at == "today" else last_verified_at,
    )
    service.key_areas.set(key_areas)
    for language in languages:
        Language.objects.create(service=service, language=language)
    for kind, value, rule in criteria:
        ServiceCriterion.objects.create(service=service, kind=kind, value=value, rule=rule)
    for day, (opens, closes) in (hours or {}).items():
        RegularSchedule.objects.create(
            service=service,
            weekday=day,
            opens_at=time.fromisoformat(opens),
            closes_at=time.fromisoformat(closes),
        )
    if phone:
        Phone.objects.create(service=service, number=phone)
    if location is not None:
        ServiceAtLocation.objects.create(service=service, location=location)
    return service


def make_location(organization, name: str = "Main office", **fields) -> Location:
    fields = {"address_1": "12 Main St", "city": "Riverton", "postal_code": "52401", **fields}
    return Location.objects.create(organization=organization, name=name, **fields)


def office_hours() -> dict:
    return {day: ("09:00", "17:00") for day in WEEKDAYS}


def c_url(name: str, collaborative, **kwargs) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"slug": collaborative.slug, **kwargs})


def p_url(name: str, collaborative, **kwargs) -> str:
    return reverse(f"directory:{name}", kwargs={"slug": collaborative.slug, **kwargs})


def make_public(organization) -> None:
    organization.sharing_level = "public"
    organization.save()
