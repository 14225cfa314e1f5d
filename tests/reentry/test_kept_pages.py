"""Signed-in list pages kept whole per session while the database has not changed
(``reentry.pagecache.kept_page``, issue 18): a reload runs none of the page's queries and
shows the same page; any write shows the change at once; nothing kept for one person is
ever served to another.

The database's position moves with every write of every test running beside this one
(pytest-xdist), so the tests that count a reload's queries hold the position still; the
real position is tested on its own."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.messages import INFO
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.urls import reverse

from reentry import pagecache
from stakeholders.models import Organization
from tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pages are kept on PostgreSQL only"
    ),
]

VISITOR = re.compile(r'(nonce|value)="[^"]*"')


def same(text: str) -> str:
    """The page without what differs from request to request (CSP nonce, CSRF tokens)."""
    return VISITOR.sub("", text)


@pytest.fixture
def still():
    """Hold the database's position still (other tests write beside this one)."""
    with mock.patch.object(pagecache, "database_position", return_value="0/1") as position:
        yield position


def url(cast, name="stakeholders:organizations", slug=None):
    return reverse(name, kwargs={"slug": slug or cast.collab.slug})


def test_the_position_moves_with_every_write(cast):
    before = pagecache.database_position()
    assert before
    OrganizationFactory(collaborative=cast.collab, sector=cast.sector1, name="Org New")
    assert pagecache.database_position() != before


def test_a_reload_runs_none_of_the_pages_queries(cast, login, still, django_assert_num_queries):
    client = login(cast.staff_a)
    first = client.get(url(cast))
    assert first.status_code == 200 and "Org B" in first.content.decode()
    with django_assert_num_queries(1):  # the signed-in person, as on every page
        again = client.get(url(cast))
    assert again.status_code == 200
    assert same(again.content.decode()) == same(first.content.decode())
    assert "\x00" not in again.content.decode()
    # The session's own CSRF token and this request's own nonce are put back.
    assert 'name="csrfmiddlewaretoken" value="' in again.content.decode()
    nonces = [re.findall(r'nonce="([^"]+)"', r.content.decode()) for r in (first, again)]
    assert nonces[0] and nonces[1] and set(nonces[0]).isdisjoint(nonces[1])


def test_every_form_gets_a_working_token(cast, login, still):
    """A kept page's forms post: the token put back is the session's own."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.backbone.user)
    client.get(url(cast))
    kept = client.get(url(cast)).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept)
    assert tokens
    response = client.post(
        reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": tokens[-1]}
    )
    assert response.status_code == 302


def test_a_write_shows_at_once(cast, login):
    client = login(cast.staff_a)
    assert "Org Zebra" not in client.get(url(cast)).content.decode()
    OrganizationFactory(collaborative=cast.collab, sector=cast.sector1, name="Org Zebra")
    assert "Org Zebra" in client.get(url(cast)).content.decode()
    Organization.objects.filter(name="Org Zebra").update(name="Org Yak")
    text = client.get(url(cast)).content.decode()
    assert "Org Yak" in text and "Org Zebra" not in text


def test_nothing_kept_for_one_person_reaches_another(cast, login, still):
    """Two people at the same position: each sees their own page (the member list shows
    contact details to staff only), and another collaborative's member still gets 404."""
    staff = Client()
    staff.force_login(cast.backbone.user)
    community = Client()
    community.force_login(cast.community.user)
    members = url(cast, "stakeholders:members")
    staff_page = staff.get(members).content.decode()
    community_page = community.get(members).content.decode()
    assert same(staff.get(members).content.decode()) == same(staff_page)
    assert same(community.get(members).content.decode()) == same(community_page)
    assert same(staff_page) != same(community_page)
    outsider = Client()
    outsider.force_login(cast.outsider.user)
    assert outsider.get(members).status_code == 404
    assert outsider.get(url(cast)).status_code == 404
    # Signed out: the sign-in page, never a kept page.
    assert Client().get(members).status_code == 302


def test_each_session_keeps_its_own(cast, still):
    phone, laptop = Client(), Client()
    phone.force_login(cast.staff_a.user)
    laptop.force_login(cast.staff_a.user)
    phone.get(url(cast))
    # The laptop's first visit renders: nothing of the phone's session is reused.
    with mock.patch.object(pagecache, "_keepable", wraps=pagecache._keepable) as kept:
        laptop.get(url(cast))
    assert kept.called


def test_waiting_messages_and_other_addresses_render_afresh(cast, login, still, rf):
    client = login(cast.staff_a)
    client.get(url(cast))
    with mock.patch.object(pagecache, "_keepable", wraps=pagecache._keepable) as kept:
        client.get(url(cast), {"sector": cast.sector2.slug})
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        client.get(url(cast))
        client.get(url(cast), headers={"hx-request": "true"})
    assert kept.call_count == 3
    # A message waiting to be shown: the page is rendered, with it.
    client.cookies["messages"] = CookieStorage(rf.get("/"))._encode([Message(INFO, "Saved.")])
    assert "Saved." in client.get(url(cast)).content.decode()


def test_a_new_minute_renders_afresh(cast, login, still):
    client = login(cast.staff_a)
    with mock.patch.object(pagecache.time, "time", return_value=1_800_000_000.0):
        client.get(url(cast))
    with (
        mock.patch.object(pagecache.time, "time", return_value=1_800_000_061.0),
        mock.patch.object(pagecache, "_keepable", wraps=pagecache._keepable) as kept,
    ):
        client.get(url(cast))
    assert kept.called


def test_a_browser_that_has_the_page_gets_304(cast, login, still, django_assert_num_queries):
    client = login(cast.staff_a)
    first = client.get(url(cast))
    assert "private" in first["Cache-Control"] and first["ETag"]
    with django_assert_num_queries(1):  # the signed-in person, as on every page
        again = client.get(url(cast), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("stakeholders:organizations", {}),
        ("stakeholders:members", {}),
        ("quickwins:list", {}),
        ("indicators:scorecard", {"area": "housing"}),
    ],
)
def test_each_kept_list_is_served_again_without_its_queries(
    cast, login, still, django_assert_num_queries, name, kwargs
):
    client = login(cast.backbone)
    address = reverse(name, kwargs={"slug": cast.collab.slug, **kwargs})
    first = client.get(address)
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the signed-in person, as on every page
        again = client.get(address)
    assert same(again.content.decode()) == same(first.content.decode())
    outsider = Client()
    outsider.force_login(cast.outsider.user)
    assert outsider.get(address).status_code == 404
