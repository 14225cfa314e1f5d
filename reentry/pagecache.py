"""Public pages kept whole, as rendered HTML, per collaborative and language.

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

Signed-in pages are kept too, per session (``kept_page``), but they cannot name every
service that changes what they show: a list page reads organizations, members, sharing
rules and roles. So they are keyed by the database's own position instead: PostgreSQL's
write-ahead log moves on every change to any row, committed or not, before the change
can be seen, so a page rendered after reading position P is still right while the
position is P. A reload, the back button or a second tab then costs no rendering and no
query of the page's own; any write anywhere renders afresh. Kept pages are also keyed by
the minute ("due today", "2 minutes ago") and live a minute at most. On SQLite nothing
is kept.
"""

import functools
import hashlib
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language

DIRECTORY = "directory"
QUICK_WINS = "quickwins"
DASHBOARD = "dashboard"

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
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


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


def _servable(request: HttpRequest, *, signed_in: bool = False) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.user.is_authenticated is signed_in
        and not len(get_messages(request))
    )


def _etag(request: HttpRequest, digest: str) -> str:
    csrf = request.META.get("CSRF_COOKIE", "")
    return quote_etag(hashlib.sha256(f"{digest}:{csrf}".encode()).hexdigest()[:32])


def _fill(request: HttpRequest, pieces: list) -> bytes:
    """The page for this visitor: their CSRF token and CSP nonce where the stored page
    has its placeholders (the text between them is stored encoded)."""
    own: dict[str, bytes] = {}
    marks = pieces[1::2]
    if _PLACEHOLDER in marks:
        own[_PLACEHOLDER] = get_token(request).encode()
    if _NONCE_PLACEHOLDER in marks and (nonce := get_nonce(request)) is not None:
        own[_NONCE_PLACEHOLDER] = str(nonce).encode()
    return b"".join(
        own.get(piece, piece.encode()) if i % 2 else piece for i, piece in enumerate(pieces)
    )


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
    entry = cache.get(key)
    if entry is None:
        response = render()
        entry = _keepable(response)
        if entry is None:
            return response
        cache.set(key, entry, timeout)
    digest, pieces, content_type = entry
    etag = _etag(request, digest)
    if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        answer: HttpResponse = HttpResponseNotModified()
    else:
        answer = HttpResponse(_fill(request, pieces), content_type=content_type)
    answer["ETag"] = etag
    patch_cache_control(answer, private=True, no_cache=True)
    return answer


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
            query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
            minute = int(time.time() // 60) if per_minute else 0
            partial = "htmx" if request.headers.get("HX-Request") else "page"
            # The scheme and host too: a page may print its own address (an embed code).
            key = (
                f"page:{_FORMAT}:{kind}:{slug}:{version}:{get_language()}:{partial}:{minute}:"
                f"{request.scheme}://{request.get_host()}{request.path}:{query}"
            )
            return _kept(request, key, timeout, lambda: view(request, slug, *args, **kwargs))

        return wrapper

    return decorator


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
            query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
            # The session key is hashed: keys of the cache are not secrets' places.
            session = hashlib.sha256(session_key.encode()).hexdigest()[:32]
            key = (
                f"kept:{_FORMAT}:{session}:{request.user.pk}:{position}:"
                f"{int(time.time() // 60)}:{get_language()}:{htmx}:"
                f"{request.scheme}://{request.get_host()}{request.path}:{query}"
            )
            return _kept(request, key, timeout, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator
