"""base.html's menu addresses come from ``{% site_urls %}``, reversed once per
collaborative and script prefix (reentry/site/templatetags/nav.py)."""

import pytest
from django.urls import reverse, set_script_prefix

from reentry.site.templatetags import nav
from tests.factories import CollaborativeFactory


@pytest.fixture(autouse=True)
def _fresh():
    nav._urls.clear()
    yield
    set_script_prefix("/")
    nav._urls.clear()


@pytest.mark.django_db
def test_each_address_is_the_reversed_one_for_that_collaborative():
    first, second = CollaborativeFactory(), CollaborativeFactory()
    for collaborative in (first, second, first):
        urls = nav.site_urls(collaborative)
        assert urls["members"] == reverse("stakeholders:members", args=[collaborative.slug])
        assert urls["outcomes"] == reverse("casework:referral_outcomes", args=[collaborative.slug])
        assert urls["home"] == reverse("home")
    assert nav.site_urls(first)["members"] != nav.site_urls(second)["members"]


@pytest.mark.django_db
def test_without_a_collaborative_only_the_sites_own_pages():
    urls = nav.site_urls(None)
    assert urls["login"] == reverse("account_login")
    assert "members" not in urls


@pytest.mark.django_db
def test_a_site_under_a_path_prefix_gets_its_own_addresses():
    collaborative = CollaborativeFactory()
    plain = nav.site_urls(collaborative)["members"]
    set_script_prefix("/reentry/")
    assert nav.site_urls(collaborative)["members"] == "/reentry" + plain
