"""An organization's own admins and staff keep its listing; nobody else can. Every change is
audited and kept in the change history that backbone staff read."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from reentry.audit.models import AuditEvent
from stakeholders.directory.services import listings as directory_services
from stakeholders.models import Location, Organization, Service
from tests.indicators.dashboard_world import make_dataset
from tests.stakeholders.directory_world import c_url, make_location, make_service

pytestmark = pytest.mark.django_db


def service_post(cast, **overrides) -> dict:
    data = {
        "name": "Rent help",
        "description": "First month's rent.",
        "key_areas": [cast.key_area.pk],
        "status": "active",
        "accepts_referrals": "on",
        "serves_when": "after_release",
        "languages": "English, Spanish",
        "phone": "319-555-0199",
        "requires_documents": ["state_id"],
        "excludes_conviction": ["arson"],
        "day1_opens": "09:00",
        "day1_closes": "17:00",
        "day6_opens": "10:00",
        "day6_closes": "12:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def service_a(cast):
    return make_service(cast.org_a, "Shelter beds", key_areas=[cast.key_area])


@pytest.fixture
def location_a(cast):
    return make_location(cast.org_a, "Main office")


# Every editing page: (url name, which object's public id).
EDIT_PAGES = [
    ("organization_edit", "org"),
    ("service_create", "org"),
    ("location_create", "org"),
    ("service_edit", "service"),
    ("location_edit", "location"),
]


def edit_url(cast, name, target, service, location):
    public_id = {
        "org": cast.org_a.public_id,
        "service": service.public_id,
        "location": location.public_id,
    }[target]
    return c_url(name, cast.collab, public_id=public_id)


class TestWhoMayEdit:
    @pytest.mark.parametrize(("name", "target"), EDIT_PAGES)
    @pytest.mark.parametrize("who", ["admin_a", "staff_a"])
    def test_own_admins_and_staff_get_the_page(
        self, cast, login, service_a, location_a, name, target, who
    ):
        url = edit_url(cast, name, target, service_a, location_a)
        assert login(getattr(cast, who)).get(url).status_code == 200

    @pytest.mark.parametrize(("name", "target"), EDIT_PAGES)
    def test_staff_of_another_organization_get_404(
        self, cast, login, service_a, location_a, name, target
    ):
        url = edit_url(cast, name, target, service_a, location_a)
        assert login(cast.staff_b).get(url).status_code == 404

    @pytest.mark.parametrize(("name", "target"), EDIT_PAGES)
    def test_backbone_staff_get_403_the_listing_is_the_organizations_own(
        self, cast, login, service_a, location_a, name, target
    ):
        # They see the organization, but no role outside it may edit: refused, not hidden.
        url = edit_url(cast, name, target, service_a, location_a)
        assert login(cast.backbone).get(url).status_code == 403

    @pytest.mark.parametrize(("name", "target"), EDIT_PAGES)
    @pytest.mark.parametrize(("who", "status"), [("community", 403), ("outsider", 404)])
    def test_community_members_get_403_other_collaboratives_404(
        self, cast, login, service_a, location_a, name, target, who, status
    ):
        url = edit_url(cast, name, target, service_a, location_a)
        assert login(getattr(cast, who)).get(url).status_code == status

    def test_staff_of_another_organization_cannot_post_a_change(self, cast, login, service_a):
        url = c_url("service_edit", cast.collab, public_id=service_a.public_id)
        response = login(cast.staff_b).post(url, service_post(cast, name="Hijacked"))
        assert response.status_code == 404
        service_a.refresh_from_db()
        assert service_a.name == "Shelter beds"

    def test_staff_of_another_organization_cannot_verify(self, cast, login, service_a):
        Service.objects.filter(pk=service_a.pk).update(last_verified_at=None)
        url = c_url("service_verify", cast.collab, public_id=service_a.public_id)
        assert login(cast.staff_b).post(url).status_code == 404
        service_a.refresh_from_db()
        assert service_a.last_verified_at is None

    def test_the_service_refuses_other_organizations_too(self, cast, service_a):
        with pytest.raises(PermissionDenied):
            directory_services.service_update(actor=cast.staff_b, service=service_a, name="x")
        with pytest.raises(PermissionDenied):
            directory_services.service_update(actor=cast.backbone, service=service_a, name="x")

    def test_the_rules_are_shown_on_the_profile_page(self, cast, login):
        url = c_url("organization_edit", cast.collab, public_id=cast.org_a.public_id)
        page = login(cast.staff_a).get(url).content.decode()
        assert "Backbone staff and other organizations cannot." in page
        assert "Only backbone staff change an organization’s sector" in page


class TestProfile:
    def test_staff_change_description_and_key_areas(self, cast, login):
        url = c_url("organization_edit", cast.collab, public_id=cast.org_a.public_id)
        response = login(cast.staff_a).post(
            url,
            {
                "description": "Beds and deposits.",
                "email": "help@org-a.example",
                "phone": "319-555-0100",
                "website": "https://org-a.example",
                "key_areas": [cast.key_area.pk],
            },
        )
        assert response.status_code == 302
        cast.org_a.refresh_from_db()
        assert cast.org_a.description == "Beds and deposits."
        assert list(cast.org_a.key_areas.all()) == [cast.key_area]
        event = AuditEvent.objects.get(action="directory.organization_updated")
        assert event.actor == cast.staff_a.user
        assert "description" in event.details["changed"]

    def test_nobody_of_the_organization_gets_the_sector_field(self, cast, login):
        url = c_url("organization_edit", cast.collab, public_id=cast.org_a.public_id)
        assert "sector" not in login(cast.staff_a).get(url).context["form"].fields
        page = login(cast.admin_a).get(url)
        assert "sector" not in page.context["form"].fields
        assert "Sector: Housing." in page.content.decode()

    def test_staff_posting_a_sector_change_it_does_not_apply(self, cast, login):
        url = c_url("organization_edit", cast.collab, public_id=cast.org_a.public_id)
        login(cast.staff_a).post(url, {"description": "x", "sector": cast.sector2.pk})
        cast.org_a.refresh_from_db()
        assert cast.org_a.sector == cast.sector1

    def test_the_service_refuses_a_sector_change_by_staff(self, cast):
        with pytest.raises(PermissionDenied):
            directory_services.organization_profile_update(
                actor=cast.staff_a, organization=cast.org_a, sector=cast.sector2
            )

    def test_admin_posting_a_sector_does_not_move_the_organization(self, cast, login):
        # The other sector's sector-only dataset stays out of reach of org A's people.
        dataset = make_dataset(cast, cast.org_c, level="sector")
        dataset_url = reverse(
            "indicators:dataset", kwargs={"slug": cast.collab.slug, "public_id": dataset.public_id}
        )
        url = c_url("organization_edit", cast.collab, public_id=cast.org_a.public_id)
        login(cast.admin_a).post(
            url, {"description": "", "sector": cast.sector2.pk, "sharing_level": "collaborative"}
        )
        cast.org_a.refresh_from_db()
        assert cast.org_a.sector == cast.sector1
        assert login(cast.staff_a).get(dataset_url).status_code == 404

    def test_the_service_refuses_a_sector_change_by_the_admin(self, cast):
        with pytest.raises(PermissionDenied):
            directory_services.organization_profile_update(
                actor=cast.admin_a, organization=cast.org_a, sector=cast.sector2
            )
        with pytest.raises(PermissionDenied):
            directory_services.organization_sector_set(
                actor=cast.admin_a, organization=cast.org_a, sector=cast.sector2
            )
        cast.org_a.refresh_from_db()
        assert cast.org_a.sector == cast.sector1

    def test_backbone_changes_the_sector_and_it_is_audited(self, cast, login):
        dataset = make_dataset(cast, cast.org_c, level="sector")
        dataset_url = reverse(
            "indicators:dataset", kwargs={"slug": cast.collab.slug, "public_id": dataset.public_id}
        )
        url = c_url("organization_sector", cast.collab, public_id=cast.org_a.public_id)
        detail = c_url("organization", cast.collab, public_id=cast.org_a.public_id)
        assert url in login(cast.backbone).get(detail).content.decode()
        assert url not in login(cast.admin_a).get(detail).content.decode()
        assert login(cast.backbone).get(url).status_code == 200
        response = login(cast.backbone).post(url, {"sector": cast.sector2.pk})
        assert response.status_code == 302
        cast.org_a.refresh_from_db()
        assert cast.org_a.sector == cast.sector2
        event = AuditEvent.objects.get(action="directory.organization_sector_changed")
        assert event.actor == cast.backbone.user
        assert event.details["old_sector"] == cast.sector1.pk
        assert event.details["new_sector"] == cast.sector2.pk
        assert login(cast.staff_a).get(dataset_url).status_code == 200

    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "staff_c", "community"])
    def test_only_backbone_reaches_the_sector_page(self, cast, login, who):
        url = c_url("organization_sector", cast.collab, public_id=cast.org_a.public_id)
        assert login(getattr(cast, who)).post(url, {"sector": cast.sector2.pk}).status_code in (
            403,
            404,
        )
        cast.org_a.refresh_from_db()
        assert cast.org_a.sector == cast.sector1

    def test_errors_keep_what_was_typed(self, cast, login):
        url = c_url("organization_edit", cast.collab, public_id=cast.org_a.public_id)
        response = login(cast.staff_a).post(
            url, {"description": "Typed words stay.", "email": "not-an-email"}
        )
        assert response.status_code == 200
        assert "email" in response.context["form"].errors
        assert "Typed words stay." in response.content.decode()
        assert 'value="not-an-email"' in response.content.decode()


class TestServices:
    def test_staff_add_a_service_with_everything(self, cast, login, location_a):
        url = c_url("service_create", cast.collab, public_id=cast.org_a.public_id)
        response = login(cast.staff_a).post(
            url, service_post(cast, locations=[location_a.pk], excludes_supervision=["parole"])
        )
        assert response.status_code == 302, response.context["form"].errors
        service = Service.objects.get(name="Rent help")
        assert response["Location"] == c_url("service", cast.collab, public_id=service.public_id)
        assert service.organization == cast.org_a
        assert service.accepts_referrals
        assert service.last_verified_at == timezone.localdate()
        assert sorted(service.languages.values_list("code", flat=True)) == ["en", "es"]
        assert set(service.criteria.values_list("kind", "value", "rule")) == {
            ("document", "state_id", "requires"),
            ("conviction", "arson", "excludes"),
            ("supervision", "parole", "excludes"),
        }
        assert sorted(
            (s.weekday, s.opens_at.isoformat(), s.closes_at.isoformat())
            for s in service.schedules.all()
        ) == [(1, "09:00:00", "17:00:00"), (6, "10:00:00", "12:00:00")]
        assert list(service.phones.values_list("number", flat=True)) == ["319-555-0199"]
        assert list(service.at_locations.values_list("location", flat=True)) == [location_a.pk]
        assert AuditEvent.objects.filter(
            action="directory.service_created", object_id=str(service.public_id)
        ).exists()

    def test_form_keeps_what_was_typed_on_error(self, cast, login):
        url = c_url("service_create", cast.collab, public_id=cast.org_a.public_id)
        response = login(cast.staff_a).post(
            url,
            service_post(
                cast,
                name="",
                description="Typed and kept.",
                day1_closes=None,
                requires_supervision=["parole"],
                excludes_supervision=["parole"],
            ),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) == {"name", "day1_closes", "excludes_supervision"}
        page = response.content.decode()
        assert "Typed and kept." in page
        assert 'value="English, Spanish"' in page
        assert not Service.objects.exists()

    def test_edit_replaces_rules_hours_and_languages_and_marks_inactive(
        self, cast, login, service_a
    ):
        url = c_url("service_edit", cast.collab, public_id=service_a.public_id)
        client = login(cast.admin_a)
        form = client.get(url).context["form"]
        assert form.initial["languages"] == ""
        response = client.post(
            url,
            service_post(
                cast,
                name="Shelter beds",
                status="inactive",
                languages="Spanish",
                requires_documents=[],
                excludes_conviction=["sex_offense_registry"],
                day6_opens=None,
                day6_closes=None,
            ),
        )
        assert response.status_code == 302
        service_a.refresh_from_db()
        assert service_a.status == "inactive"
        assert list(service_a.languages.values_list("code", flat=True)) == ["es"]
        assert list(service_a.criteria.values_list("value", flat=True)) == ["sex_offense_registry"]
        assert list(service_a.schedules.values_list("weekday", flat=True)) == [1]
        again = client.get(url).context["form"]
        assert again.initial["languages"] == "Spanish"
        assert again.initial["excludes_conviction"] == ["sex_offense_registry"]
        assert again.initial["day1_opens"].isoformat() == "09:00:00"

    def test_verify_sets_today_in_the_collaboratives_time_zone(self, cast, login, service_a):
        Service.objects.filter(pk=service_a.pk).update(
            last_verified_at=timezone.localdate() - timedelta(days=200)
        )
        url = c_url("service_verify", cast.collab, public_id=service_a.public_id)
        response = login(cast.staff_a).post(url)
        assert response.status_code == 302
        service_a.refresh_from_db()
        assert service_a.last_verified_at == cast.collab.today()
        assert AuditEvent.objects.filter(action="directory.service_verified").count() == 1

    def test_verify_only_by_post(self, cast, login, service_a):
        url = c_url("service_verify", cast.collab, public_id=service_a.public_id)
        assert login(cast.staff_a).get(url).status_code == 405

    def test_location_choices_are_only_the_organizations_own(self, cast, login, location_a):
        make_location(cast.org_b, "Org B office")
        url = c_url("service_create", cast.collab, public_id=cast.org_a.public_id)
        form = login(cast.staff_a).get(url).context["form"]
        assert list(form.fields["locations"].queryset) == [location_a]

    def test_posting_another_organizations_location_is_refused(self, cast, login):
        theirs = make_location(cast.org_b, "Org B office")
        url = c_url("service_create", cast.collab, public_id=cast.org_a.public_id)
        response = login(cast.staff_a).post(url, service_post(cast, locations=[theirs.pk]))
        assert response.status_code == 200
        assert "locations" in response.context["form"].errors


class TestLocations:
    def test_staff_add_and_edit_a_location(self, cast, login):
        client = login(cast.staff_a)
        url = c_url("location_create", cast.collab, public_id=cast.org_a.public_id)
        response = client.post(
            url,
            {
                "name": "East office",
                "address_1": "1 East St",
                "city": "Riverton",
                "postal_code": "52402",
                "transportation": "Bus 7.",
                "phone": "319-555-0111",
            },
        )
        assert response.status_code == 302
        location = Location.objects.get(name="East office")
        assert list(location.phones.values_list("number", flat=True)) == ["319-555-0111"]
        edit = c_url("location_edit", cast.collab, public_id=location.public_id)
        assert client.get(edit).context["form"].initial["phone"] == "319-555-0111"
        response = client.post(
            edit, {"name": "East office", "city": "Riverton", "address_1": "2 East St", "phone": ""}
        )
        assert response.status_code == 302
        location.refresh_from_db()
        assert location.address_1 == "2 East St"
        assert not location.phones.exists()
        assert AuditEvent.objects.filter(action="directory.location_updated").count() == 1


class TestHistory:
    def history(self, cast, login, who="backbone"):
        url = c_url("organization_history", cast.collab, public_id=cast.org_a.public_id)
        return login(getattr(cast, who)).get(url)

    def test_backbone_sees_who_changed_what_when(self, cast, login):
        service = directory_services.service_create(
            actor=cast.staff_a,
            organization=cast.org_a,
            name="Rent help",
            key_areas=[cast.key_area],
            languages=["English"],
        )
        directory_services.service_update(
            actor=cast.admin_a, service=service, name="Rent and deposit help", fees="Free"
        )
        directory_services.service_update(actor=cast.admin_a, service=service, languages=["es"])
        directory_services.organization_profile_update(
            actor=cast.admin_a,
            organization=cast.org_a,
            description="New words",
        )
        directory_services.organization_sector_set(
            actor=cast.backbone, organization=cast.org_a, sector=cast.sector2
        )
        response = self.history(cast, login)
        assert response.status_code == 200
        entries = list(response.context["page"].object_list)
        assert [(e["kind"], e["type"]) for e in entries] == [
            ("Profile", "~"),
            ("Profile", "~"),
            ("Service", "~"),
            ("Service", "~"),
            ("Service", "+"),
            ("Profile", "+"),  # the organization itself, made before the test
        ]
        moved, profile, languages, rename, created, _org_created = entries
        assert moved["who"] == cast.backbone.user
        assert {(c["field"], c["old"], c["new"]) for c in moved["changes"]} == {
            ("sector", "Housing", "Courts"),
        }
        assert profile["who"] == cast.admin_a.user
        assert {(c["field"], c["old"], c["new"]) for c in profile["changes"]} == {
            ("what the organization does", "—", "New words"),
        }
        assert {(c["field"], c["old"], c["new"]) for c in rename["changes"]} == {
            ("name", "Rent help", "Rent and deposit help"),
            ("fees", "—", "Free"),
        }
        assert languages["changes"] == []
        assert languages["reason"] == "Languages: es"
        assert created["who"] == cast.staff_a.user
        page = response.content.decode()
        assert "Rent and deposit help" in page
        assert cast.admin_a.user.name in page

    def test_a_save_without_changes_adds_nothing(self, cast, login, service_a):
        directory_services.service_update(
            actor=cast.staff_a, service=service_a, name="Shelter beds"
        )
        entries = list(self.history(cast, login).context["page"].object_list)
        # Only the creations (made directly, as an import would: no person).
        assert [(e["kind"], e["type"], e["who"]) for e in entries] == [
            ("Service", "+", None),
            ("Profile", "+", None),
        ]
        assert b"an import or the system" in self.history(cast, login).content

    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "staff_b", "community"])
    def test_other_members_get_403(self, cast, login, who):
        assert self.history(cast, login, who).status_code == 403

    def test_other_collaborative_gets_404(self, cast, login):
        assert self.history(cast, login, "outsider").status_code == 404

    def test_organization_of_another_collaborative_is_404(self, cast, login):
        url = c_url("organization_history", cast.collab, public_id=cast.org_x.public_id)
        assert login(cast.backbone).get(url).status_code == 404

    def test_query_count_does_not_grow_with_changes(self, cast, login, count_queries):
        client = login(cast.backbone)
        url = c_url("organization_history", cast.collab, public_id=cast.org_a.public_id)
        service = directory_services.service_create(
            actor=cast.staff_a, organization=cast.org_a, name="One"
        )
        few = count_queries(client, url)
        for n in range(25):
            directory_services.service_update(actor=cast.staff_a, service=service, name=f"N{n}")
            directory_services.organization_profile_update(
                actor=cast.staff_a, organization=cast.org_a, description=f"D{n}"
            )
        assert count_queries(client, url) == few
        assert Organization.history.filter(id=cast.org_a.pk).count() > 25
        assert "D24" in count_queries.page and "N24" in count_queries.page


def test_one_rule_for_who_changes_an_organization_profile(cast):
    """Own admins and staff; not backbone staff, not another organization."""
    from stakeholders.models import Organization

    def editable(member):
        return set(Organization.objects.editable_by(member.user).values_list("slug", flat=True))

    assert editable(cast.admin_a) == {"org-a"}
    assert editable(cast.staff_a) == {"org-a"}
    assert editable(cast.backbone) == set()
    assert editable(cast.staff_b) == {"org-b"}
    assert editable(cast.community) == set()
