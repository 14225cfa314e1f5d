"""The crawler of the demo: every demo person follows every same-site link, GET only.

Used by the security crawl (tests/security/test_crawl.py: no 500s, nothing of one
collaborative reachable from another) and the accessibility test
(tests/e2e/test_accessibility.py: axe over one page per route, as every person).

For each person the crawler starts at "/" and at the collaborative's home, follows every
same-site link (``<a href>``, ``hx-get``, GET forms' ``action``, redirects, and URLs in
JSON answers) breadth-first, GET only. URLs are collapsed by their Django route: at most
``PER_ROUTE`` different paths per route and ``PER_QUERY`` query strings per path and set of
parameter names, and at most ``MAX_PAGES`` pages per person, so the crawl stays bounded.
"""

import io
import json
import sys
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from indicators import api as indicators_api
from mentorship import api as mentorship_api
from reentry.i18n import written_by_product
from stakeholders import api as stakeholders_api
from stakeholders import demo
from stakeholders.models import Member, User
from workgroups import api as workgroups_api

HOME = f"/c/{demo.COLLABORATIVE['slug']}/"
OTHER_HOME = f"/c/{demo.OTHER_COLLABORATIVE['slug']}/"
SLUG = demo.COLLABORATIVE["slug"]

# Who crawls, and where each person's collaborative home is.
PEOPLE = {
    "backbone": HOME,
    "orgadmin": HOME,
    "staff": HOME,
    "housing": HOME,
    "community": HOME,
    "observer": HOME,
    "lakeshore": OTHER_HOME,  # the backbone of the second collaborative
    "anonymous": HOME,
}
# Anonymous people also start at the pages made public by design.
PUBLIC_STARTS = [
    f"/about/{SLUG}/",
    f"/dashboard/{SLUG}/",
    f"/directory/{SLUG}/",
    f"/quick-wins/{SLUG}/",
]

MAX_PAGES = 400
PER_ROUTE = 3
PER_QUERY = 2

# Never followed: signing out, switching language, files served by the web server, the
# Django admin (no demo person is staff).
SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/static/", "/media/", "/admin/")

# --- the crawler ---------------------------------------------------------------------------


QUIET_TAGS = ("script", "style", "textarea")


class _Links(HTMLParser):
    """Collects GET targets: <a href>, hx-get and the action of GET forms; and the page's
    text, one string per text node (its whitespace collapsed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.texts: set[str] = set()
        # Inside <script>, <style> or <textarea> (a form's field holds the stored English
        # being edited, beside its Spanish version's own field).
        self._quiet = 0

    def handle_data(self, data: str) -> None:
        if not self._quiet:
            self.texts.add(" ".join(data.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in QUIET_TAGS:
            self._quiet = max(0, self._quiet - 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in QUIET_TAGS:
            self._quiet += 1
        if tag == "a" and a.get("href"):
            self.found.append(a["href"] or "")
        if a.get("hx-get"):
            self.found.append(a["hx-get"] or "")
        if tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self.found.append(a["action"] or "")


def _json_links(path: str, data: object) -> Iterator[str]:
    """Links in an API answer: its ``next``/``previous`` pages, and each listed row's
    detail URL (rows are named by slug for collaboratives, by public_id otherwise)."""
    if not isinstance(data, dict):
        return
    for key in ("next", "previous"):
        if isinstance(data.get(key), str):
            yield data[key]
    try:
        name = resolve(path).url_name or ""
    except Resolver404:
        return
    if not name.endswith("-list"):
        return
    for row in data.get("results", []):
        if isinstance(row, dict):
            # Collaboratives by slug; HSDS rows (services, locations) call public_id "id".
            row_key = row.get("slug") if name == "collaborative-list" else row_id(row)
            if row_key:
                yield f"{path}{row_key}/"


def row_id(row: dict) -> str | None:
    return row.get("public_id") or row.get("id")


def api_starts(slug: str) -> list[str]:
    """Every list endpoint of the JSON API for one collaborative."""
    return [
        "/api/v1/" + prefix.replace("<slug:collaborative_slug>", slug) + "/"
        for router in (
            stakeholders_api.router,
            workgroups_api.router,
            mentorship_api.router,
            indicators_api.router,
        )
        for prefix, _viewset, _basename in router.registry
    ]


def _local(base: str, href: str) -> str | None:
    """The same-site path?query that ``href`` on page ``base`` points to, or None."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def route_of(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def uuids_in(path: str) -> list[str]:
    found = []
    for part in path.split("/"):
        try:
            uuid.UUID(part)
        except ValueError:
            continue
        if len(part) == 36:
            found.append(part)
    return found


# --- Spanish: what a Spanish reader must not see in English ---------------------------------

SPANISH = "es"

# Third-party code that looks a message up only to throw the answer away: not shown.
THROWN_AWAY = {
    # django-filter evaluates ``_(lookup)`` ("exact", "lt"...) as the default of a
    # dict.get and uses its own verbose words instead.
    ("django_filters.utils", "verbose_lookup_expr"),
}


def _thrown_away() -> bool:
    frame = sys._getframe(2)
    for _depth in range(8):
        if frame is None:
            return False
        if (frame.f_globals.get("__name__"), frame.f_code.co_name) in THROWN_AWAY:
            return True
        frame = frame.f_back
    return False


@contextmanager
def catalogue_misses() -> Iterator[set[str]]:
    """Collects every message looked up in Spanish that no catalogue translates: ours in
    locale/es, Django's, or a third-party app's (they are merged into one catalogue).
    A ``pgettext`` miss shows as ``context\x04message``."""
    missed: set[str] = set()
    real_gettext, real_ngettext = DjangoTranslation.gettext, DjangoTranslation.ngettext

    def spanish(trans: DjangoTranslation) -> bool:
        return trans.language().split("-")[0] == SPANISH

    def gettext(self, message):
        if (
            spanish(self)
            and not (self._catalog.get(message) or self._catalog.get((message, 0)))
            and not _thrown_away()
        ):
            missed.add(message)
        return real_gettext(self, message)

    def ngettext(self, singular, plural, n):
        if spanish(self) and not self._catalog.get((singular, 0)):  # type: ignore[attr-defined]
            missed.add(singular)
        return real_ngettext(self, singular, plural, n)

    DjangoTranslation.gettext = gettext  # type: ignore[method-assign]
    DjangoTranslation.ngettext = ngettext  # type: ignore[method-assign]
    try:
        yield missed
    finally:
        DjangoTranslation.gettext = real_gettext  # type: ignore[method-assign]
        DjangoTranslation.ngettext = real_ngettext  # type: ignore[method-assign]


def product_english() -> set[str]:
    """What the product stores in English and must show in Spanish: every string it
    declares (``product_written``) whose Spanish differs."""
    with translation.override(SPANISH):
        return {m for m in written_by_product() if translation.gettext(m) != m}


class Document(NamedTuple):
    """A whole HTML page the crawl reached (status 200; not a fragment)."""

    templates: tuple[str, ...]  # the templates it rendered
    length: int  # its length in characters


@dataclass
class Crawl:
    who: str
    statuses: dict[str, int] = field(default_factory=dict)  # url -> status
    errors: dict[str, str] = field(default_factory=dict)  # url -> exception, for 500s
    collapsed: int = 0  # links not followed because their route had enough examples
    unvisited: list[str] = field(default_factory=list)  # new routes left when the cap hit
    seconds: float = 0.0
    texts: dict[str, str] = field(default_factory=dict)  # url -> page text (if kept)
    documents: dict[str, Document] = field(default_factory=dict)  # whole HTML pages
    untranslated: dict[str, set[str]] = field(default_factory=dict)  # url -> msgids
    stored_english: dict[str, set[str]] = field(default_factory=dict)  # url -> product text

    @property
    def failures(self) -> list[str]:
        return [
            f"{url} -> {status} {self.errors.get(url, '')}".rstrip()
            for url, status in self.statuses.items()
            if status >= 500
        ]

    def reached(self, status: int = 200) -> list[str]:
        return [url for url, s in self.statuses.items() if s == status]


def get(client: Client, url: str, errors: dict[str, str] | None = None):
    """GET ``url``; an exception in the view counts as a 500 (and is remembered)."""
    try:
        # A savepoint: a database error in one view must not poison the next requests.
        with transaction.atomic():
            return client.get(url)
    except Exception as exc:  # noqa: BLE001 - any crash is what the crawl looks for
        if errors is not None:
            errors[url] = f"{type(exc).__name__}: {str(exc)[:300]}"

        class _Crashed:
            status_code = 500
            headers: dict[str, str] = {}
            content = b""

        return _Crashed()


def crawl(
    client: Client,
    who: str,
    starts: list[str],
    keep_text: bool = False,
    per_route: int = PER_ROUTE,
    per_query: int = PER_QUERY,
    max_pages: int = MAX_PAGES,
    spanish: bool = False,
) -> Crawl:
    """Crawls from ``starts``. With ``spanish`` (a client reading Spanish) it also records
    the messages no catalogue translates and the product's own stored English shown."""
    result = Crawl(who)
    began = time.monotonic()
    english = product_english() if spanish else set()
    queue = deque(starts)  # links to routes already crawled
    fresh: deque[str] = deque()  # links to routes not crawled yet go first
    seen: set[str] = set(starts)
    paths_of: dict[str, set[str]] = {}  # route -> the paths admitted
    queries_of: dict[tuple[str, tuple[str, ...]], int] = {}  # (path, parameters) -> count

    def admit(url: str) -> None:
        if url in seen:
            return
        seen.add(url)
        path, _, query = url.partition("?")
        route = route_of(path)
        new_route = route not in paths_of
        paths = paths_of.setdefault(route, set())
        if path not in paths and len(paths) >= per_route:
            result.collapsed += 1
            return
        paths.add(path)
        if query:
            key = (path, tuple(sorted({k for k, _v in parse_qsl(query, keep_blank_values=True)})))
            if queries_of.get(key, 0) >= per_query:
                result.collapsed += 1
                return
            queries_of[key] = queries_of.get(key, 0) + 1
        (fresh if new_route else queue).append(url)

    for url in starts:
        paths_of.setdefault(route_of(url.partition("?")[0]), set()).add(url.partition("?")[0])
    while (fresh or queue) and len(result.statuses) < max_pages:
        url = (fresh or queue).popleft()
        if spanish:
            with catalogue_misses() as missed:
                response = get(client, url, result.errors)
            if missed:
                result.untranslated[url] = missed
        else:
            response = get(client, url, result.errors)
        result.statuses[url] = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            target = _local(url, response.headers.get("Location", ""))
            if target:
                admit(target)
            continue
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        kind = response.headers.get("Content-Type", "")
        if keep_text and kind.startswith(("text/", "application/json")):
            result.texts[url] = response.content.decode(errors="replace")
        if kind.startswith("text/html"):
            text = response.content.decode(errors="replace")
            if "<html" in text[:1000].lower():
                templates = tuple(t.name for t in getattr(response, "templates", []) if t.name)
                result.documents[url] = Document(templates, len(text))
            parser = _Links()
            parser.feed(text)
            links = parser.found
            if parser.texts & english:
                result.stored_english[url] = parser.texts & english
        elif kind.startswith("application/json"):
            try:
                links = list(_json_links(url.partition("?")[0], json.loads(response.content)))
            except ValueError:
                links = []
        else:
            continue
        for href in links:
            target = _local(url, href)
            if target:
                admit(target)
    result.unvisited = list(fresh)
    result.seconds = time.monotonic() - began
    return result


# --- the demo and its people ---------------------------------------------------------------

# Fast password hashing and a cache of the process's own for the crawl.
TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}


def demo_settings() -> override_settings:
    """The settings the demo is seeded and crawled under: TEST_SETTINGS, and static files
    found without a collectstatic manifest."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return override_settings(STORAGES=storages, **TEST_SETTINGS)


def seed_demo() -> float:
    """Runs ``seed_demo``; returns the seconds it took."""
    began = time.monotonic()
    with override_settings(DEBUG=True):  # seed_demo refuses to run otherwise
        call_command("seed_demo", stdout=io.StringIO())
    return time.monotonic() - began


def demo_user(who: str) -> User:
    return User.objects.get(email=f"{who}@{demo.DEMO_DOMAIN}")


def client_for(who: str, language: str | None = None) -> Client:
    """A test client signed in as that demo person (or anonymous), reading ``language``
    (the language cookie and Accept-Language) when given."""
    client = Client(headers={"accept-language": language} if language else {})
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if who != "anonymous":
        client.force_login(demo_user(who))
    return client


def starts_for(who: str, api: bool = True) -> list[str]:
    """ "/", the collaborative's home, the JSON API (unless ``api`` is false), and the
    person's own organization (its edit pages are linked from there only, and collapsing
    could skip it)."""
    home = PEOPLE[who]
    slug = home.split("/")[2]
    starts = ["/", home]
    if api:
        starts += ["/api/docs/", "/api/v1/collaboratives/", *api_starts(slug)]
    if who == "anonymous":
        return starts + PUBLIC_STARTS
    member = Member.objects.get(user=demo_user(who), collaborative__slug=slug)
    if member.organization is not None:
        starts.append(f"{home}organizations/{member.organization.public_id}/")
    return starts
