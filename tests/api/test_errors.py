"""JSON everywhere under /api/ (unknown addresses, the API root) and one error shape,
documented on every operation that can answer it and checked against real answers."""

import json

import pytest
from django.test import Client

from reentry.api.errors import validation_body
from tests.api.openapi import ERROR_REFS, assert_documented, operation_for, operations, spec

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


# --- JSON everywhere under /api/ ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/",
        "/api/nothing-here/",
        "/api/v2/",
        "/api/v1/no-such-resource/",
        "/api/v1/collaboratives/collab-a/no-such-resource/",
        "/api/v1/collaboratives/collab-a/key-areas/not-a-uuid/",
    ],
)
def test_unknown_api_address_is_a_json_404(cast, login, url):
    response = login(cast.backbone).get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "/api/v1/" in response.json()["detail"]
    assert set(response.json()) == {"detail"}


def test_unknown_api_address_is_json_for_anonymous_visitors_and_any_method(client):
    for method in (client.get, client.post, client.delete):
        response = method("/api/v1/nope/")
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


def test_an_address_without_its_final_slash_is_redirected_as_elsewhere(client):
    response = client.get("/api/v1/collaboratives?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/collaboratives/?page=2"


def test_a_write_without_the_final_slash_is_told_where_to_go(client):
    response = client.post("/api/v1/collaboratives", {})
    assert response.status_code == 404
    assert "/api/v1/collaboratives/" in response.json()["detail"]


def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- the API root -----------------------------------------------------------------------------


def test_api_root_lists_every_resource_with_its_address(client):
    response = client.get(f"{V1}/")
    assert response.status_code == 200
    body = response.json()
    assert body["collaboratives"] == "http://testserver/api/v1/collaboratives/"
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"
    scoped = body["collaborative_resources"]
    assert scoped["key-areas"] == (
        "http://testserver/api/v1/collaboratives/{collaborative_slug}/key-areas/"
    )
    assert scoped["mentoring-programs"].endswith(
        "/collaboratives/{collaborative_slug}/mentoring/programs/"
    )
    # Every list of the schema is in the root, and nothing else.
    lists = {
        path
        for method, path, _op in operations()
        if method == "GET"
        and path.startswith(V1)
        and "{public_id}" not in path
        and "{slug}" not in path
        and "{id}" not in path
        and path != f"{V1}/"
    }
    listed = {url.removeprefix("http://testserver") for url in scoped.values()}
    assert listed | {f"{V1}/collaboratives/"} == lists


def test_every_address_of_the_root_answers_a_member(cast, login):
    client = login(cast.backbone)
    body = client.get(f"{V1}/").json()
    assert client.get(body["collaboratives"]).status_code == 200
    for name, template in body["collaborative_resources"].items():
        url = template.replace("{collaborative_slug}", cast.collab.slug)
        params = {"indicator": "none"} if name == "observations" else {}
        status = client.get(url, params).status_code
        # observations need an indicator: a 404 for one that does not exist.
        assert status == (404 if name == "observations" else 200), (name, status)


def test_api_root_is_in_the_schema():
    responses = operation_for("GET", f"{V1}/")["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiRoot"
    }


# --- one error shape ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "body"),
    [
        ("Send your choices.", {"non_field_errors": ["Send your choices."]}),
        (["One.", "Two."], {"non_field_errors": ["One.", "Two."]}),
        ({"choices": "Send your choices."}, {"choices": ["Send your choices."]}),
        ({"detail": ["Not now."]}, {"non_field_errors": ["Not now."]}),
        ({"identity": {"phone": "Too long."}}, {"identity": {"phone": ["Too long."]}}),
        ({"rows": [{}, {"name": ["Empty."]}]}, {"rows": {"1": {"name": ["Empty."]}}}),
    ],
)
def test_validation_errors_come_in_one_shape(raised, body):
    assert validation_body(raised) == body


def _error_schemas(operation) -> dict[str, str]:
    return {
        status: response.get("content", {})
        .get("application/json", {})
        .get("schema", {})
        .get("$ref", "")
        for status, response in operation["responses"].items()
        if status >= "400"
    }


def test_every_error_of_every_operation_references_the_error_schema():
    assert len(operations()) > 40
    for method, path, operation in operations():
        errors = _error_schemas(operation)
        assert errors, (method, path)
        for status, ref in errors.items():
            assert ref in ERROR_REFS, (method, path, status, ref)
        if "400" in errors:
            assert errors["400"] == "#/components/schemas/ValidationError", (method, path)


def test_every_operation_documents_the_errors_it_can_answer():
    for method, path, operation in operations():
        documented = set(operation["responses"])
        where = (method, path, sorted(documented))
        assert {"401", "429"} <= documented, where
        if "{" in path:
            assert "404" in documented, where
        if method != "GET":
            assert {"400", "403"} <= documented, where
        is_list = (
            method == "GET"
            and "200" in documented
            and "results" in json.dumps(operation["responses"]["200"])
        )
        if is_list or (
            method == "GET" and any(p["in"] == "query" for p in operation.get("parameters", []))
        ):
            assert "400" in documented, where


def test_retry_after_is_documented_with_every_429():
    for method, path, operation in operations():
        assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)


def test_the_error_components_are_one_shape():
    schemas = spec()["components"]["schemas"]
    assert schemas["Error"]["required"] == ["detail"]
    assert schemas["ValidationError"]["additionalProperties"] == {
        "$ref": "#/components/schemas/FieldErrors"
    }


# --- real answers against the schema -------------------------------------------------------


def test_not_found_answers_as_documented(cast, login):
    assert_documented(login(cast.outsider).get(f"{V1}/collaboratives/{cast.collab.slug}/sectors/"))


def test_unauthenticated_answers_as_documented(client, cast):
    response = client.get(f"{V1}/collaboratives/{cast.collab.slug}/members/")
    assert response.status_code == 401
    assert_documented(response)


def test_a_bad_token_answers_as_documented(cast):
    client = Client(headers={"Authorization": "Token rc_nope_nope"})
    response = client.get(f"{V1}/collaboratives/")
    assert response.status_code == 401
    assert_documented(response)


def test_forbidden_answers_as_documented(cast, login):
    response = login(cast.community).get(f"{V1}/collaboratives/{cast.collab.slug}/members/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only staff see the members of a collaborative."}
    assert_documented(response)


def test_a_page_past_the_end_answers_as_documented(cast, login):
    response = login(cast.backbone).get(f"{V1}/collaboratives/", {"page": 99})
    assert response.status_code == 404
    assert_documented(response)
