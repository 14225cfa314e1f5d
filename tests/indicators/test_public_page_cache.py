"""The public dashboard kept whole as rendered HTML for signed-out visitors
(reentry/pagecache.py, kind DASHBOARD; issue 18): served without a query, revalidated by
ETag, keyed by the chosen period, and shown afresh as soon as a service changes what it
shows. Signed-in people, languages and collaboratives are kept apart."""

import re

import pytest
from django.db import transaction
from django.test import Client

from indicators.models import DerivedIndicator, Indicator
from indicators.services import catalog, datasets, records
from indicators.views import public as public_views
from reentry.pagecache import DASHBOARD, page_version
from tests.caches import clear_caches
from tests.factories import KeyAreaFactory
from tests.indicators.dashboard_world import (
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)
from tests.indicators.test_public import purl
from tests.indicators.upload_helpers import run_import, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    clear_caches()  # local memory caches outlive a test
    indicator = indicator_of(cast, "HOUS-1", name="People housed", is_public=True)
    public = make_dataset(cast, cast.org_a, level="public", title="Public figures")
    race_breakdown(public, indicator, year(2023), 1100, {"white": 600, "black": 500})
    race_breakdown(public, indicator, year(2024), 1234, {"white": 634, "black": 600})
    return indicator, public


VISITOR = re.compile(r'(nonce|value)="[^"]*"')


def page(url=None, **headers):
    return Client().get(url or purl("dashboard"), headers=headers).content.decode()


def same(text):
    """The page without what differs from visitor to visitor (CSP nonce, CSRF token)."""
    return VISITOR.sub("", text)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service with its on-commit callbacks (the page's new version) executed."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def test_a_second_visitor_is_served_without_a_query(world, django_assert_num_queries):
    first = Client().get(purl("dashboard"))
    assert first.status_code == 200 and "1,234" in first.content.decode()
    with django_assert_num_queries(0):
        second = Client().get(purl("dashboard"))
    assert second.status_code == 200 and "1,234" in second.content.decode()
    assert "\x00" not in second.content.decode()


def test_a_browser_that_has_the_page_gets_304(world, django_assert_num_queries):
    visitor = Client()
    first = visitor.get(purl("dashboard"))
    assert "private" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = visitor.get(purl("dashboard"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_chosen_period_is_a_page_of_its_own(world, django_assert_num_queries):
    indicator, _d = world
    options = public_views.public_figures(indicator.collaborative)["areas"][0]["indicators"][0][
        "choice"
    ]["options"]
    earlier = next(o["token"] for o in options if "2023" in o["label"])
    chosen = f"{purl('dashboard')}?ind={indicator.public_id}&period={earlier}"
    latest = same(page())
    first = same(page(chosen))
    assert first != latest
    with django_assert_num_queries(0):
        assert same(page(chosen)) == first
    with django_assert_num_queries(0):
        assert same(page()) == latest


def test_signed_in_people_get_their_own_page(cast, world, login, django_assert_num_queries):
    page()
    member = login(cast.staff_b)
    text = member.get(purl("dashboard")).content.decode()
    assert "Sign out" in text
    # And what a signed-in person was shown is never kept for anyone else.
    assert "Sign out" not in page()


def test_each_language_is_kept_apart(world):
    english = Client().get(purl("dashboard"), headers={"accept-language": "en"})
    spanish = Client().get(purl("dashboard"), headers={"accept-language": "es"})
    assert english["Content-Language"] == "en" and spanish["Content-Language"] == "es"
    assert 'lang="es"' in spanish.content.decode() and 'lang="en"' in english.content.decode()


def test_another_collaborative_never_gets_this_ones_page(cast, world, committed):
    area = KeyAreaFactory(collaborative=cast.other_collab, name="Work", slug="work")
    Indicator.objects.create(
        collaborative=cast.other_collab,
        key_area=area,
        code="JOBS-1",
        name="People working",
        question="How many people have a job?",
        status=Indicator.Status.ADOPTED,
        is_public=True,
    )
    ours = page()
    theirs = page(purl("dashboard", slug=cast.other_collab.slug))
    assert "People housed" in ours and "People working" not in ours
    assert "People working" in theirs and "People housed" not in theirs
    kept = page_version(DASHBOARD, cast.other_collab.slug)
    indicator, _d = world
    indicator.name = "People with a home"
    committed(catalog.indicator_save, actor=cast.backbone, indicator=indicator)
    assert page_version(DASHBOARD, cast.other_collab.slug) == kept


# --- every hooked service shows its change at once ------------------------------------------


def test_an_indicator_saved_shows_at_once(cast, world, committed):
    indicator, _d = world
    assert "People housed" in page()
    indicator.name = "People with a home"
    committed(catalog.indicator_save, actor=cast.backbone, indicator=indicator)
    assert "People with a home" in page()
    other = indicator_of(cast, "HOUS-2", name="Evictions avoided")
    assert "Evictions avoided" not in page()
    other.is_public = True
    committed(catalog.indicator_save, actor=cast.backbone, indicator=other)
    assert "Evictions avoided" in page()


def test_a_dataset_made_public_shows_at_once(cast, world, committed):
    indicator, _d = world
    members = make_dataset(cast, cast.org_b, level="collaborative", title="Members only")
    observe(members, indicator, year(2025), 999)
    assert "999" not in page()
    committed(
        datasets.dataset_share, actor=cast.staff_b, dataset=members, level="public", share_with=[]
    )
    assert "999" in page()
    committed(
        datasets.dataset_share,
        actor=cast.staff_b,
        dataset=members,
        level="collaborative",
        share_with=[],
    )
    assert "999" not in page()


def test_a_version_accepted_shows_at_once(cast, world, committed):
    indicator, _d = world
    draft = make_dataset(cast, cast.org_c, level="public", accepted=False, title="Draft")
    observe(draft, indicator, year(2025), 888)
    assert "888" not in page()
    admin_c = cast.staff_c  # made the organization's admin by make_dataset
    version = draft.current_version
    committed(datasets.dataset_version_submit, actor=admin_c, version=version)
    assert "888" not in page()
    committed(datasets.dataset_version_accept, actor=cast.backbone, version=version)
    assert "888" in page()


def test_a_derivation_removed_shows_at_once(cast, world, committed):
    indicator, dataset = world
    definition = DerivedIndicator.objects.create(dataset=dataset, indicator=indicator)
    assert "1,234" in page()
    committed(records.derived_indicator_delete, actor=cast.admin_a, definition=definition)
    assert "1,234" not in page()


def _bumps(collaborative, committed, fn, **kwargs):
    before = page_version(DASHBOARD, collaborative.slug)
    committed(fn, **kwargs)
    return page_version(DASHBOARD, collaborative.slug) != before


def test_returning_restoring_and_importing_give_a_new_version(cast, world, tmp_path, committed):
    indicator, _d = world
    path = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "17", "", ""]])
    assert _bumps(cast.collab, committed, run_import, cast=cast, path=path)
    dataset = indicator.observations.get(value=17).dataset
    first = dataset.current_version
    committed(datasets.dataset_version_submit, actor=cast.admin_a, version=first)
    assert _bumps(
        cast.collab,
        committed,
        datasets.dataset_version_return,
        actor=cast.backbone,
        version=first,
        note="Check the year",
    )
    path = write_csv(tmp_path / "b.csv", [["HOUS-1", "2025", "", "", "19", "", ""]])
    run_import(cast, path, dataset=dataset, reason="Late entries")
    assert _bumps(
        cast.collab,
        committed,
        datasets.dataset_version_restore,
        actor=cast.admin_a,
        dataset=dataset,
        version=first,
        reason="The first was right",
    )


def test_a_rollback_keeps_the_page(cast, world, django_capture_on_commit_callbacks):
    """page_changed waits for the commit: a change rolled back leaves the page as it was."""
    indicator, _d = world
    assert "People housed" in page()
    before = page_version(DASHBOARD, cast.collab.slug)
    indicator.name = "People with a home"
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        catalog.indicator_save(actor=cast.backbone, indicator=indicator)
        raise RuntimeError
    assert page_version(DASHBOARD, cast.collab.slug) == before
    assert "People housed" in page()
