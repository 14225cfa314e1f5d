"""HSDS import and export: the Open Referral sample, malformed packages, round trip, commands."""

import csv
import json
import shutil
import zipfile
from datetime import time
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from reentry.audit.models import AuditEvent
from reentry.sharing.levels import SharingLevel
from stakeholders.directory.hsds import hsds_export, hsds_import, spec
from stakeholders.models import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    RegularSchedule,
    Sector,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
    TaxonomyTerm,
)
from stakeholders.services import collaborative_create
from tests.factories import OrganizationFactory, UserFactory

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "hsds-sample"
needs_sample = pytest.mark.skipif(
    not (SAMPLE / "datapackage.json").is_file(),
    reason=f"The Open Referral HSDS sample is not at {SAMPLE} (it lives beside the repo).",
)
pytestmark = [pytest.mark.django_db, needs_sample]

DIRECTORY_MODELS = (
    Organization,
    Service,
    Location,
    ServiceAtLocation,
    Phone,
    RegularSchedule,
    Language,
    ServiceCriterion,
    Contact,
)
SAMPLE_COUNTS = {
    "organizations": 10,
    "services": 13,
    "locations": 10,
    "services_at_location": 13,
    "contacts": 1,
    "phones": 5,
    "regular_schedules": 3,
    "languages": 2,
    "taxonomy_terms": 1,
}


def row_counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in DIRECTORY_MODELS}


def created(report) -> dict[str, int]:
    return {table: c.created for table, c in report.counts.items()}


def issues(report) -> list[tuple[str, int | None, str]]:
    return [(i.file, i.row, i.field) for i in report.errors]


@pytest.fixture
def collab(cast):
    return cast.collab


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the sample, to break on purpose (in a temporary folder)."""
    target = tmp_path / "package"
    shutil.copytree(SAMPLE, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def edit_csv(path: Path, change) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def run(collab, source, **kwargs):
    return hsds_import(actor=None, collaborative=collab, source=source, **kwargs)


# --- the sample -----------------------------------------------------------------------------


def test_sample_imports_with_zero_errors_and_expected_counts(collab):
    report = run(collab, SAMPLE)

    assert report.errors == []
    assert report.committed
    assert created(report) == SAMPLE_COUNTS
    assert Service.objects.in_collaborative(collab).count() == 13
    helpline = Service.objects.get(collaborative=collab, name="Never Homeless Helpline")
    assert helpline.organization.name == "Sanctuary Example City"
    assert helpline.hsds_id == "c89eb05c-62dd-4b64-b494-0cc347b6ea7f"
    assert sorted(helpline.languages.values_list("code", flat=True)) == ["en", "es"]
    assert helpline.schedules.count() == 3
    sanctuary = Location.objects.get(hsds_id="30b83c60-64a1-11e6-8b77-86f30ca893d3")
    assert (sanctuary.address_1, sanctuary.city, sanctuary.state_province) == (
        "Address 1",
        "New York City",
        "NY",
    )
    assert sanctuary.accessibility == "Disabled parking: Some details regarding the parking lot"
    contact = Contact.objects.get(collaborative=collab)
    assert (contact.hsds_id, contact.name, contact.title, contact.department, contact.email) == (
        "0cd7cbd0-1b0b-11e9-b56e-0800200c9a66",
        "Contact 1",
        "Mr",
        "Department 1",
        "contact1@example.com",
    )
    assert contact.service == helpline
    assert contact.organization == helpline.organization
    highland = Location.objects.get(hsds_id="30b83ee0-64a1-11e6-8b77-86f30ca893d3")
    assert highland.latitude == Decimal("39.428192")
    # No taxonomy links in the sample: key areas stay empty rather than guessed.
    assert not Service.key_areas.through.objects.exists()
    # The only required document is not one we track: kept as written, no warning.
    assert report.warnings == []
    assert helpline.other_documents == "Sample required document"
    assert not helpline.criteria.exists()
    # What HSDS says beyond our own fields is stored too.
    assert contact.service_at_location.hsds_id == "d254626c-6858-46ad-850a-6e1c53ea463a"
    assert helpline.interpretation_services == "over the phone"
    sanctuary_org = helpline.organization
    assert (
        sanctuary_org.tax_status,
        sanctuary_org.tax_id,
        sanctuary_org.year_incorporated,
        sanctuary_org.legal_status,
    ) == ("nonprofit", "574374770", 1997, "non-profit")
    assert (sanctuary.address_attention, sanctuary.region) == ("Contact 1", "Mid-Atlantic")
    term = TaxonomyTerm.objects.get(collaborative=collab)
    assert (term.hsds_id, term.name, term.parent_hsds_id, term.parent_name, term.vocabulary) == (
        "df7be950-1b0f-11e9-b56e-0800200c9a66",
        "Taxonomy A",
        "e9004840-1b0f-11e9-b56e-0800200c9a66",
        "Parent taxonomy of A",
        "AIRS",
    )
    assert "program" in report.ignored


def test_imported_organizations_go_to_an_imported_sector_and_stay_members_only(collab):
    run(collab, SAMPLE)

    org = Organization.objects.get(collaborative=collab, name="Example City Silvers")
    assert org.sector.slug == "imported"
    assert org.sharing_level == SharingLevel.COLLABORATIVE
    assert Sector.objects.filter(collaborative=collab, slug="imported").count() == 1


def test_the_caller_can_choose_the_sector_of_new_organizations(cast):
    run(cast.collab, SAMPLE, default_sector=cast.sector2)

    assert set(
        Organization.objects.filter(collaborative=cast.collab)
        .exclude(hsds_id="")
        .values_list("sector__slug", flat=True)
    ) == {"courts"}
    assert not Sector.objects.filter(collaborative=cast.collab, slug="imported").exists()


def test_reimporting_the_sample_changes_nothing(collab):
    run(collab, SAMPLE)
    before = row_counts()

    report = run(collab, SAMPLE)

    assert report.errors == []
    assert row_counts() == before
    assert {t: c.unchanged for t, c in report.counts.items()} == SAMPLE_COUNTS
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values())


def test_reimport_updates_a_changed_row_instead_of_duplicating(collab, sample_copy):
    run(collab, SAMPLE)
    before = row_counts()

    def rename(rows):
        rows[1][3] = "Never Homeless Helpline (24 hours)"
        return rows

    edit_csv(sample_copy / "services.csv", rename)
    report = run(collab, sample_copy)

    assert report.counts["services"].updated == 1
    assert report.counts["services"].unchanged == 12
    assert row_counts() == before
    assert Service.objects.filter(name="Never Homeless Helpline (24 hours)").count() == 1


def test_dry_run_counts_but_saves_nothing(collab):
    before = row_counts()

    report = run(collab, SAMPLE, dry_run=True)

    assert report.errors == []
    assert created(report) == SAMPLE_COUNTS
    assert not report.committed
    assert row_counts() == before


def test_import_is_written_to_the_audit_log(collab):
    run(collab, SAMPLE)

    event = AuditEvent.objects.get(action="directory.imported")
    assert event.collaborative == collab
    assert event.details["counts"]["services"]["created"] == 13


def test_only_backbone_staff_may_import(cast):
    with pytest.raises(PermissionDenied):
        hsds_import(actor=cast.admin_a, collaborative=cast.collab, source=SAMPLE)
    with pytest.raises(PermissionDenied):
        hsds_import(actor=cast.outsider, collaborative=cast.collab, source=SAMPLE)

    report = hsds_import(actor=cast.backbone, collaborative=cast.collab, source=SAMPLE)
    assert report.committed


def test_a_zip_imports_like_the_folder(collab, tmp_path):
    archive = tmp_path / "sample.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in SAMPLE.iterdir():
            z.write(path, f"hsds-sample/{path.name}")  # inside a top folder, as zips often are

    report = run(collab, archive)

    assert report.errors == []
    assert created(report) == SAMPLE_COUNTS


def test_a_file_that_is_not_a_zip_is_reported(collab, tmp_path):
    bogus = tmp_path / "directory.zip"
    bogus.write_text("not a zip")

    report = run(collab, bogus)

    assert [(i.file, i.message) for i in report.errors] == [
        ("directory.zip", "This is not a valid zip file.")
    ]


# --- malformed packages: a clear report, and nothing changes ---------------------------------


@pytest.fixture
def imported(collab, sample_copy):
    """The sample imported once; the copy then gets a valid change and one error."""
    run(collab, SAMPLE)

    def rename(rows):
        rows[1][1] = "Sanctuary (renamed)"
        return rows

    edit_csv(sample_copy / "organizations.csv", rename)
    return row_counts()


def assert_nothing_changed(before):
    assert row_counts() == before
    assert not Organization.objects.filter(name="Sanctuary (renamed)").exists()


def test_missing_file_is_reported_and_changes_nothing(collab, sample_copy, imported):
    (sample_copy / "services_at_location.csv").unlink()

    report = run(collab, sample_copy)

    assert issues(report) == [("services_at_location.csv", None, "")]
    assert report.errors[0].message == "The file is missing."
    assert_nothing_changed(imported)


def test_missing_descriptor_is_reported(collab, sample_copy, imported):
    (sample_copy / "datapackage.json").unlink()

    report = run(collab, sample_copy)

    assert issues(report) == [("datapackage.json", None, "")]
    assert_nothing_changed(imported)


def test_bad_foreign_key_is_reported_and_changes_nothing(collab, sample_copy, imported):
    def orphan(rows):
        rows[3][1] = "no-such-organization"
        return rows

    edit_csv(sample_copy / "services.csv", orphan)

    report = run(collab, sample_copy)

    assert issues(report) == [("services.csv", 4, "organization_id")]
    assert "no-such-organization" in report.errors[0].message
    assert "organizations.csv" in report.errors[0].message
    assert_nothing_changed(imported)


@pytest.mark.parametrize(
    ("file", "column", "value", "row"),
    [
        ("locations.csv", 6, "north", ("locations.csv", 3, "latitude")),
        ("locations.csv", 7, "-200", ("locations.csv", 3, "longitude")),
        ("regular_schedules.csv", 5, "9am", ("regular_schedules.csv", 3, "opens_at")),
        ("regular_schedules.csv", 4, "8", ("regular_schedules.csv", 3, "weekday")),
        ("services.csv", 8, "open", ("services.csv", 3, "status")),
        ("services.csv", 7, "not an email", ("services.csv", 3, "email")),
        ("phones.csv", 7, "ext 4", ("phones.csv", 3, "extension")),
    ],
)
def test_wrong_type_is_reported_and_changes_nothing(
    collab, sample_copy, imported, file, column, value, row
):
    def spoil(rows):
        rows[2][column] = value
        if file == "locations.csv":  # keep latitude and longitude paired
            rows[2][6], rows[2][7] = (value, "1") if column == 6 else ("1", value)
        return rows

    edit_csv(sample_copy / file, spoil)

    report = run(collab, sample_copy)

    assert issues(report) == [row]
    assert_nothing_changed(imported)


def test_duplicate_id_is_reported_and_changes_nothing(collab, sample_copy, imported):
    def duplicate(rows):
        return [*rows, [rows[2][0], "Another organization", *rows[2][2:]]]

    edit_csv(sample_copy / "organizations.csv", duplicate)

    report = run(collab, sample_copy)

    assert issues(report) == [("organizations.csv", 12, "id")]
    assert "first in row 3" in report.errors[0].message
    assert_nothing_changed(imported)


def test_missing_required_column_is_reported_and_changes_nothing(collab, sample_copy, imported):
    def drop_name(rows):
        return [[cell for i, cell in enumerate(row) if i != 1] for row in rows]

    edit_csv(sample_copy / "organizations.csv", drop_name)

    report = run(collab, sample_copy)

    assert issues(report) == [("organizations.csv", 1, "name")]
    assert report.errors[0].message == "A required column is missing."
    assert_nothing_changed(imported)


def test_every_error_is_reported_not_just_the_first(collab, sample_copy, imported):
    def spoil(rows):
        rows[1][6] = rows[2][6] = "somewhere"
        rows[1][7] = rows[2][7] = "1"
        return rows

    edit_csv(sample_copy / "locations.csv", spoil)

    report = run(collab, sample_copy)

    assert issues(report) == [("locations.csv", 2, "latitude"), ("locations.csv", 3, "latitude")]
    assert_nothing_changed(imported)


def test_a_first_import_with_errors_creates_nothing(collab, sample_copy):
    (sample_copy / "services.csv").unlink()
    before = row_counts()

    report = run(collab, sample_copy)

    assert not report.ok
    assert row_counts() == before
    assert not Sector.objects.filter(slug="imported").exists()


# --- contact people ---------------------------------------------------------------------------


def test_a_contacts_phone_in_phones_csv_goes_onto_the_contact(collab, sample_copy):
    def add_phone(rows):
        header = rows[0]
        row = dict.fromkeys(header, "")
        row.update(
            id="contact-phone-1",
            contact_id="0cd7cbd0-1b0b-11e9-b56e-0800200c9a66",
            number="(555) 010 2000",
            extension="42",
        )
        return [*rows, [row[h] for h in header]]

    edit_csv(sample_copy / "phones.csv", add_phone)

    report = run(collab, sample_copy)

    assert report.errors == []
    assert Contact.objects.get(collaborative=collab).phone == "(555) 010 2000 x42"
    # It is the contact's number, not one more number of the organization.
    assert report.counts["phones"].created == SAMPLE_COUNTS["phones"]
    assert not Phone.objects.filter(number="(555) 010 2000").exists()


def test_a_contact_whose_service_is_another_organizations_is_reported(collab, sample_copy):
    def elsewhere(rows):
        rows[1][1] = "18996320-649c-11e6-8b77-86f30ca893d3"  # another sample organization
        return rows

    edit_csv(sample_copy / "contacts.csv", elsewhere)
    before = row_counts()

    report = run(collab, sample_copy)

    assert issues(report) == [("contacts.csv", 2, "service_id")]
    assert row_counts() == before


def test_a_contact_with_neither_organization_nor_service_is_reported(collab, sample_copy):
    def orphan(rows):
        rows[1][1:4] = ["", "", ""]
        return rows

    edit_csv(sample_copy / "contacts.csv", orphan)

    report = run(collab, sample_copy)

    assert issues(report) == [("contacts.csv", 2, "organization_id")]
    assert not Contact.objects.exists()


def test_reimporting_a_changed_contact_updates_it(collab, sample_copy):
    run(collab, SAMPLE)

    def retitle(rows):
        rows[1][5] = "Intake coordinator"
        return rows

    edit_csv(sample_copy / "contacts.csv", retitle)

    report = run(collab, sample_copy)

    assert report.counts["contacts"].updated == 1
    assert Contact.objects.get(collaborative=collab).title == "Intake coordinator"
    assert Contact.objects.count() == 1


# --- export and round trip ------------------------------------------------------------------


def directory(collab, key) -> dict:
    """Everything the directory shows, keyed by each row's id in the exchange."""
    orgs = {
        key(o): (
            o.name,
            o.description,
            o.email,
            o.website,
            o.sector.slug,
            o.sharing_level,
            sorted(o.key_areas.values_list("slug", flat=True)),
            o.alternate_name,
            o.tax_status,
            o.tax_id,
            o.year_incorporated,
            o.legal_status,
        )
        for o in Organization.objects.filter(collaborative=collab)
    }
    service_fields = [
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees",
        "eligibility_description",
        "wait_time",
        "accepts_referrals",
        "serves_when",
        "last_verified_at",
        "interpretation_services",
        "accreditations",
        "licenses",
        "other_documents",
    ]
    services = {
        key(s): (
            key(s.organization),
            [getattr(s, f) for f in service_fields],
            sorted(s.key_areas.values_list("slug", flat=True)),
            sorted(s.criteria.values_list("kind", "value", "rule")),
        )
        for s in Service.objects.in_collaborative(collab)
    }
    location_fields = [
        "name",
        "alternate_name",
        "description",
        "address_1",
        "address_2",
        "city",
        "state_province",
        "postal_code",
        "country",
        "latitude",
        "longitude",
        "transportation",
        "accessibility",
        "address_attention",
        "address_3",
        "address_4",
        "region",
    ]
    locations = {
        key(loc): (key(loc.organization), [getattr(loc, f) for f in location_fields])
        for loc in Location.objects.in_collaborative(collab)
    }

    def parent(obj, name):
        value = getattr(obj, name)
        return key(value) if value is not None else None

    sals = {
        key(s): (key(s.service), key(s.location), s.description)
        for s in ServiceAtLocation.objects.in_collaborative(collab)
    }
    phones = {
        key(p): (
            key(p.organization),
            parent(p, "service"),
            parent(p, "location"),
            parent(p, "service_at_location"),
            p.number,
            p.extension,
            p.type,
            p.language,
            p.description,
            p.department,
        )
        for p in Phone.objects.in_collaborative(collab)
    }
    schedules = {
        key(r): (
            parent(r, "service"),
            parent(r, "location"),
            parent(r, "service_at_location"),
            r.weekday,
            r.opens_at,
            r.closes_at,
        )
        for r in RegularSchedule.objects.in_collaborative(collab)
    }
    languages = {
        key(lang): (parent(lang, "service"), parent(lang, "location"), lang.language, lang.code)
        for lang in Language.objects.in_collaborative(collab)
    }
    contacts = {
        key(c): (
            key(c.organization),
            parent(c, "service"),
            parent(c, "service_at_location"),
            c.name,
            c.title,
            c.department,
            c.email,
            c.phone,
        )
        for c in Contact.objects.in_collaborative(collab)
    }
    return {
        "organizations": orgs,
        "services": services,
        "locations": locations,
        "services_at_location": sals,
        "phones": phones,
        "schedules": schedules,
        "languages": languages,
        "contacts": contacts,
    }


@pytest.fixture
def public_directory(cast):
    """The sample (made public) plus rows made in the app, with every reentry field set."""
    run(cast.collab, SAMPLE, profile_sharing=SharingLevel.PUBLIC)
    org = OrganizationFactory(
        collaborative=cast.collab, sector=cast.sector2, sharing_level="public", name="Legal Aid"
    )
    org.key_areas.set([cast.key_area])
    service = Service.objects.create(
        organization=org,
        name="Record clearing",
        description="Free help to seal records.",
        accepts_referrals=True,
        serves_when=Service.ServesWhen.BOTH,
        eligibility_description="Anyone with an Iowa record.",
        last_verified_at="2026-01-15",
        status=Service.Status.TEMPORARILY_CLOSED,
    )
    service.key_areas.set([cast.key_area])
    for kind, value, rule in [
        ("supervision", "parole", "requires"),
        ("conviction", "arson", "excludes"),
        ("document", "state_id", "requires"),
    ]:
        ServiceCriterion.objects.create(service=service, kind=kind, value=value, rule=rule)
    location = Location.objects.create(
        organization=org,
        name="Courthouse desk",
        address_1="50 Second Street",
        city="Riverton",
        state_province="IA",
        postal_code="52401",
        latitude=Decimal("41.977900"),
        longitude=Decimal("-91.665600"),
        accessibility="Ramp\nWheelchair: side door\nQuiet room on request",
    )
    sal = ServiceAtLocation.objects.create(service=service, location=location)
    RegularSchedule.objects.create(
        service_at_location=sal, weekday=6, opens_at="22:00", closes_at="02:00"
    )
    Phone.objects.create(organization=org, service=service, number="319-555-0100", extension=7)
    Phone.objects.create(organization=org, number="319-555-0199", type="fax")
    Language.objects.create(service=service, language="Spanish")
    Contact.objects.create(
        organization=org,
        name="Dana Ruiz",
        title="Intake lawyer",
        department="Records",
        email="dana@legalaid.example",
        phone="319-555-0142 x12",
    )
    Contact.objects.create(organization=org, service=service, name="Front desk", phone="")
    # A members-only organization: never exported, nor its people.
    hidden = OrganizationFactory(collaborative=cast.collab, sector=cast.sector1, name="Hidden")
    Service.objects.create(organization=hidden, name="Members-only service")
    Contact.objects.create(organization=hidden, name="Hidden Person", email="hidden@example.com")
    return cast


def test_export_writes_a_datapackage_of_public_rows_only(public_directory, tmp_path):
    cast = public_directory
    summary = hsds_export(collaborative=cast.collab, destination=tmp_path / "out")

    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    names = [r["name"] for r in descriptor["resources"]]
    assert names[:3] == ["organization", "service", "location"]
    for resource in descriptor["resources"]:
        path = tmp_path / "out" / resource["path"]
        with path.open(newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header == [field["name"] for field in resource["schema"]["fields"]]
    services = (tmp_path / "out" / "services.csv").read_text()
    assert "Record clearing" in services
    assert "Members-only service" not in services
    contacts = (tmp_path / "out" / "contacts.csv").read_text()
    assert "Dana Ruiz" in contacts and "Contact 1" in contacts
    assert "Hidden Person" not in contacts
    phones = (tmp_path / "out" / "phones.csv").read_text()
    assert "319-555-0142 x12" in phones  # the contact's number, with contact_id
    # Org A, B and C of the cast are members-only too.
    assert summary.rows["organization"] == 11


def test_round_trip_reproduces_the_directory(public_directory, tmp_path):
    cast = public_directory
    hsds_export(collaborative=cast.collab, destination=tmp_path / "out")
    empty = collaborative_create(user=UserFactory(), name="Empty", slug="empty")
    # The cast's collaborative has a "housing" key area and "courts" sector; so does the new one.
    assert empty.key_areas.filter(slug="housing").exists()

    report = run(empty, tmp_path / "out", profile_sharing=SharingLevel.PUBLIC)

    assert report.errors == []
    # The sample's organizations were in A's "Imported" sector, which B does not have yet.
    assert [(w.file, w.field) for w in report.warnings] == [("reentry_organizations.csv", "sector")]

    def source_key(obj):
        return obj.hsds_id or str(obj.public_id)

    def copy_key(obj):
        return obj.hsds_id

    original = directory(cast.collab, source_key)
    copy = directory(empty, copy_key)
    exported_orgs = {
        k: v for k, v in original["organizations"].items() if v[5] == SharingLevel.PUBLIC
    }
    sectors_in_copy = {v[4] for v in copy["organizations"].values()}
    assert sectors_in_copy == {"courts", "imported"}
    for key_, value in exported_orgs.items():
        assert copy["organizations"][key_][:4] == value[:4]
        assert copy["organizations"][key_][5:] == value[5:]
    assert set(copy["organizations"]) == set(exported_orgs)
    public_services = {k: v for k, v in original["services"].items() if v[0] in exported_orgs}
    assert copy["services"] == public_services
    public_contacts = {k: v for k, v in original["contacts"].items() if v[0] in exported_orgs}
    assert len(public_contacts) == 3  # the sample's, and Legal Aid's two
    assert copy["contacts"] == public_contacts
    for table in ("locations", "services_at_location", "phones", "schedules", "languages"):
        assert copy[table] == original[table], table

    # Exported again from the copy, every table is the same rows under the same ids, the
    # rows kept inside another record (addresses, accessibility, documents) included.
    hsds_export(collaborative=empty, destination=tmp_path / "again")
    for resource in spec.RESOURCES:
        if resource.name in ("organization", "reentry_organization"):
            continue  # the sector differs (see above)
        first = read_rows(tmp_path / "out", resource.path)
        second = read_rows(tmp_path / "again", resource.path)
        if resource.name == "taxonomy":  # key areas are terms with each collaborative's id
            first = {k: v for k, v in first.items() if v["vocabulary"] != spec.KEY_AREA_VOCABULARY}
            second = {
                k: v for k, v in second.items() if v["vocabulary"] != spec.KEY_AREA_VOCABULARY
            }
        if resource.name == "service_taxonomy":
            continue  # links to key areas, whose ids are each collaborative's own
        assert first == second, resource.path


def test_exporting_and_reimporting_into_the_same_collaborative_changes_nothing(
    public_directory, tmp_path
):
    cast = public_directory
    hsds_export(collaborative=cast.collab, destination=tmp_path / "directory.zip")
    before = row_counts()

    report = run(cast.collab, tmp_path / "directory.zip")

    assert report.errors == []
    assert row_counts() == before
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values()), report.counts


# --- commands -------------------------------------------------------------------------------


def test_import_command_prints_the_report_and_succeeds(collab, capsys):
    call_command("import_hsds", collab.slug, str(SAMPLE), "--public")

    out = capsys.readouterr().out
    assert "services" in out and "13" in out
    assert Organization.objects.filter(collaborative=collab, sharing_level="public").count() == 10


def test_import_command_fails_with_a_nonzero_exit_and_changes_nothing(collab, sample_copy):
    (sample_copy / "organizations.csv").unlink()
    before = row_counts()

    with pytest.raises(CommandError, match="1 error"):
        call_command("import_hsds", collab.slug, str(sample_copy))

    assert row_counts() == before


def test_import_command_dry_run_saves_nothing(collab):
    before = row_counts()

    call_command("import_hsds", collab.slug, str(SAMPLE), "--dry-run")

    assert row_counts() == before


def test_import_command_rejects_an_unknown_collaborative_or_sector(collab):
    with pytest.raises(CommandError):
        call_command("import_hsds", "no-such-place", str(SAMPLE))
    with pytest.raises(CommandError):
        call_command("import_hsds", collab.slug, str(SAMPLE), "--sector", "no-such-sector")


def test_import_command_puts_new_organizations_in_the_chosen_sector(collab):
    call_command("import_hsds", collab.slug, str(SAMPLE), "--sector", "courts")

    assert set(Organization.objects.exclude(hsds_id="").values_list("sector__slug", flat=True)) == {
        "courts"
    }


def test_export_command_writes_the_folder(public_directory, tmp_path):
    call_command("export_hsds", public_directory.collab.slug, str(tmp_path / "out"))

    assert (tmp_path / "out" / "datapackage.json").is_file()
    assert "Record clearing" in (tmp_path / "out" / "services.csv").read_text()


def test_export_command_rejects_an_unknown_collaborative(tmp_path):
    with pytest.raises(CommandError):
        call_command("export_hsds", "no-such-place", str(tmp_path / "out"))


def test_schedule_times_survive_the_round_trip(public_directory, tmp_path):
    hsds_export(collaborative=public_directory.collab, destination=tmp_path / "out")
    text = (tmp_path / "out" / "regular_schedules.csv").read_text()

    assert "22:00:00,02:00:00" in text
    assert RegularSchedule.objects.filter(opens_at=time(22, 0)).count() == 1


# --- the official HSDS 1.1 schema as the oracle ---------------------------------------------

OFFICIAL = Path(__file__).resolve().parent / "hsds_schema" / "datapackage.json"
# Where we knowingly differ from the official file, and why. Nothing else may differ.
KNOWN_DEVIATIONS = {
    # HSDS 1.1 writes format "url", which is not a Table Schema format: frictionless rejects
    # the field ("'url' is not one of ['default', 'email', 'uri', …]"). "uri" is its name.
    ("organization", "url", "format"): ("url", "uri"),
    ("service", "url", "format"): ("url", "uri"),
}


def frictionless_errors(descriptor: Path) -> list[str]:
    report = frictionless.validate(str(descriptor))
    return [
        f"{task.name}: {error.type}: {error.message}"
        for task in report.tasks
        for error in task.errors
    ] + [f"package: {error.type}: {error.message}" for error in report.errors]


def test_the_export_passes_frictionless_validation(public_directory, tmp_path):
    # An organization imported with an id that is not a UUID: HSDS 1.1 wants a UUID.
    legacy = OrganizationFactory(
        collaborative=public_directory.collab,
        sharing_level="public",
        name="Legacy Org",
        hsds_id="legacy-17",
        description="",
    )
    Service.objects.create(organization=legacy, name="Legacy service")

    summary = hsds_export(collaborative=public_directory.collab, destination=tmp_path / "out")

    assert frictionless_errors(tmp_path / "out" / "datapackage.json") == []
    assert summary.rows["organization"] == 12 and summary.rows["service"] == 15
    with (tmp_path / "out" / "organizations.csv").open(newline="", encoding="utf-8") as f:
        organizations = {row["name"]: row for row in csv.DictReader(f)}
    assert organizations["Legacy Org"]["id"] == str(legacy.public_id)
    assert organizations["Legacy Org"]["description"] == spec.NO_DESCRIPTION
    assert organizations["Legal Aid"]["description"] == spec.NO_DESCRIPTION
    assert organizations["Sanctuary Example City"]["id"] == "1899600a-649c-11e6-8b77-86f30ca893d3"


def test_frictionless_catches_an_export_that_breaks_the_schema(public_directory, tmp_path):
    """The oracle can fail: an organization id that is not a UUID is an error."""
    hsds_export(collaborative=public_directory.collab, destination=tmp_path / "out")
    edit_csv(
        tmp_path / "out" / "organizations.csv",
        lambda rows: [rows[0], ["not-a-uuid", *rows[1][1:]], *rows[2:]],
    )

    errors = frictionless_errors(tmp_path / "out" / "datapackage.json")

    assert any(e.startswith("organization: type-error") for e in errors), errors


def test_a_reexport_of_a_non_uuid_organization_reimports_unchanged(public_directory, tmp_path):
    legacy = OrganizationFactory(
        collaborative=public_directory.collab, sharing_level="public", hsds_id="legacy-17"
    )
    hsds_export(collaborative=public_directory.collab, destination=tmp_path / "out")
    before = row_counts()

    report = run(public_directory.collab, tmp_path / "out")

    assert report.errors == []
    assert row_counts() == before
    legacy.refresh_from_db()
    assert (legacy.hsds_id, legacy.description) == ("legacy-17", "")


def official_resources() -> dict[str, dict]:
    descriptor = json.loads(OFFICIAL.read_text(encoding="utf-8"))
    assert descriptor["version"] == "1.1.1"
    return {r["name"]: r for r in descriptor["resources"]}


def field_facts(schema_field: dict) -> dict:
    constraints = schema_field.get("constraints", {})
    return {
        "type": schema_field.get("type", "string"),
        "format": schema_field.get("format", "default"),
        "required": constraints.get("required", False),
        "unique": constraints.get("unique", False),
        "enum": constraints.get("enum"),
    }


def test_our_table_schemas_agree_with_the_official_hsds_1_1_ones():
    official = official_resources()
    ours = {r.name: r for r in spec.RESOURCES if not r.name.startswith("reentry_")}
    assert set(ours) <= set(official)
    differences = []
    for name, resource in ours.items():
        theirs = official[name]
        assert resource.path == theirs["path"], name
        assert resource.columns == [f["name"] for f in theirs["schema"]["fields"]], name
        assert resource.schema()["primaryKey"] == theirs["schema"]["primaryKey"], name
        their_fields = {f["name"]: field_facts(f) for f in theirs["schema"]["fields"]}
        for our_field in resource.schema()["fields"]:
            mine = field_facts(our_field)
            for fact, value in their_fields[our_field["name"]].items():
                if mine[fact] != value:
                    differences.append((name, our_field["name"], fact, value, mine[fact]))
    assert differences == [
        (resource, column, fact, *values)
        for (resource, column, fact), values in KNOWN_DEVIATIONS.items()
    ]
    # Our extension tables are ours alone: HSDS has no table of that name.
    assert {r.name for r in spec.RESOURCES} - set(ours) == {
        "reentry_organization",
        "reentry_service",
    }


# --- what an import keeps -------------------------------------------------------------------


def test_the_report_lists_every_column_of_the_sample_it_keeps_and_every_one_it_does_not(collab):
    report = run(collab, SAMPLE)

    columns = {file: (c.kept, c.dropped) for file, c in report.columns.items()}
    official = official_resources()
    # Every column of every HSDS table we read is kept, but services.csv's program_id
    # (programs are not imported: programs.csv is in the ignored list).
    expected = {}
    for resource in spec.RESOURCES:
        if resource.path in columns:
            header = [f["name"] for f in official[resource.name]["schema"]["fields"]]
            dropped = ["program_id"] if resource.name == "service" else []
            expected[resource.path] = ([c for c in header if c not in dropped], dropped)
    assert columns == expected
    assert set(columns) == {
        "organizations.csv",
        "services.csv",
        "locations.csv",
        "services_at_location.csv",
        "contacts.csv",
        "phones.csv",
        "physical_addresses.csv",
        "regular_schedules.csv",
        "languages.csv",
        "accessibility_for_disabilities.csv",
        "taxonomy.csv",
        "services_taxonomy.csv",
        "required_documents.csv",
    }
    assert report.ignored == [
        "eligibility",
        "funding",
        "holiday_schedule",
        "meta_table_description",
        "metadata",
        "payment_accepted",
        "postal_address",
        "program",
        "service_area",
    ]
    text = report.as_text()
    assert "services.csv: NOT kept program_id" in text
    assert "organizations.csv: NOT kept" not in text
    assert "taxonomy.csv: kept id, name, parent_id, parent_name, vocabulary" in text


def test_a_column_hsds_does_not_define_is_listed_as_not_kept(collab, sample_copy):
    edit_csv(
        sample_copy / "languages.csv",
        lambda rows: [[*rows[0], "notes"], *[[*r, "x"] for r in rows[1:]]],
    )

    report = run(collab, sample_copy)

    assert report.errors == []
    assert report.columns["languages.csv"].dropped == ["notes"]


# --- the sample, round trip -----------------------------------------------------------------


def read_rows(folder: Path, path: str) -> dict[str, dict[str, str]]:
    with (folder / path).open(newline="", encoding="utf-8") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def same_value(kind: str, theirs: str, ours: str) -> bool:
    """Equal as HSDS means them: numbers as numbers, times to the second; text without the
    spaces around it (the import trims them)."""
    if kind == "number":
        return Decimal(theirs) == Decimal(ours)
    if kind == "time":
        return time.fromisoformat(theirs) == time.fromisoformat(ours)
    return theirs.strip() == ours


def test_the_sample_exports_again_with_every_column_it_fills_and_its_ids(cast, tmp_path):
    """Import Open Referral's sample, export it: every row of every table we read comes back
    under its own id, with every value the sample gives (program_id aside: programs are not
    imported, and the report says so)."""
    report = run(cast.collab, SAMPLE, profile_sharing=SharingLevel.PUBLIC)
    assert report.errors == []
    hsds_export(collaborative=cast.collab, destination=tmp_path / "out")

    compared: dict[str, int] = {}
    for resource in spec.RESOURCES:
        if resource.name.startswith("reentry_") or not (SAMPLE / resource.path).is_file():
            continue
        theirs = read_rows(SAMPLE, resource.path)
        ours = read_rows(tmp_path / "out", resource.path)
        assert set(theirs) <= set(ours), resource.path
        for row_id, row in theirs.items():
            for spec_field in resource.fields:
                value = row.get(spec_field.name, "")
                if not value or not spec_field.kept:
                    continue
                assert same_value(spec_field.type, value, ours[row_id][spec_field.name]), (
                    resource.path,
                    row_id,
                    spec_field.name,
                    value,
                    ours[row_id][spec_field.name],
                )
                compared[resource.path] = compared.get(resource.path, 0) + 1
    # Every table the sample fills was compared (services_taxonomy.csv is empty in it).
    assert set(compared) == {
        "organizations.csv",
        "services.csv",
        "locations.csv",
        "services_at_location.csv",
        "contacts.csv",
        "phones.csv",
        "physical_addresses.csv",
        "regular_schedules.csv",
        "languages.csv",
        "accessibility_for_disabilities.csv",
        "taxonomy.csv",
        "required_documents.csv",
    }
    assert frictionless_errors(tmp_path / "out" / "datapackage.json") == []


def test_service_taxonomy_rows_keep_their_ids_and_details(cast, sample_copy, tmp_path):
    edit_csv(
        sample_copy / "services_taxonomy.csv",
        lambda rows: [
            rows[0],
            [
                "st-1",
                "c89eb05c-62dd-4b64-b494-0cc347b6ea7f",
                "df7be950-1b0f-11e9-b56e-0800200c9a66",
                "Main term",
            ],
        ],
    )
    report = run(cast.collab, sample_copy, profile_sharing=SharingLevel.PUBLIC)
    assert report.errors == []
    hsds_export(collaborative=cast.collab, destination=tmp_path / "out")

    links = read_rows(tmp_path / "out", "services_taxonomy.csv")
    assert links["st-1"]["service_id"] == "c89eb05c-62dd-4b64-b494-0cc347b6ea7f"
    assert links["st-1"]["taxonomy_id"] == "df7be950-1b0f-11e9-b56e-0800200c9a66"
    assert links["st-1"]["taxonomy_detail"] == "Main term"
    assert frictionless_errors(tmp_path / "out" / "datapackage.json") == []

    # Re-importing the export into the same collaborative changes nothing; dropping the
    # link from the package removes it.
    again = run(cast.collab, tmp_path / "out")
    assert again.errors == [] and again.counts["taxonomy_terms"].unchanged == 1
    edit_csv(sample_copy / "services_taxonomy.csv", lambda rows: rows[:1])
    run(cast.collab, sample_copy)
    assert not Service.objects.get(
        hsds_id="c89eb05c-62dd-4b64-b494-0cc347b6ea7f"
    ).taxonomy_links.exists()


def test_an_id_reused_for_other_content_is_not_written_twice(cast, sample_copy, tmp_path):
    run(cast.collab, SAMPLE, profile_sharing=SharingLevel.PUBLIC)
    # The same address id now names the other location's address.
    edit_csv(
        sample_copy / "physical_addresses.csv",
        lambda rows: [rows[0], [rows[1][0], "30b83ee0-64a1-11e6-8b77-86f30ca893d3", *rows[1][2:]]],
    )
    assert run(cast.collab, sample_copy).errors == []
    hsds_export(collaborative=cast.collab, destination=tmp_path / "out")

    addresses = list(read_rows(tmp_path / "out", "physical_addresses.csv").values())
    ids = [a["id"] for a in addresses]
    assert len(ids) == len(set(ids)) == 2
    by_id = {a["id"]: a["location_id"] for a in addresses}
    assert by_id["da556310-1b0b-11e9-b56e-0800200c9a66"] == "30b83ee0-64a1-11e6-8b77-86f30ca893d3"


def test_the_admin_shows_what_hsds_brought(cast, client):
    run(cast.collab, SAMPLE)
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    org = Organization.objects.get(hsds_id="1899600a-649c-11e6-8b77-86f30ca893d3")
    service = Service.objects.get(hsds_id="c89eb05c-62dd-4b64-b494-0cc347b6ea7f")
    term = TaxonomyTerm.objects.get(collaborative=cast.collab)

    org_page = client.get(f"/admin/stakeholders/organization/{org.pk}/change/")
    service_page = client.get(f"/admin/stakeholders/service/{service.pk}/change/")
    term_page = client.get(f"/admin/stakeholders/taxonomyterm/{term.pk}/change/")
    ids_page = client.get("/admin/stakeholders/hsdssourceid/")

    assert org_page.status_code == 200 and "574374770" in org_page.content.decode()
    assert service_page.status_code == 200
    assert "over the phone" in service_page.content.decode()
    assert "Sample required document" in service_page.content.decode()
    assert term_page.status_code == 200 and "Parent taxonomy of A" in term_page.content.decode()
    assert "da556310-1b0b-11e9-b56e-0800200c9a66" in ids_page.content.decode()


def test_a_document_outside_the_tracked_list_shows_on_the_service_page(cast, client):
    run(cast.collab, SAMPLE, profile_sharing=SharingLevel.PUBLIC)
    service = Service.objects.get(hsds_id="c89eb05c-62dd-4b64-b494-0cc347b6ea7f")

    page = client.get(f"/directory/{cast.collab.slug}/services/{service.public_id}/")

    assert page.status_code == 200
    assert "<li>Sample required document</li>" in page.content.decode()
