"""The front door (reentry/pagecache.py, ``KeptPublicPageMiddleware``; issue 18): a kept
public page answered before the rest of the middleware, exactly as the whole stack
would answer it, with no query and no row-security statement; anything it cannot be
sure of goes through the whole stack."""

import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.csp import CSP

from indicators.services import catalog
from reentry import pagecache, rowsecurity
from tests.caches import clear_caches
from tests.factories import KeyAreaFactory
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year
from tests.indicators.test_public import purl
from tests.stakeholders.directory_world import make_public, make_service, p_url

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NONCE = re.compile(r'nonce="([^"]+)"')
CSP_NONCE = re.compile(r"'nonce-([^']+)'")
# With a nonce in the policy, so that the header's nonce can be checked against the body's.
NONCE_CSP = {**settings.SECURE_CSP, "script-src": ["'self'", CSP.NONCE]}


@pytest.fixture
def world(cast):
    clear_caches()  # local memory caches outlive a test
    indicator = indicator_of(cast, "HOUS-1", name="People housed", is_public=True)
    public = make_dataset(cast, cast.org_a, level="public", title="Public figures")
    observe(public, indicator, year(2024), 1234)
    return indicator


def visitor(secret: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    return client


@contextmanager
def door_answers(expected: bool = True):
    """Check whether the front door answered (rather than the whole stack)."""
    replies = []
    door_answer = pagecache._door_answer

    def spy(*args, **kwargs):
        replies.append(reply := door_answer(*args, **kwargs))
        return reply

    with mock.patch.object(pagecache, "_door_answer", side_effect=spy):
        yield
    assert any(reply is not None for reply in replies) is expected


def whole_stack():
    """Clients made inside run the middleware without the front door."""
    return override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if "pagecache" not in m])


def without_own(text: str) -> str:
    """The page without the visitor's own parts (CSRF token, CSP nonce)."""
    return NONCE.sub('nonce=""', TOKEN.sub('name="csrfmiddlewaretoken" value=""', text))


def headers_without_nonce(headers) -> list[tuple[str, str]]:
    """Header pairs (a response's ``items()``, or a WSGI reply's) without the nonce."""
    return [(name, CSP_NONCE.sub("'nonce-'", value)) for name, value in headers]


def cookies(response) -> dict[str, dict[str, str]]:
    """Each cookie's value and attributes (the expiry date is a clock's, max-age the rule)."""
    return {
        name: {"value": morsel.value, **{k: v for k, v in morsel.items() if k != "expires"}}
        for name, morsel in response.cookies.items()
    }


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["dashboard", "directory"])
def test_the_door_answers_as_the_whole_stack_would(cast, world, settings, kind, language):
    settings.SECURE_CSP = NONCE_CSP
    if kind == "dashboard":
        url = purl("dashboard")
    else:
        make_public(cast.org_a)
        make_service(cast.org_a, "Shelter beds")
        url = p_url("directory", cast.collab)
    secret = _get_new_csrf_string()
    headers = {"accept-language": language}
    with door_answers(False):
        visitor(secret).get(url, headers=headers)  # rendered and kept, headers kept
        with whole_stack():
            stack = visitor(secret).get(url, headers=headers)
    with door_answers():
        door = visitor(secret, enforce_csrf_checks=True).get(url, headers=headers)

    assert door.status_code == stack.status_code == 200
    assert headers_without_nonce(door.items()) == headers_without_nonce(stack.items())
    assert door["ETag"] == stack["ETag"] and door["Content-Language"] == language
    assert cookies(door) == cookies(stack)
    assert door.cookies[settings.CSRF_COOKIE_NAME].value == secret
    body = door.content.decode()
    assert without_own(body) == without_own(stack.content.decode())
    assert "\x00" not in body
    # The nonce of the page is the header's, and fresh.
    nonce = CSP_NONCE.search(door["Content-Security-Policy"]).group(1)
    assert nonce != CSP_NONCE.search(stack["Content-Security-Policy"]).group(1)
    assert set(NONCE.findall(body)) == {nonce}
    # The page's token works with the visitor's cookie.
    token = TOKEN.search(body).group(1)
    client = visitor(secret, enforce_csrf_checks=True)
    answer = client.post(
        reverse("set_language"), {"language": "es", "next": url, "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302


def test_a_browser_that_has_the_page_gets_the_same_304(world):
    url = purl("dashboard")
    secret = _get_new_csrf_string()
    etag = visitor(secret).get(url)["ETag"]
    again = {"if-none-match": etag}
    with door_answers(False):
        visitor(secret).get(url, headers=again)  # its headers kept
        with whole_stack():
            stack = visitor(secret).get(url, headers=again)
    with door_answers():
        door = visitor(secret).get(url, headers=again)
    assert door.status_code == stack.status_code == 304 and door.content == b""
    assert list(door.items()) == list(stack.items()) and cookies(door) == cookies(stack)
    # Another visitor's copy is not this one's.
    with door_answers():
        other = visitor(_get_new_csrf_string()).get(url, headers=again)
    assert other.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_door_answer_runs_no_query_and_no_row_security_statement(
    world, django_assert_num_queries
):
    url = purl("dashboard")
    secret = _get_new_csrf_string()
    visitor(secret).get(url)
    with (
        door_answers(),
        django_assert_num_queries(0),
        mock.patch("reentry.rowsecurity._execute") as execute,
    ):
        answer = visitor(secret).get(url)
    assert answer.status_code == 200 and "1,234" in answer.content.decode()
    execute.assert_not_called()


def ready(url: str) -> str:
    """A page kept with its headers, for a visitor with this CSRF secret."""
    secret = _get_new_csrf_string()
    visitor(secret).get(url)
    with door_answers():
        visitor(secret).get(url)
    return secret


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: c.cookies.__setitem__(settings.SESSION_COOKIE_NAME, "x"), id="session"
        ),
        pytest.param(lambda c: c.cookies.__setitem__("messages", "x"), id="messages"),
        pytest.param(lambda c: c.cookies.__delitem__(settings.CSRF_COOKIE_NAME), id="no-csrf"),
        pytest.param(
            lambda c: c.cookies.__setitem__(settings.CSRF_COOKIE_NAME, "not*a*secret"),
            id="bad-csrf",
        ),
        pytest.param(
            lambda c: c.cookies.__setitem__(settings.CSRF_COOKIE_NAME, "a" * 64), id="old-csrf"
        ),
    ],
)
def test_what_the_door_cannot_be_sure_of_goes_through_the_stack(world, change):
    url = purl("dashboard")
    client = visitor(ready(url))
    change(client)
    with door_answers(False):
        assert client.get(url).status_code == 200


def test_a_post_an_unknown_host_and_other_pages_go_through_the_stack(world):
    url = purl("dashboard")
    client = visitor(ready(url))
    with door_answers(False):
        assert client.post(url).status_code in (403, 405)
        assert client.head(url).status_code == 200
        assert client.get(url, headers={"host": "elsewhere.example"}).status_code == 400
        assert client.get(purl("csv")).status_code == 200
        assert client.get("/no/such/page/").status_code == 404


def test_an_htmx_request_is_a_page_of_its_own(world):
    url = purl("dashboard")
    secret = ready(url)
    htmx = {"hx-request": "true"}
    with door_answers(False):
        first = visitor(secret).get(url, headers=htmx)  # its own headers, kept
    with door_answers():
        again = visitor(secret).get(url, headers=htmx)
    assert without_own(again.content.decode()) == without_own(first.content.decode())


def test_each_language_is_kept_apart(world):
    url = purl("dashboard")
    secret = ready(url)
    spanish_cookie = visitor(secret)
    spanish_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    spanish_cookie.get(url)  # its headers kept
    with door_answers():
        english = visitor(secret).get(url)
        spanish = spanish_cookie.get(url)
    assert english["Content-Language"] == "en" and 'lang="en"' in english.content.decode()
    assert spanish["Content-Language"] == "es" and 'lang="es"' in spanish.content.decode()


def test_a_change_shows_at_once_and_another_collaborative_never_gets_this_page(
    cast, world, django_capture_on_commit_callbacks
):
    url = purl("dashboard")
    secret = ready(url)
    world.name = "People with a home"
    with django_capture_on_commit_callbacks(execute=True):
        catalog.indicator_save(actor=cast.backbone, indicator=world)
    assert "People with a home" in visitor(secret).get(url).content.decode()
    other = indicator_of(cast, "JOBS-1", name="People working", is_public=True)
    other.collaborative = cast.other_collab
    other.key_area = KeyAreaFactory(collaborative=cast.other_collab, name="Work", slug="work")
    other.save()
    theirs = purl("dashboard", slug=cast.other_collab.slug)
    secret = ready(theirs)
    with door_answers():
        ours, theirs_page = (visitor(secret).get(u).content.decode() for u in (url, theirs))
    assert "People with a home" in ours and "People working" not in ours
    assert "People working" in theirs_page and "People with a home" not in theirs_page


@pytest.mark.django_db(transaction=True)
def test_row_security_resets_only_what_a_request_moved():
    if not rowsecurity.enabled():
        pytest.skip("row security is PostgreSQL's")
    default = rowsecurity._default["scope"]
    rowsecurity.reset()
    with mock.patch("reentry.rowsecurity._execute", wraps=rowsecurity._execute) as execute:
        rowsecurity.reset()  # already there: no statement
        assert execute.call_count == 0
        rowsecurity.narrow_to(None)
        rowsecurity.reset()
        assert execute.call_count == 2 and rowsecurity.current()[0] == default
        with rowsecurity.system():
            pass
        rowsecurity.reset()  # system() went and came back: not known, so reset
        assert execute.call_count == 5
        with transaction.atomic():
            rowsecurity.narrow_to(None)
            rowsecurity.reset()  # a rollback could undo it: not known after
        rowsecurity.reset()
        assert execute.call_count == 8
    assert rowsecurity.current() == (default, "", "")
    # A transaction rolled back after a reset inside it: the next reset still runs.
    with transaction.atomic():
        rowsecurity.narrow_to(None)
        transaction.set_rollback(True)
    rowsecurity.reset()
    assert rowsecurity.current() == (default, "", "")
