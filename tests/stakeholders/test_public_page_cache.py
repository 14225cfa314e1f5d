"""The public directory and the public quick wins, kept whole as rendered HTML for
signed-out visitors (reentry/pagecache.py; issue 18): served without a query, each
visitor with their own CSRF token, revalidated by ETag, and shown afresh as soon as a
service changes what they list."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stakeholders.directory.services import listings
from tests.stakeholders.directory_world import make_public, make_service, p_url
from workgroups.quickwins import services as quickwins
from workgroups.quickwins.models import QuickWin

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def listed(cast):
    make_public(cast.org_a)
    return make_service(cast.org_a, "Shelter beds")


def test_a_second_visitor_is_served_without_a_query(cast, listed, django_assert_num_queries):
    url = p_url("directory", cast.collab)
    first = Client().get(url)
    assert first.status_code == 200 and "Shelter beds" in first.content.decode()
    with django_assert_num_queries(0):
        second = Client().get(url)
    assert second.status_code == 200
    assert second.content.decode().count("Shelter beds") == first.content.decode().count(
        "Shelter beds"
    )


def test_each_visitor_gets_a_csrf_token_that_works(cast, listed):
    url = p_url("directory", cast.collab)
    first = Client().get(url).content.decode()  # rendered and kept
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url).content.decode()
    token = TOKEN.search(page).group(1)
    assert "\x00" not in page
    # The script tags carry this visitor's CSP nonce, not the first visitor's.
    assert NONCE.search(page).group(1) != NONCE.search(first).group(1)
    answer = visitor.post(
        reverse("set_language"), {"language": "es", "next": url, "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302


def test_a_browser_that_has_the_page_gets_304(cast, listed):
    url = p_url("directory", cast.collab)
    visitor = Client()
    first = visitor.get(url)
    etag = first["ETag"]
    assert "private" in first["Cache-Control"]
    again = visitor.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    # Another visitor (another CSRF cookie) cannot reuse that copy: it holds a token not theirs.
    other = Client().get(url, headers={"if-none-match": etag})
    assert other.status_code == 200


def test_a_change_through_the_services_shows_at_once(cast, django_capture_on_commit_callbacks):
    make_public(cast.org_b)
    rides = make_service(cast.org_b, "Court rides")
    make_service(cast.org_a, "Shelter beds")  # org A's profile is not public yet
    url = p_url("directory", cast.collab)
    page = Client().get(url).content.decode()
    assert "Court rides" in page and "Shelter beds" not in page
    with django_capture_on_commit_callbacks(execute=True):
        listings.service_update(actor=cast.staff_b, service=rides, name="Rides to court")
    assert "Rides to court" in Client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        listings.organization_profile_update(
            actor=cast.admin_a, organization=cast.org_a, sharing_level="public"
        )
    assert "Shelter beds" in Client().get(url).content.decode()


def test_signed_in_people_get_their_own_page(cast, listed, login):
    url = p_url("directory", cast.collab)
    Client().get(url)
    page = login(cast.staff_b).get(url).content.decode()
    assert "Sign out" in page


def test_another_collaborative_never_gets_this_ones_page(cast, listed):
    make_public(cast.org_x)
    make_service(cast.org_x, "Lakeside pantry")
    ours = Client().get(p_url("directory", cast.collab)).content.decode()
    theirs = Client().get(p_url("directory", cast.other_collab)).content.decode()
    assert "Shelter beds" in ours and "Lakeside pantry" not in ours
    assert "Lakeside pantry" in theirs and "Shelter beds" not in theirs


def test_each_language_is_kept_apart(cast, listed):
    url = p_url("directory", cast.collab)
    english = Client().get(url, headers={"accept-language": "en"})
    spanish = Client().get(url, headers={"accept-language": "es"})
    assert english["Content-Language"] == "en" and spanish["Content-Language"] == "es"
    assert 'lang="es"' in spanish.content.decode() and 'lang="en"' in english.content.decode()


def test_a_quick_win_finished_shows_on_the_public_page_at_once(
    cast, django_capture_on_commit_callbacks
):
    first = quickwins.quickwin_propose(
        actor=cast.staff_b, title="Bus passes", problem="p", key_areas=[cast.key_area]
    )
    QuickWin.objects.filter(pk=first.pk).update(status="done", done_at=timezone.now())
    url = reverse("public_quickwins:list", args=[cast.collab.slug])
    assert "Bus passes" in Client().get(url).content.decode()
    second = quickwins.quickwin_propose(
        actor=cast.staff_b, title="Court reminders", problem="p", key_areas=[cast.key_area]
    )
    QuickWin.objects.filter(pk=second.pk).update(status="in_progress")
    second.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        quickwins.quickwin_move(actor=cast.backbone, quick_win=second, status="done")
    assert "Court reminders" in Client().get(url).content.decode()
