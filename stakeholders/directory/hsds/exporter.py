"""HSDS export: a collaborative's public directory as an HSDS 1.1 datapackage.

Only what an anonymous visitor may see: public organizations and their services and
locations (read through ``visible_to`` for an anonymous user, like every other read).
Ids are the HSDS ids records were imported with, else our public ids, so importing an
export into the same collaborative matches every row, and into another reproduces it.
"""

import csv
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import override

from reentry.audit.log import record
from stakeholders.directory.hsds import spec
from stakeholders.directory.hsds.validate import accessibility_label
from stakeholders.models import (
    Collaborative,
    Contact,
    CriterionKind,
    HsdsSourceId,
    Language,
    Location,
    Member,
    Organization,
    Phone,
    RegularSchedule,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
    TaxonomyTerm,
)

_ACCESSIBILITY_BY_LABEL = {accessibility_label(k): k for k in spec.ACCESSIBILITY}


@dataclass
class ExportSummary:
    destination: Path
    rows: dict[str, int] = field(default_factory=dict)


def _xid(obj) -> str:
    return obj.hsds_id or str(obj.public_id)


def _organization_id(org: Organization) -> str:
    """HSDS 1.1 wants a UUID: an imported id that is not one gives way to our public id
    (which the importer matches too, so re-importing still finds the organization)."""
    try:
        canonical = str(uuid.UUID(org.hsds_id)) == org.hsds_id.lower()
    except ValueError:
        canonical = False
    return org.hsds_id if canonical else str(org.public_id)


def _derived_id(*parts: str) -> str:
    """A stable id for rows we do not store one for (addresses, taxonomy links)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "reentry-commons:" + "/".join(parts)))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def hsds_export(
    *, actor: Member | None = None, collaborative: Collaborative, destination: Path | str
) -> ExportSummary:
    """Write the public directory to a folder (or a .zip when the name ends in .zip)."""
    destination = Path(destination)
    tables = _tables(collaborative)
    files: dict[str, bytes] = {}
    for resource in spec.RESOURCES:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(resource.columns)
        for row in tables[resource.name]:
            writer.writerow([_text(row.get(f.name)) or f.fallback for f in resource.fields])
        files[resource.path] = out.getvalue().encode("utf-8")
    descriptor = {
        "name": f"reentry-commons-{collaborative.slug}",
        "title": f"{collaborative.name}: public directory",
        "description": (
            "The public directory of a reentry collaborative, in the Open Referral Human "
            "Services Data Specification (HSDS) 1.1, with two Reentry Commons extension tables."
        ),
        "profile": "tabular-data-package",
        "version": spec.HSDS_VERSION,
        "homepage": "https://docs.openreferral.org",
        "created": timezone.now().isoformat(timespec="seconds"),
        "resources": [resource.descriptor() for resource in spec.RESOURCES],
    }
    files["datapackage.json"] = json.dumps(descriptor, indent=2).encode("utf-8")
    if destination.suffix.lower() == ".zip":
        destination.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        destination.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (destination / name).write_bytes(data)
    summary = ExportSummary(destination, {name: len(rows) for name, rows in tables.items()})
    record(
        "directory.exported",
        actor=actor.user if actor is not None else None,
        obj=collaborative,
        rows={k: v for k, v in summary.rows.items() if v},
    )
    return summary


def _tables(collaborative: Collaborative) -> dict[str, list[dict]]:
    anonymous = AnonymousUser()
    organizations = list(
        Organization.objects.visible_to(anonymous)
        .filter(collaborative=collaborative)
        .select_related("sector")
        .prefetch_related("key_areas")
        .order_by("name", "pk")
    )
    services = list(
        Service.objects.visible_to(anonymous)
        .in_collaborative(collaborative)
        .select_related("organization")
        .prefetch_related("key_areas", "criteria", "taxonomy_links__term")
        .order_by("name", "pk")
    )
    locations = list(
        Location.objects.visible_to(anonymous)
        .in_collaborative(collaborative)
        .select_related("organization")
        .order_by("name", "pk")
    )
    ids = {
        "organization": {o.pk: _organization_id(o) for o in organizations},
        "service": {s.pk: _xid(s) for s in services},
        "location": {loc.pk: _xid(loc) for loc in locations},
    }
    sals = [
        s
        for s in ServiceAtLocation.objects.visible_to(anonymous)
        .in_collaborative(collaborative)
        .order_by("pk")
        if s.service_id in ids["service"] and s.location_id in ids["location"]
    ]
    ids["service_at_location"] = {s.pk: _xid(s) for s in sals}
    source_ids = {
        (s.resource, s.key): s.hsds_id
        for s in HsdsSourceId.objects.filter(collaborative=collaborative)
    }
    written: set[tuple[str, str]] = set()

    def row_id(resource: str, key: str, *derived: str) -> str:
        """The id a kept-inside row came in with, else a stable derived one; never twice."""
        found = source_ids.get((resource, key))
        if found is None or (resource, found) in written:
            found = _derived_id(*derived)
        written.add((resource, found))
        return found

    def ref(kind: str, pk: int | None) -> str | None:
        """The exported id of a parent, "" for none, None when the parent is not public."""
        if pk is None:
            return ""
        return ids[kind].get(pk)

    def children(model, kinds: tuple[str, ...]):
        for obj in model.objects.visible_to(anonymous).in_collaborative(collaborative):
            refs = {f"{kind}_id": ref(kind, getattr(obj, f"{kind}_id")) for kind in kinds}
            if None not in refs.values():
                yield obj, refs

    tables: dict[str, list[dict]] = {r.name: [] for r in spec.RESOURCES}
    for org in organizations:
        oid = ids["organization"][org.pk]
        tables["organization"].append(
            {
                "id": oid,
                "name": org.name,
                "alternate_name": org.alternate_name,
                "description": org.description,
                "email": org.email,
                "url": org.website,
                "tax_status": org.tax_status,
                "tax_id": org.tax_id,
                "year_incorporated": org.year_incorporated,
                "legal_status": org.legal_status,
            }
        )
        tables["reentry_organization"].append(
            {
                "id": oid,
                "organization_id": oid,
                "sector": org.sector.slug,
                "key_areas": ",".join(sorted(a.slug for a in org.key_areas.all())),
            }
        )
    key_areas = {}
    for service in services:
        sid = _xid(service)
        tables["service"].append(
            {
                "id": sid,
                "organization_id": ids["organization"][service.organization_id],
                "name": service.name,
                "alternate_name": service.alternate_name,
                "description": service.description,
                "url": service.url,
                "email": service.email,
                "status": service.status,
                "interpretation_services": service.interpretation_services,
                "application_process": service.application_process,
                "wait_time": service.wait_time,
                "fees": service.fees,
                "accreditations": service.accreditations,
                "licenses": service.licenses,
            }
        )
        criteria = list(service.criteria.all())
        rules = {
            rule: ",".join(
                f"{c.kind}:{c.value}"
                for c in criteria
                if c.rule == rule and c.kind != CriterionKind.DOCUMENT
            )
            for rule in ServiceCriterion.Rule.values
        }
        tables["reentry_service"].append(
            {
                "id": sid,
                "service_id": sid,
                "accepts_referrals": service.accepts_referrals,
                "serves_when": service.serves_when,
                "eligibility_description": service.eligibility_description,
                "last_verified_at": service.last_verified_at,
                **rules,
            }
        )
        documents = [
            (f"doc:{c.value}", c.value, c.get_value_display())
            for c in criteria
            if c.kind == CriterionKind.DOCUMENT
        ] + [
            (f"text:{line}", line, line)
            for line in filter(None, (t.strip() for t in service.other_documents.splitlines()))
        ]
        with override("en"):
            for doc_key, value, text in documents:
                tables["required_document"].append(
                    {
                        "id": row_id(
                            "required_document",
                            f"{service.public_id}|{doc_key}",
                            sid,
                            "document",
                            value,
                        ),
                        "service_id": sid,
                        "document": str(text),
                    }
                )
        for link in service.taxonomy_links.all():
            link_id = link.hsds_id
            if not link_id or ("service_taxonomy", link_id) in written:
                link_id = _derived_id(sid, "taxonomy", link.term.hsds_id)
            written.add(("service_taxonomy", link_id))
            tables["service_taxonomy"].append(
                {
                    "id": link_id,
                    "service_id": sid,
                    "taxonomy_id": link.term.hsds_id,
                    "taxonomy_detail": link.taxonomy_detail,
                }
            )
        for area in service.key_areas.all():
            key_areas[area.pk] = area
            tables["service_taxonomy"].append(
                {
                    "id": _derived_id(sid, "key-area", str(area.public_id)),
                    "service_id": sid,
                    "taxonomy_id": str(area.public_id),
                }
            )
    for area in sorted(key_areas.values(), key=lambda a: (a.order, a.name)):
        tables["taxonomy"].append(
            {"id": str(area.public_id), "name": area.name, "vocabulary": spec.KEY_AREA_VOCABULARY}
        )
    # Imported vocabularies, whole: terms are words, not anyone's data.
    for term in TaxonomyTerm.objects.filter(collaborative=collaborative):
        tables["taxonomy"].append(
            {
                "id": term.hsds_id,
                "name": term.name,
                "parent_id": term.parent_hsds_id,
                "parent_name": term.parent_name,
                "vocabulary": term.vocabulary,
            }
        )
    for loc in locations:
        lid = _xid(loc)
        tables["location"].append(
            {
                "id": lid,
                "organization_id": ids["organization"][loc.organization_id],
                "name": loc.name,
                "alternate_name": loc.alternate_name,
                "description": loc.description,
                "transportation": loc.transportation,
                "latitude": loc.latitude,
                "longitude": loc.longitude,
            }
        )
        # HSDS requires every part of a street address; a partial one is left out.
        parts = (loc.address_1, loc.city, loc.state_province, loc.postal_code, loc.country)
        if all(parts):
            tables["physical_address"].append(
                {
                    "id": row_id("physical_address", str(loc.public_id), lid, "address"),
                    "location_id": lid,
                    "attention": loc.address_attention,
                    "address_1": loc.address_1,
                    "address_2": loc.address_2,
                    "address_3": loc.address_3,
                    "address_4": loc.address_4,
                    "city": loc.city,
                    "region": loc.region,
                    "state_province": loc.state_province,
                    "postal_code": loc.postal_code,
                    "country": loc.country,
                }
            )
        for n, line in enumerate(filter(None, loc.accessibility.splitlines()), start=1):
            # "Disabled parking: near the side door" -> (disabled_parking, near the side door)
            label, sep, details = line.partition(": ")
            key = _ACCESSIBILITY_BY_LABEL.get(label if sep else line)
            if key is None:
                key, details = "", line
            tables["accessibility_for_disabilities"].append(
                {
                    "id": row_id(
                        "accessibility_for_disabilities",
                        f"{loc.public_id}|{line}",
                        lid,
                        "accessibility",
                        str(n),
                    ),
                    "location_id": lid,
                    "accessibility": key,
                    "details": details,
                }
            )
    for sal in sals:
        tables["service_at_location"].append(
            {
                "id": _xid(sal),
                "service_id": ids["service"][sal.service_id],
                "location_id": ids["location"][sal.location_id],
                "description": sal.description,
            }
        )
    for contact in (
        Contact.objects.visible_to(anonymous).in_collaborative(collaborative).order_by("name", "pk")
    ):
        org_id = ids["organization"].get(contact.organization_id)
        service_id = ref("service", contact.service_id)
        if org_id is None or service_id is None:
            continue
        cid = _xid(contact)
        tables["contact"].append(
            {
                "id": cid,
                "organization_id": org_id,
                "service_id": service_id,
                "service_at_location_id": ids["service_at_location"].get(
                    contact.service_at_location_id, ""
                ),
                "name": contact.name,
                "title": contact.title,
                "department": contact.department,
                "email": contact.email,
            }
        )
        if contact.phone:
            # HSDS keeps a contact's number in phones.csv, pointing back with contact_id.
            tables["phone"].append(
                {
                    "id": _derived_id(cid, "phone"),
                    "contact_id": cid,
                    "number": contact.phone,
                    "type": Phone.Type.VOICE,
                }
            )
    for phone, refs in children(Phone, ("service", "location", "service_at_location")):
        has_parent = any(refs.values())
        org_id = "" if has_parent else ids["organization"].get(phone.organization_id)
        if org_id is None:
            continue
        tables["phone"].append(
            {
                "id": _xid(phone),
                **refs,
                "organization_id": org_id,
                "number": phone.number,
                "extension": phone.extension,
                "type": phone.type,
                "language": phone.language,
                "description": phone.description,
                "department": phone.department,
            }
        )
    for schedule, refs in children(RegularSchedule, ("service", "location", "service_at_location")):
        tables["regular_schedule"].append(
            {
                "id": _xid(schedule),
                **refs,
                "weekday": schedule.weekday,
                "opens_at": schedule.opens_at.isoformat() if schedule.opens_at else "",
                "closes_at": schedule.closes_at.isoformat() if schedule.closes_at else "",
            }
        )
    for language, refs in children(Language, ("service", "location")):
        tables["language"].append({"id": _xid(language), **refs, "language": language.language})
    return tables
