"""Phase 2 of an HSDS import: write validated rows, matching what is already there."""

from collections import defaultdict
from typing import cast

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext as _

from stakeholders.directory.hsds import spec
from stakeholders.directory.hsds.report import Rollback
from stakeholders.models import (
    Contact,
    CriterionKind,
    HsdsSourceId,
    KeyArea,
    Language,
    Location,
    Organization,
    Phone,
    RegularSchedule,
    Sector,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
    ServiceTaxonomy,
    TaxonomyTerm,
)

IMPORTED_SECTOR = ("Imported", "imported")


def _changed(obj: models.Model, values: dict) -> bool:
    """Set ``values`` on ``obj``; True when anything differed."""
    changed = False
    for name, value in values.items():
        model_field = obj._meta.get_field(name)
        if isinstance(value, models.Model) or (value is None and model_field.is_relation):
            attname = cast(models.Field, model_field).attname  # a column, not a reverse relation
            new = value.pk if value is not None else None
            if getattr(obj, attname) != new:
                setattr(obj, name, value)
                changed = True
        elif getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class Committer:
    def __init__(self, data, collaborative, report, default_sector, profile_sharing):
        self.data = data
        self.rows = data["rows"]
        self.collaborative = collaborative
        self.report = report
        self.default_sector = default_sector
        self.profile_sharing = profile_sharing
        self.claimed: set[tuple[str, int]] = set()
        self.by_id: dict[str, dict[str, models.Model]] = defaultdict(dict)

    def run(self) -> None:
        self._organizations()
        self._locations()
        self._services()
        self._services_at_location()
        self._contacts()
        self._phones()
        self._schedules()
        self._languages()
        self._taxonomy()
        self._source_ids()

    # Matching: HSDS id first, then our public id (a package this app exported).
    def _existing(self, model) -> tuple[dict, dict]:
        rows = list(model.objects.filter(collaborative=self.collaborative))
        by_hsds = {r.hsds_id: r for r in rows if r.hsds_id}
        by_public = {str(r.public_id): r for r in rows}
        return by_hsds, by_public

    def _match[M: models.Model](
        self, model: type[M], source_id: str, by_hsds: dict, by_public: dict, row
    ) -> M:
        obj = by_hsds.get(source_id) or by_public.get(source_id)
        if obj is None:
            return model(hsds_id=source_id)
        key = (model._meta.label, obj.pk)
        if key in self.claimed:
            self._fail(row, "id", _("Two rows match the same existing record."))
        self.claimed.add(key)
        return obj

    def _fail(self, row, column: str, message: str) -> None:
        self.report.error(row.file, row.number, column, message)
        raise Rollback

    def _save(self, table: str, obj: models.Model, changed: bool, row, extra=False) -> None:
        counts = self.report.counts[table]
        if obj.pk is None:
            counts.created += 1
        elif changed or extra:
            counts.updated += 1
        else:
            counts.unchanged += 1
            return
        if changed or obj.pk is None:
            try:
                obj.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                self._fail(row, "", " ".join(exc.messages))
            obj.save()

    def _organizations(self) -> None:
        by_hsds, by_public = self._existing(Organization)
        slugs = set(
            Organization.objects.filter(collaborative=self.collaborative).values_list(
                "slug", flat=True
            )
        )
        sectors = {s.slug: s for s in Sector.objects.filter(collaborative=self.collaborative)}
        areas = {a.slug: a for a in KeyArea.objects.filter(collaborative=self.collaborative)}
        extension = self.data["reentry_organizations"]
        service_areas = self._service_areas_by_organization()
        for source_id, row in self.rows["organization"].items():
            org = self._match(Organization, source_id, by_hsds, by_public, row)
            ext = extension.get(source_id)
            values = dict(row.values)
            if org.pk is None:
                org.collaborative = self.collaborative
                org.slug = self._unique_slug(values["name"], slugs)
                org.sharing_level = self.profile_sharing
                sector_slug = ext.values["sector"] if ext else ""
                if sector_slug and sector_slug not in sectors:
                    self.report.warn(
                        ext.file,
                        ext.number,
                        "sector",
                        _("There is no sector “%(slug)s” here; the default sector is used.")
                        % {"slug": sector_slug},
                    )
                values["sector"] = sectors.get(sector_slug) or self._default_sector(sectors)
            changed = _changed(org, values)
            if ext is not None:
                wanted = set()
                for slug in filter(None, ext.values["key_areas"]):
                    if slug in areas:
                        wanted.add(areas[slug].pk)
                    else:
                        self.report.warn(
                            ext.file,
                            ext.number,
                            "key_areas",
                            _("There is no key area “%(slug)s” here; skipped.") % {"slug": slug},
                        )
                replace = True
            else:
                wanted = service_areas.get(source_id, set())
                replace = False
            current = set(org.key_areas.values_list("pk", flat=True)) if org.pk else set()
            target = wanted if replace else current | wanted
            self._save("organizations", org, changed, row, extra=target != current)
            if target != current:
                org.key_areas.set(target)
            self.by_id["organization"][source_id] = org

    def _service_areas_by_organization(self) -> dict[str, set[int]]:
        out: dict[str, set[int]] = defaultdict(set)
        for service_id, area_ids in self.data["service_key_areas"].items():
            service = self.rows["service"].get(service_id)
            if service is not None:
                out[service.refs["organization_id"]] |= area_ids
        return out

    def _default_sector(self, sectors: dict[str, Sector]) -> Sector:
        if self.default_sector is not None:
            return self.default_sector
        name, slug = IMPORTED_SECTOR
        if slug not in sectors:
            sector = Sector(collaborative=self.collaborative, name=name, slug=slug, order=99)
            sector.full_clean()
            sector.save()
            sectors[slug] = sector
        return sectors[slug]

    @staticmethod
    def _unique_slug(name: str, taken: set[str]) -> str:
        base = slugify(name)[:70] or "organization"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        return slug

    def _locations(self) -> None:
        by_hsds, by_public = self._existing(Location)
        organizations = cast(dict[str, Organization], self.by_id["organization"])
        for source_id, row in self.rows.get("location", {}).items():
            location = self._match(Location, source_id, by_hsds, by_public, row)
            org = organizations[self.data["location_org"][source_id]]
            values = dict(row.values)
            values["organization"] = org
            values["name"] = values["name"] or values["alternate_name"] or org.name
            values.update(self.data["addresses"].get(source_id, {}))
            if "accessibility_for_disabilities" in self.data["has"]:
                values["accessibility"] = self.data["accessibility"].get(source_id, "")
            changed = _changed(location, values)
            self._save("locations", location, changed, row)
            self.by_id["location"][source_id] = location

    def _services(self) -> None:
        by_hsds, by_public = self._existing(Service)
        organizations = self.by_id["organization"]
        extension = self.data["reentry_services"]
        documents = self.data["documents"]
        criteria: dict[int, set[tuple[str, str, str]]] = defaultdict(set)
        for c in ServiceCriterion.objects.filter(service__collaborative=self.collaborative):
            criteria[c.service_id].add((c.kind, c.value, c.rule))
        for source_id, row in self.rows["service"].items():
            service = self._match(Service, source_id, by_hsds, by_public, row)
            values = dict(row.values)
            values["organization"] = organizations[row.refs["organization_id"]]
            ext = extension.get(source_id)
            if ext is not None:
                values.update({k: v for k, v in ext.values.items() if k != "criteria"})
            if documents is not None:
                values["other_documents"] = "\n".join(
                    text for kind, text, _id in documents.get(source_id, ()) if kind == "text"
                )
            changed = _changed(service, values)
            current_areas = (
                set(service.key_areas.values_list("pk", flat=True)) if service.pk else set()
            )
            areas = self.data["service_key_areas"].get(source_id, current_areas)
            current = criteria.get(service.pk, set()) if service.pk else set()
            wanted = set(current)
            if ext is not None:
                wanted = {c for c in wanted if c[0] == CriterionKind.DOCUMENT}
                wanted |= {(k, v, rule) for (k, v), rule in ext.values["criteria"].items()}
            if documents is not None:
                wanted = {c for c in wanted if c[0] != CriterionKind.DOCUMENT}
                wanted |= {
                    (CriterionKind.DOCUMENT, v, ServiceCriterion.Rule.REQUIRES)
                    for kind, v, _id in documents.get(source_id, ())
                    if kind == "doc"
                }
            extra = areas != current_areas or wanted != current
            self._save("services", service, changed, row, extra=extra)
            if areas != current_areas:
                service.key_areas.set(areas)
            if wanted != current:
                service.criteria.all().delete()
                new = [
                    ServiceCriterion(service=service, kind=k, value=v, rule=r)
                    for k, v, r in sorted(wanted)
                ]
                for criterion in new:
                    try:
                        criterion.full_clean(exclude=["service"])
                    except ValidationError as exc:
                        self._fail(row, "", " ".join(exc.messages))
                ServiceCriterion.objects.bulk_create(new)
            self.by_id["service"][source_id] = service

    def _services_at_location(self) -> None:
        by_hsds, by_public = self._existing(ServiceAtLocation)
        by_pair = {
            (s.service_id, s.location_id): s
            for s in ServiceAtLocation.objects.filter(collaborative=self.collaborative)
        }
        for source_id, row in self.rows.get("service_at_location", {}).items():
            service = self.by_id["service"][row.refs["service_id"]]
            location = self.by_id["location"][row.refs["location_id"]]
            sal = by_hsds.get(source_id) or by_public.get(source_id)
            if sal is None and service.pk and location.pk:
                sal = by_pair.get((service.pk, location.pk))
            if sal is None:
                sal = ServiceAtLocation(hsds_id=source_id)
            values = {**row.values, "service": service, "location": location}
            changed = _changed(sal, values)
            self._save("services_at_location", sal, changed, row)
            self.by_id["service_at_location"][source_id] = sal

    def _contacts(self) -> None:
        by_hsds, by_public = self._existing(Contact)
        has_phones = "phone" in self.data["has"]
        for source_id, row in self.rows.get("contact", {}).items():
            organization_id, service_id = self.data["contact_owners"][source_id]
            contact = self._match(Contact, source_id, by_hsds, by_public, row)
            values = dict(row.values)
            values["organization"] = self.by_id["organization"][organization_id]
            values["service"] = self.by_id["service"][service_id] if service_id else None
            sal_id = row.refs.get("service_at_location_id", "")
            values["service_at_location"] = (
                self.by_id["service_at_location"][sal_id] if sal_id else None
            )
            if has_phones:  # without phones.csv, a contact keeps the number it has
                values["phone"] = self.data["contact_phones"].get(source_id, "")
            changed = _changed(contact, values)
            self._save("contacts", contact, changed, row)

    def _parents(self, row, columns: tuple[str, ...]) -> dict:
        return {
            column.removesuffix("_id"): (
                self.by_id[column.removesuffix("_id")][row.refs[column]]
                if row.refs.get(column)
                else None
            )
            for column in columns
        }

    def _phones(self) -> None:
        by_hsds, by_public = self._existing(Phone)
        for source_id, row in self.rows.get("phone", {}).items():
            parents = self._parents(
                row, ("service_id", "location_id", "service_at_location_id", "organization_id")
            )
            if row.refs.get("contact_id"):
                continue  # a contact person's number: kept on the contact (see _contacts)
            if not any(parents.values()):
                continue  # attached to nothing: reported as a warning
            phone = self._match(Phone, source_id, by_hsds, by_public, row)
            if parents["service"] or parents["location"] or parents["service_at_location"]:
                del parents["organization"]  # then it is that row's organization
            changed = _changed(phone, {**row.values, **parents})
            self._save("phones", phone, changed, row)

    def _schedules(self) -> None:
        by_hsds, by_public = self._existing(RegularSchedule)
        for source_id, row in self.rows.get("regular_schedule", {}).items():
            parents = self._parents(row, ("service_id", "location_id", "service_at_location_id"))
            schedule = self._match(RegularSchedule, source_id, by_hsds, by_public, row)
            changed = _changed(schedule, {**row.values, **parents})
            self._save("regular_schedules", schedule, changed, row)

    def _languages(self) -> None:
        by_hsds, by_public = self._existing(Language)
        for source_id, row in self.rows.get("language", {}).items():
            parents = self._parents(row, ("service_id", "location_id"))
            language = self._match(Language, source_id, by_hsds, by_public, row)
            changed = _changed(language, {**row.values, **parents})
            self._save("languages", language, changed, row)

    def _taxonomy(self) -> None:
        """Store the package's terms and which services they classify. Terms of our own
        key-area vocabulary are not stored: they are the key areas (see _services)."""
        terms = {
            source_id: row
            for source_id, row in self.rows.get("taxonomy", {}).items()
            if row.values["vocabulary"] != spec.KEY_AREA_VOCABULARY
        }
        existing = {
            t.hsds_id: t for t in TaxonomyTerm.objects.filter(collaborative=self.collaborative)
        }
        stored: dict[str, TaxonomyTerm] = {}
        for source_id, row in terms.items():
            term = existing.get(source_id) or TaxonomyTerm(
                collaborative=self.collaborative, hsds_id=source_id
            )
            changed = _changed(term, row.values)
            self._save("taxonomy_terms", term, changed, row)
            stored[source_id] = term
        # Each service's links: services_taxonomy.csv rows, then services.csv taxonomy_ids.
        links: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)  # service: term: row
        for row in self.rows.get("service_taxonomy", {}).values():
            if row.refs["taxonomy_id"] in stored:
                links[row.refs["service_id"]][row.refs["taxonomy_id"]] = (
                    row.id,
                    row.values["taxonomy_detail"],
                )
        for service_id, row in self.rows["service"].items():
            for term_id in row.refs["taxonomy_ids"]:
                if term_id in stored:
                    links[service_id].setdefault(term_id, ("", ""))
        if "service_taxonomy" not in self.data["has"] and not links:
            return  # the package says nothing about classifications: keep what is there
        services = cast(dict[str, Service], self.by_id["service"])
        current: dict[int, dict[int, ServiceTaxonomy]] = defaultdict(dict)
        for link in ServiceTaxonomy.objects.filter(service__in=[s.pk for s in services.values()]):
            current[link.service_id][link.term_id] = link
        for service_id, service in services.items():
            wanted = {stored[t].pk: values for t, values in links.get(service_id, {}).items()}
            have = current.get(service.pk, {})
            gone = [link.pk for term_pk, link in have.items() if term_pk not in wanted]
            ServiceTaxonomy.objects.filter(pk__in=gone).delete()
            for term_pk, (hsds_id, detail) in wanted.items():
                link = have.get(term_pk) or ServiceTaxonomy(service=service, term_id=term_pk)
                if _changed(link, {"hsds_id": hsds_id, "taxonomy_detail": detail}) or not link.pk:
                    link.save()

    def _source_ids(self) -> None:
        """Remember the ids of rows kept inside another record (addresses, accessibility,
        documents), so an export writes them back under the same ids."""
        wanted: dict[tuple[str, str], str] = {}
        locations = cast(dict[str, Location], self.by_id["location"])
        for location_id, hsds_id in self.data["address_ids"].items():
            wanted["physical_address", str(locations[location_id].public_id)] = hsds_id
        for location_id, lines in self.data["accessibility_ids"].items():
            public_id = locations[location_id].public_id
            for line, hsds_id in lines:
                wanted["accessibility_for_disabilities", f"{public_id}|{line}"] = hsds_id
        services = cast(dict[str, Service], self.by_id["service"])
        for service_id, documents in (self.data["documents"] or {}).items():
            public_id = services[service_id].public_id
            for kind, value, hsds_id in documents:
                wanted["required_document", f"{public_id}|{kind}:{value}"] = hsds_id
        if not wanted:
            return
        existing = HsdsSourceId.objects.filter(
            collaborative=self.collaborative, resource__in={r for r, _k in wanted}
        )
        by_key = {(s.resource, s.key): s for s in existing}
        # An id now names other content: the old mapping goes, so no id is written twice.
        reused = {(r, i) for (r, _k), i in wanted.items()}
        stale = [
            s.pk
            for s in by_key.values()
            if (s.resource, s.hsds_id) in reused and wanted.get((s.resource, s.key)) != s.hsds_id
        ]
        HsdsSourceId.objects.filter(pk__in=stale).delete()
        for (resource, key), hsds_id in wanted.items():
            current = by_key.get((resource, key))
            if current is not None and current.pk not in stale:
                if current.hsds_id != hsds_id:
                    current.hsds_id = hsds_id
                    current.save(update_fields=["hsds_id"])
            else:
                HsdsSourceId.objects.create(
                    collaborative=self.collaborative, resource=resource, key=key, hsds_id=hsds_id
                )
