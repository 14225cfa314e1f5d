"""Writes for an organization's directory listing: its profile, contact people, services and
locations. ``<entity>_<verb>(*, actor, ...)``.

Only an organization's own admins and staff change its listing (backbone staff and other
organizations do not); who may see the profile only its admins change. The sector decides
whose sector-only data the organization's people read, so only backbone staff set it
(``organization_sector_set``), never the organization itself. Every change goes to the audit
log and to the change history (django-simple-history), with the person who made it.
"""

import functools
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.pagecache import DIRECTORY, page_changed
from stakeholders.access import (
    may_change_organization_sector,
    may_change_organization_sharing,
    require_organization_editor,
)
from stakeholders.directory.logos import prepare_logo
from stakeholders.models import (
    Contact,
    KeyArea,
    Language,
    Location,
    Member,
    Organization,
    Phone,
    RegularSchedule,
    Sector,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
)

# What the profile form may change; the second set only an organization's admins.
PROFILE_FIELDS = ("description", "email", "phone", "website")
ADMIN_ONLY_PROFILE_FIELDS = ("sharing_level",)
SERVICE_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "name_es",
    "description_es",
    "url",
    "email",
    "status",
    "application_process",
    "fees",
    "eligibility_description",
    "wait_time",
    "accepts_referrals",
    "serves_when",
)
CONTACT_FIELDS = ("name", "title", "department", "email", "phone")
LOCATION_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "address_1",
    "address_2",
    "city",
    "state_province",
    "postal_code",
    "transportation",
    "accessibility",
)

# weekday (1 = Monday) -> (opens, closes), or None for closed that day.
Week = Mapping[int, tuple[time, time] | None]
Criterion = tuple[str, str, str]  # (kind, value, rule)
# The rows an organization adds to its listing (the organization itself is made elsewhere).
type ListingRow = Contact | Service | Location


def _stamp(obj, actor: Member, reason: list[str]) -> None:
    """Who made the change (and what changed beyond the row's own fields) for the history."""
    obj._history_user = actor.user
    obj._change_reason = "; ".join(reason)[:100] if reason else None


def _save(
    row: Organization | ListingRow,
    *,
    actor: Member,
    action: str,
    request,
    reason: list[str] | None = None,
    **details,
) -> None:
    """Save a row of the listing under the person's name (and ``reason``) for the change
    history, and log ``action`` with ``details``."""
    _stamp(row, actor, reason or [])
    row.save()
    page_changed(DIRECTORY, actor.collaborative)
    record(action, actor=actor.user, request=request, obj=row, **details)


def _create(
    row: ListingRow,
    *,
    actor: Member,
    fields: dict,
    allowed: tuple[str, ...],
    action: str,
    request,
) -> None:
    """Fill a new contact, service or location from ``fields`` (only ``allowed`` ones),
    check it, and save and log it as made for its organization."""
    _set_fields(row, fields, allowed)
    row.full_clean()
    _save(row, actor=actor, action=action, request=request, organization=str(row.organization))


def _lock[Row: (Contact, Service, Location)](row: Row) -> Row:
    """The row again, locked for this transaction, with its organization."""
    return (
        type(row)._default_manager.select_for_update().select_related("organization").get(pk=row.pk)
    )


# --- The organization's profile ------------------------------------------------------------


@transaction.atomic
def organization_profile_update(
    *,
    actor: Member,
    organization: Organization,
    key_areas: Iterable[KeyArea] | None = None,
    logo: File | None = None,
    remove_logo: bool = False,
    request=None,
    **fields,
) -> Organization:
    """Change description, contact and key areas (admins also who may see the profile), and
    the logo: ``logo`` replaces it (checked and re-encoded, see ``stakeholders.directory.logos``),
    ``remove_logo`` takes it away."""
    require_organization_editor(actor, organization)
    prepared = prepare_logo(logo) if logo is not None else None
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if "sector" in fields and fields["sector"] != organization.sector:
        raise PermissionDenied(_("Only backbone staff can change an organization's sector."))
    fields.pop("sector", None)
    unknown = set(fields) - set(PROFILE_FIELDS) - set(ADMIN_ONLY_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(organization, name) != value]
    if set(changed) & set(ADMIN_ONLY_PROFILE_FIELDS) and not may_change_organization_sharing(
        actor, organization.pk
    ):
        raise PermissionDenied(_("Only the organization's admins can change who can see it."))
    reason = []
    if key_areas is not None:
        key_areas = list(key_areas)
        if any(area.collaborative_id != organization.collaborative_id for area in key_areas):
            raise ValidationError({"key_areas": _("Choose key areas of this collaborative.")})
        before = set(organization.key_areas.values_list("pk", flat=True))
        if before != {area.pk for area in key_areas}:
            changed.append("key_areas")
            reason.append(
                _("Key areas: %(areas)s") % {"areas": ", ".join(a.name for a in key_areas) or "—"}
            )
    for name, value in fields.items():
        setattr(organization, name, value)
    old_logo = organization.logo.name or ""
    if prepared is not None or (remove_logo and old_logo):
        changed.append("logo")
        organization.logo.name = ""
    organization.full_clean()
    _stamp(organization, actor, reason)
    new_logo = ""
    if prepared is not None:
        # Written last, under a random name: nothing of the upload's own name is kept.
        new_logo = default_storage.save(
            f"logos/{secrets.token_hex(16)}.{prepared.extension}", ContentFile(prepared.data)
        )
        organization.logo.name = new_logo
    try:
        organization.save()
    except Exception:
        if new_logo:
            default_storage.delete(new_logo)
        raise
    if old_logo and "logo" in changed:
        # The old file goes once the new row is committed (kept if the change rolls back).
        transaction.on_commit(functools.partial(default_storage.delete, old_logo))
    if key_areas is not None:
        organization.key_areas.set(key_areas)
    page_changed(DIRECTORY, actor.collaborative)
    record(
        "directory.organization_updated",
        actor=actor.user,
        request=request,
        obj=organization,
        changed=changed,
    )
    return organization


@transaction.atomic
def organization_sector_set(
    *, actor: Member, organization: Organization, sector: Sector, request=None
) -> Organization:
    """Move an organization to another sector (backbone staff only). Its people then read
    the new sector's sector-only data and no longer the old one's; the sharing groups follow
    (``stakeholders.signals``)."""
    if not may_change_organization_sector(actor) or (
        actor.collaborative_id != organization.collaborative_id
    ):
        raise PermissionDenied(_("Only backbone staff can change an organization's sector."))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if sector.collaborative_id != organization.collaborative_id:
        raise ValidationError({"sector": _("Choose a sector of this collaborative.")})
    old_sector_id = organization.sector_id
    if old_sector_id == sector.pk:
        return organization
    organization.sector = sector
    organization.full_clean()
    _save(
        organization,
        actor=actor,
        action="directory.organization_sector_changed",
        request=request,
        old_sector=old_sector_id,
        new_sector=sector.pk,
    )
    return organization


# --- Contact people -----------------------------------------------------------------------


def _check_contact_service(organization: Organization, service: Service | None) -> None:
    """A contact's service is one of its own organization's (never moves it elsewhere)."""
    if service is not None and service.organization_id != organization.pk:
        raise ValidationError({"service": _("Choose one of your organization's services.")})


@transaction.atomic
def contact_create(
    *,
    actor: Member,
    organization: Organization,
    service: Service | None = None,
    request=None,
    **fields,
) -> Contact:
    """A person to ask for, at the organization or for one of its services."""
    require_organization_editor(actor, organization)
    _check_contact_service(organization, service)
    contact = Contact(organization=organization, service=service)
    _create(
        contact,
        actor=actor,
        fields=fields,
        allowed=CONTACT_FIELDS,
        action="directory.contact_created",
        request=request,
    )
    return contact


@transaction.atomic
def contact_update(*, actor: Member, contact: Contact, request=None, **fields) -> Contact:
    """Change a contact; ``service`` (None: the whole organization) among the fields."""
    contact = _lock(contact)
    require_organization_editor(actor, contact.organization)
    if "service" in fields:
        _check_contact_service(contact.organization, fields["service"])
    changed = _set_fields(contact, fields, (*CONTACT_FIELDS, "service"))
    if not changed:
        return contact
    contact.full_clean()
    _save(
        contact, actor=actor, action="directory.contact_updated", request=request, changed=changed
    )
    return contact


@transaction.atomic
def contact_delete(*, actor: Member, contact: Contact, request=None) -> None:
    contact = _lock(contact)
    require_organization_editor(actor, contact.organization)
    record(
        "directory.contact_removed",
        actor=actor.user,
        request=request,
        obj=contact,
        organization=str(contact.organization),
    )
    _stamp(contact, actor, [])
    contact.delete()
    page_changed(DIRECTORY, actor.collaborative)


# --- Services -----------------------------------------------------------------------------


@transaction.atomic
def service_create(
    *,
    actor: Member,
    organization: Organization,
    key_areas: Iterable[KeyArea] = (),
    languages: Sequence[str] = (),
    criteria: Iterable[Criterion] = (),
    week: Week | None = None,
    locations: Iterable[Location] = (),
    phone: str = "",
    request=None,
    **fields,
) -> Service:
    """A new listing, verified today (the person entering it is checking it)."""
    require_organization_editor(actor, organization)
    service = Service(organization=organization, last_verified_at=actor.collaborative.today())
    _create(
        service,
        actor=actor,
        fields=fields,
        allowed=SERVICE_FIELDS,
        action="directory.service_created",
        request=request,
    )
    _set_service_children(
        service,
        key_areas=key_areas,
        languages=languages,
        criteria=criteria,
        week=week,
        locations=locations,
        phone=phone,
    )
    return service


@transaction.atomic
def service_update(
    *,
    actor: Member,
    service: Service,
    key_areas: Iterable[KeyArea] | None = None,
    languages: Sequence[str] | None = None,
    criteria: Iterable[Criterion] | None = None,
    week: Week | None = None,
    locations: Iterable[Location] | None = None,
    phone: str | None = None,
    request=None,
    **fields,
) -> Service:
    """Change a listing; ``None`` leaves that part as it is."""
    service = _lock(service)
    require_organization_editor(actor, service.organization)
    changed = _set_fields(service, fields, SERVICE_FIELDS)
    service.full_clean()
    # Measured first (for the history's reason), written once the row is saved.
    set_children = functools.partial(
        _set_service_children,
        service,
        key_areas=key_areas,
        languages=languages,
        criteria=criteria,
        week=week,
        locations=locations,
        phone=phone,
    )
    reason = set_children(dry_run=True)
    if not changed and not reason:
        return service
    _save(
        service,
        actor=actor,
        action="directory.service_updated",
        request=request,
        reason=reason,
        changed=changed,
        also=reason,
    )
    set_children()
    return service


@transaction.atomic
def service_verify(*, actor: Member, service: Service, request=None) -> Service:
    """Someone checked the listing is right: last verified today (the collaborative's day)."""
    service = _lock(service)
    require_organization_editor(actor, service.organization)
    service.last_verified_at = actor.collaborative.today()
    _save(
        service,
        actor=actor,
        action="directory.service_verified",
        request=request,
        verified_on=service.last_verified_at.isoformat(),
    )
    return service


def _set_fields(obj, fields: dict, allowed: tuple[str, ...]) -> list[str]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            changed.append(name)
            setattr(obj, name, value)
    return changed


def _set_service_children(
    service: Service,
    *,
    key_areas,
    languages,
    criteria,
    week,
    locations,
    phone,
    dry_run: bool = False,
) -> list[str]:
    """Replace the parts given (not None); return what changed, in words, for the history.

    With ``dry_run`` nothing is written: the caller stamps the reason before saving.
    """
    reason: list[str] = []
    collaborative_id = service.organization.collaborative_id

    if key_areas is not None:
        key_areas = list(key_areas)
        if any(area.collaborative_id != collaborative_id for area in key_areas):
            raise ValidationError({"key_areas": _("Choose key areas of this collaborative.")})
        if {a.pk for a in key_areas} != set(service.key_areas.values_list("pk", flat=True)):
            reason.append(
                _("Key areas: %(areas)s") % {"areas": ", ".join(a.name for a in key_areas) or "—"}
            )
            if not dry_run:
                service.key_areas.set(key_areas)

    if languages is not None:
        names = list(dict.fromkeys(n.strip() for n in languages if n.strip()))
        current = list(service.languages.order_by("language").values_list("language", flat=True))
        if sorted(names) != sorted(current):
            reason.append(_("Languages: %(names)s") % {"names": ", ".join(names) or "—"})
            if not dry_run:
                service.languages.all().delete()
                for name in names:
                    language = Language(service=service, language=name)
                    language.full_clean()
                    language.save()

    if criteria is not None:
        wanted = set(criteria)
        current_criteria = set(service.criteria.values_list("kind", "value", "rule"))
        if wanted != current_criteria:
            reason.append(_("Eligibility rules changed"))
            if not dry_run:
                service.criteria.all().delete()
                rows = [
                    ServiceCriterion(service=service, kind=kind, value=value, rule=rule)
                    for kind, value, rule in sorted(wanted)
                ]
                for row in rows:
                    row.full_clean(validate_constraints=False)
                ServiceCriterion.objects.bulk_create(rows)

    if week is not None:
        own = service.schedules.filter(service_at_location=None)
        current_hours = {(s.weekday, s.opens_at, s.closes_at) for s in own}
        wanted_hours = {(day, h[0], h[1]) for day, h in week.items() if h is not None}
        if current_hours != wanted_hours:
            reason.append(_("Opening hours changed"))
            if not dry_run:
                own.delete()
                for day, opens, closes in sorted(wanted_hours):
                    schedule = RegularSchedule(
                        service=service, weekday=day, opens_at=opens, closes_at=closes
                    )
                    schedule.full_clean()
                    schedule.save()

    if locations is not None:
        locations = list(locations)
        if any(loc.collaborative_id != collaborative_id for loc in locations):
            raise ValidationError({"locations": _("Choose locations of this collaborative.")})
        current_ids = set(service.at_locations.values_list("location_id", flat=True))
        wanted_ids = {loc.pk for loc in locations}
        if current_ids != wanted_ids:
            reason.append(
                _("Locations: %(names)s") % {"names": ", ".join(x.name for x in locations) or "—"}
            )
            if not dry_run:
                service.at_locations.exclude(location_id__in=wanted_ids).delete()
                for location in locations:
                    if location.pk not in current_ids:
                        at = ServiceAtLocation(service=service, location=location)
                        at.full_clean()
                        at.save()

    if phone is not None:
        reason += _set_main_phone(service.phones.filter(service_at_location=None), phone, dry_run)
        if not dry_run and phone.strip() and not service.phones.exists():
            _new_phone(service=service, number=phone)
    return reason


def _set_main_phone(phones, number: str, dry_run: bool) -> list[str]:
    """The first phone of a service or location is its main number: change, add or remove it."""
    number = number.strip()
    first = phones.order_by("pk").first()
    if (first.number if first else "") == number:
        return []
    if not dry_run and first is not None:
        if number:
            first.number = number
            first.full_clean()
            first.save()
        else:
            first.delete()
    return [_("Phone: %(number)s") % {"number": number or "—"}]


def _new_phone(**fields) -> Phone:
    phone = Phone(**fields)
    phone.fill_owner()
    phone.full_clean()
    phone.save()
    return phone


# --- Locations ----------------------------------------------------------------------------


@transaction.atomic
def location_create(
    *, actor: Member, organization: Organization, phone: str = "", request=None, **fields
) -> Location:
    require_organization_editor(actor, organization)
    location = Location(organization=organization)
    _create(
        location,
        actor=actor,
        fields=fields,
        allowed=LOCATION_FIELDS,
        action="directory.location_created",
        request=request,
    )
    if phone.strip():
        _new_phone(location=location, number=phone.strip())
    return location


@transaction.atomic
def location_update(
    *, actor: Member, location: Location, phone: str | None = None, request=None, **fields
) -> Location:
    location = _lock(location)
    require_organization_editor(actor, location.organization)
    changed = _set_fields(location, fields, LOCATION_FIELDS)
    location.full_clean()
    reason = []
    phones = location.phones.filter(service=None, service_at_location=None)
    if phone is not None:
        reason = _set_main_phone(phones, phone, dry_run=True)
    _save(
        location,
        actor=actor,
        action="directory.location_updated",
        request=request,
        reason=reason,
        changed=changed,
        also=reason,
    )
    if phone is not None:
        _set_main_phone(phones, phone, dry_run=False)
        if phone.strip() and not phones.exists():
            _new_phone(location=location, number=phone.strip())
    return location
