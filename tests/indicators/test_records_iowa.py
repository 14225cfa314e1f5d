"""The Iowa release file end to end: ``import_records`` with the shipped spec, then the
API's observations read by a member of another organization, checked against plain
Python over the CSV (issue 14's first "Done means")."""

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Dataset, DerivedIndicator, Indicator, Observation, Record

pytestmark = pytest.mark.django_db

IOWA = (
    Path(settings.BASE_DIR).parent
    / "shared/data/iowa-recidivism/3-year-recidivism-released-from-prison-iowa.csv"
)
SPEC = Path(settings.BASE_DIR) / "docs/examples/iowa-return-to-prison.json"
V1 = "/api/v1/collaboratives"
SEX = {"Male": "male", "Female": "female", "": "unknown"}
AGE = {
    "Under 25": "under-25",
    "25-34": "25-34",
    "35-44": "35-44",
    "45-54": "45-54",
    "55 and Older": "55-plus",
    "": "unknown",
}


def _spec_for_cast(tmp_path: Path) -> Path:
    """The shipped spec, filed under the test collaborative's one key area."""
    data = json.loads(SPEC.read_text(encoding="utf-8"))
    data["indicators"][0]["key_area"] = "housing"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def expected_rates() -> dict[tuple[str, str, str], tuple[int, int]]:
    """Plain Python over the file: (fiscal year, dimension, value) -> (returned, released)."""
    returned: Counter = Counter()
    released: Counter = Counter()
    with IOWA.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            year = row["Fiscal Year Released"].strip()
            back = row["Recidivism - Return to Prison"].strip() == "Yes"
            for key in (
                (year, "", ""),
                (year, "sex", SEX[row["Sex"].strip()]),
                (year, "age_group", AGE[row["Age At Release "].strip()]),
            ):
                released[key] += 1
                returned[key] += back
    return {key: (returned[key], released[key]) for key in released}


@pytest.fixture
def loaded(cast, tmp_path):
    if not IOWA.exists():
        pytest.skip(f"The Iowa file is not at {IOWA}.")
    call_command(
        "import_records",
        "collab-a",
        "org-a",
        str(IOWA),
        "--spec",
        str(_spec_for_cast(tmp_path)),
        "--share",
        "collaborative",
        stdout=open("/dev/null", "w"),  # noqa: SIM115 - closed with the test
    )
    return Indicator.objects.get(collaborative=cast.collab, code="IOWA-RETURN-3Y")


def test_the_api_gives_exactly_the_rates_plain_python_gives(cast, login, loaded):
    client = login(cast.staff_b)
    rows = []
    url = f"{V1}/collab-a/observations/?indicator=IOWA-RETURN-3Y&page_size=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += body["results"]
        url = body.get("next")
    expected = expected_rates()
    threshold = cast.collab.small_cell_threshold
    checked = hidden = 0
    for row in rows:
        (dimension, value), *_ = [*row["breakdown"].items(), ("", "")]
        if dimension not in ("", "sex", "age_group"):
            continue
        year = row["period_end"][:4]
        returned, released = expected[(year, dimension, value)]
        if row["hidden"]:
            hidden += 1
            assert row["value"] is None and row["numerator"] is None
            continue
        # Nothing shown describes fewer people than the threshold.
        assert min(released, returned, released - returned) >= threshold, row
        rate = (Decimal(returned) / Decimal(released) * 100).quantize(Decimal("0.000001"))
        assert Decimal(row["value"]) == rate, (year, dimension, value)
        assert (row["numerator"], row["denominator"]) == (returned, released)
        checked += 1
    years = {key[0] for key in expected}
    assert years == {"2010", "2011", "2012", "2013", "2014", "2015"}
    # Every fiscal year's total, sexes and age groups came back (shown or hidden).
    published = {
        (r["period_end"][:4], *next(iter(r["breakdown"].items()), ("", "")))
        for r in rows
        if set(r["breakdown"]) <= {"sex", "age_group"}
    }
    assert published == set(expected)
    assert checked >= 6 * 6  # every year's total, male, female and the big age groups
    # The three people with no sex recorded: hidden wherever they appear.
    unknown = [r for r in rows if r["breakdown"] == {"sex": "unknown"}]
    assert unknown and all(r["hidden"] for r in unknown)
    assert hidden >= len(unknown) * 2  # and a neighbour of each, so none can be subtracted

    # No hidden cell can be worked out by subtraction from its total and neighbours.
    by_table: dict[tuple[str, str], list[dict]] = {}
    totals = {r["period_end"]: r for r in rows if not r["breakdown"]}
    for row in rows:
        for dimension in row["breakdown"]:
            by_table.setdefault((row["period_end"], dimension), []).append(row)
    for (period, _dimension), parts in by_table.items():
        cells = [totals[period], *parts]
        assert sum(c["hidden"] for c in cells) != 1, (period, _dimension)

    # The rows themselves stay with the owner's admins and staff.
    dataset = Dataset.objects.get(kind=Dataset.Kind.RECORDS)
    assert Record.objects.filter(dataset=dataset).count() == 26020
    assert Record.objects.visible_to(cast.staff_a.user).count() == 26020
    for outsider in (cast.staff_b, cast.backbone, cast.outsider, cast.community):
        assert not Record.objects.visible_to(outsider.user).exists()
    definition = DerivedIndicator.objects.get(dataset=dataset)
    assert "“Recidivism - Return to Prison” is “Yes”" in definition.description
    assert definition.report["rows_counted"] == 26020
    assert definition.derived_version_id == dataset.current_version_id
    # The indicator allows the breakdowns its figures carry.
    assert set(loaded.dimensions.values_list("code", flat=True)) == {
        "race_ethnicity",
        "sex",
        "age_group",
    }


def test_a_bad_spec_saves_nothing(cast, tmp_path):
    if not IOWA.exists():
        pytest.skip(f"The Iowa file is not at {IOWA}.")
    data = json.loads(SPEC.read_text(encoding="utf-8"))
    data["indicators"][0]["key_area"] = "housing"
    del data["indicators"][0]["breakdowns"][0]["map"]["N/A -"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="“N/A -” \\(5 rows\\)"):
        call_command("import_records", "collab-a", "org-a", str(IOWA), "--spec", str(path))
    assert not Dataset.objects.filter(kind=Dataset.Kind.RECORDS).exists()
    assert not Record.objects.exists()
    assert not Indicator.objects.filter(code="IOWA-RETURN-3Y").exists()
    assert not Observation.objects.filter(indicator__code="IOWA-RETURN-3Y").exists()
