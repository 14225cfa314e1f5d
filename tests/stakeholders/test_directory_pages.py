"""Service pages, organization pages and printable resource sheets, members' and public."""

import pytest

from stakeholders.models import Phone, Service
from tests.factories import KeyAreaFactory
from tests.stakeholders.directory_world import (
    c_url,
    make_location,
    make_public,
    make_service,
    office_hours,
    p_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rent_help(cast):
    location = make_location(
        cast.org_a,
        "Downtown office",
        address_1="415 Third Avenue SE",
        transportation="Bus 3 stops at the door.",
    )
    Phone.objects.create(location=location, number="319-555-0100")
    return make_service(
        cast.org_a,
        "Rent help",
        key_areas=[cast.key_area],
        accepts_referrals=True,
        languages=["English", "Spanish"],
        criteria=[
            ("document", "state_id", "requires"),
            ("supervision", "parole", "requires"),
            ("conviction", "arson", "excludes"),
        ],
        hours=office_hours(),
        phone="319-555-0199",
        location=location,
        description="First month's rent and deposit.",
    )


class TestServicePage:
    def test_member_sees_everything_a_case_manager_needs(self, cast, rent_help, login):
        Service.objects.filter(pk=rent_help.pk).update(
            application_process="Call and ask for Dana.", fees="Free."
        )
        response = login(cast.staff_c).get(
            c_url("service", cast.collab, public_id=rent_help.public_id)
        )
        assert response.status_code == 200
        page = response.content.decode()
        for text in [
            "Rent help",
            "Org A",
            "First month&#x27;s rent and deposit.",
            "Only for people who are",
            "On parole",
            "Cannot serve people with",
            "Arson conviction",
            "Documents to bring",
            "State ID or driver’s license",
            "Call and ask for Dana.",
            "Free.",
            "English, Spanish",
            "415 Third Avenue SE",
            "Bus 3 stops at the door.",
            "319-555-0100",
            "319-555-0199",
            "Monday",
            "Accepts referrals",
            "America/Chicago",
            "Last verified",
        ]:
            assert text in page, text

    def test_no_rules_are_said_in_plain_words(self, cast, login):
        service = make_service(cast.org_a, "Open door")
        response = login(cast.community).get(
            c_url("service", cast.collab, public_id=service.public_id)
        )
        assert "No conviction history or supervision status rules anyone out." in (
            response.content.decode()
        )
        assert "No documents are required." in response.content.decode()

    def test_member_of_another_collaborative_gets_404(self, cast, rent_help, login):
        response = login(cast.outsider).get(
            c_url("service", cast.collab, public_id=rent_help.public_id)
        )
        assert response.status_code == 404

    def test_service_of_another_collaborative_is_404_under_this_one(self, cast, login):
        theirs = make_service(cast.org_x, "Elsewhere")
        make_public(cast.org_x)
        response = login(cast.community).get(
            c_url("service", cast.collab, public_id=theirs.public_id)
        )
        assert response.status_code == 404

    def test_public_page_shows_a_public_service(self, cast, rent_help, client):
        make_public(cast.org_a)
        response = client.get(p_url("service", cast.collab, public_id=rent_help.public_id))
        assert response.status_code == 200
        assert b"Rent help" in response.content
        assert b"Edit this service" not in response.content

    def test_public_page_of_a_members_only_service_is_404(self, cast, rent_help, client):
        make_public(cast.org_b)  # the public directory exists, but Org A is members-only
        response = client.get(p_url("service", cast.collab, public_id=rent_help.public_id))
        assert response.status_code == 404

    def test_own_staff_see_edit_and_verify_buttons_others_do_not(self, cast, rent_help, login):
        url = c_url("service", cast.collab, public_id=rent_help.public_id)
        assert b"Mark verified today" in login(cast.staff_a).get(url).content
        response = login(cast.staff_b).get(url)
        assert response.status_code == 200
        assert b"Mark verified today" not in response.content
        response = login(cast.backbone).get(url)
        assert response.status_code == 200
        assert b"Mark verified today" not in response.content


class TestOrganizationPage:
    def test_lists_services_and_locations(self, cast, rent_help, login):
        response = login(cast.community).get(
            c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        )
        page = response.content.decode()
        assert "Rent help" in page
        assert "Downtown office" in page
        assert "Add a service" not in page

    def test_own_admin_sees_edit_links_and_inactive_services(self, cast, rent_help, login):
        make_service(cast.org_a, "Old program", status=Service.Status.INACTIVE)
        url = c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        page = login(cast.admin_a).get(url).content.decode()
        assert "Add a service" in page
        assert "Edit profile" in page
        assert "Old program" in page
        response = login(cast.staff_b).get(url)
        assert response.status_code == 200
        assert "Old program" not in response.content.decode()

    def test_backbone_sees_the_history_link_others_do_not(self, cast, login):
        url = c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        assert b"Change history" in login(cast.backbone).get(url).content
        response = login(cast.admin_a).get(url)
        assert response.status_code == 200
        assert b"Change history" not in response.content

    def test_public_organization_page(self, cast, rent_help, client):
        make_public(cast.org_a)
        response = client.get(p_url("organization", cast.collab, public_id=cast.org_a.public_id))
        assert response.status_code == 200
        assert b"Rent help" in response.content

    def test_public_page_of_a_members_only_organization_is_404(self, cast, client):
        make_public(cast.org_b)
        response = client.get(p_url("organization", cast.collab, public_id=cast.org_a.public_id))
        assert response.status_code == 404


class TestResourceSheet:
    def test_referral_services_come_first_with_phones_and_addresses(self, cast, rent_help, login):
        make_service(cast.org_b, "Aardvark walk-in", key_areas=[cast.key_area])
        make_service(cast.org_b, "Not housing")
        response = login(cast.community).get(c_url("sheet", cast.collab, area="housing"))
        assert response.status_code == 200
        assert [s.name for s in response.context["entries"]] == ["Rent help", "Aardvark walk-in"]
        page = response.content.decode()
        assert "319-555-0199" in page
        assert "415 Third Avenue SE" in page
        assert "Takes referrals" in page
        assert "data-print hidden" in page  # the print button appears only with JavaScript
        assert "stakeholders/print.js" in page
        assert "<script>" not in page  # no inline script under the CSP

    def test_falls_back_to_the_organizations_phone(self, cast, login):
        cast.org_b.phone = "319-555-0142"
        cast.org_b.save()
        make_service(cast.org_b, "No own phone", key_areas=[cast.key_area])
        page = login(cast.community).get(c_url("sheet", cast.collab, area="housing"))
        assert "319-555-0142" in page.content.decode()

    def test_fits_one_page_and_says_what_was_left_out(self, cast, login):
        for n in range(12):
            make_service(cast.org_a, f"Service {n:02}", key_areas=[cast.key_area])
        response = login(cast.community).get(c_url("sheet", cast.collab, area="housing"))
        assert len(response.context["entries"]) == 10
        assert response.context["more"] is True

    def test_unknown_key_area_is_404(self, cast, login):
        response = login(cast.community).get(c_url("sheet", cast.collab, area="nope"))
        assert response.status_code == 404

    def test_key_area_of_another_collaborative_is_404(self, cast, login):
        KeyAreaFactory(collaborative=cast.other_collab, name="Faraway", slug="faraway")
        response = login(cast.community).get(c_url("sheet", cast.collab, area="faraway"))
        assert response.status_code == 404

    def test_other_collaborative_member_gets_404(self, cast, login):
        response = login(cast.outsider).get(c_url("sheet", cast.collab, area="housing"))
        assert response.status_code == 404

    def test_public_sheet_lists_only_public_services(self, cast, rent_help, client):
        make_public(cast.org_b)
        make_service(cast.org_b, "Public beds", key_areas=[cast.key_area])
        response = client.get(p_url("sheet", cast.collab, area="housing"))
        assert response.status_code == 200
        assert [s.name for s in response.context["entries"]] == ["Public beds"]

    def test_sheet_query_count_does_not_grow_with_services(self, cast, login, count_queries):
        client = login(cast.community)
        url = c_url("sheet", cast.collab, area="housing")
        location = make_location(cast.org_a)
        make_service(cast.org_a, "One", key_areas=[cast.key_area], phone="1", location=location)
        one = count_queries(client, url)
        for n in range(9):
            make_service(
                cast.org_a, f"More {n}", key_areas=[cast.key_area], phone="2", location=location
            )
        assert count_queries(client, url) == one
        assert all(f"More {n}" in count_queries.page for n in range(9))
