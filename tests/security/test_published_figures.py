"""Every figure published beyond its owner goes through the one suppression entry point,
``reentry.suppression.suppress`` (DESIGN.md rule 8).

A spy wraps ``suppress`` wherever it is bound (the module itself, and every module that
imported the name), so each path below is asserted to have asked it about the cells it
publishes, with the figures of the world it was given. The paths, found by following
where counts and rates are rendered (``suppress`` is called, directly or through
``reentry.suppression.suppress_parts``, by ``indicators.dashboards._table``,
``stakeholders.views``, ``workgroups.inclusion``, ``workgroups.polls.results``,
``mentorship.reports`` and ``casework.selectors.referrals``):

indicators (``indicators.dashboards.indicator_data``)
    the member dashboard (``indicators:overview``), a key area's scorecard
    (``indicators:scorecard``), the indicator page (``indicators:indicator``), the
    indicator's CSV and XLSX export (``indicators:indicator_export``), the dashboard's
    CSV and XLSX export (``indicators:dashboard_export``), the API's observations
    (``/api/v1/collaboratives/<slug>/observations/``), the public dashboard, its CSV,
    its embed and its SVG chart (``public_indicators:dashboard|csv|embed|chart``);
stakeholders
    the collaborative's overview page (``stakeholders:overview``): members who share lived
    experience;
workgroups
    the inclusion card on a group's page and the inclusion report (``inclusion_report``:
    shares, people at gatherings, chair seats), poll results on the page
    (``polls:results``) and in the API (``…/polls/<id>/results/``): turnout per role and
    for people with lived experience, and each option's lived-experience split;
mentorship
    the funder report, page and CSV (``mentorship:funder_report``,
    ``mentorship:funder_report_csv``);
casework
    referral outcomes for backbone staff (``casework:referral_outcomes``): referrals per
    receiving service and key area, by status, with row, column and grand totals.

A new path that publishes figures belongs in this list, with its test.
"""

import sys
from collections.abc import Hashable, Mapping
from datetime import timedelta
from decimal import Decimal
from types import ModuleType
from unittest import mock

import pytest
from django.urls import reverse

import reentry.urls  # noqa: F401 - every view module loaded before the spy is set
from indicators.dashboards import COMBINED
from reentry import suppression
from stakeholders.models import Member
from tests.caches import clear_caches
from tests.casework.conftest import casebook  # noqa: F401 - fixture
from tests.casework.referrals_world import rw, send  # noqa: F401 - fixture
from tests.factories import MemberFactory
from tests.indicators.dashboard_world import (
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)
from tests.mentorship.conftest import mworld  # noqa: F401 - fixture
from tests.mentorship.factories import BudgetLineFactory, GrantFactory
from tests.workgroups.conftest import seat, wg  # noqa: F401 - fixture
from tests.workgroups.polls_world import keys, make_poll
from workgroups.polls import services as polls

pytestmark = pytest.mark.django_db

V1 = "/api/v1/collaboratives"
ASIAN = (COMBINED, (("race_ethnicity", "asian"),))
TOTAL_2024 = (COMBINED, ())


def _bindings() -> list[ModuleType]:
    real = suppression.suppress
    found = []
    for module in list(sys.modules.values()):
        try:
            bound = getattr(module, "suppress", None)
        except Exception:  # noqa: S112 - a lazy module that cannot answer is not a binding
            continue
        if bound is real:
            found.append(module)
    return found


@pytest.fixture
def spy(monkeypatch):
    clear_caches()  # the public dashboard caches its figures
    wrapped = mock.Mock(wraps=suppression.suppress)
    modules = _bindings()
    assert suppression in modules
    for module in modules:
        monkeypatch.setattr(module, "suppress", wrapped)
    return wrapped


def _tables(spy) -> list[dict[Hashable, object]]:
    tables = []
    for call in spy.call_args_list:
        cells = call.args[0] if call.args else call.kwargs["cells"]
        tables.append({cell.key: cell.value for cell in cells})
    return tables


def assert_through(spy, expected: Mapping[Hashable, object]) -> None:
    """Some call of the entry point held every cell of ``expected`` with its value."""
    tables = _tables(spy)
    assert any(all(k in t and t[k] == v for k, v in expected.items()) for t in tables), (
        f"no call of suppress() had {expected!r}; calls: {tables!r}"
    )


# --- indicators ----------------------------------------------------------------------


@pytest.fixture
def indicator(cast):
    """People housed, public: org A's public dataset, 1,234 in 2024 broken down by race
    (517, 710 and 7)."""
    indicator = indicator_of(cast, "HOUS-1", name="People housed", is_public=True)
    public = make_dataset(cast, cast.org_a, level="public", title="Public figures")
    observe(public, indicator, year(2023), 1100)
    race_breakdown(public, indicator, year(2024), 1234, {"white": 517, "black": 710, "asian": 7})
    return indicator


def _indicator_url(name, cast, indicator=None, **kwargs):
    if indicator is not None:
        kwargs["public_id"] = indicator.public_id
    return reverse(f"indicators:{name}", kwargs={"slug": cast.collab.slug, **kwargs})


def _public_url(name, cast, indicator=None):
    kwargs = {"slug": cast.collab.slug}
    if indicator is not None:
        kwargs["public_id"] = indicator.public_id
    return reverse(f"public_indicators:{name}", kwargs=kwargs)


def _get(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


class TestIndicators:
    def test_member_dashboard(self, cast, indicator, login, spy):
        _get(login(cast.staff_b), _indicator_url("overview", cast))
        assert_through(spy, {TOTAL_2024: Decimal(1234)})

    def test_scorecard(self, cast, indicator, login, spy):
        _get(login(cast.staff_b), _indicator_url("scorecard", cast, area=cast.key_area.slug))
        assert_through(spy, {TOTAL_2024: Decimal(1234)})

    def test_indicator_page(self, cast, indicator, login, spy):
        _get(login(cast.staff_b), _indicator_url("indicator", cast, indicator))
        assert_through(spy, {TOTAL_2024: Decimal(1234), ASIAN: Decimal(7)})

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_indicator_export(self, cast, indicator, login, spy, fmt):
        url = _indicator_url("indicator_export", cast, indicator)
        _get(login(cast.staff_b), url, {"format": fmt})
        assert_through(spy, {ASIAN: Decimal(7)})

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_dashboard_export(self, cast, indicator, login, spy, fmt):
        _get(login(cast.staff_b), _indicator_url("dashboard_export", cast), {"format": fmt})
        assert_through(spy, {ASIAN: Decimal(7)})

    def test_api_observations(self, cast, indicator, login, spy):
        url = f"{V1}/{cast.collab.slug}/observations/"
        _get(login(cast.staff_b), url, {"indicator": indicator.public_id})
        assert_through(spy, {ASIAN: Decimal(7)})

    @pytest.mark.parametrize("name", ["dashboard", "csv"])
    def test_public_dashboard(self, client, cast, indicator, spy, name):
        _get(client, _public_url(name, cast))
        assert_through(spy, {TOTAL_2024: Decimal(1234)})

    @pytest.mark.parametrize("name", ["embed", "chart"])
    def test_public_embed_and_chart(self, client, cast, indicator, spy, name):
        _get(client, _public_url(name, cast, indicator))
        assert_through(spy, {TOTAL_2024: Decimal(1234)})


# --- stakeholders --------------------------------------------------------------------


def test_collaborative_home(cast, login, spy):
    _get(login(cast.staff_b), reverse("stakeholders:overview", kwargs={"slug": cast.collab.slug}))
    members = Member.objects.filter(collaborative=cast.collab, is_active=True).count()
    assert_through(spy, {suppression.TOTAL: members, "lived_experience": 0, "others": members})


# --- workgroups ----------------------------------------------------------------------


def test_inclusion_card_on_the_group_page(cast, wg, login, spy):  # noqa: F811
    # The Housing group: staff_a, the community co-chair and staff_b, none counted.
    _get(login(cast.staff_b), wg.housing.get_absolute_url())
    assert_through(spy, {suppression.TOTAL: 3, "lived_experience": 0, "others": 3})


def test_inclusion_report(cast, wg, login, spy):  # noqa: F811
    _get(login(cast.backbone), reverse("inclusion_report", args=[cast.collab.slug]))
    members = Member.objects.filter(collaborative=cast.collab, is_active=True).count()
    assert_through(spy, {suppression.TOTAL: members, "lived_experience": 0})
    # Chair seats: the community co-chair of the Housing group among them.
    assert_through(spy, {"community": 1})


@pytest.fixture
def closed_poll(cast, wg):  # noqa: F811
    """Threshold 1 (so the split is computed): one person with lived experience and
    staff_b vote; staff_a and the community co-chair do not."""
    cast.collab.small_cell_threshold = 1
    cast.collab.save()
    lived = MemberFactory(
        collaborative=cast.collab,
        lived_experience=Member.LivedExperience.YES,
        lived_experience_visibility=Member.Visibility.COLLABORATIVE,
    )
    seat(wg.housing, lived)
    poll = make_poll(cast.staff_a, wg.housing)
    k = keys(poll)
    polls.ballot_cast(actor=lived, poll=poll, choices=[k["ID clinic"]])
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[k["ID clinic"], k["Bus passes"]])
    polls.poll_close(actor=cast.staff_a, poll=poll)
    poll.refresh_from_db()
    return poll


def _poll_tables(closed_poll) -> tuple[dict[Hashable, object], dict[Hashable, object]]:
    k = keys(closed_poll)
    turnout = {"everyone": 2, "lived": 1, "others": 1, Member.Role.PROVIDER_STAFF: 1}
    split = {
        ("lived_experience", k["ID clinic"]): 1,
        ("others", k["ID clinic"]): 1,
        ("others", k["Bus passes"]): 1,
        ("all", k["ID clinic"]): 2,
    }
    return turnout, split


def test_poll_results_page(cast, closed_poll, login, spy):
    url = reverse("polls:results", args=[cast.collab.slug, closed_poll.public_id])
    _get(login(cast.staff_b), url)
    turnout, split = _poll_tables(closed_poll)
    assert_through(spy, turnout)
    assert_through(spy, split)


def test_poll_results_api(cast, closed_poll, login, spy):
    _get(login(cast.staff_b), f"{V1}/{cast.collab.slug}/polls/{closed_poll.public_id}/results/")
    turnout, split = _poll_tables(closed_poll)
    assert_through(spy, turnout)
    assert_through(spy, split)


# --- mentorship ----------------------------------------------------------------------


@pytest.fixture
def grant(mworld):  # noqa: F811
    today = mworld.program.collaborative.today()
    g = GrantFactory(
        program=mworld.program,
        amount=Decimal("12000"),
        starts_on=today.replace(day=1) - timedelta(days=120),
        ends_on=today + timedelta(days=240),
    )
    BudgetLineFactory(grant=g, category="stipends", amount=Decimal("4000"))
    return g


@pytest.mark.parametrize("name", ["funder_report", "funder_report_csv"])
def test_funder_report(mworld, grant, login, spy, name):  # noqa: F811
    url = reverse(
        f"mentorship:{name}",
        kwargs={"slug": mworld.collab.slug, "program_id": mworld.program.public_id},
    )
    _get(login(mworld.coordinator), url, {"grant": grant.public_id})
    tables = _tables(spy)
    assert any({"recruited", "approved", "matches", "goals"} <= set(t) for t in tables), tables


# --- casework ------------------------------------------------------------------------


def test_referral_outcomes(rw, login, spy):  # noqa: F811
    send(rw)
    send(rw)
    _get(login(rw.c.backbone), reverse("casework:referral_outcomes", args=[rw.c.collab.slug]))
    row = (rw.c.org_b.pk, rw.service_b.pk, rw.cb.housing.pk)
    assert_through(spy, {(row, "sent"): 2, (row, "declined"): 0, (row, suppression.TOTAL): 2})
    assert_through(spy, {("all", suppression.TOTAL): 2})
