"""Pages kept whole, as rendered HTML: public pages per collaborative and language,
signed-in list pages per session.

A public page (the public directory, the public quick wins, the public dashboard) looks
the same to every signed-out visitor, so it is rendered once and served from the cache
until its data changes. Each kind of page has a version per collaborative, kept in the cache; the
services that change what the page shows call ``page_changed(kind, collaborative)``
(on commit), which gives the kind a new version, so the next visitor renders afresh. An
entry also expires by itself after the kind's ``timeout`` (a bump lost while the cache was
down, or made in another process's local-memory cache, lasts no longer than that).

Only what is the same for everyone is served from the cache: GET or HEAD, signed out,
no messages waiting. The per-visitor things in those pages, the CSRF token of the
language form and the CSP nonce of the script tags, are taken out before storing and put
back (the visitor's own) on serving.
Every answer carries an ``ETag`` (the page and the visitor's CSRF cookie), so a browser
that has the page revalidates and gets 304 without a body. The answers stay ``private``:
they carry the visitor's CSRF token, so a shared proxy must not hand them to others.

To add a page: wrap its view in ``cached_public_page(kind, timeout=…)`` (the view takes
the collaborative's ``slug``), and call ``page_changed(kind, collaborative)`` from every
service that changes what it shows.

A visitor who already has a CSRF cookie is answered by the front door before any other
middleware runs: the kept page, with the headers the whole stack gave it, and no query
at all. In a web server (``reentry.wsgi``) the door stands before Django's handler itself
(``FrontDoorHandler``: no request signals, no middleware chain); everywhere else (the
test client, ``runserver``) it is the first middleware (``KeptPublicPageMiddleware``).
Both answer with the same code, and its CSRF token is masked as Django masks it, from one
read of random bytes (``_token``).

Signed-in pages are kept too, per session (``kept_page``), but they cannot name every
service that changes what they show: a list page reads organizations, members, sharing
rules and roles. So they are keyed by the database's own position instead: PostgreSQL's
write-ahead log moves on every change to any row, committed or not, before the change
can be seen, so a page rendered after reading position P is still right while the
position is P. A reload, the back button or a second tab then costs no rendering and no
query of the page's own; any write anywhere renders afresh. Kept pages are also keyed by
the minute ("due today", "2 minutes ago") and live a minute at most. On SQLite nothing
is kept.

Each process also keeps its own copy of the pages it served last (``_Recent``) and, for
the front door, of the public pages' versions for a second: a hit then reads nothing from
Redis, where one read costs as much as the rest of the answer.
"""

import functools
import hashlib
import logging
import os
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.csp import get_nonce
from django.middleware.csrf import (  # type: ignore[attr-defined]
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CsrfViewMiddleware,
    InvalidTokenFormat,
    _check_token_format,
    get_token,
)
from django.urls import Resolver404, URLResolver, get_resolver, get_urlconf
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP, LazyNonce
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language

DIRECTORY = "directory"
QUICK_WINS = "quickwins"
DASHBOARD = "dashboard"

logger = logging.getLogger(__name__)

_PLACEHOLDER = "\x00csrf\x00"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_NONCE_PLACEHOLDER = "\x00nonce\x00"
_NONCE = re.compile(r'nonce="([^"]+)"')
_MARKS = re.compile(f"({re.escape(_PLACEHOLDER)}|{re.escape(_NONCE_PLACEHOLDER)})")
# Goes up when an entry's shape changes, so that a process never reads another's.
_FORMAT = 2


def _version_key(kind: str, slug: str) -> str:
    return f"page:version:{kind}:{slug}"


def page_changed(kind: str, collaborative: Any) -> None:
    """What the ``kind`` pages of this collaborative show has changed: serve them afresh
    once the transaction commits."""
    key = _version_key(kind, collaborative.slug)

    def bump() -> None:
        cache.set(key, uuid.uuid4().hex, None)
        _door_versions.pop(key, None)

    transaction.on_commit(bump)


def page_version(kind: str, slug: str) -> str | None:
    """The current version of the ``kind`` pages of the collaborative with this slug (None
    while the cache is down). Other caches behind a page may key on it, so that a change
    shows at once through them too."""
    key = _version_key(kind, slug)
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, None)
        version = cache.get(key)  # None while the cache is down: then nothing is kept
    return version


# The front door's copy of the versions it read last: (until, version) per version key.
_door_versions: dict[str, tuple[float, str]] = {}
DOOR_VERSION_SECONDS = 1.0


def _door_version(kind: str, slug: str) -> str | None:
    """``page_version`` as the front door reads it: this process remembers it for
    ``DOOR_VERSION_SECONDS``, so a kept page's answer needs nothing from Redis at all (a
    read there costs about as much as the rest of the answer). A change made through
    this process shows at once (``page_changed`` forgets the copy); one made through
    another process within the second."""
    key = _version_key(kind, slug)
    now = time.monotonic()
    if (known := _door_versions.get(key)) is not None and known[0] > now:
        return known[1]
    version = page_version(kind, slug)
    if version is not None:
        _door_versions[key] = (now + DOOR_VERSION_SECONDS, version)
    return version


def _servable(request: HttpRequest, *, signed_in: bool = False) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.user.is_authenticated is signed_in
        and not len(get_messages(request))
    )


def _etag(request: HttpRequest, digest: str) -> str:
    csrf = request.META.get("CSRF_COOKIE", "")
    return quote_etag(hashlib.sha256(f"{digest}:{csrf}".encode()).hexdigest()[:32])


_CHAR_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
# The random bytes below this are equally likely to give each of the allowed characters.
_UNBIASED = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _token(request: HttpRequest) -> str:
    """What ``get_token`` answers: this visitor's CSRF secret, masked anew (so a page's
    token differs on every answer, against BREACH), and the cookie flagged to be sent
    again. The same masking as Django's ``_mask_cipher_secret``, with the mask's
    characters taken from one read of the system's random bytes instead of one per
    character: a sixth of the front door's answer went to those 32 reads. A visitor
    without a secret yet gets Django's own ``get_token``."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or len(secret) != CSRF_SECRET_LENGTH or secret.strip(CSRF_ALLOWED_CHARS):
        return get_token(request)  # no secret yet, or not one of Django's
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    chars, count = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    mask: list[str] = []
    while len(mask) < CSRF_SECRET_LENGTH:  # one read but once in a billion
        mask += [chars[b % count] for b in os.urandom(2 * CSRF_SECRET_LENGTH) if b < _UNBIASED]
    del mask[CSRF_SECRET_LENGTH:]
    cipher = (
        chars[(_CHAR_INDEX[s] + _CHAR_INDEX[m]) % count] for s, m in zip(secret, mask, strict=True)
    )
    return "".join(mask) + "".join(cipher)


def _fill(request: HttpRequest, pieces: list) -> bytes:
    """The page for this visitor: their CSRF token and CSP nonce where the stored page
    has its placeholders (the text between them is stored encoded)."""
    own: dict[str, bytes] = {}
    marks = pieces[1::2]
    if _PLACEHOLDER in marks:
        own[_PLACEHOLDER] = _token(request).encode()
    if _NONCE_PLACEHOLDER in marks and (nonce := get_nonce(request)) is not None:
        own[_NONCE_PLACEHOLDER] = str(nonce).encode()
    return b"".join(
        own.get(piece, piece.encode()) if i % 2 else piece for i, piece in enumerate(pieces)
    )


class _Recent:
    """The cache of kept pages, with this process's own copy of the ones it served last.

    A kept page is read from the shared cache on every hit; a 300 KB dashboard through
    Redis costs more than the rest of the answer (fetching and unpickling it). Every key
    names what the page depends on (its version, or the database's position), so a
    copy here is never wrong for its key; it only must not outlive the entry's
    ``timeout``, which bounds the changes that give no new version: a copy lives at
    most ``LOCAL_SECONDS``, and the copies together at most ``LOCAL_BYTES``."""

    LOCAL_SECONDS = 30
    LOCAL_BYTES = 16 * 1024 * 1024

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[float, int, Any]] = OrderedDict()
        self._bytes = 0

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        now = time.monotonic()
        for key in keys:
            if (item := self._items.get(key)) is not None:
                if item[0] > now:
                    self._items.move_to_end(key)
                    found[key] = item[2]
                else:
                    self._drop(key)
        if missing := [key for key in keys if key not in found]:
            shared = cache.get_many(missing)
            for key, value in shared.items():
                self._keep(key, value, self.LOCAL_SECONDS)
            found.update(shared)
        return found

    def set(self, key: str, value: Any, timeout: int) -> None:
        cache.set(key, value, timeout)
        self._keep(key, value, min(timeout, self.LOCAL_SECONDS))

    def forget(self) -> None:
        """Drop this process's copies, of pages and of the front door's versions (for
        the tests: after clearing the shared cache, call ``forget_recent`` too)."""
        self._items.clear()
        self._bytes = 0
        _door_versions.clear()

    def _keep(self, key: str, value: Any, seconds: float) -> None:
        self._drop(key)
        size = _size(value)
        if size > self.LOCAL_BYTES // 4:
            return
        self._items[key] = (time.monotonic() + seconds, size, value)
        self._bytes += size
        while self._bytes > self.LOCAL_BYTES:
            self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        if (item := self._items.pop(key, None)) is not None:
            self._bytes -= item[1]


def _size(value: Any) -> int:
    """Roughly the bytes of a kept entry (its pieces) or of its headers."""
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], list):
        return sum(len(piece) for piece in value[1]) + 200
    return 1024


_recent = _Recent()
forget_recent = _recent.forget


def _keepable(response: HttpResponseBase) -> tuple[str, list, str] | None:
    """What is kept of a page: its digest, its encoded pieces between the visitor's own
    parts (CSRF tokens, CSP nonce) and its content type; None for any other answer."""
    if not isinstance(response, HttpResponse) or response.status_code != 200:
        return None
    html = response.content.decode(response.charset)
    # Every form's token (each is masked differently) becomes the one placeholder.
    html = _TOKEN.sub(f'name="csrfmiddlewaretoken" value="{_PLACEHOLDER}"', html)
    if match := _NONCE.search(html):
        html = html.replace(f'nonce="{match.group(1)}"', f'nonce="{_NONCE_PLACEHOLDER}"')
    digest = hashlib.sha256(html.encode()).hexdigest()
    # Kept as encoded pieces between the visitor's own parts, so that serving is one
    # join of bytes: a replace on the whole page and its encoding cost a millisecond on
    # a 300 KB dashboard.
    pieces = [
        piece if i % 2 else piece.encode(response.charset)
        for i, piece in enumerate(_MARKS.split(html))
    ]
    return (digest, pieces, response["Content-Type"])


def _kept(
    request: HttpRequest, key: str, timeout: int, render: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    """The page kept under ``key``, or rendered (and kept) now, with this visitor's own
    parts put back, an ``ETag``, and 304 for a browser that already has it."""
    entry = _recent.get_many([key]).get(key)
    if entry is None:
        response = render()
        entry = _keepable(response)
        if entry is None:
            return response
        _recent.set(key, entry, timeout)
    digest, pieces, content_type = entry
    etag = _etag(request, digest)
    if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        answer: HttpResponse = HttpResponseNotModified()
    else:
        answer = HttpResponse(_fill(request, pieces), content_type=content_type)
    answer["ETag"] = etag
    patch_cache_control(answer, private=True, no_cache=True)
    answer.kept_key = key  # type: ignore[attr-defined]  # the front door keeps its headers
    return answer


# The views wrapped by ``cached_public_page``: (kind, timeout, per_minute). The wrapper
# itself, not an attribute that ``functools.wraps`` would copy onto an outer decorator's
# wrapper: a page behind another decorator is never answered by the front door.
_PUBLIC_PAGES: dict[Callable[..., HttpResponseBase], tuple[str, int, bool]] = {}


def _address(request: HttpRequest) -> str:
    """What of the request's address a kept page's key holds: the scheme and host too (a
    page may print its own address, an embed code), the query string hashed."""
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
    return f"{request.scheme}://{request.get_host()}{request.path}:{query}"


def _public_key(
    request: HttpRequest,
    kind: str,
    slug: str,
    version: str,
    per_minute: bool,
    place: tuple[str, str] | None = None,
) -> str:
    """The key of a public page for this request: in the active language and at the
    request's address, or at ``place`` (the language and address, as ``_place``
    remembers them). The one place it is built: ``cached_public_page`` and the front
    door must always agree."""
    language, address = place or (get_language(), _address(request))
    minute = int(time.time() // 60) if per_minute else 0
    partial = "htmx" if request.META.get("HTTP_HX_REQUEST") else "page"
    return f"page:{_FORMAT}:{kind}:{slug}:{version}:{language}:{partial}:{minute}:{address}"


def cached_public_page(
    kind: str, *, timeout: int, per_minute: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Serve the view's page from the cache for signed-out visitors. ``per_minute`` keys
    the page by the minute too, for pages that say what is open right now."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponseBase:
            if not _servable(request) or (version := page_version(kind, slug)) is None:
                return view(request, slug, *args, **kwargs)
            key = _public_key(request, kind, slug, version, per_minute)
            return _kept(request, key, timeout, lambda: view(request, slug, *args, **kwargs))

        _PUBLIC_PAGES[wrapper] = (kind, timeout, per_minute)
        return wrapper

    return decorator


# --- The front door ------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    """The language LocaleMiddleware would activate for this request."""
    i18n_patterns, prefixed_default = is_language_prefix_patterns_used(settings.ROOT_URLCONF)
    language = translation.get_language_from_request(request, check_path=i18n_patterns)
    if (
        i18n_patterns
        and not prefixed_default
        and not translation.get_language_from_path(request.path_info)
    ):
        language = settings.LANGUAGE_CODE
    return language


@functools.lru_cache(maxsize=256)
def _public_page(resolver: URLResolver, path: str) -> tuple[str, int, bool, str] | None:
    """The kept public page at this address: its kind, timeout, per_minute and slug.
    Remembered per resolver (a new one whenever the URLs change): resolving walks
    every pattern, a sixth of the door's time."""
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    page = _PUBLIC_PAGES.get(match.func)
    slug = match.kwargs.get("slug")
    return None if page is None or slug is None else (*page, slug)


def _door_key(request: HttpRequest) -> tuple[str, int] | None:
    """The key of the kept public page this request asks for, and its timeout; None
    when the front door must leave the request to the whole stack."""
    cookies = request.COOKIES
    secret = cookies.get(settings.CSRF_COOKIE_NAME, "")
    if (
        request.method != "GET"
        or settings.SESSION_COOKIE_NAME in cookies  # perhaps signed in
        or CookieStorage.cookie_name in cookies  # perhaps messages waiting
        or settings.CSRF_USE_SESSIONS
        or settings.DISALLOWED_USER_AGENTS  # CommonMiddleware may refuse the visitor
        or len(secret) != CSRF_SECRET_LENGTH  # none, or an old masked one to replace
    ):
        return None
    try:
        _check_token_format(secret)
    except InvalidTokenFormat:
        return None
    if (page := _public_page(get_resolver(get_urlconf()), request.path_info)) is None:
        return None
    kind, timeout, per_minute, slug = page
    if (version := _door_version(kind, slug)) is None or (place := _place(request)) is None:
        return None
    return _public_key(request, kind, slug, version, per_minute, place), timeout


# What of a request decides the language LocaleMiddleware chooses and the address a kept
# page's key holds (beside the path, the language cookie and the proxy's scheme header).
_PLACE_META = (
    "QUERY_STRING",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
    "HTTP_ACCEPT_LANGUAGE",
)
_places: dict[tuple, tuple[str, str] | None] = {}
_PLACES_KEPT = 2048


def _place(request: HttpRequest) -> tuple[str, str] | None:
    """The language the whole stack would answer this request in and the address part
    of its kept page's key (``_address``); None for a host the stack refuses. Both are
    worked out from the request's headers and the settings alone, so they are
    remembered per set of headers (a third of the door's answer went to working them
    out again); a settings change forgets them."""
    meta = request.META
    proxy = settings.SECURE_PROXY_SSL_HEADER
    seen = (
        request.path,
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        meta.get(proxy[0]) if proxy else None,
        *(meta.get(name) for name in _PLACE_META),
    )
    try:
        return _places[seen]
    except KeyError:
        pass
    try:
        place: tuple[str, str] | None = (_language(request), _address(request))
    except DisallowedHost:
        place = None
    if len(_places) >= _PLACES_KEPT:
        _places.clear()
    _places[seen] = place
    return place


@receiver(setting_changed)
def _forget_places(**kwargs: Any) -> None:
    _places.clear()


def _headers_key(key: str, status: int) -> str:
    return f"{key}:headers:{status}"


_CSP_HEADERS = (str(CSP.HEADER_ENFORCE), str(CSP.HEADER_REPORT_ONLY))


class KeptPublicPageMiddleware:
    """The front door: answer a kept public page (``cached_public_page``) before the
    rest of the middleware, first in MIDDLEWARE.

    Through the whole stack a kept page costs little of its own, but every middleware
    still runs, and row security's two statements (narrowing to nobody, then back):
    a cheap page thrice as slow as the bytes need. The door answers it with one cache
    read (the page and its headers) and the page's version, no query at all.

    It must answer exactly as the whole stack would: the same status, headers, cookies
    and body but for the visitor's own CSRF token and CSP nonce. So it serves only what
    is sure to be the same for this visitor: a GET, no session cookie (signed out), no
    messages cookie, a CSRF cookie already in the current shape (the stack would
    otherwise make or rewrite it), an address that resolves to a kept page, an allowed
    host, the language chosen as LocaleMiddleware chooses it. The key is the page's own
    (``_public_key``). The headers are the whole stack's: on a miss the door lets the
    stack answer, and keeps that answer's headers (the nonce taken out, no cookies, no
    ETag) beside the page, for 200 and 304 apart; a key whose headers the stack never
    gave is never served here (an address the stack redirects or refuses never has
    them). Cookies: the CSRF cookie is set again as CsrfViewMiddleware sets it whenever
    the page asked for a token; a stack's answer with any other cookie is not kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        found = _door_key(request)
        if found is None:
            return self.get_response(request)
        key, timeout = found
        if (reply := _door_answer(request, key)) is not None:
            return _response(request, reply)
        response = self.get_response(request)
        if (
            getattr(response, "kept_key", None) == key
            and response.status_code in (200, 304)
            and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
        ):
            _recent.set(
                _headers_key(key, response.status_code), _stack_headers(request, response), timeout
            )
        return response


# For its way of setting the CSRF cookie (``_set_csrf_cookie``), as the stack sets it.
_csrf = CsrfViewMiddleware(lambda request: HttpResponse())


class _Reply(NamedTuple):
    """The front door's answer: the status, the whole stack's headers with this
    visitor's ETag, length and nonce in them, the body, and whether the CSRF cookie is
    to be set again (as CsrfViewMiddleware does whenever a page asked for a token)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    csrf_cookie: bool


def _door_answer(request: HttpRequest, key: str) -> _Reply | None:
    """The kept page under ``key`` for this visitor, if it and the stack's headers for
    its status are kept; else None."""
    request.META["CSRF_COOKIE"] = request.COOKIES[settings.CSRF_COOKIE_NAME]
    if (entry := _recent.get_many([key]).get(key)) is None:
        return None
    digest, pieces, _content_type = entry
    etag = _etag(request, digest)
    status = 304 if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")) else 200
    # Only the headers of this answer's status: the other may never have been kept and
    # would be asked of the shared cache on every request.
    headers_key = _headers_key(key, status)
    if (kept := _recent.get_many([headers_key]).get(headers_key)) is None:
        return None
    request._csp_nonce = LazyNonce()  # type: ignore[attr-defined]
    body = b"" if status == 304 else _fill(request, pieces)
    # The length of the body itself: ``answer.content`` would join a copy of it.
    own = {"ETag": etag, "Content-Length": str(len(body))}
    headers = []
    for name, value in kept:
        if name in _CSP_HEADERS:
            value = value.replace(_NONCE_PLACEHOLDER, str(get_nonce(request)))
        headers.append((name, own.get(name, value)))
    return _Reply(status, headers, body, bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")))


def _response(request: HttpRequest, reply: _Reply) -> HttpResponse:
    """The front door's answer as a response, for the middleware."""
    answer = HttpResponseNotModified() if reply.status == 304 else HttpResponse(reply.body)
    for name in list(answer.headers):
        del answer.headers[name]
    for name, value in reply.headers:
        answer.headers[name] = value
    if reply.csrf_cookie:
        _csrf._set_csrf_cookie(request, answer)  # type: ignore[attr-defined]
    return answer


# The CSRF cookie's attributes as CsrfViewMiddleware sets them, per second (the expiry
# date moves with the clock) and settings.
_cookie_tails: dict[tuple, str] = {}


def _csrf_cookie_header(request: HttpRequest) -> str:
    """The ``Set-Cookie`` value CsrfViewMiddleware sends this visitor: its way, once a
    second, with this visitor's secret (letters and digits, ``_door_key`` checked)."""
    name = settings.CSRF_COOKIE_NAME
    seen = (
        int(time.time()),
        name,
        settings.CSRF_COOKIE_AGE,
        settings.CSRF_COOKIE_DOMAIN,
        settings.CSRF_COOKIE_PATH,
        settings.CSRF_COOKIE_SECURE,
        settings.CSRF_COOKIE_HTTPONLY,
        settings.CSRF_COOKIE_SAMESITE,
    )
    if (tail := _cookie_tails.get(seen)) is None:
        probe, made = HttpRequest(), HttpResponse()
        probe.META["CSRF_COOKIE"] = "x"
        _csrf._set_csrf_cookie(probe, made)  # type: ignore[attr-defined]
        tail = made.cookies[name].OutputString().removeprefix(f"{name}=x")
        _cookie_tails.clear()
        _cookie_tails[seen] = tail
    return f"{name}={request.META['CSRF_COOKIE']}{tail}"


class FrontDoorHandler(WSGIHandler):
    """Django's WSGI handler with the front door before it: a kept public page is
    answered before the handler's own work for a request (the request signals, which
    check the database connections and close the caches; the exception handling; the
    middleware chain; a response object). A third of the door's answer went there, for
    a page that touches neither the database nor anything the signals tidy up.

    The same door as ``KeptPublicPageMiddleware``, which stays first in MIDDLEWARE for
    every other way in (the test client, ``runserver``) and for the requests this one
    leaves to the stack; a kept page is the same bytes and headers either way. Anything
    unexpected here leaves the request to the stack, which answers as it always would.
    """

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        if environ.get("REQUEST_METHOD") == "GET" and "HTTP_COOKIE" in environ:
            try:
                answer = self._door(environ)
            except Exception:  # the stack then answers, and reports what it meets
                logger.exception("The front door failed; the whole stack answers.")
                answer = None
            if answer is not None:
                start_response(*answer[:2])
                return [answer[2]]
        return super().__call__(environ, start_response)

    def _door(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        request = self.request_class(environ)
        if (found := _door_key(request)) is None:
            return None
        if (reply := _door_answer(request, found[0])) is None:
            return None
        headers = reply.headers
        if reply.csrf_cookie:
            headers = [*headers, ("Set-Cookie", _csrf_cookie_header(request))]
        return _STATUS_LINES[reply.status], headers, reply.body


_STATUS_LINES = {200: "200 OK", 304: "304 Not Modified"}


def _stack_headers(request: HttpRequest, response: HttpResponseBase) -> list[tuple[str, str]]:
    """The whole stack's headers, in order, with this visitor's nonce taken out (ETag and
    Content-Length are the door's own to fill; the cookies are not headers here)."""
    nonce = get_nonce(request)
    used = str(nonce) if nonce else None  # a LazyNonce is false until it has been used
    headers = []
    for name, value in response.headers.items():
        if name == "ETag":
            value = ""
        elif used and name in _CSP_HEADERS:
            value = value.replace(used, _NONCE_PLACEHOLDER)
        headers.append((name, value))
    return headers


def database_position() -> str | None:
    """PostgreSQL's write-ahead log insert position: it moves on every change to any
    row, before the change can be seen. None on other databases. Run on the driver's
    cursor, like row security's plumbing, so that the pages' query counts stay their
    own."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        row = cursor.fetchone()
    return row[0] if row else None


def kept_page(
    *, timeout: int = 60
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Keep a signed-in page whole for its session while the database has not changed
    (see the module's docstring), at most ``timeout`` seconds and within the minute.

    Only for views whose GET changes nothing and records nothing (an audited read must
    run every time), and whose page depends on nothing but the database, the session,
    the address, the language and the time. Put it outside the access decorator: a page
    is only ever kept for the session that was allowed to see it."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            session_key = request.session.session_key
            if (
                not settings.KEPT_PAGES
                or not session_key
                or not _servable(request, signed_in=True)
                or (position := database_position()) is None
            ):
                return view(request, *args, **kwargs)
            htmx = ":".join(request.headers.get(name, "") for name in ("HX-Request", "HX-Target"))
            # The session key is hashed: keys of the cache are not secrets' places.
            session = hashlib.sha256(session_key.encode()).hexdigest()[:32]
            key = (
                f"kept:{_FORMAT}:{session}:{request.user.pk}:{position}:"
                f"{int(time.time() // 60)}:{get_language()}:{htmx}:{_address(request)}"
            )
            return _kept(request, key, timeout, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator
