import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

DOCS = "/api/docs/"


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in [
        "/api/v1/collaboratives/",
        "/api/v1/collaboratives/{slug}/",
        "/api/v1/collaboratives/{collaborative_slug}/key-areas/",
        "/api/v1/collaboratives/{collaborative_slug}/sectors/{public_id}/",
        "/api/v1/collaboratives/{collaborative_slug}/organizations/{public_id}/",
        "/api/v1/collaboratives/{collaborative_slug}/members/",
    ]:
        assert f"  {path}:" in text, path
    assert "apiToken:" in text


def test_schema_is_served_to_anyone(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Reentry Commons API"


def test_docs_page_has_no_inline_script_or_style(client):
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts), scripts
    assert "<style" not in html
    assert " style=" not in html


def test_docs_page_keeps_the_strict_csp(client):
    csp = client.get(DOCS)["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_docs_assets_come_from_our_static_files_not_a_cdn(client):
    html = client.get(DOCS).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset  # same origin, never https://cdn…
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in a for a in assets)


def test_docs_init_script_is_served_as_javascript(client):
    html = client.get(DOCS).content.decode()
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    response = client.get(script_url.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in response.content
    assert b"/api/schema/" in response.content


def test_a_path_parameter_is_named_after_the_body_field_that_carries_it():
    """Issue 17: services and locations took {public_id} in the path but said id in the
    body. One convention: the record's path parameter is the name of its body field."""
    from tests.api.openapi import operations, spec

    schemas = spec()["components"]["schemas"]
    checked = 0
    for method, path, operation in operations():
        if method != "GET" or not path.startswith("/api/v1/") or not path.endswith("}/"):
            continue
        name = path.rstrip("/").rsplit("/", 1)[-1].strip("{}")
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        properties = schemas[body["$ref"].rsplit("/", 1)[-1]]["properties"]
        assert name in properties, (path, name, sorted(properties))
        parameter = next(p for p in operation["parameters"] if p["name"] == name)
        assert parameter["description"], path
        checked += 1
    assert checked >= 20
    paths = spec()["paths"]
    assert "/api/v1/collaboratives/{collaborative_slug}/services/{id}/" in paths
    assert "/api/v1/collaboratives/{collaborative_slug}/locations/{id}/" in paths


def test_observations_document_the_indicator_code():
    from tests.api.openapi import operation_for

    operation = operation_for("GET", "/api/v1/collaboratives/collab-a/observations/")
    indicator = next(p for p in operation["parameters"] if p["name"] == "indicator")
    assert "code" in indicator["description"]
