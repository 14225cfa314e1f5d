"""/api/v1/collaboratives/<slug>/services/ and /locations/: HSDS-shaped, filtered like
the directory pages, and visible exactly as the organization's profile is."""

from datetime import time

import pytest
from django.urls import reverse

from stakeholders.models import (
    Language,
    Location,
    Phone,
    RegularSchedule,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
)

pytestmark = pytest.mark.django_db
Rule = ServiceCriterion.Rule


@pytest.fixture
def directory(cast):
    """Org A: members only. Org B: public. Org X: another collaborative's, public."""
    for org in (cast.org_b, cast.org_x):
        org.sharing_level = "public"
        org.save()
    made = {}
    for org in (cast.org_a, cast.org_b, cast.org_x):
        service = Service.objects.create(
            organization=org, name=f"{org.name} housing help", accepts_referrals=org != cast.org_a
        )
        location = Location.objects.create(
            organization=org, name=f"{org.name} office", address_1="1 Main St", city="Cedar"
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        Phone.objects.create(organization=org, service=service, number="555-0100")
        made[org.slug] = (service, location)
    service_b = made["org-b"][0]
    service_b.key_areas.add(cast.key_area)
    Language.objects.create(service=service_b, language="Spanish")
    ServiceCriterion.objects.create(
        service=made["org-a"][0], kind="document", value="state_id", rule=Rule.REQUIRES
    )
    ServiceCriterion.objects.create(
        service=service_b, kind="supervision", value="parole", rule=Rule.EXCLUDES
    )
    for weekday in range(1, 8):
        RegularSchedule.objects.create(
            service=service_b, weekday=weekday, opens_at=time(0, 0), closes_at=time(0, 0)
        )
    return made


def services_url(slug="collab-a"):
    return reverse("api:service-list", kwargs={"collaborative_slug": slug})


def names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_members_see_every_service_of_their_collaborative(cast, directory, login):
    assert names(login(cast.staff_c).get(services_url())) == [
        "Org A housing help",
        "Org B housing help",
    ]


def test_anonymous_sees_public_organizations_services_only(directory, client):
    assert names(client.get(services_url())) == ["Org B housing help"]


def test_another_collaborative_sees_only_the_public_ones(cast, directory, login):
    assert names(login(cast.outsider).get(services_url())) == ["Org B housing help"]


def test_token_of_another_collaborative_gets_404(cast, directory, make_token, token_client):
    admin_x = cast.outsider
    admin_x.role = "org_admin"
    admin_x.save()
    _token, plain = make_token(admin_x)
    assert token_client(plain).get(services_url()).status_code == 404


def test_collaborative_without_public_organizations_is_404_for_strangers(cast, client):
    assert client.get(services_url()).status_code == 404


def test_detail_of_a_members_only_service_is_404_for_strangers(cast, directory, client, login):
    service_a = directory["org-a"][0]
    url = reverse(
        "api:service-detail",
        kwargs={"collaborative_slug": "collab-a", "id": service_a.public_id},
    )
    assert client.get(url).status_code == 404
    assert login(cast.outsider).get(url).status_code == 404
    body = login(cast.community).get(url).json()
    assert body["id"] == str(service_a.public_id)
    assert body["reentry"]["requirements"] == [
        {"kind": "document", "value": "state_id", "rule": "requires"}
    ]


def test_service_is_hsds_shaped(cast, directory, login):
    service_b, location_b = directory["org-b"]
    row = next(
        r
        for r in login(cast.community).get(services_url()).json()["results"]
        if r["name"] == "Org B housing help"
    )
    assert row["organization_id"] == str(cast.org_b.public_id)
    assert row["languages"] == ["es"]
    assert row["phones"][0]["number"] == "555-0100"
    assert len(row["regular_schedules"]) == 7
    assert row["service_at_locations"][0]["location_id"] == str(location_b.public_id)
    assert row["reentry"]["accepts_referrals"] is True
    assert row["reentry"]["key_areas"] == ["housing"]
    assert row["reentry"]["is_open_now"] is True


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "org b"}, ["Org B housing help"]),
        ({"key_area": "housing"}, ["Org B housing help"]),
        ({"sector": "housing"}, ["Org A housing help", "Org B housing help"]),
        ({"language": "es"}, ["Org B housing help"]),
        ({"accepts_referrals": "true"}, ["Org B housing help"]),
        ({"open_now": "true"}, ["Org B housing help"]),
        ({"requires": "document:state_id"}, ["Org A housing help"]),
        ({"not_requires": "document:state_id"}, ["Org B housing help"]),
        ({"not_excludes": "supervision:parole"}, ["Org A housing help"]),
    ],
)
def test_filters_work_like_the_directory_pages(cast, directory, login, params, expected):
    assert names(login(cast.staff_a).get(services_url(), params)) == expected


def test_a_malformed_criterion_is_a_clear_400(cast, directory, login):
    response = login(cast.staff_a).get(services_url(), {"requires": "document:passport"})
    assert response.status_code == 400
    assert "not one of the available choices" in response.json()["requires"][0]


def test_locations_follow_the_same_rules(cast, directory, client, login):
    url = reverse("api:location-list", kwargs={"collaborative_slug": "collab-a"})
    assert names(client.get(url)) == ["Org B office"]
    assert names(login(cast.staff_b).get(url)) == ["Org A office", "Org B office"]
    row = login(cast.staff_b).get(url).json()["results"][0]
    assert row["physical_address"]["address_1"] == "1 Main St"


@pytest.mark.parametrize("name", ["api:service-list", "api:location-list"])
def test_list_query_count_is_constant(cast, directory, login, count_queries, name):
    client = login(cast.staff_a)
    url = reverse(name, kwargs={"collaborative_slug": "collab-a"})
    few = count_queries(client, url)
    for i in range(24):
        service = Service.objects.create(organization=cast.org_a, name=f"Extra {i}")
        location = Location.objects.create(organization=cast.org_a, name=f"Extra place {i}")
        ServiceAtLocation.objects.create(service=service, location=location)
        Phone.objects.create(organization=cast.org_a, service=service, number="555-0199")
    assert count_queries(client, url) == few <= 14
