"""The casework API for providers' case systems: participants, service logs, consents and
referrals under rule 7, with organization tokens; idempotent creates."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Enrolment, IdempotencyKey, Participant, Referral, ServiceLog
from casework.notices import PART2_NOTICE
from casework.services import consents, logs
from reentry.api.services import api_token_create
from stakeholders.models import Member
from tests.factories import MemberFactory

BASE = "/api/v1/collaboratives/collab-a"
ENDPOINTS = ["participants", "service-logs", "consents", "referrals"]


@pytest.fixture
def token_for():
    """``token_for(member)``: a client sending a fresh token of the member's organization."""

    def _make(member) -> Client:
        member = Member.objects.select_related("organization", "collaborative").get(pk=member.pk)
        _token, plain = api_token_create(actor=member, name="Case system")
        return Client(headers={"Authorization": f"Token {plain}"})

    return _make


@pytest.fixture
def admins(casebook):
    cast = casebook.cast
    return {
        "a": cast.admin_a,
        "b": MemberFactory(
            collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_b
        ),
        "c": MemberFactory(
            collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_c
        ),
        "x": MemberFactory(
            collaborative=cast.other_collab, role=Member.Role.ORG_ADMIN, organization=cast.org_x
        ),
    }


@pytest.fixture
def referral(casebook):
    """Org A refers Pat to Org B for housing, under the consent to Org B."""
    return Referral.objects.create(
        collaborative=casebook.collab,
        participant=casebook.pat,
        from_organization=casebook.cast.org_a,
        from_enrolment=casebook.pat_a,
        to_organization=casebook.cast.org_b,
        key_area=casebook.housing,
        consent=casebook.to_b,
        reason="Needs a flat",
        sent_by=casebook.cast.staff_a.user,
    )


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["public_id"] for row in response.json()["results"]}


def log_body(casebook, **extra):
    body = {
        "participant": str(casebook.pat.public_id),
        "key_area": "housing",
        "delivered_on": casebook.collab.today().isoformat(),
        "duration_minutes": 30,
        "notes": "From the case system",
    }
    body.update(extra)
    return body


# --- who gets in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_401(casebook, client, endpoint):
    assert client.get(f"{BASE}/{endpoint}/").status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_token_of_another_collaborative_gets_404(casebook, admins, token_for, endpoint):
    client = token_for(admins["x"])
    assert client.get(f"{BASE}/{endpoint}/").status_code == 404
    assert client.post(f"{BASE}/{endpoint}/", {}, content_type="application/json").status_code in (
        404,
        405,
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_member_of_another_collaborative_gets_404(casebook, login, endpoint):
    client = login(casebook.cast.outsider)
    assert client.get(f"{BASE}/{endpoint}/").status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_own_token_gets_200(casebook, admins, token_for, endpoint):
    assert token_for(admins["a"]).get(f"{BASE}/{endpoint}/").status_code == 200


@pytest.mark.parametrize("endpoint", ["consents", "referrals"])
def test_read_only_endpoints_take_no_post(casebook, admins, token_for, endpoint):
    """Consents and referrals are read here; a POST with any body is refused as a method
    the endpoint does not have, never handed to a create hook it does not define."""
    client = token_for(admins["a"])
    body = {"purpose": "Housing", "reason": "Needs a flat"}
    response = client.post(f"{BASE}/{endpoint}/", body, content_type="application/json")
    assert response.status_code == 405


# --- what a token sees ---------------------------------------------------------------------------


def test_service_logs_ours_and_shared_never_others(casebook, admins, token_for):
    seen_a = ids(token_for(admins["a"]).get(f"{BASE}/service-logs/"))
    assert {str(casebook.log_housing.public_id), str(casebook.log_employment.public_id)} <= seen_a
    assert str(casebook.rae_log.public_id) not in seen_a  # Part 2, consent does not name it
    seen_b = ids(token_for(admins["b"]).get(f"{BASE}/service-logs/"))
    assert str(casebook.log_housing.public_id) in seen_b  # the consent to B covers housing
    assert str(casebook.log_employment.public_id) not in seen_b
    seen_c = ids(token_for(admins["c"]).get(f"{BASE}/service-logs/"))
    assert str(casebook.log_housing.public_id) not in seen_c  # revoked
    assert str(casebook.rae_log.public_id) in seen_c  # Part 2, named explicitly


def test_other_orgs_token_gets_404_on_our_records(casebook, admins, token_for, referral):
    client = token_for(admins["c"])
    for path in (
        f"service-logs/{casebook.log_employment.public_id}",
        f"participants/{casebook.pat.public_id}",
        f"consents/{casebook.to_b.public_id}",
        f"referrals/{referral.public_id}",
    ):
        assert client.get(f"{BASE}/{path}/").status_code == 404, path
    assert str(casebook.pat.public_id) not in ids(client.get(f"{BASE}/participants/"))
    assert ids(client.get(f"{BASE}/referrals/")) == set()


def test_part2_records_carry_the_notice(casebook, admins, token_for):
    client = token_for(admins["c"])
    body = client.get(f"{BASE}/service-logs/{casebook.rae_log.public_id}/").json()
    assert body["part2_notice"] == str(PART2_NOTICE)
    consent = client.get(f"{BASE}/consents/{casebook.rae_to_c_part2.public_id}/").json()
    assert consent["part2_notice"] == str(PART2_NOTICE)
    own = token_for(admins["b"]).get(f"{BASE}/service-logs/{casebook.rae_log.public_id}/")
    assert own.json()["part2_notice"] is None  # the program itself
    plain = token_for(admins["b"]).get(f"{BASE}/service-logs/{casebook.log_housing.public_id}/")
    assert plain.json()["part2_notice"] is None


def test_participants_carry_our_enrolment_and_never_a_name(casebook, admins, token_for):
    rows = token_for(admins["a"]).get(f"{BASE}/participants/").json()["results"]
    pat = next(r for r in rows if r["public_id"] == str(casebook.pat.public_id))
    assert pat["code"] == casebook.pat.code
    assert pat["enrolment"]["public_id"] == str(casebook.pat_a.public_id)
    assert set(pat["enrolment"]["needs"]) == {"housing", "employment"}
    assert "Pat" not in str(rows) and "Doe" not in str(rows)
    rows_b = token_for(admins["b"]).get(f"{BASE}/participants/").json()["results"]
    pat_b = next(r for r in rows_b if r["public_id"] == str(casebook.pat.public_id))
    assert pat_b["enrolment"] is None  # seen through the consent; not served by Org B


def test_token_does_not_see_its_creators_own_record(casebook, admins, token_for):
    """The token acts as its organization: its creator's own record as a participant
    (held by another organization) is not the organization's to see."""
    admin_c = admins["c"]
    Participant.objects.filter(pk=casebook.pat.pk).update(user=admin_c.user)
    client = token_for(admin_c)
    assert str(casebook.log_employment.public_id) not in ids(client.get(f"{BASE}/service-logs/"))
    assert str(casebook.pat.public_id) not in ids(client.get(f"{BASE}/participants/"))
    # Signed in as themself, the person does see their own record.
    session = Client()
    session.force_login(admin_c.user)
    assert str(casebook.log_employment.public_id) in ids(session.get(f"{BASE}/service-logs/"))


def test_revoked_consent_leaves_the_next_api_call(casebook, admins, token_for, referral):
    client = token_for(admins["b"])
    assert str(casebook.log_housing.public_id) in ids(client.get(f"{BASE}/service-logs/"))
    assert str(referral.public_id) in ids(client.get(f"{BASE}/referrals/"))
    consents.consent_revoke(user=casebook.cast.staff_a.user, consent=casebook.to_b)
    assert str(casebook.log_housing.public_id) not in ids(client.get(f"{BASE}/service-logs/"))
    assert str(referral.public_id) not in ids(client.get(f"{BASE}/referrals/"))
    assert client.get(f"{BASE}/consents/{casebook.to_b.public_id}/").status_code == 404


def test_referrals_sent_and_received(casebook, admins, token_for, referral):
    sent = token_for(admins["a"]).get(f"{BASE}/referrals/", {"direction": "sent"})
    assert ids(sent) == {str(referral.public_id)}
    received = token_for(admins["b"]).get(f"{BASE}/referrals/", {"direction": "received"})
    row = received.json()["results"][0]
    assert row["from_organization"]["name"] == "Org A" and row["reason"] == "Needs a flat"
    assert token_for(admins["b"]).get(f"{BASE}/referrals/", {"status": "nope"}).status_code == 400


def test_service_log_list_query_count_is_flat(casebook, admins, token_for):
    client = token_for(admins["a"])
    client.get(f"{BASE}/service-logs/")  # the token's last-used write, out of the way

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{BASE}/service-logs/", {"ours": "true"})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    few, n_few = count()
    for i in range(25):
        logs.service_log(
            actor=casebook.cast.staff_a,
            enrolment=casebook.pat_a,
            key_area=casebook.housing,
            delivered_on=casebook.collab.today() - timedelta(days=i),
        )
    many, n_many = count()
    assert (n_few, n_many) == (2, 27)
    assert few == many


def test_service_logs_page_by_keyset(casebook, admins, token_for):
    for i in range(5):
        logs.service_log(
            actor=casebook.cast.staff_a,
            enrolment=casebook.pat_a,
            key_area=casebook.housing,
            delivered_on=casebook.collab.today() - timedelta(days=i + 1),
        )
    client = token_for(admins["a"])
    first = client.get(f"{BASE}/service-logs/", {"ours": "true", "page_size": 4}).json()
    assert len(first["results"]) == 4 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 3 and second["next"] is None
    assert not {r["public_id"] for r in first["results"]} & {
        r["public_id"] for r in second["results"]
    }


# --- creating -----------------------------------------------------------------------------


def test_create_service_log(casebook, admins, token_for):
    client = token_for(admins["a"])
    response = client.post(
        f"{BASE}/service-logs/", log_body(casebook), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    log = ServiceLog.objects.get(public_id=response.json()["public_id"])
    assert log.organization == casebook.cast.org_a and log.enrolment == casebook.pat_a
    assert log.created_by == admins["a"].user


def test_create_by_code_and_clear_errors(casebook, admins, token_for):
    client = token_for(admins["a"])
    body = log_body(casebook, participant_code=casebook.pat.code.lower())
    del body["participant"]
    assert (
        client.post(f"{BASE}/service-logs/", body, content_type="application/json").status_code
        == 201
    )
    quinn_code = casebook.quinn_c.participant.code
    body = log_body(casebook, participant_code=quinn_code, key_area="nowhere")
    del body["participant"]
    response = client.post(f"{BASE}/service-logs/", body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["participant_code"] == [
        f"No participant with code {quinn_code} is served by your organization."
    ]
    assert "nowhere" in errors["key_area"][0]


def test_idempotent_retry_creates_one_row(casebook, admins, token_for):
    client = token_for(admins["a"])
    before = ServiceLog.objects.count()
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post(
        f"{BASE}/service-logs/",
        log_body(casebook),
        content_type="application/json",
        headers=headers,
    )
    again = client.post(
        f"{BASE}/service-logs/",
        log_body(casebook),
        content_type="application/json",
        headers=headers,
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ServiceLog.objects.count() == before + 1


def test_same_key_other_body_is_422(casebook, admins, token_for):
    client = token_for(admins["a"])
    headers = {"Idempotency-Key": "retry-2"}
    client.post(
        f"{BASE}/service-logs/",
        log_body(casebook),
        content_type="application/json",
        headers=headers,
    )
    other = client.post(
        f"{BASE}/service-logs/",
        log_body(casebook, duration_minutes=60),
        content_type="application/json",
        headers=headers,
    )
    assert other.status_code == 422
    assert "another body" in other.json()["detail"]


def test_keys_are_per_organization_and_expire_after_a_day(casebook, admins, token_for):
    headers = {"Idempotency-Key": "shared-key"}
    before = ServiceLog.objects.count()
    token_for(admins["a"]).post(
        f"{BASE}/service-logs/",
        log_body(casebook),
        content_type="application/json",
        headers=headers,
    )
    rae_body = log_body(casebook, participant=str(casebook.rae_b.participant.public_id))
    response = token_for(admins["b"]).post(
        f"{BASE}/service-logs/", rae_body, content_type="application/json", headers=headers
    )
    assert response.status_code == 201  # another organization's key space
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = token_for(admins["a"]).post(
        f"{BASE}/service-logs/",
        log_body(casebook, duration_minutes=60),
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 201  # the old key was forgotten
    assert ServiceLog.objects.count() == before + 3
    assert logs.idempotency_keys_expire(now=timezone.now() + timedelta(hours=25)) == 2


def test_failed_create_keeps_no_key(casebook, admins, token_for):
    client = token_for(admins["a"])
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = client.post(
        f"{BASE}/service-logs/",
        log_body(casebook, key_area="nowhere"),
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400
    good = client.post(
        f"{BASE}/service-logs/",
        log_body(casebook),
        content_type="application/json",
        headers=headers,
    )
    assert good.status_code == 201


def test_create_participant_idempotently(casebook, admins, token_for):
    client = token_for(admins["a"])
    body = {
        "release_date": "2026-01-15",
        "needs": ["housing"],
        "identity": {"given_name": "Robin", "family_name": "Vale"},
    }
    headers = {"Idempotency-Key": "enrol-robin"}
    before = Enrolment.objects.count()
    first = client.post(
        f"{BASE}/participants/", body, content_type="application/json", headers=headers
    )
    again = client.post(
        f"{BASE}/participants/", body, content_type="application/json", headers=headers
    )
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json()
    assert Enrolment.objects.count() == before + 1
    answer = first.json()
    assert answer["enrolment"]["needs"] == ["housing"] and "Robin" not in str(answer)
    enrolment = Enrolment.objects.get(public_id=answer["enrolment"]["public_id"])
    assert enrolment.organization == casebook.cast.org_a
    assert enrolment.identity.full_name == "Robin Vale"


def test_create_participant_rejects_unknown_needs(casebook, admins, token_for):
    response = token_for(admins["a"]).post(
        f"{BASE}/participants/", {"needs": ["flying"]}, content_type="application/json"
    )
    assert response.status_code == 400 and "flying" in str(response.json())


def test_people_who_keep_no_casework_cannot_create(casebook, login):
    client = login(casebook.cast.community)
    response = client.post(
        f"{BASE}/service-logs/", log_body(casebook), content_type="application/json"
    )
    assert response.status_code == 403
    assert client.get(f"{BASE}/service-logs/").json()["results"] == []


def test_session_caseworker_creates_too(casebook, login):
    client = login(casebook.cast.staff_a)
    response = client.post(
        f"{BASE}/service-logs/", log_body(casebook), content_type="application/json"
    )
    assert response.status_code == 201


def test_cannot_log_for_someone_another_org_serves(casebook, admins, token_for):
    body = log_body(casebook, participant=str(casebook.quinn_c.participant.public_id))
    response = token_for(admins["a"]).post(
        f"{BASE}/service-logs/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["participant"] == [
        "No participant with this id is served by your organization."
    ]


def test_schema_documents_the_casework_endpoints(casebook, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    path = schema["paths"]["/api/v1/collaboratives/{collaborative_slug}/service-logs/"]
    assert {"200", "401", "404"} <= set(path["get"]["responses"])
    assert {"201", "400", "401", "403", "404", "422"} <= set(path["post"]["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in path["post"]["parameters"])
    assert "/api/v1/collaboratives/{collaborative_slug}/referrals/{public_id}/" in schema["paths"]


def test_the_beat_forgets_idempotency_keys_through_a_task_a_worker_knows(casebook):
    from django.conf import settings

    from reentry.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["casework-idempotency-keys-expire"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert app.tasks[entry["task"]].apply().get() == 0


def test_casework_errors_answer_in_the_documented_shape(casebook, admins, token_for, login):
    """Issue 17: 400, 403, 404 and 422 of the casework endpoints validate against the
    schema's error components."""
    from tests.api.openapi import assert_documented

    client = token_for(admins["a"])
    headers = {"Idempotency-Key": "shape-1"}
    client.post(
        f"{BASE}/service-logs/",
        log_body(casebook),
        content_type="application/json",
        headers=headers,
    )
    conflict = client.post(
        f"{BASE}/service-logs/",
        log_body(casebook, duration_minutes=61),
        content_type="application/json",
        headers=headers,
    )
    invalid = client.post(
        f"{BASE}/participants/",
        {"needs": ["flying"], "identity": {"date_of_birth": "soon"}},
        content_type="application/json",
    )
    forbidden = login(casebook.cast.community).post(
        f"{BASE}/service-logs/", log_body(casebook), content_type="application/json"
    )
    missing = client.get(f"{BASE}/referrals/{casebook.pat.public_id}/")
    assert [r.status_code for r in (conflict, invalid, forbidden, missing)] == [422, 400, 403, 404]
    assert invalid.json()["identity"] == {
        "date_of_birth": [invalid.json()["identity"]["date_of_birth"][0]]
    }
    for response in (conflict, invalid, forbidden, missing):
        assert_documented(response)
