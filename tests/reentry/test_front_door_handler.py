"""The front door before Django's WSGI handler (reentry/pagecache.py,
``FrontDoorHandler``, what ``reentry.wsgi`` serves; issue 18): a kept public page
answered without the request signals or the middleware chain, the same page and
headers as the door in the middleware gives; anything else left to the whole stack.
And the CSRF token the door masks for each visitor, which must be one Django accepts."""

import io
import re
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from reentry import pagecache
from tests.indicators.test_public import purl
from tests.reentry.test_front_door import (
    NONCE_CSP,
    cookies,
    door_answers,
    headers_without_nonce,
    visitor,
    without_own,
    world,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db

EXPIRES = re.compile(r"expires=[^;]*")


def environ(path: str, *, method: str = "GET", cookie: str | None = None) -> dict:
    found = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie is not None:
        found["HTTP_COOKIE"] = cookie
    return found


class Served:
    """What a WSGI server would send for one request, and the request signals sent."""

    def __init__(self, app, env: dict) -> None:
        self.signals: list[str] = []
        started = mock.Mock(side_effect=lambda **kw: self.signals.append("started"))
        finished = mock.Mock(side_effect=lambda **kw: self.signals.append("finished"))
        request_started.connect(started, weak=False)
        request_finished.connect(finished, weak=False)
        # As Django's test client: the test's database connection must outlive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            answer: list = []
            body = app(env, lambda status, headers, exc_info=None: answer.extend([status, headers]))
            try:
                self.body = b"".join(body)
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            request_started.disconnect(started)
            request_finished.disconnect(finished)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        self.status, self.headers = answer
        self.cookies = [v for k, v in self.headers if k == "Set-Cookie"]

    def header_list(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.headers if k != "Set-Cookie"]


@pytest.fixture
def app():
    return pagecache.FrontDoorHandler()


def cookie_header(secret: str) -> str:
    return f"{settings.CSRF_COOKIE_NAME}={secret}"


def test_a_kept_page_is_answered_before_the_handler_as_the_door_answers_it(
    world,  # noqa: F811
    app,
    django_assert_num_queries,
    settings,
):
    settings.SECURE_CSP = NONCE_CSP  # a nonce in the header too, to see it is the visitor's
    url = purl("dashboard")
    secret = _get_new_csrf_string()
    first = Served(app, environ(url, cookie=cookie_header(secret)))  # rendered and kept
    assert first.status == "200 OK" and first.signals == ["started", "finished"]
    with door_answers():
        door = visitor(secret).get(url)  # the middleware's door, for comparison

    with door_answers(), django_assert_num_queries(0):
        served = Served(app, environ(url, cookie=cookie_header(secret)))

    assert served.signals == []  # neither request signal: no handler work at all
    assert served.status == "200 OK"
    assert headers_without_nonce(served.header_list()) == headers_without_nonce(door.items())
    assert len(served.cookies) == 1 and served.cookies[0].startswith(
        f"{settings.CSRF_COOKIE_NAME}={secret};"
    )
    # The cookie as Django's CSRF middleware sets it (but for the clock's expiry date).
    expected = door.cookies[settings.CSRF_COOKIE_NAME].OutputString()
    assert EXPIRES.sub("", served.cookies[0]) == EXPIRES.sub("", expected)
    assert EXPIRES.search(served.cookies[0])
    assert set(cookies(door)) == {settings.CSRF_COOKIE_NAME}
    assert without_own(served.body.decode()) == without_own(door.content.decode())
    assert dict(served.headers)["Content-Length"] == str(len(served.body))
    assert "1,234" in served.body.decode() and b"\x00" not in served.body


def test_a_browser_that_has_the_page_gets_304_from_the_handler_door(world, app):  # noqa: F811
    url = purl("dashboard")
    secret = _get_new_csrf_string()
    etag = dict(Served(app, environ(url, cookie=cookie_header(secret))).headers)["ETag"]
    again = environ(url, cookie=cookie_header(secret))
    again["HTTP_IF_NONE_MATCH"] = etag
    assert Served(app, again).status.startswith("304")  # through the stack: headers kept
    again["wsgi.input"] = io.BytesIO(b"")
    served = Served(app, again)
    assert served.status == "304 Not Modified" and served.body == b""
    assert served.signals == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda env: env.update(REQUEST_METHOD="POST"), id="post"),
        pytest.param(lambda env: env.update(REQUEST_METHOD="HEAD"), id="head"),
        pytest.param(lambda env: env.pop("HTTP_COOKIE"), id="no-cookie"),
        pytest.param(
            lambda env: env.update(
                HTTP_COOKIE=env["HTTP_COOKIE"] + f"; {settings.SESSION_COOKIE_NAME}=x"
            ),
            id="session",
        ),
        pytest.param(lambda env: env.update(PATH_INFO=purl("csv")), id="another-page"),
    ],
)
def test_what_the_door_cannot_answer_goes_through_the_whole_handler(
    world,  # noqa: F811
    app,
    change,
):
    url = purl("dashboard")
    secret = _get_new_csrf_string()
    Served(app, environ(url, cookie=cookie_header(secret)))
    Served(app, environ(url, cookie=cookie_header(secret)))  # kept, headers too
    env = environ(url, cookie=cookie_header(secret))
    change(env)
    served = Served(app, env)
    assert served.signals == ["started", "finished"]
    assert served.status.split()[0] in {"200", "403", "405"}


def test_a_door_that_fails_leaves_the_request_to_the_stack(world, app, caplog):  # noqa: F811
    url = purl("dashboard")
    secret = _get_new_csrf_string()
    Served(app, environ(url, cookie=cookie_header(secret)))
    with mock.patch.object(app, "_door", side_effect=RuntimeError("boom")):
        served = Served(app, environ(url, cookie=cookie_header(secret)))
    assert served.status == "200 OK" and "1,234" in served.body.decode()
    assert served.signals == ["started", "finished"]
    assert "front door failed" in caplog.text


class TestToken:
    def test_it_is_the_visitors_secret_masked_anew_each_time(self):
        secret = _get_new_csrf_string()
        request = RequestFactory().get("/")
        request.META["CSRF_COOKIE"] = secret
        tokens = {pagecache._token(request) for _ in range(200)}

        assert len(tokens) == 200
        for token in tokens:
            assert len(token) == 2 * len(secret)
            assert not token.strip(CSRF_ALLOWED_CHARS)
            assert _unmask_cipher_token(token) == secret
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True

    def test_every_allowed_character_comes_up_in_the_masks(self):
        request = RequestFactory().get("/")
        request.META["CSRF_COOKIE"] = _get_new_csrf_string()
        seen = set("".join(pagecache._token(request)[:32] for _ in range(200)))
        assert seen == set(CSRF_ALLOWED_CHARS)

    @pytest.mark.parametrize("secret", [None, "short", "*" * 32])
    def test_without_a_usable_secret_it_is_djangos_own(self, secret):
        request = RequestFactory().get("/")
        if secret is not None:
            request.META["CSRF_COOKIE"] = secret
        with mock.patch.object(pagecache, "get_token", return_value="djangos") as get_token:
            assert pagecache._token(request) == "djangos"
        get_token.assert_called_once_with(request)


def test_the_cookie_follows_the_settings(settings, rf):
    request = rf.get("/")
    request.META["CSRF_COOKIE"] = _get_new_csrf_string()
    plain = pagecache._csrf_cookie_header(request)
    settings.CSRF_COOKIE_SECURE = not settings.CSRF_COOKIE_SECURE
    settings.CSRF_COOKIE_SAMESITE = "Strict"
    changed = pagecache._csrf_cookie_header(request)
    assert plain != changed and "SameSite=Strict" in changed
    assert ("; Secure" in changed) is settings.CSRF_COOKIE_SECURE


def test_a_place_is_remembered_per_headers_and_forgotten_with_the_settings(settings, rf):
    english = rf.get("/dashboard/collab-a/", headers={"accept-language": "en"})
    spanish = rf.get("/dashboard/collab-a/", headers={"accept-language": "es"})
    elsewhere = rf.get("/dashboard/collab-a/", headers={"host": "elsewhere.example"})

    assert pagecache._place(english)[0] == "en"
    assert pagecache._place(spanish)[0] == "es"
    assert pagecache._place(elsewhere) is None  # a host the stack refuses
    assert pagecache._place(english) == pagecache._place(english)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "elsewhere.example"]
    language, address = pagecache._place(elsewhere)
    assert address.startswith("http://elsewhere.example/dashboard/collab-a/:")
