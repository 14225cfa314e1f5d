"""Crawl the whole app as every demo person: no page ends in a 500, and nothing of one
collaborative is reachable from another.

The demo data (``seed_demo``) is built once for this module, inside a transaction that is
rolled back at the end, so other test modules still start from an empty database. Every
test runs in its own savepoint on top of it (the ``db`` fixture), so what a GET writes
(audit events, last-seen stamps) does not carry over.

For each person the crawler starts at "/" and at the collaborative's home, follows every
same-site link (``<a href>``, ``hx-get``, GET forms' ``action``, redirects, and URLs in
JSON answers) breadth-first, GET only. URLs are collapsed by their Django route: at most
``PER_ROUTE`` different paths per route and ``PER_QUERY`` query strings per path and set of
parameter names, and at most ``MAX_PAGES`` pages per person, so the crawl stays bounded.

Everyone crawls in Spanish: every other test renders pages in English, so this is where
each page is rendered in Spanish (a translation whose placeholders break a page shows here
as a 500 too). Each msgid looked up while a page renders is checked against the Spanish
catalogue, and each page's text against the English of what the product itself stored
(``reentry.i18n.product_written``).

Then: every status is below 500; every page a Spanish reader opens is in Spanish; every
crawled route answers junk query strings (and a junk value for each parameter the app
uses) below 500, and an unknown UUID with a 404;
every Cedar River URL its backbone reached is a 404 (or a sign-in) for the other
collaborative's backbone and for anonymous people, except the pages public by design
listed below; no Cedar River name shows on the other collaborative's pages; and an
observer cannot open object pages that only the backbone reached.
"""

import html
import io
import json
import logging
import sys
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
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
from reentry.sharing.levels import SharingLevel
from stakeholders import api as stakeholders_api
from stakeholders import demo
from stakeholders.models import Location, Member, Organization, Service, User
from workgroups import api as workgroups_api

log = logging.getLogger(__name__)

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
LANGUAGE = "es"  # everyone reads the app in Spanish (see the docstring)
PER_ROUTE = 3
PER_QUERY = 2

# Never followed: signing out, switching language, files served by the web server, the
# Django admin (no demo person is staff).
SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/static/", "/media/", "/admin/")

# Garbage in the query string must never break a page.
JUNK_QUERIES = ["page=abc", "page=999999", "sort=nonsense", "q=%00"]
# ... nor a value the app never puts in its own links, for each parameter it does use.
JUNK_VALUES = ["nonsense", "\x00", "99999999999999999999"]

# Cedar River pages that anyone, and so the other collaborative's backbone, may open.
PUBLIC_BY_DESIGN = (
    f"/about/{SLUG}/",  # the public landing page
    f"/dashboard/{SLUG}/",  # public dashboard, its CSV, embeds and charts
    f"/directory/{SLUG}/",  # public directory
    f"/quick-wins/{SLUG}/",  # completed quick wins
    f"/apply/{SLUG}/",  # mentoring applications
    f"{HOME}join/",  # asking to join (Cedar River takes requests)
)


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
            row_key = row.get("slug") if name == "collaborative-list" else _row_id(row)
            if row_key:
                yield f"{path}{row_key}/"


def _row_id(row: dict) -> str | None:
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


def _route(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _uuids(path: str) -> list[str]:
    found = []
    for part in path.split("/"):
        try:
            uuid.UUID(part)
        except ValueError:
            continue
        if len(part) == 36:
            found.append(part)
    return found


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
        return trans.language().split("-")[0] == "es"

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
    with translation.override(LANGUAGE):
        return {m for m in written_by_product() if translation.gettext(m) != m}


@dataclass
class Crawl:
    who: str
    statuses: dict[str, int] = field(default_factory=dict)  # url -> status
    errors: dict[str, str] = field(default_factory=dict)  # url -> exception, for 500s
    collapsed: int = 0  # links not followed because their route had enough examples
    unvisited: list[str] = field(default_factory=list)  # new routes left when the cap hit
    seconds: float = 0.0
    texts: dict[str, str] = field(default_factory=dict)  # url -> page text (if kept)
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


def crawl(client: Client, who: str, starts: list[str], keep_text: bool = False) -> Crawl:
    result = Crawl(who)
    began = time.monotonic()
    english = product_english()
    queue = deque(starts)  # links to routes already crawled
    fresh: deque[str] = deque()  # links to routes not crawled yet go first
    seen: set[str] = set(starts)
    per_route: dict[str, set[str]] = {}
    per_query: dict[tuple[str, tuple[str, ...]], int] = {}

    def admit(url: str) -> None:
        if url in seen:
            return
        seen.add(url)
        path, _, query = url.partition("?")
        route = _route(path)
        new_route = route not in per_route
        paths = per_route.setdefault(route, set())
        if path not in paths and len(paths) >= PER_ROUTE:
            result.collapsed += 1
            return
        paths.add(path)
        if query:
            key = (path, tuple(sorted({k for k, _v in parse_qsl(query, keep_blank_values=True)})))
            if per_query.get(key, 0) >= PER_QUERY:
                result.collapsed += 1
                return
            per_query[key] = per_query.get(key, 0) + 1
        (fresh if new_route else queue).append(url)

    for url in starts:
        per_route.setdefault(_route(url.partition("?")[0]), set()).add(url.partition("?")[0])
    while (fresh or queue) and len(result.statuses) < MAX_PAGES:
        url = (fresh or queue).popleft()
        with catalogue_misses() as missed:
            response = get(client, url, result.errors)
        if missed:
            result.untranslated[url] = missed
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
            parser = _Links()
            parser.feed(response.content.decode(errors="replace"))
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


# --- fixtures ------------------------------------------------------------------------------

TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, request):
    """seed_demo once for the module, rolled back when the module is done."""
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages, **TEST_SETTINGS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            began = time.monotonic()
            with override_settings(DEBUG=True):  # seed_demo refuses to run otherwise
                call_command("seed_demo", stdout=io.StringIO())
            log.info("seed_demo: %.1fs", time.monotonic() - began)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def as_person(demo_data, db):
    """``as_person(who)``: a client signed in as that demo person (or anonymous)."""

    def _client(who: str) -> Client:
        client = Client(headers={"accept-language": LANGUAGE})
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = LANGUAGE
        if who != "anonymous":
            client.force_login(_user(who))
        return client

    return _client


def _user(who: str) -> User:
    return User.objects.get(email=f"{who}@{demo.DEMO_DOMAIN}")


def _starts(who: str) -> list[str]:
    """ "/", the collaborative's home, the JSON API, and the person's own organization
    (its edit pages are linked from there only, and collapsing could skip it)."""
    home = PEOPLE[who]
    slug = home.split("/")[2]
    starts = ["/", home, "/api/docs/", "/api/v1/collaboratives/", *api_starts(slug)]
    if who == "anonymous":
        return starts + PUBLIC_STARTS
    member = Member.objects.get(user=_user(who), collaborative__slug=slug)
    if member.organization is not None:
        starts.append(f"{home}organizations/{member.organization.public_id}/")
    return starts


CRAWLS: dict[str, Crawl] = {}
PROBED: set[object] = set()
CEDAR_RIVER_MEMBERS = [who for who, home in PEOPLE.items() if home == HOME and who != "anonymous"]


def crawl_as(as_person, who: str) -> Crawl:
    """Each person's crawl runs once; later tests reuse what it reached."""
    if who not in CRAWLS:
        CRAWLS[who] = crawl(as_person(who), who, _starts(who), keep_text=who == "lakeshore")
    return CRAWLS[who]


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", list(PEOPLE))
def test_no_page_fails(as_person, who):
    result = crawl_as(as_person, who)
    log.info(
        "%s: %d pages (%d answered 200, %d links collapsed) in %.1fs",
        who,
        len(result.statuses),
        len(result.reached()),
        result.collapsed,
        result.seconds,
    )
    assert len(result.statuses) > 3, result.statuses
    assert not result.unvisited, f"raise MAX_PAGES: routes never crawled: {result.unvisited}"
    assert not result.failures, "\n".join(result.failures)


@pytest.mark.parametrize("who", list(PEOPLE))
def test_junk_queries_and_unknown_ids_never_fail(as_person, who):
    result = crawl_as(as_person, who)
    client = as_person(who)
    errors: dict[str, str] = {}
    failures: list[str] = []
    wrong_id: list[str] = []
    # Cedar River's members share one set: a route one of them probed is not probed again.
    done_routes: set[object] = PROBED if who in CEDAR_RIVER_MEMBERS else set()

    def probe(url: str) -> None:
        response = get(client, url, errors)
        if response.status_code >= 500:
            failures.append(f"{url} -> {response.status_code} {errors.get(url, '')}")

    for url in result.reached(200):
        path, _, query = url.partition("?")
        route = _route(path)
        # Every parameter the app itself puts in its links, with a value it never makes.
        for key, _value in parse_qsl(query, keep_blank_values=True):
            if (route, key) in done_routes:
                continue
            done_routes.add((route, key))
            for junk in JUNK_VALUES:
                probe(f"{path}?{urlencode({key: junk})}")
        if route in done_routes:
            continue
        done_routes.add(route)
        for junk in JUNK_QUERIES:
            probe(f"{path}?{junk}")
        for old in _uuids(path):
            unknown = path.replace(old, str(uuid.uuid4()))
            response = get(client, unknown, errors)
            if response.status_code >= 500:
                failures.append(f"{unknown} -> {response.status_code} {errors.get(unknown, '')}")
            elif response.status_code != 404 and not _is_sign_in(who, unknown, response):
                wrong_id.append(f"{unknown} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert not wrong_id, "an unknown id must be a 404:\n" + "\n".join(wrong_id)


def _by_message(found: dict[str, set[str]]) -> str:
    """``message`` — the first URL it showed on (and how many more), one line each."""
    urls: dict[str, list[str]] = {}
    for url, messages in found.items():
        for message in messages:
            urls.setdefault(message, []).append(url)
    return "\n".join(
        f"{message!r} — {pages[0]}" + (f" (and {len(pages) - 1} more)" if len(pages) > 1 else "")
        for message, pages in sorted(urls.items())
    )


@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_page_is_in_spanish(as_person, who):
    """Nothing the product wrote is left in English for a Spanish reader: no message the
    Spanish catalogue lacks, no English of a row the product stored itself."""
    result = crawl_as(as_person, who)
    assert len(result.reached()) > 3, result.statuses
    assert not result.untranslated, (
        f"{who}: messages with no Spanish translation (makemessages, then translate "
        f"locale/es):\n{_by_message(result.untranslated)}"
    )
    assert not result.stored_english, (
        f"{who}: stored text the product wrote, shown in English (render it with "
        f"reentry.i18n.localized):\n{_by_message(result.stored_english)}"
    )


def test_the_spanish_check_catches_english():
    """The two detectors work: a message no catalogue has is caught, one ours translates
    is not, and a page showing the "Full collaborative" group in English is caught."""
    with translation.override(LANGUAGE), catalogue_misses() as missed:
        translation.gettext("Full collaborative")
        translation.gettext("No catalogue has this sentence.")
        translation.ngettext("%(n)s stray thing", "%(n)s stray things", 2)
    assert missed == {"No catalogue has this sentence.", "%(n)s stray thing"}
    assert {"Full collaborative", "Housing", "Race and ethnicity"} <= product_english()


def _is_sign_in(who: str, url: str, response) -> bool:
    """Anonymous people are sent to sign in (pages) or told to authenticate (API)."""
    if who != "anonymous":
        return False
    if url.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 302 and response.headers["Location"].startswith(
        "/accounts/login/"
    )


# The directory API answers anyone with what Cedar River made public (DESIGN.md:
# "public — anyone, signed in or not (public dashboard, directory)").
PUBLIC_API = {
    "organization": Organization,
    "service": Service,
    "location": Location,
}


def _public_ids(model) -> set[str]:
    """public_ids of Cedar River rows whose organization's profile is public."""
    level = "sharing_level" if model is Organization else "organization__sharing_level"
    rows = model.objects.filter(collaborative__slug=SLUG, **{level: SharingLevel.PUBLIC})
    return {str(i) for i in rows.values_list("public_id", flat=True)}


def _only_public_rows(url: str, response) -> bool:
    """A 200 from the directory API to an outsider holds public rows of Cedar River only."""
    match = resolve(url.partition("?")[0])
    basename = (match.url_name or "").rsplit("-", 1)[0]
    if response.status_code != 200 or basename not in PUBLIC_API:
        return False
    public = _public_ids(PUBLIC_API[basename])
    data = json.loads(response.content)
    rows = data.get("results", []) if "results" in data else [data]
    return all(_row_id(row) in public for row in rows)


@pytest.mark.parametrize("who", ["lakeshore", "anonymous"])
def test_nothing_of_cedar_river_is_reachable_from_outside(as_person, who):
    backbone = crawl_as(as_person, "backbone")
    urls = [
        url
        for url, status in backbone.statuses.items()
        if status == 200
        and url.startswith((HOME, "/api/v1/"))
        and not url.startswith(PUBLIC_BY_DESIGN)
    ]
    assert len(urls) > 100, urls
    assert sum(url.startswith("/api/v1/collaboratives/cedar-river/") for url in urls) > 20, urls
    client = as_person(who)
    leaks = []
    for url in urls:
        response = get(client, url)
        if response.status_code == 404 or _is_sign_in(who, url, response):
            continue
        if url.startswith(f"/api/v1/collaboratives/{SLUG}/") and _only_public_rows(url, response):
            continue
        # The person's own collaboratives: must not list Cedar River.
        if (
            url.partition("?")[0] == "/api/v1/collaboratives/"
            and response.status_code == 200
            and SLUG.encode() not in response.content
        ):
            continue
        leaks.append(f"{url} -> {response.status_code}")
    assert not leaks, f"{who} reached Cedar River pages:\n" + "\n".join(leaks)


def test_the_other_collaborative_sees_only_public_cedar_river_pages(as_person):
    result = crawl_as(as_person, "lakeshore")
    reached = [
        url for url in result.reached(200) if (SLUG in url) and not url.startswith(PUBLIC_BY_DESIGN)
    ]
    assert not reached, reached


def _cedar_river_secrets() -> set[str]:
    """Names only Cedar River's members may see: its people and its organizations whose
    profile is not public (each at least two words, so none is an everyday word)."""
    outsiders = set(
        Member.objects.exclude(collaborative__slug=SLUG).values_list("user__name", flat=True)
    )
    names = set(
        Member.objects.filter(collaborative__slug=SLUG).values_list("user__name", flat=True)
    )
    names |= set(
        Organization.objects.filter(collaborative__slug=SLUG)
        .exclude(sharing_level=SharingLevel.PUBLIC)
        .values_list("name", flat=True)
    )
    return {n for n in names - outsiders if " " in n.strip()}


def test_the_other_collaborative_never_sees_cedar_river_names(as_person):
    """Not in a page, a form's choices, a CSV or an API answer of its own collaborative."""
    result = crawl_as(as_person, "lakeshore")
    secrets = _cedar_river_secrets()
    assert len(secrets) > 30, secrets
    own = [url for url in result.texts if url.startswith((OTHER_HOME, "/api/v1/", "/accounts/"))]
    assert len(own) > 50, own
    leaks = [
        f"{url}: {name}"
        for url in own
        for name in secrets
        if name in result.texts[url] or html.escape(name) in result.texts[url]
    ]
    assert not leaks, "\n".join(leaks)


# Pages that only the backbone's crawl reached, but that an observer may open: they show
# the observer only their own part of an object the whole collaborative sees.
OBSERVER_MAY_OPEN = {
    "mentorship:matches": "a program's match list: coordinators see all, others only their own",
    "polls:vote": "a poll open to the whole collaborative; the page says why they cannot vote",
    # The common agenda is every member's to read (ActionItem.visible_to, ActionPlan's
    # through its group). The backbone's home links the overdue items first, so its crawl
    # reaches other items and plans (three per route) than the observer's does.
    "workgroups:action_item": "an action item: the collaborative's common agenda",
    "workgroups:board": "a group's board: its action items",
    "workgroups:plan": "an action plan: seen wherever its group is",
    "workgroups:plans": "a group's action plans",
}


def test_an_observer_cannot_open_what_only_the_backbone_reached(as_person):
    backbone = crawl_as(as_person, "backbone")
    observer = crawl_as(as_person, "observer")
    urls = [
        url
        for url, status in backbone.statuses.items()
        if status == 200
        and url.startswith(HOME)
        and _uuids(url.partition("?")[0])
        and url not in observer.statuses
    ]
    assert len(urls) > 50, urls
    client = as_person("observer")
    opened = [
        url
        for url in urls
        if resolve(url.partition("?")[0]).view_name not in OBSERVER_MAY_OPEN
        and get(client, url).status_code == 200
    ]
    assert not opened, "\n".join(opened)
