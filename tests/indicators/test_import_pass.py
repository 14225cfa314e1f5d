"""The import pass: every check, all-or-nothing commit, versions (indicators/importing)."""

from decimal import Decimal

import pytest

from indicators.models import Dataset, DatasetVersion, Indicator, Observation
from tests.indicators.upload_helpers import make_indicator, run_import, stored_nothing, write_csv

pytestmark = pytest.mark.django_db


def codes(report):
    return {p.code for p in report.problems}


def test_good_file_is_stored_as_version_one(cast, tmp_path):
    ind = make_indicator(cast)
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["HOUS-1", "2025-Q1", "", "", "30", "", ""],
            ["HOUS-1", "2025-Q1", "", "female", "12", "", ""],
            ["HOUS-1", "2025-Q1", "", "male", "18", "", ""],
            ["HOUS-1", "2025-03", "Black or African American", "", "7", "", ""],
        ],
    )
    report, dataset, version = run_import(cast, path)
    assert report.ok, report.as_dict()
    assert version.number == 1 and version.row_count == 4
    assert dataset.current_version == version and dataset.owner == cast.org_a
    assert str(dataset.period_start) == "2025-01-01" and str(dataset.period_end) == "2025-03-31"
    rows = Observation.objects.filter(version=version, indicator=ind)
    assert rows.count() == 4
    assert rows.totals().get(period_kind="quarter").value == Decimal(30)
    assert rows.by_dimension("sex").count() == 2
    black = rows.get(breakdown_dims="race_ethnicity")
    assert black.breakdown == {"race_ethnicity": "black"} and black.period_kind == "month"
    assert rows.filter(breakdown__sex="female").get().value == 12


def test_ratio_value_is_derived_from_numerator_and_denominator(cast, tmp_path):
    make_indicator(cast, "EMP-2", unit=Indicator.Unit.PERCENT)
    path = write_csv(tmp_path / "a.csv", [["EMP-2", "2025", "", "", "", "1", "3"]])
    report, _dataset, version = run_import(cast, path)
    assert report.ok, report.as_dict()
    row = Observation.objects.get(version=version)
    assert row.value == Decimal("33.333333") and row.numerator == 1 and row.denominator == 3


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["NOPE", "2025", "", "", "1", "", ""], "unknown_indicator"),
        (["HOUS-1", "2025-13", "", "", "1", "", ""], "bad_period"),
        (["HOUS-1", "45292", "", "", "1", "", ""], "bad_period"),
        (["HOUS-1", "2025", "", "", "twelve", "", ""], "not_a_number"),
        (["HOUS-1", "2025", "", "", "=SUM(A1:A3)", "", ""], "formula"),
        (["HOUS-1", "2025", "=cmd|' /C calc'!A0", "", "1", "", ""], "formula"),
        (["HOUS-1", "2025", "", "", "-4", "", ""], "negative"),
        (["HOUS-1", "2025", "", "", "", "", ""], "missing_value"),
        (["HOUS-1", "2025", "martian", "", "1", "", ""], "bad_breakdown"),
        (["EMP-2", "2025", "", "", "", "5", "3"], "numerator_gt_denominator"),
        (["EMP-2", "2025", "", "", "", "0", "0"], "zero_denominator"),
        (["EMP-2", "2025", "", "", "50", "", ""], "missing_value"),
        (["EMP-2", "2025", "", "", "90", "1", "2"], "value_mismatch"),
        (["EMP-2", "2025", "", "female", "", "1", "2"], "breakdown_not_allowed"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_stored(cast, tmp_path, row, code):
    make_indicator(cast)
    make_indicator(cast, "EMP-2", unit=Indicator.Unit.PERCENT, dims=())
    path = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "5", "", ""], row])
    report, dataset, version = run_import(cast, path)
    assert not report.ok
    assert code in codes(report), report.as_dict()
    assert report.problems[0].row == 3
    assert dataset is None and version is None
    assert stored_nothing()


def test_duplicate_row_is_reported(cast, tmp_path):
    make_indicator(cast)
    path = write_csv(
        tmp_path / "a.csv",
        [["HOUS-1", "2025-Q1", "", "", "5", "", ""], ["hous-1", "2025 q1", "", "", "6", "", ""]],
    )
    report, _d, _v = run_import(cast, path)
    assert codes(report) == {"duplicate"} and report.problems[0].row == 3
    assert stored_nothing()


def test_breakdown_must_add_up_to_the_total(cast, tmp_path):
    make_indicator(cast)
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["HOUS-1", "2025", "", "", "30", "", ""],
            ["HOUS-1", "2025", "", "female", "12", "", ""],
            ["HOUS-1", "2025", "", "male", "17", "", ""],
        ],
    )
    report, _d, _v = run_import(cast, path)
    assert codes(report) == {"breakdown_sum"}
    message = report.problems[0].message
    assert "29" in message and "30" in message and "Sex" in message
    assert stored_nothing()


def test_new_upload_of_a_dataset_is_a_new_version_with_a_reason(cast, tmp_path):
    make_indicator(cast)
    first = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "5", "", ""]])
    _r, dataset, v1 = run_import(cast, first)
    second = write_csv(tmp_path / "b.csv", [["HOUS-1", "2025", "", "", "6", "", ""]])
    report, same, v2 = run_import(cast, second, dataset=dataset, reason="Late entries")
    assert report.ok and same.pk == dataset.pk and v2.number == 2 and v2.reason == "Late entries"
    dataset.refresh_from_db()
    assert dataset.current_version == v2
    assert Observation.objects.current().get().value == 6
    assert Observation.objects.filter(version=v1).get().value == 5
    assert DatasetVersion.objects.count() == 2 and Dataset.objects.count() == 1
