"""The HSDS 1.1 resources this app reads and writes, and its two extension resources.

Core resources keep HSDS 1.1's file names, columns (in order) and constraints, so an
export is a valid HSDS datapackage. What HSDS leaves out and a reentry directory needs
(referrals, before/after release, structured eligibility, last verified, sector) travels
in two extra resources, ``reentry_organization`` and ``reentry_service``, which other
HSDS tools simply ignore.
"""

from dataclasses import dataclass, field

HSDS_VERSION = "1.1"
KEY_AREA_VOCABULARY = "Reentry Commons key areas"


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"  # string, number, integer, boolean, date, time
    required: bool = False
    enum: tuple[str, ...] = ()
    format: str = ""
    description: str = ""
    unique: bool = False
    # Written in place of an empty value where HSDS requires one and our data may lack it;
    # read back as empty, so a package we exported imports unchanged.
    fallback: str = ""
    # Whether an import stores the column, so that an export writes it back. The import
    # report lists every column it does not keep.
    kept: bool = True

    @property
    def import_required(self) -> bool:
        """Whether an import must have a value (a field with a fallback may be empty)."""
        return self.required and not self.fallback

    def schema(self) -> dict:
        out: dict = {"name": self.name, "type": self.type}
        if self.format:
            out["format"] = self.format
        if self.description:
            out["description"] = self.description
        constraints: dict = {"required": self.required}
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    fields: tuple[Field, ...]
    description: str = ""
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, resource name)
    required: bool = False  # the package must contain it
    extra: dict = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def schema(self) -> dict:
        out: dict = {"fields": [f.schema() for f in self.fields], "primaryKey": "id"}
        if self.foreign_keys:
            out["foreignKeys"] = [
                {"fields": column, "reference": {"resource": target, "fields": "id"}}
                for column, target in self.foreign_keys
            ]
        return out

    def descriptor(self) -> dict:
        return {
            "name": self.name,
            "path": self.path,
            "description": self.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": self.schema(),
        }


ID = Field("id", required=True, description="Each entry must have a unique identifier.")
# HSDS 1.1 marks some tables' ids unique (the primary key makes every id unique anyway).
UNIQUE_ID = Field("id", required=True, unique=True, description=ID.description)
# HSDS 1.1 requires organization ids to be UUIDs.
UUID_ID = Field(
    "id",
    required=True,
    unique=True,
    format="uuid",
    description="Each organization must have a unique identifier, a UUID.",
)
NO_DESCRIPTION = "No description yet."
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
PHONE_TYPES = ("text", "voice", "fax", "cell", "video", "pager", "textphone")
ACCESSIBILITY = (
    "cd",
    "deaf_interpreter",
    "disabled_parking",
    "elevator",
    "ramp",
    "restroom",
    "tape_braille",
    "tty",
    "wheelchair",
    "wheelchair_van",
)
SERVES_WHEN = ("before_release", "after_release", "both")

ORGANIZATION = Resource(
    "organization",
    "organizations.csv",
    (
        UUID_ID,
        Field("name", required=True),
        Field("alternate_name"),
        Field(
            "description",
            required=True,
            fallback=NO_DESCRIPTION,
            description=f'"{NO_DESCRIPTION}" when the organization has not written one.',
        ),
        Field("email", format="email"),
        Field("url", format="uri"),
        Field("tax_status"),
        Field("tax_id"),
        Field("year_incorporated", "date", format="%Y"),
        Field("legal_status"),
    ),
    description="Organizations delivering services.",
    required=True,
)
SERVICE = Resource(
    "service",
    "services.csv",
    (
        UNIQUE_ID,
        Field("organization_id", required=True),
        Field("program_id", kept=False),
        Field("name", required=True),
        Field("alternate_name"),
        Field("description"),
        Field("url", format="uri"),
        Field("email", format="email"),
        Field("status", required=True, enum=SERVICE_STATUSES),
        Field("interpretation_services"),
        Field("application_process"),
        Field("wait_time"),
        Field("fees"),
        Field("accreditations"),
        Field("licenses"),
        Field("taxonomy_ids"),
    ),
    description="Services provided by organizations.",
    foreign_keys=(("organization_id", "organization"),),
    required=True,
)
LOCATION = Resource(
    "location",
    "locations.csv",
    (
        ID,
        Field("organization_id"),
        Field("name"),
        Field("alternate_name"),
        Field("description"),
        Field("transportation"),
        Field("latitude", "number"),
        Field("longitude", "number"),
    ),
    description="Places where services are delivered.",
    foreign_keys=(("organization_id", "organization"),),
)
SERVICE_AT_LOCATION = Resource(
    "service_at_location",
    "services_at_location.csv",
    (
        UNIQUE_ID,
        Field("service_id", required=True),
        Field("location_id", required=True),
        Field("description"),
    ),
    description="Which services are delivered at which locations.",
    foreign_keys=(("service_id", "service"), ("location_id", "location")),
)
CONTACT = Resource(
    "contact",
    "contacts.csv",
    (
        ID,
        Field("organization_id"),
        Field("service_id"),
        Field("service_at_location_id"),
        Field("name"),
        Field("title"),
        Field("department"),
        Field("email", format="email"),
    ),
    description="Named people to contact at organizations and for their services. "
    "Their phone numbers are in phones.csv (contact_id).",
    foreign_keys=(
        ("organization_id", "organization"),
        ("service_id", "service"),
        ("service_at_location_id", "service_at_location"),
    ),
)
PHONE = Resource(
    "phone",
    "phones.csv",
    (
        ID,
        Field("location_id"),
        Field("service_id"),
        Field("organization_id"),
        Field("contact_id"),
        Field("service_at_location_id"),
        Field("number", required=True),
        Field("extension", "number"),
        Field("type", enum=PHONE_TYPES),
        Field("language"),
        Field("description"),
        Field("department"),
    ),
    description="Phone numbers of organizations, services, locations and contact people.",
    foreign_keys=(
        ("organization_id", "organization"),
        ("location_id", "location"),
        ("service_id", "service"),
        ("contact_id", "contact"),
        ("service_at_location_id", "service_at_location"),
    ),
)
PHYSICAL_ADDRESS = Resource(
    "physical_address",
    "physical_addresses.csv",
    (
        ID,
        Field("location_id"),
        Field("attention"),
        Field("address_1", required=True),
        Field("address_2"),
        Field("address_3"),
        Field("address_4"),
        Field("city", required=True),
        Field("region"),
        Field("state_province", required=True),
        Field("postal_code", required=True),
        Field("country", required=True),
    ),
    description="The street address of each location.",
    foreign_keys=(("location_id", "location"),),
)
REGULAR_SCHEDULE = Resource(
    "regular_schedule",
    "regular_schedules.csv",
    (
        ID,
        Field("service_id"),
        Field("location_id"),
        Field("service_at_location_id"),
        Field("weekday", "integer", required=True, description="1 = Monday … 7 = Sunday."),
        Field("opens_at", "time", description="Local time of the collaborative."),
        Field("closes_at", "time", description="Local time of the collaborative."),
    ),
    description="Weekly opening hours.",
    foreign_keys=(
        ("service_id", "service"),
        ("location_id", "location"),
        ("service_at_location_id", "service_at_location"),
    ),
)
LANGUAGE = Resource(
    "language",
    "languages.csv",
    (ID, Field("service_id"), Field("location_id"), Field("language")),
    description="Languages services and locations work in.",
    foreign_keys=(("service_id", "service"), ("location_id", "location")),
)
ACCESSIBILITY_FOR_DISABILITIES = Resource(
    "accessibility_for_disabilities",
    "accessibility_for_disabilities.csv",
    (
        ID,
        Field("location_id"),
        Field("accessibility", enum=ACCESSIBILITY),
        Field("details"),
    ),
    description="Accessibility of locations.",
    foreign_keys=(("location_id", "location"),),
)
TAXONOMY = Resource(
    "taxonomy",
    "taxonomy.csv",
    (
        UNIQUE_ID,
        Field("name", required=True),
        Field("parent_id"),
        Field("parent_name"),
        Field("vocabulary"),
    ),
    description="Terms services are classified by: the collaborative's key areas, and the "
    "terms of directories it imported.",
)
SERVICE_TAXONOMY = Resource(
    "service_taxonomy",
    "services_taxonomy.csv",
    (
        UNIQUE_ID,
        Field("service_id", required=True),
        Field("taxonomy_id", required=True),
        Field("taxonomy_detail"),
    ),
    description="Which taxonomy terms apply to which services.",
    foreign_keys=(("service_id", "service"), ("taxonomy_id", "taxonomy")),
)
REQUIRED_DOCUMENT = Resource(
    "required_document",
    "required_documents.csv",
    (ID, Field("service_id"), Field("document")),
    description="Documents a person needs to get a service.",
    foreign_keys=(("service_id", "service"),),
)
REENTRY_ORGANIZATION = Resource(
    "reentry_organization",
    "reentry_organizations.csv",
    (
        ID,
        Field("organization_id", required=True),
        Field("sector", description="The sector's short name (slug) in the collaborative."),
        Field("key_areas", description="Key area short names (slugs), comma separated."),
    ),
    description="Reentry Commons extension: an organization's sector and key areas.",
    foreign_keys=(("organization_id", "organization"),),
)
REENTRY_SERVICE = Resource(
    "reentry_service",
    "reentry_services.csv",
    (
        ID,
        Field("service_id", required=True),
        Field("accepts_referrals", "boolean"),
        Field("serves_when", enum=SERVES_WHEN),
        Field("eligibility_description"),
        Field("last_verified_at", "date"),
        Field(
            "requires",
            description="Conviction histories and supervision statuses the service is only "
            "for, as kind:value, comma separated (e.g. supervision:parole).",
        ),
        Field(
            "excludes",
            description="Conviction histories and supervision statuses that make a person "
            "ineligible, as kind:value, comma separated (e.g. conviction:arson).",
        ),
    ),
    description="Reentry Commons extension: referrals, release timing and eligibility.",
    foreign_keys=(("service_id", "service"),),
)

# In the order they are validated, imported and written.
RESOURCES: tuple[Resource, ...] = (
    ORGANIZATION,
    SERVICE,
    LOCATION,
    SERVICE_AT_LOCATION,
    CONTACT,
    PHONE,
    PHYSICAL_ADDRESS,
    REGULAR_SCHEDULE,
    LANGUAGE,
    ACCESSIBILITY_FOR_DISABILITIES,
    TAXONOMY,
    SERVICE_TAXONOMY,
    REQUIRED_DOCUMENT,
    REENTRY_ORGANIZATION,
    REENTRY_SERVICE,
)
BY_NAME = {r.name: r for r in RESOURCES}
