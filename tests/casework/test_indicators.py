"""Casework indicators (issue 14): release-anchored rates and referral outcomes, derived by
the record engine from the organization's own records only (rule 7), checked against a
plain-Python count over the same rows."""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from casework import indicators as source
from casework.models import Consent, Enrolment, Participant, Referral, ServiceLog
from casework.services.indicators import (
    casework_dataset,
    casework_indicator_define,
    casework_indicators_derive,
    casework_indicators_derive_all,
    casework_indicators_setup,
)
from indicators.models import Dataset, Dimension, DimensionValue, Indicator, Observation
from indicators.periods import period_of_month
from stakeholders.models import KeyArea

pytestmark = pytest.mark.django_db

OUTCOMES = ["completed", "completed", "partial", "no_show", "follow_up"]
SUPERVISION = ["", "none", "parole", "probation", "other"]


def _people(cast, organization, employment, *, n, seed, start=date(2024, 1, 1)):
    """``n`` enrolments at ``organization`` (most with a release date) and their logs."""
    rng = random.Random(seed)
    enrolments = []
    for i in range(n):
        participant = Participant.objects.create(
            collaborative=cast.collab, code=f"T-{organization.pk}-{seed}-{i}"
        )
        release = start + timedelta(days=rng.randrange(0, 700)) if rng.random() < 0.9 else None
        enrolments.append(
            Enrolment.objects.create(
                collaborative=cast.collab,
                participant=participant,
                organization=organization,
                enrolled_on=start,
                release_date=release,
                supervision=rng.choice(SUPERVISION),
            )
        )
    logs = [
        ServiceLog(
            collaborative=cast.collab,
            organization=organization,
            enrolment=enrolment,
            participant=enrolment.participant,
            key_area=rng.choice([cast.key_area, employment]),
            delivered_on=(enrolment.release_date or start)
            + timedelta(days=rng.randrange(-20, 120)),
            outcome=rng.choice(OUTCOMES),
        )
        for enrolment in enrolments
        for _ in range(rng.randrange(0, 4))
    ]
    ServiceLog.objects.bulk_create(logs)
    return enrolments


@pytest.fixture
def world(cast):
    employment = KeyArea.objects.create(
        collaborative=cast.collab, name="Employment", slug="employment", order=5
    )
    mine = _people(cast, cast.org_a, employment, n=120, seed=1)
    # Org B serves people of its own and some of Org A's, with housing logs right after
    # release: never counted in Org A's figures.
    theirs = _people(cast, cast.org_b, employment, n=60, seed=2)
    for enrolment in mine[:30]:
        other = Enrolment.objects.create(
            collaborative=cast.collab,
            participant=enrolment.participant,
            organization=cast.org_b,
            enrolled_on=date(2024, 1, 1),
            release_date=enrolment.release_date,
        )
        ServiceLog.objects.create(
            collaborative=cast.collab,
            organization=cast.org_b,
            enrolment=other,
            participant=enrolment.participant,
            key_area=cast.key_area,
            delivered_on=enrolment.release_date or date(2024, 1, 1),
        )
    return employment, mine, theirs


def _expected_after_release(organization, area, days, cut="quarter"):
    """Plain Python over the same rows: per period, [people released, people served]."""
    found: dict = {}
    for enrolment in Enrolment.objects.filter(organization=organization):
        release = enrolment.release_date
        if release is None:
            continue
        served = any(
            log.organization_id == organization.pk
            and log.key_area_id == area.pk
            and log.outcome == "completed"
            and release <= log.delivered_on <= release + timedelta(days=days)
            for log in enrolment.service_logs.all()
        )
        period = period_of_month(release.year, release.month, cut, fiscal_start_month=7)
        cell = found.setdefault(period.start, [0, 0])
        cell[0] += 1
        cell[1] += int(served)
    return found


def _figures(dataset, code, breakdown_key=""):
    rows = Observation.objects.filter(
        version_id=dataset.current_version_id, indicator__code=code, breakdown_key=breakdown_key
    )
    return {o.period_start: [int(o.denominator), int(o.numerator), o.value] for o in rows}


def test_standard_indicators_equal_a_plain_count(cast, world):
    employment, mine, _theirs = world
    defined = casework_indicators_setup(actor=cast.staff_a, organization=cast.org_a)
    assert {d.indicator.code for d in defined} == {
        "HOUSED-30D",
        "EMPLOYED-90D",
        "REFERRALS-DELIVERED",
    }
    dataset = casework_dataset(cast.org_a)
    assert dataset.kind == Dataset.Kind.CASEWORK
    assert dataset.sharing_level == "private"
    for code, area, days in (("HOUSED-30D", cast.key_area, 30), ("EMPLOYED-90D", employment, 90)):
        expected = _expected_after_release(cast.org_a, area, days)
        figures = _figures(dataset, code)
        assert {k: v[:2] for k, v in figures.items()} == expected
        for denominator, numerator, value in figures.values():
            assert value == (Decimal(numerator) / Decimal(denominator) * 100).quantize(value)
    # Someone's figure at Org A never includes Org B's logs: with them it would differ.
    assert sum(v[1] for v in _figures(dataset, "HOUSED-30D").values()) < sum(
        1 for e in mine if e.release_date
    )
    housed = next(d for d in defined if d.indicator.code == "HOUSED-30D")
    assert "Org A" in housed.description and "30 days" in housed.description
    assert dataset.current_version.number == 1  # one version for the three


def test_another_organizations_people_are_never_counted(cast, world):
    _employment, mine, theirs = world
    casework_indicators_setup(actor=cast.staff_b, organization=cast.org_b)
    dataset = casework_dataset(cast.org_b)
    total = sum(v[0] for v in _figures(dataset, "HOUSED-30D").values())
    # Org B's own released people: its 60 (those with a date) and the 30 it enrolled.
    released = Enrolment.objects.filter(organization=cast.org_b, release_date__isnull=False)
    assert total == released.count()
    assert _figures(dataset, "HOUSED-30D") == {
        k: [*v, _figures(dataset, "HOUSED-30D")[k][2]]
        for k, v in _expected_after_release(cast.org_b, cast.key_area, 30).items()
    }
    # Org A's dataset does not change because of Org B's work.
    casework_indicators_setup(actor=cast.staff_a, organization=cast.org_a)
    before = _figures(casework_dataset(cast.org_a), "HOUSED-30D")
    enrolment = Enrolment.objects.filter(organization=cast.org_b, release_date__isnull=False)[0]
    ServiceLog.objects.create(
        collaborative=cast.collab,
        organization=cast.org_b,
        enrolment=enrolment,
        participant=enrolment.participant,
        key_area=cast.key_area,
        delivered_on=enrolment.release_date,
    )
    result = casework_indicators_derive(actor=cast.staff_a, organization=cast.org_a)
    assert not result.changed
    assert _figures(casework_dataset(cast.org_a), "HOUSED-30D") == before


def test_a_consent_shared_log_is_not_counted_by_the_recipient(cast, world):
    """Rule 7: a consent lets Org B read Org A's housing log to serve the person; it does
    not put Org A's service into Org B's statistics."""
    _employment, mine, _theirs = world
    enrolment = next(e for e in mine[30:] if e.release_date)
    Consent.objects.create(
        collaborative=cast.collab,
        participant=enrolment.participant,
        enrolment=enrolment,
        organization=cast.org_a,
        shares_service_logs=True,
        purpose="Housing",
        starts_on=date(2020, 1, 1),
        ends_on=date(2099, 1, 1),
        method=Consent.Method.ON_SCREEN,
        signed_name="Signed",
        told_right_to_revoke=True,
    ).recipient_organizations.add(cast.org_b)
    casework_indicators_setup(actor=cast.staff_b, organization=cast.org_b)
    figures = _figures(casework_dataset(cast.org_b), "HOUSED-30D")
    assert {k: v[:2] for k, v in figures.items()} == _expected_after_release(
        cast.org_b, cast.key_area, 30
    )


def test_referrals_delivered(cast, world):
    _employment, mine, _theirs = world
    rng = random.Random(5)
    consent = Consent.objects.create(
        collaborative=cast.collab,
        participant=mine[0].participant,
        enrolment=mine[0],
        organization=cast.org_a,
        shares_referrals=True,
        purpose="Referral",
        starts_on=date(2020, 1, 1),
        ends_on=date(2099, 1, 1),
        method=Consent.Method.ON_SCREEN,
        signed_name="Signed",
        told_right_to_revoke=True,
    )
    a_log = ServiceLog.objects.filter(organization=cast.org_b).first()
    statuses = [s for s, _label in Referral.Status.choices]
    expected: Counter = Counter()
    for i in range(80):
        sender = cast.org_a if i % 4 else cast.org_c
        status = rng.choice(statuses)
        linked = status in ("delivered", "closed") and rng.random() < 0.8
        referral = Referral.objects.create(
            collaborative=cast.collab,
            participant=mine[i % len(mine)].participant,
            from_organization=sender,
            to_organization=cast.org_b,
            key_area=cast.key_area,
            consent=consent,
            reason="Needs a place",
            status=status,
            service_log=a_log if linked else None,
        )
        if sender == cast.org_a:
            expected["sent"] += 1
            expected["delivered"] += int(linked)
        assert referral.pk
    casework_indicators_setup(actor=cast.admin_a, organization=cast.org_a)
    figures = _figures(casework_dataset(cast.org_a), "REFERRALS-DELIVERED")
    assert sum(v[0] for v in figures.values()) == expected["sent"]
    assert sum(v[1] for v in figures.values()) == expected["delivered"]


def test_breakdown_by_supervision_and_fiscal_year(cast, world):
    employment, _mine, _theirs = world
    dimension = Dimension.objects.create(
        collaborative=cast.collab, code="supervision", name="Supervision"
    )
    for order, code in enumerate(["parole", "probation", "none", "unknown"]):
        DimensionValue.objects.create(dimension=dimension, code=code, label=code, order=order)
    indicator = Indicator.objects.create(
        collaborative=cast.collab,
        key_area=employment,
        code="EMP-90-SUP",
        name="Employment within 90 days by supervision",
        question="?",
        unit=Indicator.Unit.PERCENT,
    )
    spec = source.parse(
        {
            "source": "casework",
            "count": "after_release",
            "key_area": "employment",
            "within_days": 90,
            "outcomes": ["completed", "partial"],
            "cut": "fiscal_year",
            "breakdowns": [
                {
                    "field": "supervision",
                    "dimension": "supervision",
                    "map": {"parole": "parole", "probation": "probation", "none": "none"},
                    "blank": "unknown",
                    "other": "unknown",
                }
            ],
        },
        "EMP-90-SUP",
    )
    casework_indicator_define(
        actor=cast.staff_a, organization=cast.org_a, indicator=indicator, spec=spec
    )
    dataset = casework_dataset(cast.org_a)
    expected: dict = {}
    for enrolment in Enrolment.objects.filter(organization=cast.org_a, release_date__isnull=False):
        release = enrolment.release_date
        served = enrolment.service_logs.filter(
            organization=cast.org_a,
            key_area=employment,
            outcome__in=["completed", "partial"],
            delivered_on__gte=release,
            delivered_on__lte=release + timedelta(days=90),
        ).exists()
        value = {"parole": "parole", "probation": "probation", "none": "none"}.get(
            enrolment.supervision, "unknown"
        )
        start = period_of_month(release.year, release.month, "fiscal_year", fiscal_start_month=7)
        cell = expected.setdefault((start.start, value), [0, 0])
        cell[0] += 1
        cell[1] += int(served)
    found = {
        (o.period_start, o.breakdown["supervision"]): [int(o.denominator), int(o.numerator)]
        for o in Observation.objects.filter(
            version_id=dataset.current_version_id, breakdown_dims="supervision"
        )
    }
    assert found == expected
    # A value no mapping covers is refused before anything is saved.
    bad = source.parse({**spec.as_json(), "breakdowns": [{**spec.as_json()["breakdowns"][0]}]})
    bad_json = bad.as_json()
    bad_json["breakdowns"][0].pop("other")
    with pytest.raises(ValidationError, match="other"):
        casework_indicator_define(
            actor=cast.staff_a,
            organization=cast.org_a,
            indicator=indicator,
            spec=source.parse(bad_json, "EMP-90-SUP"),
        )


def test_new_version_only_when_the_figures_change(cast, world):
    employment, mine, _theirs = world
    casework_indicators_setup(actor=cast.staff_a, organization=cast.org_a)
    dataset = casework_dataset(cast.org_a)
    first = dataset.current_version
    assert casework_indicators_derive(actor=cast.staff_a, organization=cast.org_a).version is None
    enrolment = next(e for e in mine if e.release_date)
    ServiceLog.objects.create(
        collaborative=cast.collab,
        organization=cast.org_a,
        enrolment=enrolment,
        participant=enrolment.participant,
        key_area=employment,
        delivered_on=enrolment.release_date + timedelta(days=1),
    )
    ServiceLog.objects.create(
        collaborative=cast.collab,
        organization=cast.org_a,
        enrolment=enrolment,
        participant=enrolment.participant,
        key_area=cast.key_area,
        delivered_on=enrolment.release_date + timedelta(days=1),
    )
    result = casework_indicators_derive(actor=None, organization=cast.org_a)
    dataset.refresh_from_db()
    assert result.version is not None and result.version.number == first.number + 1
    assert dataset.current_version == result.version
    # The earlier version keeps its figures: the history of what was published.
    assert Observation.objects.filter(version=first).exists()
    assert casework_indicators_derive_all() == 1


def test_deriving_gives_the_public_dashboard_a_new_version(
    cast, world, django_capture_on_commit_callbacks
):
    """The public dashboard's cached page (reentry/pagecache.py) is shown afresh."""
    from reentry.pagecache import DASHBOARD, page_version

    casework_indicators_setup(actor=cast.staff_a, organization=cast.org_a)
    before = page_version(DASHBOARD, cast.collab.slug)
    with django_capture_on_commit_callbacks(execute=True):
        casework_indicators_derive(actor=cast.staff_a, organization=cast.org_a)
    assert page_version(DASHBOARD, cast.collab.slug) != before


def test_only_the_organizations_own_staff_derive(cast, world):
    for actor in (cast.staff_b, cast.backbone, cast.community, cast.observer, cast.outsider):
        with pytest.raises(PermissionDenied):
            casework_indicators_setup(actor=actor, organization=cast.org_a)
    casework_indicators_setup(actor=cast.staff_a, organization=cast.org_a)
    with pytest.raises(PermissionDenied):
        casework_indicators_derive(actor=cast.staff_b, organization=cast.org_a)


def test_bad_definitions_say_why():
    with pytest.raises(source.CaseworkSpecError) as caught:
        source.parse({"count": "after_release", "cut": "week", "within_days": -1})
    text = " ".join(caught.value.problems)
    assert "code" in text and "cut" in text and "within_days" in text and "key area" in text


def test_command(cast, world, capsys):
    call_command("derive_casework_indicators", cast.collab.slug, cast.org_a.slug, "--standard")
    out = capsys.readouterr().out
    assert "HOUSED-30D" in out
    assert casework_dataset(cast.org_a).current_version is not None


# --- the page --------------------------------------------------------------------------------


def _url(cast):
    return f"/c/{cast.collab.slug}/casework/indicators/"


def test_page_for_the_organizations_own_staff(cast, world, login):
    client = login(cast.staff_a)
    page = client.get(_url(cast))
    assert page.status_code == 200
    assert "Set up the standard indicators" in page.content.decode()
    response = client.post(_url(cast), {"action": "standard"})
    assert response.status_code == 302
    page = client.get(_url(cast)).content.decode()
    assert "HOUSED-30D" in page and "Work them out again now" in page
    assert "Only the organization&#x27;s own records are counted" in page
    assert casework_dataset(cast.org_a).current_version.number == 1
    response = client.post(_url(cast), {"action": "derive"}, follow=True)
    assert "no figure changed" in response.content.decode()
    # Another organization's staff see their own (empty) page, never Org A's figures.
    other = login(cast.staff_b).get(_url(cast)).content.decode()
    assert "HOUSED-30D" not in other and "Org B" in other


@pytest.mark.parametrize("who", ["backbone", "community", "observer"])
def test_page_is_not_found_for_people_who_keep_no_records(cast, world, login, who):
    client = login(getattr(cast, who))
    assert client.get(_url(cast)).status_code == 404
    assert client.post(_url(cast), {"action": "standard"}).status_code == 404
    assert casework_dataset(cast.org_a) is None


def test_page_is_not_found_in_another_collaborative(cast, login):
    client = login(cast.outsider)
    assert client.get(_url(cast)).status_code == 404
    assert client.get(f"/c/{cast.other_collab.slug}/casework/indicators/").status_code == 404


def _api_rows(client, code):
    url = f"/api/v1/collaboratives/collab-a/observations/?indicator={code}&page_size=500"
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += body["results"]
        url = body.get("next")
    return rows


def test_figures_reach_others_only_as_shared_and_suppressed(cast, world, login):
    from reentry.sharing.levels import SharingLevel
    from reentry.sharing.services import sharing_set

    casework_indicators_setup(actor=cast.staff_a, organization=cast.org_a)
    dataset = casework_dataset(cast.org_a)
    # Private: another organization reads nothing of it.
    assert _api_rows(login(cast.staff_b), "HOUSED-30D") == []
    sharing_set(actor=cast.admin_a, obj=dataset, level=SharingLevel.COLLABORATIVE)
    rows = _api_rows(login(cast.staff_b), "HOUSED-30D")
    expected = _expected_after_release(cast.org_a, cast.key_area, 30)
    assert {date.fromisoformat(r["period_start"]) for r in rows} == set(expected)
    threshold = cast.collab.small_cell_threshold
    for row in rows:
        released, housed = expected[date.fromisoformat(row["period_start"])]
        if row["hidden"]:
            assert row["value"] is None and row["numerator"] is None
        else:
            assert min(released, housed, released - housed) >= threshold
            assert (row["numerator"], row["denominator"]) == (housed, released)


def test_the_dataset_page_takes_no_upload(cast, world, login):
    casework_indicators_setup(actor=cast.staff_a, organization=cast.org_a)
    dataset = casework_dataset(cast.org_a)
    page = login(cast.staff_a).get(dataset.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "/casework/indicators/" in body and "Upload a new version" not in body
    upload = login(cast.staff_a).get(f"/c/{cast.collab.slug}/indicators/uploads/new/")
    assert upload.status_code == 200
    assert str(dataset.public_id) not in upload.content.decode()
    assert login(cast.staff_b).get(dataset.get_absolute_url()).status_code == 404
