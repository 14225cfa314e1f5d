"""Phase 1 of an HSDS import: check every row and turn it into clean values. No writes."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from stakeholders.directory.hsds import spec
from stakeholders.directory.hsds.package import Package
from stakeholders.directory.hsds.report import ImportReport
from stakeholders.models import (
    Collaborative,
    Contact,
    Conviction,
    CriterionKind,
    Document,
    KeyArea,
    Language,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
    ServiceTaxonomy,
    Supervision,
    TaxonomyTerm,
)


@dataclass
class _Row:
    file: str
    number: int
    id: str
    values: dict = field(default_factory=dict)  # model field name -> clean value
    refs: dict = field(default_factory=dict)  # column -> referenced id ("" when empty)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I)
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_DOCUMENT_ALIASES = {
    "state id": Document.STATE_ID,
    "id": Document.STATE_ID,
    "photo id": Document.STATE_ID,
    "driver's license": Document.STATE_ID,
    "drivers license": Document.STATE_ID,
    "social security card": Document.SOCIAL_SECURITY_CARD,
    "ssn card": Document.SOCIAL_SECURITY_CARD,
    "birth certificate": Document.BIRTH_CERTIFICATE,
    "dd-214": Document.DD214,
    "dd214": Document.DD214,
    "release papers": Document.RELEASE_PAPERS,
    "proof of income": Document.PROOF_OF_INCOME,
    "medicaid card": Document.MEDICAID_CARD,
}
# Words in a taxonomy term that point to a default key area (by its slug).
_KEY_AREA_WORDS = [
    (r"pre-?release|re-?entry", "pre-release-preparation"),
    (r"substance|addiction|recovery|detox|alcohol", "rehabilitation-and-recovery"),
    (r"mental health|counsel+ing|psychiatr", "mental-health"),
    (r"health ?care|medical|dental|primary care|medicaid", "healthcare"),
    (r"housing|shelter|homeless", "housing"),
    (r"family|parenting|child", "family-support"),
    (r"mentor|education|literacy|\bged\b", "mentorship-and-self-actualization"),
    (r"transport|\bbus\b|transit", "transportation"),
    (r"employment|\bjobs?\b|career|vocational|workforce", "employment"),
    (r"prevention", "prevention"),
]


def document_value(text: str) -> str | None:
    """A required-document text as one of our Document values, or None."""
    key = text.strip().lower().replace("’", "'")
    if key in Document.values:
        return key
    with override("en"):
        for value, label in Document.choices:
            if key == str(label).lower().replace("’", "'"):
                return value
    return _DOCUMENT_ALIASES.get(key)


def accessibility_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


class Validator:
    def __init__(self, package: Package, collaborative: Collaborative, report: ImportReport):
        self.package = package
        self.collaborative = collaborative
        self.report = report
        self.rows: dict[str, dict[str, _Row]] = {}
        self.ids: dict[str, set[str]] = {}  # every id seen, valid row or not
        self.offset_warned: set[str] = set()
        self.resource: spec.Resource | None = None
        self.address_rows: dict[str, _Row] = {}
        self.accessibility_ids: dict[str, list[tuple[str, str]]] = {}  # location: (line, id)

    def run(self) -> dict:
        for name, table in self.package.tables.items():
            self.rows[name] = self._table(table)
        self._foreign_keys()
        self._check_parents()
        self._check_sal_pairs()
        return {
            "rows": self.rows,
            "location_org": self._location_organizations(),
            "contact_owners": self._contact_owners(),
            "contact_phones": self._contact_phones(),
            "addresses": self._addresses(),
            "address_ids": {location_id: row.id for location_id, row in self.address_rows.items()},
            "accessibility": self._accessibility(),
            "accessibility_ids": self.accessibility_ids,
            "service_key_areas": self._service_key_areas(),
            "documents": self._documents(),
            "reentry_services": self._by("reentry_service", "service_id"),
            "reentry_organizations": self._by("reentry_organization", "organization_id"),
            "has": set(self.package.tables),
        }

    # Each row: id, required values, types, model field validation.
    def _table(self, table) -> dict[str, _Row]:
        resource = table.resource
        self.resource = resource
        out: dict[str, _Row] = {}
        first_seen: dict[str, int] = {}
        seen_ids = self.ids[resource.name] = set()
        for number, raw in table.rows:
            row_id = raw.get("id", "")
            row = _Row(table.path, number, row_id)
            ok = True
            for spec_field in resource.fields:
                if spec_field.fallback and raw.get(spec_field.name) == spec_field.fallback:
                    raw = {**raw, spec_field.name: ""}
            for spec_field in resource.fields:
                value = raw.get(spec_field.name, "")
                if spec_field.import_required and not value:
                    self.report.error(
                        table.path, number, spec_field.name, _("A value is required.")
                    )
                    ok = False
            if row_id in first_seen:
                self.report.error(
                    table.path,
                    number,
                    "id",
                    _("The id “%(id)s” is used twice (first in row %(first)d).")
                    % {"id": row_id, "first": first_seen[row_id]},
                )
                continue
            if row_id:
                first_seen[row_id] = number
                seen_ids.add(row_id)
            for column, _target in resource.foreign_keys:
                row.refs[column] = raw.get(column, "")
            parse = getattr(self, f"_parse_{resource.name}")
            ok = parse(row, raw) and ok
            if ok and row_id:
                out[row_id] = row
        return out

    def _bad(self, row: _Row, column: str, message: str) -> bool:
        self.report.error(row.file, row.number, column, message)
        return False

    def _model_values(self, row: _Row, model, mapping: dict[str, str], raw: dict) -> bool:
        """Run each model field's own validation (length, email, URL, choices)."""
        ok = True
        for column, field_name in mapping.items():
            model_field = model._meta.get_field(field_name)
            value = raw.get(column, "")
            if not value and self._required(column):
                continue  # already reported
            try:
                row.values[field_name] = model_field.clean(value, None)
            except ValidationError as exc:
                ok = self._bad(row, column, " ".join(exc.messages))
        return ok

    def _required(self, column: str) -> bool:
        resource = self.resource
        return resource is not None and any(
            f.name == column and f.import_required for f in resource.fields
        )

    def _enum(self, row: _Row, raw: dict, column: str, choices, default: str = "") -> str | None:
        value = raw.get(column, "").lower() or default
        if value and value not in choices:
            self._bad(
                row,
                column,
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": raw.get(column), "choices": ", ".join(choices)},
            )
            return None
        return value

    def _number(self, row: _Row, raw: dict, column: str, low: int, high: int) -> bool:
        text = raw.get(column, "")
        if not text:
            row.values[column] = None
            return True
        try:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return self._bad(row, column, _("“%(value)s” is not a number.") % {"value": text})
        if not low <= value <= high:
            return self._bad(
                row,
                column,
                _("%(value)s is outside %(low)d to %(high)d.")
                % {"value": text, "low": low, "high": high},
            )
        row.values[column] = value.quantize(Decimal("0.000001"))
        return True

    def _time(self, row: _Row, raw: dict, column: str) -> bool:
        text = raw.get(column, "")
        if not text:
            row.values[column] = None
            return True
        match = _TIME.match(text)
        hours, minutes, seconds = (int(g or 0) for g in match.groups()[:3]) if match else (0, 0, 0)
        if not match or hours > 24 or minutes > 59 or seconds > 59 or (hours == 24 and minutes):
            return self._bad(
                row, column, _("“%(value)s” is not a time like 09:00.") % {"value": text}
            )
        if match.group(4) and row.file not in self.offset_warned:
            self.offset_warned.add(row.file)
            self.report.warn(
                row.file,
                row.number,
                column,
                _("Times are read as local time in %(zone)s; the UTC offset is not used.")
                % {"zone": self.collaborative.time_zone},
            )
        row.values[column] = time(hours % 24, minutes, seconds)
        return True

    def _parse_organization(self, row, raw) -> bool:
        mapping = {
            c: c
            for c in (
                "name",
                "alternate_name",
                "description",
                "email",
                "tax_status",
                "tax_id",
                "legal_status",
            )
        }
        mapping["url"] = "website"
        ok = self._model_values(row, Organization, mapping, raw)
        # HSDS writes the year as a date of format %Y; a full date gives its year.
        text = raw.get("year_incorporated", "")
        row.values["year_incorporated"] = None
        if text:
            match = re.match(r"^(\d{4})(?:-\d{2}-\d{2})?$", text)
            if match is None:
                ok = self._bad(
                    row,
                    "year_incorporated",
                    _("“%(value)s” is not a year like 1997.") % {"value": text},
                )
            else:
                row.values["year_incorporated"] = int(match.group(1))
        return ok

    def _parse_service(self, row, raw) -> bool:
        mapping = {
            c: c
            for c in (
                "name",
                "alternate_name",
                "description",
                "url",
                "email",
                "application_process",
                "wait_time",
                "fees",
                "interpretation_services",
                "accreditations",
                "licenses",
            )
        }
        ok = self._model_values(row, Service, mapping, raw)
        status = self._enum(row, raw, "status", spec.SERVICE_STATUSES)
        row.values["status"] = status
        row.refs["taxonomy_ids"] = [t.strip() for t in raw.get("taxonomy_ids", "").split(",")]
        return ok and status is not None

    def _parse_location(self, row, raw) -> bool:
        mapping = {c: c for c in ("alternate_name", "description", "transportation")}
        ok = self._model_values(row, Location, mapping, raw)
        row.values["name"] = raw.get("name", "")
        ok = self._number(row, raw, "latitude", -90, 90) and ok
        ok = self._number(row, raw, "longitude", -180, 180) and ok
        if ok and (row.values["latitude"] is None) != (row.values["longitude"] is None):
            column = "longitude" if row.values["longitude"] is None else "latitude"
            ok = self._bad(row, column, _("Give both latitude and longitude, or neither."))
        if row.values["name"]:
            ok = self._model_values(row, Location, {"name": "name"}, raw) and ok
        return ok

    def _parse_service_at_location(self, row, raw) -> bool:
        return self._model_values(row, ServiceAtLocation, {"description": "description"}, raw)

    def _parse_contact(self, row, raw) -> bool:
        # HSDS leaves the name optional; a contact here is named by its job title then.
        name = raw.get("name") or raw.get("title") or raw.get("department")
        if not name:
            return self._bad(row, "name", _("Give the person's name or job title."))
        ok = self._model_values(row, Contact, {"name": "name"}, {"name": name})
        mapping = {c: c for c in ("title", "department", "email")}
        return self._model_values(row, Contact, mapping, raw) and ok

    def _parse_phone(self, row, raw) -> bool:
        mapping = {c: c for c in ("number", "language", "description", "department")}
        ok = self._model_values(row, Phone, mapping, raw)
        row.values["type"] = self._enum(row, raw, "type", spec.PHONE_TYPES, default="voice")
        extension = raw.get("extension", "")
        row.values["extension"] = None
        if extension:
            try:
                number = Decimal(extension)
                if number != number.to_integral_value() or number < 0:
                    raise InvalidOperation
                row.values["extension"] = int(number)
            except InvalidOperation:
                ok = self._bad(
                    row,
                    "extension",
                    _("“%(value)s” is not a whole number.") % {"value": extension},
                )
        return ok and row.values["type"] is not None

    def _parse_physical_address(self, row, raw) -> bool:
        mapping = {
            c: c
            for c in (
                "address_1",
                "address_2",
                "address_3",
                "address_4",
                "city",
                "region",
                "state_province",
                "postal_code",
            )
        }
        mapping["attention"] = "address_attention"
        ok = self._model_values(row, Location, mapping, raw)
        raw = {**raw, "country": raw.get("country", "").upper()}
        return self._model_values(row, Location, {"country": "country"}, raw) and ok

    def _parse_regular_schedule(self, row, raw) -> bool:
        text = raw.get("weekday", "")
        ok = True
        if text:
            if not text.isdigit() or not 1 <= int(text) <= 7:
                ok = self._bad(
                    row,
                    "weekday",
                    _("“%(value)s” is not a day number from 1 (Monday) to 7 (Sunday).")
                    % {"value": text},
                )
            else:
                row.values["weekday"] = int(text)
        ok = self._time(row, raw, "opens_at") and ok
        ok = self._time(row, raw, "closes_at") and ok
        if ok and (row.values["opens_at"] is None) != (row.values["closes_at"] is None):
            ok = self._bad(row, "closes_at", _("Give both the opening and the closing time."))
        return ok

    def _parse_language(self, row, raw) -> bool:
        if not raw.get("language"):
            return self._bad(row, "language", _("A value is required."))
        return self._model_values(row, Language, {"language": "language"}, raw)

    def _parse_accessibility_for_disabilities(self, row, raw) -> bool:
        key = self._enum(row, raw, "accessibility", spec.ACCESSIBILITY)
        row.values["accessibility"] = key
        row.values["details"] = raw.get("details", "")
        return key is not None

    def _parse_taxonomy(self, row, raw) -> bool:
        mapping = {c: c for c in ("name", "parent_name", "vocabulary")}
        mapping["parent_id"] = "parent_hsds_id"
        return self._model_values(row, TaxonomyTerm, mapping, raw)

    def _parse_service_taxonomy(self, row, raw) -> bool:
        mapping = {"taxonomy_detail": "taxonomy_detail"}
        return self._model_values(row, ServiceTaxonomy, mapping, raw)

    def _parse_required_document(self, row, raw) -> bool:
        row.values["document"] = raw.get("document", "")
        return True

    def _parse_reentry_organization(self, row, raw) -> bool:
        row.values["sector"] = raw.get("sector", "")
        row.values["key_areas"] = [s.strip() for s in raw.get("key_areas", "").split(",")]
        return True

    def _parse_reentry_service(self, row, raw) -> bool:
        ok = True
        text = raw.get("accepts_referrals", "").lower()
        if text:
            if text not in _TRUE | _FALSE:
                ok = self._bad(
                    row,
                    "accepts_referrals",
                    _("“%(value)s” is not true or false.") % {"value": text},
                )
            row.values["accepts_referrals"] = text in _TRUE
        serves_when = self._enum(row, raw, "serves_when", spec.SERVES_WHEN)
        ok = ok and serves_when is not None
        if serves_when:
            row.values["serves_when"] = serves_when
        ok = (
            self._model_values(
                row, Service, {"eligibility_description": "eligibility_description"}, raw
            )
            and ok
        )
        verified = raw.get("last_verified_at", "")
        row.values["last_verified_at"] = None
        if verified:
            try:
                row.values["last_verified_at"] = date.fromisoformat(verified)
            except ValueError:
                ok = self._bad(
                    row,
                    "last_verified_at",
                    _("“%(value)s” is not a date like 2025-01-31.") % {"value": verified},
                )
        criteria: dict[tuple[str, str], str] = {}
        for rule in (ServiceCriterion.Rule.REQUIRES, ServiceCriterion.Rule.EXCLUDES):
            for token in filter(None, (t.strip() for t in raw.get(rule, "").split(","))):
                kind, _sep, value = token.partition(":")
                allowed = _CRITERIA.get(kind)
                if allowed is None or value not in allowed:
                    ok = self._bad(
                        row,
                        rule,
                        _("“%(value)s” is not a known eligibility rule.") % {"value": token},
                    )
                elif (kind, value) in criteria:
                    ok = self._bad(
                        row,
                        rule,
                        _("“%(value)s” is both required and excluded.") % {"value": token},
                    )
                else:
                    criteria[(kind, value)] = rule
        row.values["criteria"] = criteria
        return ok

    def _foreign_keys(self) -> None:
        for name, table in self.package.tables.items():
            for column, target in table.resource.foreign_keys:
                known = self.ids.get(target, ())
                target_path = self.package.path_of(target)
                for row in self.rows[name].values():
                    ref = row.refs.get(column, "")
                    if ref and ref not in known:
                        self.report.error(
                            row.file,
                            row.number,
                            column,
                            _("There is no %(resource)s with id “%(id)s” in %(file)s.")
                            % {"resource": target, "id": ref, "file": target_path},
                        )

    def _check_parents(self) -> None:
        """Hours and languages belong to something; a phone with none is skipped."""
        needs = {
            "regular_schedule": ("service_id", "location_id", "service_at_location_id"),
            "language": ("service_id", "location_id"),
            "phone": (
                "service_id",
                "location_id",
                "service_at_location_id",
                "organization_id",
                "contact_id",
            ),
        }
        for name, columns in needs.items():
            for row in self.rows.get(name, {}).values():
                if any(row.refs.get(c) for c in columns):
                    continue
                if name == "phone":
                    self.report.warn(
                        row.file,
                        row.number,
                        "",
                        _(
                            "The phone belongs to no organization, service, location or "
                            "contact; skipped."
                        ),
                    )
                else:
                    self.report.error(
                        row.file,
                        row.number,
                        columns[0],
                        _("Give one of %(columns)s.") % {"columns": ", ".join(columns)},
                    )

    def _location_organizations(self) -> dict[str, str]:
        """Each location's organization: its own column, else its services' organization."""
        services = self.rows.get("service", {})
        by_location: dict[str, set[str]] = defaultdict(set)
        for sal in self.rows.get("service_at_location", {}).values():
            service = services.get(sal.refs["service_id"])
            if service is not None:
                by_location[sal.refs["location_id"]].add(service.refs["organization_id"])
        out = {}
        for location in self.rows.get("location", {}).values():
            org = location.refs.get("organization_id", "")
            candidates = by_location[location.id]
            if not org and len(candidates) == 1:
                org = next(iter(candidates))
            if not org:
                self.report.error(
                    location.file,
                    location.number,
                    "organization_id",
                    _("Give the organization this location belongs to."),
                )
            out[location.id] = org
        return out

    def _contact_owners(self) -> dict[str, tuple[str, str]]:
        """Each contact's (organization id, service id or ""): a service's contact belongs to
        the service's organization; a service-at-location's, to that service."""
        services = self.rows.get("service", {})
        sals = self.rows.get("service_at_location", {})
        out = {}
        for contact in self.rows.get("contact", {}).values():
            service_id = contact.refs.get("service_id", "")
            sal = sals.get(contact.refs.get("service_at_location_id", ""))
            if not service_id and sal is not None:
                service_id = sal.refs["service_id"]
            service = services.get(service_id)
            org = contact.refs.get("organization_id", "")
            if service is not None:
                if org and org != service.refs["organization_id"]:
                    self.report.error(
                        contact.file,
                        contact.number,
                        "service_id",
                        _("The service belongs to another organization than the contact."),
                    )
                org = service.refs["organization_id"]
            if not org:
                self.report.error(
                    contact.file,
                    contact.number,
                    "organization_id",
                    _("Give the organization or the service this contact belongs to."),
                )
            out[contact.id] = (org, service_id if service is not None else "")
        return out

    def _contact_phones(self) -> dict[str, str]:
        """A contact's phone number (one per contact here), from phones.csv."""
        out: dict[str, str] = {}
        max_length = Contact._meta.get_field("phone").max_length or 40
        for row in self.rows.get("phone", {}).values():
            contact_id = row.refs.get("contact_id", "")
            if not contact_id:
                continue
            if contact_id in out:
                self.report.warn(
                    row.file,
                    row.number,
                    "contact_id",
                    _("A contact keeps one phone number; this one is skipped."),
                )
                continue
            number, extension = row.values["number"], row.values["extension"]
            with_extension = f"{number} x{extension}" if extension is not None else number
            out[contact_id] = with_extension if len(with_extension) <= max_length else number
        return out

    def _addresses(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for row in self.rows.get("physical_address", {}).values():
            location_id = row.refs.get("location_id", "")
            if not location_id:
                self.report.warn(
                    row.file, row.number, "location_id", _("No location: the address is skipped.")
                )
            elif location_id in out:
                self.report.warn(
                    row.file,
                    row.number,
                    "location_id",
                    _("A location keeps one street address; this one is skipped."),
                )
            else:
                out[location_id] = row.values
                self.address_rows[location_id] = row
        return out

    def _accessibility(self) -> dict[str, str]:
        lines: dict[str, list[str]] = defaultdict(list)
        ids: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in self.rows.get("accessibility_for_disabilities", {}).values():
            key, details = row.values["accessibility"], row.values["details"]
            if key:
                label = accessibility_label(key)
                line = f"{label}: {details}" if details else label
            elif details:
                line = details
            else:
                continue
            lines[row.refs["location_id"]].append(line)
            ids[row.refs["location_id"]].append((line, row.id))
        self.accessibility_ids = dict(ids)
        return {location_id: "\n".join(text) for location_id, text in lines.items()}

    def _service_key_areas(self) -> dict[str, set[int]]:
        """Services' key areas, where the package's taxonomy terms name them."""
        terms = self.rows.get("taxonomy", {})
        links: dict[str, set[str]] = defaultdict(set)
        for row in self.rows.get("service_taxonomy", {}).values():
            links[row.refs["service_id"]].add(row.refs["taxonomy_id"])
        for service in self.rows.get("service", {}).values():
            for term_id in service.refs["taxonomy_ids"]:
                if term_id in terms:
                    links[service.id].add(term_id)
        if not links:
            return {}
        areas = list(KeyArea.objects.filter(collaborative=self.collaborative))
        by_term = {term_id: self._key_area_for(terms[term_id].values, areas) for term_id in terms}
        return {
            service_id: {area_id for t in term_ids if (area_id := by_term.get(t))}
            for service_id, term_ids in links.items()
        }

    @staticmethod
    def _key_area_for(term: dict, areas: list[KeyArea]) -> int | None:
        for text in (term["name"], term["parent_name"]):
            if not text:
                continue
            for area in areas:
                if text.lower() == area.name.lower() or slugify(text) == area.slug:
                    return area.pk
            if term["vocabulary"] == spec.KEY_AREA_VOCABULARY:
                continue
            for pattern, slug in _KEY_AREA_WORDS:
                if re.search(pattern, text, re.I):
                    found = next((a for a in areas if a.slug == slug), None)
                    if found is not None:
                        return found.pk
        return None

    def _documents(self) -> dict[str, list[tuple[str, str, str]]] | None:
        """Each service's required documents as (kind, value, row id): ("doc", a Document
        value) for one this directory tracks, ("text", the text) for any other."""
        if "required_document" not in self.package.tables:
            return None
        out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for row in self.rows.get("required_document", {}).values():
            text = " ".join(row.values["document"].split())
            if not row.refs["service_id"]:
                self.report.warn(
                    row.file, row.number, "service_id", _("No service: the document is skipped.")
                )
                continue
            if not text:
                continue
            value = document_value(text)
            seen = {(kind, v) for kind, v, _id in out[row.refs["service_id"]]}
            item = ("doc", value) if value is not None else ("text", text)
            if item in seen:
                self.report.warn(
                    row.file,
                    row.number,
                    "document",
                    _("This document is already listed for the service; skipped."),
                )
                continue
            out[row.refs["service_id"]].append((*item, row.id))
        return out

    def _by(self, name: str, column: str) -> dict[str, _Row]:
        out: dict[str, _Row] = {}
        for row in self.rows.get(name, {}).values():
            key = row.refs[column]
            if key in out:
                self.report.error(
                    row.file,
                    row.number,
                    column,
                    _("There is already a row for “%(id)s” (row %(first)d).")
                    % {"id": key, "first": out[key].number},
                )
            else:
                out[key] = row
        return out

    def _check_sal_pairs(self) -> None:
        seen: dict[tuple[str, str], int] = {}
        for row in self.rows.get("service_at_location", {}).values():
            pair = (row.refs["service_id"], row.refs["location_id"])
            if pair in seen:
                self.report.error(
                    row.file,
                    row.number,
                    "location_id",
                    _("This service is already linked to this location (row %(first)d).")
                    % {"first": seen[pair]},
                )
            seen[pair] = row.number


_CRITERIA = {
    CriterionKind.CONVICTION.value: set(Conviction.values),
    CriterionKind.SUPERVISION.value: set(Supervision.values),
}
