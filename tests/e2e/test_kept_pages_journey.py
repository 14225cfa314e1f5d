"""Pages kept whole (reentry/pagecache.py, issue 18), in a real browser.

A staff member keeps the organizations list open during a meeting at 1280 px: a reload
shows the same page (kept), a new organization shows on the next reload, and the forms of
a kept page still post (its CSRF token is the session's own): changing the language, then
signing out. A visitor on a 390 px phone with JavaScript off opens the public dashboard
twice (the second answered by the front door) and changes its language with the page's
own form."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from stakeholders.models import Organization
from tests.caches import clear_caches
from tests.factories import TEST_PASSWORD, OrganizationFactory
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_a_kept_list_shows_changes_and_its_forms_still_post(browser, sign_in, url, cast):
    clear_caches()
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, cast.staff_a.user.email, TEST_PASSWORD)
    address = url(reverse("stakeholders:organizations", args=[cast.collab.slug]))
    page.goto(address)
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Org B")).to_be_visible()

    page.reload()  # kept: the same page
    expect(main.get_by_role("link", name="Org B")).to_be_visible()
    expect(main.get_by_role("link", name="Org Zebra")).to_have_count(0)

    OrganizationFactory(collaborative=cast.collab, sector=cast.sector1, name="Org Zebra")
    page.reload()
    expect(main.get_by_role("link", name="Org Zebra")).to_be_visible()

    # The language form of the kept page posts with the token put back into it.
    page.select_option("#lang-select", "es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(address)
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.get_by_role("button", name="Cerrar sesión").click()
    page.goto(address)  # signed out: the sign-in page, never the kept list
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))


def test_a_visitor_changes_the_language_of_a_dashboard_from_the_front_door(browser, url, cast):
    clear_caches()
    Organization.objects.filter(pk=cast.org_a.pk).update(sharing_level="public")
    headline = indicator_of(cast, "HOUS-1", name="People housed", is_public=True, is_headline=True)
    observe(
        make_dataset(cast, cast.org_a, level="public", title="Public figures"),
        headline,
        year(2024),
        1234,
    )
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    address = url(reverse("public_indicators:dashboard", args=[cast.collab.slug]))
    page.goto(address)  # the whole stack: it gives the visitor a CSRF cookie
    expect(page.get_by_text("1,234").first).to_be_visible()
    second = page.goto(address)  # the front door
    assert second is not None and second.status == 200
    expect(page.get_by_text("1,234").first).to_be_visible()

    page.get_by_text("Menu").click()  # the phone's menu holds the language form
    page.select_option("#lang-select", "es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(address)
