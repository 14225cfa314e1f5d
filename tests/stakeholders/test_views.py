import pytest
from django.urls import reverse

from reentry.audit.models import AuditEvent
from stakeholders.models import Member
from tests.factories import MemberFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def url(name, cast, **kw):
    return reverse(f"stakeholders:{name}", kwargs={"slug": cast.collab.slug, **kw})


class TestCollaborativeHome:
    def test_member_sees_the_overview(self, cast, login):
        response = login(cast.community).get(url("overview", cast))
        assert response.status_code == 200
        assert b"Collaborative A" in response.content
        assert b"Org A" in response.content

    def test_other_collaborative_gets_404_and_is_audited(self, cast, login):
        response = login(cast.outsider).get(url("home", cast))
        assert response.status_code == 404
        event = AuditEvent.objects.get(action="access.not_found")
        assert event.actor == cast.outsider.user
        assert event.object_id == str(cast.collab.public_id)

    def test_anonymous_is_sent_to_sign_in(self, cast, client):
        response = client.get(url("home", cast))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_unknown_collaborative_gets_404_without_audit(self, cast, login):
        response = login(cast.backbone).get("/c/no-such-place/")
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="access.not_found").exists()

    def test_inactive_member_gets_404(self, cast, login):
        Member.objects.filter(pk=cast.staff_a.pk).update(is_active=False)
        assert login(cast.staff_a).get(url("home", cast)).status_code == 404

    def test_times_are_shown_in_the_collaborative_time_zone(self, cast, login):
        from reentry.audit.log import record

        record("collaborative.created", actor=cast.backbone.user, obj=cast.collab)
        cast.collab.time_zone = "Pacific/Kiritimati"  # UTC+14 all year, unlike the server
        cast.collab.save()
        response = login(cast.backbone).get(url("overview", cast))
        assert b"+14:00" in response.content


class TestOrganizations:
    def test_list_and_detail_for_members(self, cast, login):
        client = login(cast.staff_c)
        assert b"Org B" in client.get(url("organizations", cast)).content
        detail = client.get(url("organization", cast, public_id=cast.org_a.public_id))
        assert detail.status_code == 200

    def test_other_collaborative_organization_gets_404(self, cast, login):
        client = login(cast.backbone)
        response = client.get(url("organization", cast, public_id=cast.org_x.public_id))
        assert response.status_code == 404

    def test_outsider_gets_404_for_detail(self, cast, login):
        response = login(cast.outsider).get(
            url("organization", cast, public_id=cast.org_a.public_id)
        )
        assert response.status_code == 404

    def test_list_query_count_is_constant(self, cast, login, count_queries):
        client = login(cast.community)
        few = count_queries(client, url("organizations", cast))
        for i in range(24):
            OrganizationFactory(collaborative=cast.collab, sector=cast.sector1, name=f"Extra {i}")
        many = count_queries(client, url("organizations", cast))
        assert few == many <= 10
        assert all(f"Extra {i}<" in count_queries.page for i in range(24))

    def test_overview_query_count_is_constant(self, cast, login, count_queries):
        client = login(cast.community)
        few = count_queries(client, url("overview", cast))
        for i in range(24):
            OrganizationFactory(collaborative=cast.collab, sector=cast.sector1, name=f"Extra {i}")
        assert count_queries(client, url("overview", cast)) == few <= 14

    def test_filter_by_sector(self, cast, login):
        response = login(cast.community).get(url("organizations", cast), {"sector": "courts"})
        assert b"Org C" in response.content
        assert b"Org A" not in response.content


class TestMembers:
    def test_staff_see_member_list(self, cast, login):
        response = login(cast.staff_b).get(url("members", cast))
        assert response.status_code == 200
        assert cast.community.user.name.encode() in response.content

    def test_community_member_sees_names_but_not_addresses(self, cast, login):
        response = login(cast.community).get(url("members", cast))
        assert response.status_code == 200
        assert cast.staff_a.user.name.encode() in response.content
        assert cast.staff_a.user.email.encode() not in response.content

    def test_community_member_cannot_search_by_address(self, cast, login):
        response = login(cast.community).get(url("members", cast), {"q": cast.staff_a.user.email})
        assert cast.staff_a.user.name.encode() not in response.content

    def test_outsider_gets_404(self, cast, login):
        assert login(cast.outsider).get(url("members", cast)).status_code == 404

    def test_list_query_count_is_constant(self, cast, login, count_queries):
        client = login(cast.backbone)
        few = count_queries(client, url("members", cast))
        for _ in range(24):
            MemberFactory(
                collaborative=cast.collab, role=Member.Role.PROVIDER_STAFF, organization=cast.org_b
            )
        assert count_queries(client, url("members", cast)) == few <= 10
        assert count_queries.page.count('data-label="Name"') == 25  # a full page of people

    def test_lived_experience_follows_each_persons_choice(self, cast, login):
        c = cast.community
        c.lived_experience = Member.LivedExperience.YES
        c.lived_experience_visibility = Member.Visibility.BACKBONE
        c.save()
        answer = Member.LivedExperience.YES.label.encode()
        assert answer in login(cast.backbone).get(url("members", cast)).content
        response = login(cast.staff_a).get(url("members", cast))
        assert response.status_code == 200
        assert answer not in response.content
        c.lived_experience_visibility = Member.Visibility.ONLY_ME
        c.save()
        response = login(cast.backbone).get(url("members", cast))
        assert response.status_code == 200
        assert answer not in response.content

    def test_backbone_changes_a_role_and_it_is_audited(self, cast, login):
        client = login(cast.backbone)
        response = client.post(
            url("member_edit", cast, public_id=cast.staff_b.public_id),
            {
                "role": "org_admin",
                "organization": cast.org_b.pk,
                "title": "Lead",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        cast.staff_b.refresh_from_db()
        assert cast.staff_b.role == Member.Role.ORG_ADMIN
        event = AuditEvent.objects.get(action="member.role_changed")
        assert event.details["before"]["role"] == "provider_staff"

    def test_org_admin_cannot_edit_another_organizations_staff(self, cast, login):
        response = login(cast.admin_a).get(
            url("member_edit", cast, public_id=cast.staff_b.public_id)
        )
        assert response.status_code == 404

    def test_org_admin_edits_own_staff(self, cast, login):
        response = login(cast.admin_a).get(
            url("member_edit", cast, public_id=cast.staff_a.public_id)
        )
        assert response.status_code == 200

    def test_staff_cannot_open_member_edit(self, cast, login):
        response = login(cast.staff_a).get(
            url("member_edit", cast, public_id=cast.staff_a.public_id)
        )
        assert response.status_code == 403

    def test_role_needing_organization_keeps_typed_values(self, cast, login):
        client = login(cast.backbone)
        response = client.post(
            url("member_edit", cast, public_id=cast.community.public_id),
            {
                "role": "provider_staff",
                "organization": "",
                "title": "Typed title",
                "is_active": "on",
            },
        )
        assert response.status_code == 200
        assert b"This role needs an organization" in response.content
        assert b"Typed title" in response.content


class TestProfile:
    def test_member_updates_privacy_and_language(self, cast, login):
        client = login(cast.community)
        response = client.post(
            url("profile", cast),
            {
                "account-name": "New Name",
                "account-preferred_language": "es",
                "member-title": "",
                "member-lived_experience": "yes",
                "member-lived_experience_visibility": "collaborative",
                "member-phone": "",
                "member-contact_by_email": "on",
            },
        )
        assert response.status_code == 302
        cast.community.refresh_from_db()
        assert cast.community.lived_experience == "yes"
        assert cast.community.user.preferred_language == "es"
        assert response.cookies["django_language"].value == "es"
        event = AuditEvent.objects.get(action="member.privacy_changed")
        assert "yes" not in str(event.details)

    def test_outsider_gets_404(self, cast, login):
        assert login(cast.outsider).get(url("profile", cast)).status_code == 404


@pytest.mark.parametrize("page", ["organizations", "members", "profile"])
def test_collaborative_navigation_is_on_every_page_inside_it(cast, login, page):
    response = login(cast.staff_a).get(url(page, cast))
    assert f'aria-label="{cast.collab.name} sections"'.encode() in response.content
