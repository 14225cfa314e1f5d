"""Crawl the whole app as every demo person: no page ends in a 500, and nothing of one
collaborative is reachable from another.

The demo data (``seed_demo``) is built once for this module, inside a transaction that is
rolled back at the end, so other test modules still start from an empty database. Every
test runs in its own savepoint on top of it (the ``db`` fixture), so what a GET writes
(audit events, last-seen stamps) does not carry over. The crawler is tests/crawler.py.

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
import json
import logging
import uuid
from urllib.parse import parse_qsl, urlencode

import pytest
from django.db import transaction
from django.urls import resolve
from django.utils import translation

from reentry.sharing.levels import SharingLevel
from stakeholders.models import Location, Member, Organization, Service
from tests.crawler import (
    HOME,
    OTHER_HOME,
    PEOPLE,
    SLUG,
    SPANISH,
    Crawl,
    catalogue_misses,
    client_for,
    crawl,
    demo_settings,
    get,
    product_english,
    route_of,
    row_id,
    seed_demo,
    starts_for,
    uuids_in,
)

log = logging.getLogger(__name__)

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


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, request):
    """seed_demo once for the module, rolled back when the module is done."""
    with django_db_blocker.unblock(), demo_settings():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            log.info("seed_demo: %.1fs", seed_demo())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def as_person(demo_data, db):
    """``as_person(who)``: a client signed in as that demo person (or anonymous), reading
    Spanish (see the docstring)."""

    def _client(who: str):
        return client_for(who, language=SPANISH)

    return _client


CRAWLS: dict[str, Crawl] = {}
PROBED: set[object] = set()
CEDAR_RIVER_MEMBERS = [who for who, home in PEOPLE.items() if home == HOME and who != "anonymous"]


def crawl_as(as_person, who: str) -> Crawl:
    """Each person's crawl runs once; later tests reuse what it reached."""
    if who not in CRAWLS:
        CRAWLS[who] = crawl(
            as_person(who), who, starts_for(who), keep_text=who == "lakeshore", spanish=True
        )
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
        route = route_of(path)
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
        for old in uuids_in(path):
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
    with translation.override(SPANISH), catalogue_misses() as missed:
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
    return all(row_id(row) in public for row in rows)


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
        and uuids_in(url.partition("?")[0])
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
