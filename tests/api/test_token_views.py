"""The API token pages: who may list, create and revoke, and the token shown once."""

import pytest
from django.urls import reverse

from reentry.api.models import ApiToken
from reentry.audit.models import AuditEvent
from stakeholders.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def list_url(cast):
    return reverse("api_tokens:list", kwargs={"slug": cast.collab.slug})


def revoke_url(cast, token):
    return reverse(
        "api_tokens:revoke", kwargs={"slug": cast.collab.slug, "public_id": token.public_id}
    )


class TestList:
    def test_org_admin_sees_their_organizations_tokens_and_the_form(
        self, cast, login, make_token, admin_b
    ):
        mine, _p = make_token(cast.admin_a, name="Our case system")
        theirs, _p = make_token(admin_b, name="Their reporting tool")
        response = login(cast.admin_a).get(list_url(cast))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Our case system" in html
        assert mine.display_prefix in html
        assert "Their reporting tool" not in html
        assert 'name="expires_in"' in html

    def test_backbone_sees_every_token_of_the_collaborative_but_no_form(
        self, cast, login, make_token, admin_b
    ):
        make_token(cast.admin_a, name="Our case system")
        make_token(admin_b, name="Their reporting tool")
        html = login(cast.backbone).get(list_url(cast)).content.decode()
        assert "Our case system" in html
        assert "Their reporting tool" in html
        assert 'name="expires_in"' not in html

    @pytest.mark.parametrize("role", ["staff_a", "staff_b", "community", "observer"])
    def test_other_members_get_403(self, cast, login, role):
        assert login(getattr(cast, role)).get(list_url(cast)).status_code == 403

    def test_other_collaborative_gets_404(self, cast, login):
        assert login(cast.outsider).get(list_url(cast)).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, cast, client):
        response = client.get(list_url(cast))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_other_collaboratives_tokens_are_not_listed(self, cast, login, make_token):
        other_admin = MemberFactory(
            collaborative=cast.other_collab, role=Member.Role.ORG_ADMIN, organization=cast.org_x
        )
        make_token(other_admin, name="Elsewhere system")
        fetched = login(cast.backbone).get(list_url(cast))
        assert fetched.status_code == 200
        html = fetched.content.decode()
        assert "Elsewhere system" not in html

    def test_status_shows_when_the_creator_is_no_longer_an_admin(self, cast, login, make_token):
        make_token(cast.admin_a, name="Old system")
        second_admin = MemberFactory(
            collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_a
        )
        Member.objects.filter(pk=cast.admin_a.pk).update(role=Member.Role.PROVIDER_STAFF)
        html = login(second_admin).get(list_url(cast)).content.decode()
        assert "Stopped: its creator is no longer an admin" in html

    def test_query_count_is_the_same_for_1_and_25_tokens(
        self, cast, login, make_token, count_queries
    ):
        make_token(cast.admin_a)
        client = login(cast.admin_a)
        small = count_queries(client, list_url(cast))
        for i in range(24):
            make_token(cast.admin_a, name=f"System {i}")
        assert count_queries(client, list_url(cast)) == small

    def test_nav_link_is_shown_to_org_admins_only_among_organization_people(self, cast, login):
        home = reverse("stakeholders:home", kwargs={"slug": cast.collab.slug})
        assert list_url(cast) in login(cast.admin_a).get(home).content.decode()
        response = login(cast.staff_a).get(home)
        assert response.status_code == 200
        assert list_url(cast) not in response.content.decode()
        response = login(cast.community).get(home)
        assert response.status_code == 200
        assert list_url(cast) not in response.content.decode()


class TestCreate:
    def test_new_token_is_shown_once_and_works(self, cast, login):
        client = login(cast.admin_a)
        response = client.post(list_url(cast), {"name": "Case system", "expires_in": "90"})
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        token = ApiToken.objects.get()
        html = response.content.decode()
        start = html.index(f"rc_{token.prefix}_")
        plain = html[start : html.index('"', start)]
        assert ApiToken.objects.by_token(plain).get() == token
        assert token.organization == cast.org_a and token.created_by == cast.admin_a.user
        assert token.expires_at is not None
        # Shown once: the list page afterwards has the prefix, never the token.
        again = client.get(list_url(cast)).content.decode()
        assert token.display_prefix in again
        assert plain not in again
        api = client.get("/api/v1/collaboratives/", headers={"Authorization": f"Token {plain}"})
        assert api.status_code == 200
        assert AuditEvent.objects.filter(action="api_token.created").count() == 1

    def test_never_expiring_token(self, cast, login):
        login(cast.admin_a).post(list_url(cast), {"name": "Nightly export", "expires_in": "never"})
        assert ApiToken.objects.get().expires_at is None

    def test_name_is_required_and_nothing_is_created_without_it(self, cast, login):
        response = login(cast.admin_a).post(list_url(cast), {"name": "", "expires_in": "90"})
        assert response.status_code == 200
        assert not ApiToken.objects.exists()
        assert "rc_" not in response.content.decode()

    def test_backbone_staff_cannot_create(self, cast, login):
        response = login(cast.backbone).post(list_url(cast), {"name": "X", "expires_in": "90"})
        assert response.status_code == 403
        assert not ApiToken.objects.exists()

    def test_staff_cannot_create(self, cast, login):
        response = login(cast.staff_a).post(list_url(cast), {"name": "X", "expires_in": "90"})
        assert response.status_code == 403
        assert not ApiToken.objects.exists()


class TestRevoke:
    def test_org_admin_revokes_their_organizations_token(self, cast, login, make_token):
        other_admin_a = MemberFactory(
            collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_a
        )
        token, plain = make_token(other_admin_a)
        response = login(cast.admin_a).post(revoke_url(cast, token))
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert token.revoked_by == cast.admin_a.user
        api = login(cast.admin_a).get("/api/v1/collaboratives/")  # session still fine
        assert api.status_code == 200
        from django.test import Client

        bare = Client(headers={"Authorization": f"Token {plain}"})
        assert bare.get("/api/v1/collaboratives/").status_code == 401

    def test_admin_of_another_organization_gets_404(self, cast, login, make_token, admin_b):
        token, _plain = make_token(cast.admin_a)
        response = login(admin_b).post(revoke_url(cast, token))
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None
        assert AuditEvent.objects.filter(action="access.not_found").count() == 1

    def test_other_collaborative_gets_404(self, cast, login, make_token):
        token, _plain = make_token(cast.admin_a)
        assert login(cast.outsider).post(revoke_url(cast, token)).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_token_of_another_collaborative_under_my_slug_gets_404(self, cast, login, make_token):
        other_admin = MemberFactory(
            collaborative=cast.other_collab, role=Member.Role.ORG_ADMIN, organization=cast.org_x
        )
        token, _plain = make_token(other_admin)
        assert login(cast.backbone).post(revoke_url(cast, token)).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_staff_get_403(self, cast, login, make_token):
        token, _plain = make_token(cast.admin_a)
        assert login(cast.staff_a).post(revoke_url(cast, token)).status_code == 403
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_backbone_staff_can_revoke_in_an_emergency(self, cast, login, make_token):
        token, _plain = make_token(cast.admin_a)
        assert login(cast.backbone).post(revoke_url(cast, token)).status_code == 302
        token.refresh_from_db()
        assert token.revoked_by == cast.backbone.user
        event = AuditEvent.objects.get(action="api_token.revoked")
        assert event.actor == cast.backbone.user

    def test_revoke_needs_post(self, cast, login, make_token):
        token, _plain = make_token(cast.admin_a)
        assert login(cast.admin_a).get(revoke_url(cast, token)).status_code == 405
