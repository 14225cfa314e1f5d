"""The directory models: sharing through the organization, open now, eligibility filters."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from stakeholders.models import (
    Contact,
    Language,
    Location,
    Organization,
    Phone,
    RegularSchedule,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
    User,
    language_code,
)
from tests.factories import CollaborativeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(cast):
    """Org A members-only, Org B public, Org X in the other collaborative: one of each row."""
    cast.org_b.sharing_level = "public"
    cast.org_b.save()
    rows = {}
    for org in (cast.org_a, cast.org_b, cast.org_x):
        service = Service.objects.create(organization=org, name=f"{org.name} service")
        location = Location.objects.create(organization=org, name=f"{org.name} office")
        rows[org.slug] = (service, location)
    return rows


PEOPLE = ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer"]


@pytest.mark.parametrize("model", [Service, Location])
@pytest.mark.parametrize("who", PEOPLE)
def test_members_of_the_collaborative_see_its_services_and_locations(cast, directory, model, who):
    user = getattr(cast, who).user

    names = set(model.objects.visible_to(user).values_list("organization__slug", flat=True))

    assert names == {"org-a", "org-b"}


@pytest.mark.parametrize("model", [Service, Location])
def test_another_collaborative_sees_only_public_rows_of_this_one(cast, directory, model):
    names = set(
        model.objects.visible_to(cast.outsider.user).values_list("organization__slug", flat=True)
    )

    assert names == {"org-b", "org-x"}  # its own org X, and org B because B is public


@pytest.mark.parametrize("model", [Service, Location])
def test_anonymous_sees_only_public_organizations_rows(cast, directory, model):
    names = set(model.objects.visible_to(AnonymousUser()).values_list("organization", flat=True))

    assert names == {cast.org_b.pk}


def test_visible_to_runs_one_query(cast, directory):
    with CaptureQueriesContext(connection) as ctx:
        list(Service.objects.visible_to(cast.staff_c.user))
    assert len(ctx.captured_queries) == 1


@pytest.mark.parametrize("model", [Service, Location])
@pytest.mark.parametrize(
    ("who", "editable"),
    [
        ("admin_a", {"org-a"}),
        ("staff_a", {"org-a"}),
        ("staff_b", {"org-b"}),
        ("staff_c", set()),
        ("backbone", set()),
        ("community", set()),
        ("observer", set()),
        ("outsider", set()),
    ],
)
def test_only_the_organizations_own_admins_and_staff_edit_its_rows(
    cast, directory, model, who, editable
):
    user = getattr(cast, who).user

    slugs = set(model.objects.editable_by(user).values_list("organization__slug", flat=True))

    assert slugs == editable


def test_anonymous_edits_nothing(directory):
    assert not Service.objects.editable_by(AnonymousUser()).exists()
    assert not Location.objects.editable_by(None).exists()


def test_child_rows_follow_their_organizations_visibility(cast, directory):
    service_a, location_a = directory["org-a"]
    service_b, _location_b = directory["org-b"]
    Phone.objects.create(organization=cast.org_a, service=service_a, number="1")
    Phone.objects.create(organization=cast.org_b, service=service_b, number="2")
    RegularSchedule.objects.create(
        location=location_a, weekday=1, opens_at="9:00", closes_at="17:00"
    )

    assert list(Phone.objects.visible_to(AnonymousUser()).values_list("number", flat=True)) == ["2"]
    assert not RegularSchedule.objects.visible_to(AnonymousUser()).exists()
    assert RegularSchedule.objects.visible_to(cast.staff_b.user).count() == 1


def test_rows_take_their_organization_and_collaborative_from_the_parent(cast, directory):
    service, location = directory["org-a"]
    sal = ServiceAtLocation.objects.create(service=service, location=location)
    phone = Phone.objects.create(organization=cast.org_b, service_at_location=sal, number="3")
    language = Language.objects.create(location=location, language="Español")

    assert (sal.organization, sal.collaborative) == (cast.org_a, cast.collab)
    assert phone.organization == cast.org_a  # the service's, not the one given
    assert (language.organization, language.code) == (cast.org_a, "es")


def test_a_row_cannot_point_into_another_collaborative(cast, directory):
    service, _location = directory["org-a"]
    _service_x, location_x = directory["org-x"]
    sal = ServiceAtLocation(service=service, location=location_x)

    with pytest.raises(ValidationError) as exc:
        sal.full_clean()
    assert "location" in exc.value.message_dict


def test_hsds_ids_are_unique_per_collaborative(cast):
    Service.objects.create(organization=cast.org_a, name="One", hsds_id="abc")
    Service.objects.create(organization=cast.org_x, name="Elsewhere", hsds_id="abc")
    Service.objects.create(organization=cast.org_b, name="Blank one")
    Service.objects.create(organization=cast.org_b, name="Blank two")

    with pytest.raises(IntegrityError):
        Service.objects.create(organization=cast.org_b, name="Two", hsds_id="abc")


# --- open now, evenings, weekends ----------------------------------------------------------


@pytest.fixture
def two_zones(db):
    """The same 9-to-5 Monday service in Chicago and in New York."""
    services = {}
    for zone in ("America/Chicago", "America/New_York"):
        collab = CollaborativeFactory(time_zone=zone)
        org = OrganizationFactory(collaborative=collab)
        service = Service.objects.create(organization=org, name=zone)
        RegularSchedule.objects.create(
            service=service, weekday=1, opens_at=time(9), closes_at=time(17)
        )
        services[zone] = service
    return services


def open_names(moment, **kwargs):
    return set(Service.objects.open_at(moment, **kwargs).values_list("name", flat=True))


def test_open_at_judges_each_service_in_its_collaboratives_time_zone(two_zones):
    # Monday 12 January 2026: Chicago is UTC-6, New York UTC-5.
    assert open_names(datetime(2026, 1, 12, 15, 30, tzinfo=UTC)) == {
        "America/Chicago",
        "America/New_York",
    }
    # 16:30 in Chicago, 17:30 in New York (closed at 17:00).
    assert open_names(datetime(2026, 1, 12, 22, 30, tzinfo=UTC)) == {"America/Chicago"}
    # 09:30 in New York, 08:30 in Chicago.
    assert open_names(datetime(2026, 1, 12, 14, 30, tzinfo=UTC)) == {"America/New_York"}
    # Tuesday: closed everywhere.
    assert open_names(datetime(2026, 1, 13, 15, 30, tzinfo=UTC)) == set()


def test_open_at_follows_daylight_saving_time(two_zones):
    # Monday 13 July 2026: Chicago is UTC-5. 21:30 UTC = 16:30 Chicago, 17:30 New York.
    assert open_names(datetime(2026, 7, 13, 21, 30, tzinfo=UTC)) == {"America/Chicago"}


def test_open_at_with_an_explicit_time_zone(two_zones):
    moment = datetime(2026, 1, 12, 22, 30, tzinfo=UTC)

    assert open_names(moment, time_zone="America/New_York") == set()


def test_open_at_refuses_a_naive_datetime(two_zones):
    with pytest.raises(ValueError, match="aware"):
        list(Service.objects.open_at(datetime(2026, 1, 12, 12)))  # noqa: DTZ001


def test_hours_past_midnight_count_on_the_next_morning(cast):
    service = Service.objects.create(organization=cast.org_a, name="Night shelter")
    RegularSchedule.objects.create(service=service, weekday=7, opens_at="20:00", closes_at="07:00")
    chicago = "America/Chicago"

    def is_open(day, hour):
        # Chicago is UTC-6 in January.
        moment = datetime(2026, 1, day, hour, 0, tzinfo=UTC) + timedelta(hours=6)
        return Service.objects.open_at(moment, time_zone=chicago).exists()

    assert is_open(11, 21)  # Sunday 21:00
    assert is_open(12, 6)  # Monday 06:00, still Sunday night's hours
    assert not is_open(12, 8)  # Monday 08:00
    assert not is_open(11, 19)  # Sunday 19:00, not yet


def test_all_day_hours_are_open_at_any_time(cast):
    service = Service.objects.create(organization=cast.org_a, name="Crisis line")
    RegularSchedule.objects.create(service=service, weekday=3, opens_at="00:00", closes_at="00:00")
    wednesday_3am = datetime(2026, 1, 14, 9, 0, tzinfo=UTC)

    assert Service.objects.open_at(wednesday_3am).filter(pk=service.pk).exists()


def test_a_service_is_open_by_its_hours_at_a_location(cast):
    service = Service.objects.create(organization=cast.org_a, name="Clinic")
    location = Location.objects.create(organization=cast.org_a, name="Main")
    sal = ServiceAtLocation.objects.create(service=service, location=location)
    RegularSchedule.objects.create(
        service_at_location=sal, weekday=1, opens_at="09:00", closes_at="17:00"
    )
    monday_noon = datetime(2026, 1, 12, 18, 0, tzinfo=UTC)

    assert list(Service.objects.open_at(monday_noon)) == [service]
    assert list(Location.objects.open_at(monday_noon)) == [location]


def test_evening_and_weekend_helpers(cast):
    day = Service.objects.create(organization=cast.org_a, name="Day")
    evening = Service.objects.create(organization=cast.org_a, name="Evening")
    weekend = Service.objects.create(organization=cast.org_a, name="Weekend")
    night = Service.objects.create(organization=cast.org_a, name="Night")
    RegularSchedule.objects.create(service=day, weekday=1, opens_at="09:00", closes_at="17:00")
    RegularSchedule.objects.create(service=evening, weekday=2, opens_at="17:00", closes_at="20:00")
    RegularSchedule.objects.create(service=weekend, weekday=6, opens_at="10:00", closes_at="14:00")
    RegularSchedule.objects.create(service=night, weekday=3, opens_at="20:00", closes_at="02:00")

    assert set(Service.objects.open_evenings()) == {evening, night}
    assert set(Service.objects.open_weekends()) == {weekend}


# --- filters --------------------------------------------------------------------------------


def test_eligibility_filters(cast):
    open_to_all = Service.objects.create(organization=cast.org_a, name="Open")
    no_arson = Service.objects.create(organization=cast.org_a, name="No arson")
    parole_only = Service.objects.create(organization=cast.org_a, name="Parole only")
    ServiceCriterion.objects.create(
        service=no_arson, kind="conviction", value="arson", rule="excludes"
    )
    ServiceCriterion.objects.create(
        service=parole_only, kind="supervision", value="parole", rule="requires"
    )

    assert set(Service.objects.without_criterion("conviction", "arson", "excludes")) == {
        open_to_all,
        parole_only,
    }
    assert list(Service.objects.with_criterion("supervision", "parole", "requires")) == [
        parole_only
    ]


def test_a_criterion_value_must_fit_its_kind(cast):
    service = Service.objects.create(organization=cast.org_a, name="S")

    with pytest.raises(ValidationError):
        ServiceCriterion(
            service=service, kind="supervision", value="arson", rule="excludes"
        ).full_clean()
    with pytest.raises(ValidationError):
        ServiceCriterion(
            service=service, kind="document", value="state_id", rule="excludes"
        ).full_clean()
    ServiceCriterion(
        service=service, kind="document", value="state_id", rule="requires"
    ).full_clean()


def test_language_key_area_sector_referral_and_search_filters(cast):
    housing = Service.objects.create(
        organization=cast.org_a,
        name="Rooms",
        description="Transitional rooms",
        accepts_referrals=True,
    )
    housing.key_areas.set([cast.key_area])
    spanish = Service.objects.create(organization=cast.org_c, name="Clínica legal")
    Language.objects.create(service=spanish, language="Spanish")

    assert list(Service.objects.speaking("es")) == [spanish]
    assert list(Service.objects.in_key_area(cast.key_area)) == [housing]
    assert list(Service.objects.in_sector(cast.sector2)) == [spanish]
    assert list(Service.objects.accepting_referrals()) == [housing]
    assert list(Service.objects.search("transitional org a")) == [housing]
    assert not Service.objects.search("transitional org c").exists()


def test_needs_verification_after_ninety_days(cast):
    today = date(2026, 4, 1)
    fresh = Service.objects.create(
        organization=cast.org_a, name="Fresh", last_verified_at=today - timedelta(days=90)
    )
    stale = Service.objects.create(
        organization=cast.org_a, name="Stale", last_verified_at=today - timedelta(days=91)
    )
    never = Service.objects.create(organization=cast.org_a, name="Never")

    assert set(Service.objects.needs_verification(today)) == {stale, never}
    assert fresh not in Service.objects.needs_verification(today)


@pytest.mark.parametrize(
    ("text", "code"),
    [("Spanish", "es"), ("español", "es"), ("es-MX", "es"), ("English", "en"), ("Klingon", "")],
)
def test_language_names_and_codes_are_recognized(text, code):
    assert language_code(text) == code


# --- demo data ------------------------------------------------------------------------------


def test_seed_demo_builds_a_directory_with_gaps_and_is_idempotent(settings):
    from casework import models as casework

    settings.DEBUG = True
    call_command("seed_demo")
    seeded = (Service, Location, Phone, RegularSchedule, Language, ServiceCriterion, Contact)
    seeded += (
        casework.Participant,
        casework.Enrolment,
        casework.Identity,
        casework.Part2Program,
        casework.Consent,
        casework.Consent.recipient_organizations.through,
        casework.Consent.recipient_sectors.through,
        casework.Consent.key_areas.through,
        casework.ServiceLog,
        casework.Referral,
        casework.ReferralEvent,
    )
    counts = {m.__name__: m.objects.count() for m in seeded}
    call_command("seed_demo")

    assert {m.__name__: m.objects.count() for m in seeded} == counts
    _assert_casework_demo()
    cedar = Organization.objects.filter(collaborative__slug="cedar-river")
    # Contact people for most demo organizations, a few for one service.
    with_contacts = cedar.filter(contacts__isnull=False).distinct().count()
    assert cedar.count() - 3 <= with_contacts < cedar.count()
    assert Contact.objects.filter(organization__in=cedar, service__isnull=False).exists()
    assert not cedar.filter(services=None).exists()  # every demo organization has services
    assert not cedar.filter(locations=None).exists()
    services = Service.objects.filter(collaborative__slug="cedar-river")
    assert services.speaking("es").exists()
    # The gaps the coverage view is meant to show.
    assert not services.filter(key_areas__slug="transportation").accepting_referrals().exists()
    employment = services.filter(key_areas__slug="employment")
    assert employment.exists()
    assert not employment.open_evenings().exists()
    assert not employment.open_weekends().exists()
    housing = services.filter(key_areas__slug="housing")
    assert housing.exists()
    assert not housing.speaking("es").exists()


def _assert_casework_demo():
    """The casework demo (casework/demo.py): participants across the providers, a Part 2
    program, consents of every kind and state, a year of services, referrals at every
    step, and the community member's own record."""
    from casework.models import Consent, Enrolment, Participant, Referral, ServiceLog

    cedar = Organization.objects.get(slug="fair-chance-works").collaborative
    today = cedar.today()
    participants = Participant.objects.filter(collaborative=cedar)
    assert participants.count() == 60
    assert len(set(participants.values_list("code", flat=True))) == 60
    enrolments = Enrolment.objects.filter(collaborative=cedar)
    assert enrolments.values("organization").distinct().count() >= 10
    assert participants.filter(enrolments__isnull=False).distinct().count() == 60
    assert enrolments.count() >= 80  # many served at two or three organizations
    assert not enrolments.filter(identity__isnull=True).exists()
    part2 = enrolments.filter(organization__part2_program__isnull=False)
    assert part2.exists()
    assert set(part2.values_list("organization__slug", flat=True)) == {
        "cedar-river-treatment-alliance"
    }

    consents = Consent.objects.filter(collaborative=cedar)
    for field in Consent.KIND_FIELDS.values():
        assert consents.filter(**{field: True}).exists(), field
    assert consents.in_force(today).exists()
    assert consents.filter(ends_on__lt=today, revoked_at__isnull=True).exists()  # expired
    assert consents.filter(revoked_at__isnull=False).exists()
    assert consents.filter(starts_on__gt=today).exists()  # not yet started
    assert consents.filter(findable=True).exists()
    assert consents.filter(recipient_sectors__isnull=False).exists()
    assert consents.filter(recipient_organizations__isnull=False).exists()
    assert set(consents.values_list("method", flat=True)) == set(Consent.Method.values)
    assert consents.filter(enrolment__isnull=True).exists()  # a self-referral's
    named = consents.filter(shares_part2=True)
    assert named.exists()
    for consent in named:
        consent.full_clean()  # every §2.31 element
        assert consent.enrolment.organization.slug == "cedar-river-treatment-alliance"
    # A Part 2 record with a consent that does not name Part 2 records: shown to no one.
    assert consents.filter(shares_part2=False, enrolment__in=part2).exists()

    logs = ServiceLog.objects.filter(collaborative=cedar)
    assert logs.count() > 2000
    assert logs.filter(delivered_on__lt=today - timedelta(days=300)).exists()
    assert not logs.filter(delivered_on__gt=today).exists()
    assert not logs.filter(delivered_on__lt=today - timedelta(days=365)).exists()
    # Every log in a key area of its service (or of its organization, without one).
    org_areas = set(
        Organization.key_areas.through.objects.values_list("organization_id", "keyarea_id")
    )
    service_areas = set(Service.key_areas.through.objects.values_list("service_id", "keyarea_id"))
    for org, service, area in logs.values_list("organization_id", "service_id", "key_area_id"):
        assert (service, area) in service_areas if service else (org, area) in org_areas

    referrals = Referral.objects.filter(collaborative=cedar)
    assert set(referrals.values_list("status", flat=True)) == set(Referral.Status.values)
    for referral in referrals.prefetch_related("events"):
        steps = [e.status for e in referral.events.all()]
        assert steps[0] == "sent" and steps[-1] == referral.status, steps
    assert not referrals.filter(events__status="declined", events__note="").exists()
    delivered = referrals.filter(status__in=["delivered", "closed"])
    assert delivered.exists()
    assert not delivered.filter(service_log__isnull=True).exists()
    assert not delivered.filter(to_enrolment__isnull=True).exists()
    assert referrals.filter(is_self_referral=True, from_organization__isnull=True).exists()

    # The community member with lived experience is a participant with a record to read.
    own = participants.get(user__email="community@demo.reentry.test")
    assert own.enrolments.count() == 3
    assert own.consents.filter(revoked_by=own.user).exists()
    assert own.consents.in_force(today).exists()
    assert ServiceLog.objects.visible_to(own.user, today=today).exists()
    staff = User.objects.get(email="staff@demo.reentry.test")
    assert own in Participant.objects.visible_to(staff, today=today)
