"""The API docs page renders in a real browser under the strict Content Security Policy,
and an organization admin's new token works in it."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_api_docs_render_without_csp_violations(page, url, live_server):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url("/api/docs/"))
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    assert page.get_by_text("/api/v1/collaboratives/{collaborative_slug}/organizations/").count()
    assert problems == []
