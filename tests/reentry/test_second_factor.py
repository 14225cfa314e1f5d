"""Two-factor sign-in: who must have a second factor, the push to set one up, the idle
timeout for the same people, and the Django admin's sign-in going through the site's."""

import time
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.totp.internal.auth import app_settings as mfa_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reentry import second_factor
from reentry.middleware import IdleTimeoutMiddleware
from stakeholders import services
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, UserFactory

SETUP = "/accounts/2fa/totp/activate/"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in(client, user) -> None:
    """Through the sign-in form: the set-up pages want a password entered just now."""
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.fixture
def enforced(settings):
    settings.MFA_ENFORCE = True
    return settings


class TestWhoMustHaveASecondFactor:
    # Organization staff read person-level records (casework.access): they need it too.
    @pytest.mark.parametrize("who", ["backbone", "admin_a", "staff_a", "outsider"])
    def test_backbone_organization_admins_and_staff_are_sent_to_set_one_up(
        self, enforced, cast, client, who
    ):
        sign_in(client, getattr(cast, who).user)
        response = client.get(cast.collab.get_absolute_url())
        assert response.status_code == 302
        assert response["Location"] == SETUP
        page = client.get(SETUP)
        assert page.status_code == 200
        assert "Set up two-factor sign-in" in page.text
        # The reason, once as the redirect's message and once on the page itself.
        assert "your account needs a second step at sign-in" in page.text
        assert "Your role here needs this" in page.text

    def test_django_admin_users_are_sent_to_set_one_up(self, enforced, db, client):
        client.force_login(UserFactory(is_staff=True))
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == SETUP

    @pytest.mark.parametrize("who", ["community", "observer"])
    def test_everyone_else_is_only_offered_it(self, enforced, cast, client, who):
        sign_in(client, getattr(cast, who).user)
        assert client.get(cast.collab.get_absolute_url()).status_code == 200
        page = client.get(SETUP)
        assert page.status_code == 200
        assert "other people&#x27;s information" not in page.text

    def test_with_an_authenticator_app_they_go_where_they_asked(self, enforced, cast, client):
        with_totp(cast.backbone.user)
        client.force_login(cast.backbone.user)
        assert client.get(cast.collab.get_absolute_url()).status_code == 200

    def test_recovery_codes_alone_do_not_count(self, enforced, cast, client):
        Authenticator.objects.create(
            user=cast.backbone.user, type=Authenticator.Type.RECOVERY_CODES, data={}
        )
        client.force_login(cast.backbone.user)
        assert client.get(cast.collab.get_absolute_url())["Location"] == SETUP

    def test_an_inactive_membership_does_not_count(self, enforced, cast, client):
        cast.admin_a.is_active = False
        cast.admin_a.save(update_fields=["is_active"])
        client.force_login(cast.admin_a.user)
        assert client.get("/").status_code == 200

    def test_signing_out_and_changing_language_stay_open(self, enforced, cast, client):
        client.force_login(cast.backbone.user)
        assert client.post("/i18n/setlang/", {"language": "es", "next": "/"}).status_code == 302
        client.post(reverse("account_logout"))
        assert "_auth_user_id" not in client.session

    def test_an_htmx_request_gets_a_whole_page_redirect(self, enforced, cast, client):
        client.force_login(cast.backbone.user)
        response = client.get(cast.collab.get_absolute_url(), headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == SETUP

    def test_a_new_rule_is_one_predicate(self, enforced, cast, client):
        enforced.MFA_REQUIRED_FOR = [
            *enforced.MFA_REQUIRED_FOR,
            "tests.reentry.test_second_factor.everyone",
        ]
        client.force_login(cast.community.user)
        assert client.get("/")["Location"] == SETUP

    def test_off_when_not_enforced(self, settings, cast, client):
        settings.MFA_ENFORCE = False
        client.force_login(cast.backbone.user)
        assert client.get(cast.collab.get_absolute_url()).status_code == 200

    def test_setting_up_the_app_lets_them_in(self, enforced, cast, client):
        sign_in(client, cast.backbone.user)
        assert client.get(SETUP).status_code == 200
        secret = client.session[SECRET_SESSION_KEY]
        response = client.post(SETUP, {"code": current_code(secret)})
        assert response.status_code == 302, response.text
        assert Authenticator.objects.filter(
            user=cast.backbone.user, type=Authenticator.Type.TOTP
        ).exists()
        assert client.get(cast.collab.get_absolute_url()).status_code == 200

    def test_later_changes_ask_for_the_password_again(self, cast, client):
        with_totp(cast.backbone.user)
        client.force_login(cast.backbone.user)
        response = client.get(reverse("mfa_deactivate_totp"))
        assert response["Location"].startswith(reverse("account_reauthenticate"))

    def test_an_old_sign_in_asks_for_the_password_before_set_up(self, cast, client):
        client.force_login(cast.backbone.user)  # no record of a password entered just now
        response = client.get(SETUP)
        assert response["Location"].startswith(reverse("account_reauthenticate"))

    def test_the_settings_page_offers_it(self, cast, client):
        client.force_login(cast.community.user)
        page = client.get(reverse("stakeholders:profile", args=[cast.collab.slug]))
        assert reverse("mfa_index") in page.text
        assert client.get(reverse("mfa_index")).status_code == 200


def everyone(user) -> bool:
    return True


class TestSignInWithASecondFactor:
    def test_the_password_alone_does_not_sign_in(self, cast, client):
        with_totp(cast.backbone.user)
        response = client.post(
            reverse("account_login"),
            {"login": cast.backbone.user.email, "password": TEST_PASSWORD},
        )
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session

    def test_the_password_and_the_code_sign_in(self, cast, client):
        secret = with_totp(cast.backbone.user)
        client.post(
            reverse("account_login"),
            {"login": cast.backbone.user.email, "password": TEST_PASSWORD},
        )
        page = client.get(reverse("mfa_authenticate"))
        assert "Enter your code" in page.text
        client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
        assert client.session["_auth_user_id"] == str(cast.backbone.user.pk)


class TestIdleTimeout:
    KEY = IdleTimeoutMiddleware.SESSION_KEY

    @pytest.fixture(autouse=True)
    def _timeout(self, settings):
        settings.SESSION_IDLE_TIMEOUT = 1800

    def idle_for(self, client, seconds: int) -> None:
        session = client.session
        session[self.KEY] = int(time.time()) - seconds
        session.save()

    def test_a_request_records_the_time(self, cast, client):
        client.force_login(cast.backbone.user)
        client.get("/")
        assert abs(client.session[self.KEY] - time.time()) < 5

    def test_backbone_staff_idle_too_long_are_signed_out(self, cast, client):
        client.force_login(cast.backbone.user)
        self.idle_for(client, 1801)
        url = cast.collab.get_absolute_url()
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"])
        assert "You were signed out after 30 minutes without activity." in page.text

    def test_within_the_timeout_they_stay(self, cast, client):
        client.force_login(cast.admin_a.user)
        self.idle_for(client, 1700)
        assert client.get(cast.collab.get_absolute_url()).status_code == 200
        assert client.session["_auth_user_id"] == str(cast.admin_a.user.pk)

    def test_other_roles_are_not_timed_out(self, cast, client):
        client.force_login(cast.community.user)
        self.idle_for(client, 7200)
        assert client.get(cast.collab.get_absolute_url()).status_code == 200

    def test_zero_turns_it_off(self, settings, cast, client):
        settings.SESSION_IDLE_TIMEOUT = 0
        client.force_login(cast.backbone.user)
        self.idle_for(client, 7200)
        assert client.get(cast.collab.get_absolute_url()).status_code == 200


class TestAdminSignIn:
    @pytest.fixture
    def admin_user(self, db):
        return UserFactory(is_staff=True, is_superuser=True)

    def test_the_admin_page_takes_no_password(self, admin_user, client):
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": admin_user.email, "password": TEST_PASSWORD, "next": "/admin/"},
        )
        assert "_auth_user_id" not in client.session
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next=/admin/"

    def test_many_wrong_passwords_then_the_right_one_do_not_get_in(self, admin_user, client):
        for _ in range(25):
            client.post("/admin/login/", {"username": admin_user.email, "password": "wrong"})
        client.post("/admin/login/", {"username": admin_user.email, "password": TEST_PASSWORD})
        assert "_auth_user_id" not in client.session

    def test_the_sign_in_it_sends_to_locks_after_five_failures(self, admin_user, client):
        login = reverse("account_login")
        for _ in range(5):
            client.post(login, {"login": admin_user.email, "password": "wrong"})
        response = client.post(login, {"login": admin_user.email, "password": TEST_PASSWORD})
        assert response.status_code in (200, 429)
        assert "_auth_user_id" not in client.session

    def test_an_admin_page_leads_to_the_site_sign_in_and_back(self, admin_user, client):
        first = client.get("/admin/stakeholders/user/")
        assert first["Location"] == "/admin/login/?next=/admin/stakeholders/user/"
        second = client.get(first["Location"])
        assert second["Location"] == f"{reverse('account_login')}?next=/admin/stakeholders/user/"
        response = client.post(
            second["Location"], {"login": admin_user.email, "password": TEST_PASSWORD}
        )
        assert response["Location"] == "/admin/stakeholders/user/"

    def test_signed_in_admin_goes_to_the_admin(self, admin_user, client):
        client.force_login(admin_user)
        assert client.get("/admin/login/")["Location"] == "/admin/"

    def test_no_redirect_to_another_site(self, admin_user, client):
        client.force_login(admin_user)
        assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"

    def test_signed_in_person_without_admin_access_gets_403(self, cast, client):
        client.force_login(cast.backbone.user)
        assert client.get("/admin/login/").status_code == 403


def _role_queries(ctx) -> list[str]:
    """The queries that read someone's memberships (the roles that need a second factor)."""
    return [q["sql"] for q in ctx.captured_queries if "stakeholders_member" in q["sql"]]


class TestTheAnswerIsRemembered:
    """The session remembers whether its person must use a second factor for
    SECOND_FACTOR_RECHECK_SECONDS (issue 18): the idle timeout asks on every signed-in
    request, and the answer costs a query on the memberships."""

    PAGE = "/accounts/2fa/"  # a signed-in page that reads no membership itself

    @pytest.fixture(autouse=True)
    def _production(self, settings):
        settings.SESSION_IDLE_TIMEOUT = 1800  # as in production: it asks on every request
        settings.SECOND_FACTOR_RECHECK_SECONDS = 60

    @pytest.fixture
    def later(self, monkeypatch):
        """``later(seconds)``: the second-factor rules' clock moves on by that much."""
        real = time.time

        def _later(seconds: int) -> None:
            monkeypatch.setattr(
                second_factor, "time", SimpleNamespace(time=lambda: real() + seconds)
            )

        return _later

    def get(self, client, url=PAGE):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return response, _role_queries(ctx)

    @pytest.mark.parametrize("who", ["community", "backbone"])
    def test_a_fresh_answer_runs_no_role_query(self, cast, client, who):
        client.force_login(getattr(cast, who).user)
        response, first = self.get(client)
        assert response.status_code == 200
        assert first  # asked once
        response, again = self.get(client)
        assert response.status_code == 200
        assert again == []

    def test_after_the_bound_it_asks_again(self, cast, client, later):
        client.force_login(cast.community.user)
        self.get(client)
        later(59)
        assert self.get(client)[1] == []
        later(60)
        assert self.get(client)[1]
        assert self.get(client)[1] == []  # and remembers the new answer

    def test_zero_asks_on_every_request(self, settings, cast, client):
        settings.SECOND_FACTOR_RECHECK_SECONDS = 0
        client.force_login(cast.community.user)
        self.get(client)
        assert self.get(client)[1]

    def test_someone_promoted_to_backbone_staff_is_asked_within_the_bound(
        self, enforced, cast, client, later
    ):
        client.force_login(cast.community.user)
        url = cast.collab.get_absolute_url()
        assert client.get(url).status_code == 200
        cast.community.role = Member.Role.BACKBONE
        cast.community.save(update_fields=["role"])
        later(60)
        assert client.get(url)["Location"] == SETUP

    def test_someone_made_an_organization_admin_is_asked_too(self, enforced, cast, client):
        enforced.SECOND_FACTOR_RECHECK_SECONDS = 0
        client.force_login(cast.community.user)
        url = cast.collab.get_absolute_url()
        assert client.get(url).status_code == 200
        cast.community.role = Member.Role.ORG_ADMIN
        cast.community.organization = cast.org_a
        cast.community.save(update_fields=["role", "organization"])
        assert client.get(url)["Location"] == SETUP

    def test_accepting_a_backbone_invitation_asks_at_once(self, enforced, cast, client):
        person = UserFactory(email="new.backbone@example.org")
        _, token = services.invitation_create(
            actor=cast.backbone, email=person.email, role=Member.Role.BACKBONE
        )
        client.force_login(person)
        assert client.get(self.PAGE).status_code == 200  # remembered: not required
        response = client.post(reverse("invitation_accept", args=[token]))
        assert response.status_code == 302
        assert client.get(response["Location"])["Location"] == SETUP

    def test_a_remembered_required_keeps_the_idle_timeout_for_the_bound_only(
        self, cast, client, later
    ):
        client.force_login(cast.backbone.user)
        self.get(client)
        cast.backbone.is_active = False
        cast.backbone.save(update_fields=["is_active"])
        session = client.session
        session[IdleTimeoutMiddleware.SESSION_KEY] = int(time.time()) - 1801
        session.save()
        later(60)  # asked again: no role needs it now, so no idle timeout
        assert client.get(self.PAGE).status_code == 200
        assert client.session["_auth_user_id"] == str(cast.backbone.user.pk)

    def test_an_answer_for_someone_else_is_not_used(self, rf, cast):
        request = rf.get("/")
        request.user = cast.backbone.user
        request.session = {
            second_factor.SESSION_KEY: {
                "user": cast.community.user.pk,
                "required": False,
                "at": int(time.time()),
            }
        }
        assert second_factor.is_required(request) is True
        assert request.session[second_factor.SESSION_KEY]["user"] == cast.backbone.user.pk
