"""Token lifecycle: created, shown once, only a hash kept, and every way it stops working."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reentry.api.models import ApiToken
from reentry.api.services import api_token_revoke
from reentry.audit.models import AuditEvent
from stakeholders.models import Member

pytestmark = pytest.mark.django_db

COLLABS = "/api/v1/collaboratives/"


def test_token_has_the_documented_shape_and_only_its_hash_is_stored(cast, make_token):
    token, plain = make_token(cast.admin_a)
    assert plain.startswith(f"rc_{token.prefix}_")
    assert len(plain) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["token_hash"] == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in {str(v) for v in stored.values()}
    assert token.organization == cast.org_a
    assert token.created_by == cast.admin_a.user


def test_token_acts_as_its_creator(cast, make_token, token_client):
    _token, plain = make_token(cast.admin_a)
    response = token_client(plain).get(COLLABS)
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["results"]] == ["collab-a"]


def test_bearer_keyword_is_accepted_too(cast, make_token, token_client):
    _token, plain = make_token(cast.admin_a)
    assert token_client(plain, keyword="Bearer").get(COLLABS).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Token rc_nope_nope", "Token", "Token a b", "Bearer not-ours", "Token rc_abcd1234_x"],
)
def test_bad_token_gets_401(cast, client, header):
    response = client.get(COLLABS, headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_gets_401_with_token_challenge(cast, client):
    response = client.get(COLLABS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_revoked_token_gets_401_saying_so(cast, make_token, token_client):
    token, plain = make_token(cast.admin_a)
    client = token_client(plain)
    assert client.get(COLLABS).status_code == 200
    api_token_revoke(actor=cast.admin_a, token=token)
    response = client.get(COLLABS)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_expired_token_gets_401_saying_so(cast, make_token, token_client):
    token, plain = make_token(cast.admin_a, expires_at=timezone.now() + timedelta(days=1))
    client = token_client(plain)
    assert client.get(COLLABS).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(COLLABS)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    "change",
    [
        {"role": Member.Role.PROVIDER_STAFF},
        {"role": Member.Role.COMMUNITY, "organization": None},
        {"is_active": False},
        {"organization": "org_b"},
    ],
    ids=["demoted-to-staff", "demoted-to-community", "deactivated", "moved-to-org-b"],
)
def test_token_stops_when_creator_is_no_longer_an_admin_of_its_organization(
    cast, make_token, token_client, change
):
    _token, plain = make_token(cast.admin_a)
    client = token_client(plain)
    assert client.get(COLLABS).status_code == 200
    if change.get("organization") == "org_b":
        change["organization"] = cast.org_b
    Member.objects.filter(pk=cast.admin_a.pk).update(**change)
    response = client.get(COLLABS)
    assert response.status_code == 401
    assert "no longer an admin of Org A" in response.json()["detail"]


def test_token_stops_when_creators_account_is_deactivated(cast, make_token, token_client):
    _token, plain = make_token(cast.admin_a)
    type(cast.admin_a.user).objects.filter(pk=cast.admin_a.user.pk).update(is_active=False)
    assert token_client(plain).get(COLLABS).status_code == 401


def test_token_works_again_only_for_a_reinstated_admin(cast, make_token, token_client):
    _token, plain = make_token(cast.admin_a)
    Member.objects.filter(pk=cast.admin_a.pk).update(role=Member.Role.PROVIDER_STAFF)
    assert token_client(plain).get(COLLABS).status_code == 401
    Member.objects.filter(pk=cast.admin_a.pk).update(role=Member.Role.ORG_ADMIN)
    assert token_client(plain).get(COLLABS).status_code == 200


def _token_updates(ctx) -> int:
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].startswith("UPDATE") and ApiToken._meta.db_table in q["sql"]
    )


def test_last_used_is_recorded_on_first_use(cast, make_token, token_client):
    token, plain = make_token(cast.admin_a)
    assert token.last_used_at is None
    token_client(plain).get(COLLABS)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)


def test_last_used_is_written_at_most_once_a_minute(cast, make_token, token_client):
    token, plain = make_token(cast.admin_a)
    client = token_client(plain)
    with CaptureQueriesContext(connection) as first:
        client.get(COLLABS)
    with CaptureQueriesContext(connection) as again:
        for _ in range(3):
            client.get(COLLABS)
    assert _token_updates(first) == 1
    assert _token_updates(again) == 0
    # A minute later the next request records the use again.
    earlier = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    with CaptureQueriesContext(connection) as later:
        client.get(COLLABS)
    assert _token_updates(later) == 1
    token.refresh_from_db()
    assert token.last_used_at > earlier


def test_create_and_revoke_are_audited(cast, make_token):
    token, plain = make_token(cast.admin_a)
    api_token_revoke(actor=cast.backbone, token=token)
    created = AuditEvent.objects.get(action="api_token.created")
    revoked = AuditEvent.objects.get(action="api_token.revoked")
    assert created.actor == cast.admin_a.user
    assert created.collaborative == cast.collab
    assert created.object_id == str(token.public_id)
    assert revoked.actor == cast.backbone.user
    assert revoked.collaborative == cast.collab
    assert plain not in str(created.details) + str(revoked.details)


def test_only_org_admins_can_create_tokens(cast, make_token):
    from django.core.exceptions import PermissionDenied

    for member in (cast.backbone, cast.staff_a, cast.community, cast.observer):
        with pytest.raises(PermissionDenied):
            make_token(member)
    assert not ApiToken.objects.exists()


def test_revoking_twice_is_refused(cast, make_token):
    from django.core.exceptions import ValidationError

    token, _plain = make_token(cast.admin_a)
    api_token_revoke(actor=cast.admin_a, token=token)
    with pytest.raises(ValidationError):
        api_token_revoke(actor=cast.admin_a, token=token)
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_admin_of_another_organization_cannot_revoke(cast, make_token, admin_b):
    from django.core.exceptions import PermissionDenied

    token, _plain = make_token(cast.admin_a)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=admin_b, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
