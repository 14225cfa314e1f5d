"""CSV and XLSX downloads (indicators/exports.py, views/dashboards.py's exports): the figures
the person may see, hidden figures never written, formulas never run."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reentry.downloads import formula_safe, xlsx_bytes
from tests.indicators.dashboard_world import (
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)

pytestmark = pytest.mark.django_db

GROUPS = {"white": 517, "black": 710, "asian": 7}


def url(name, cast, indicator=None, **params):
    kwargs = {"slug": cast.collab.slug}
    if indicator is not None:
        kwargs["public_id"] = indicator.public_id
    return reverse(f"indicators:{name}", kwargs=kwargs)


@pytest.fixture
def world(cast):
    indicator = indicator_of(cast, "HOUS-1", name="People housed")
    a = make_dataset(cast, cast.org_a, title='=HYPERLINK("http://evil")')
    race_breakdown(a, indicator, year(2024), 1234, GROUPS)
    private = make_dataset(cast, cast.org_c, level="private", title="Court private")
    observe(private, indicator, year(2024), 333)
    return indicator


def csv_rows(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def by_breakdown(rows, breakdown):
    return next(r for r in rows if r["breakdown"] == breakdown and r["organization"] == "Org A")


class TestIndicatorExport:
    def test_csv_for_another_organization_has_no_hidden_figure(self, cast, login, world):
        rows = csv_rows(login(cast.staff_b).get(url("indicator_export", cast, world)))

        asian = by_breakdown(rows, "race_ethnicity=asian")
        white = by_breakdown(rows, "race_ethnicity=white")
        assert (asian["value"], asian["note"]) == ("", "hidden")
        assert (white["value"], white["note"]) == ("", "hidden")
        assert by_breakdown(rows, "race_ethnicity=black")["value"] == "710"
        assert by_breakdown(rows, "")["value"] == "1234"
        assert not any("Court private" in r["dataset"] for r in rows)

    def test_xlsx_for_another_organization_has_no_hidden_figure(self, cast, login, world):
        rows = xlsx_rows(
            login(cast.staff_b).get(url("indicator_export", cast, world), {"format": "xlsx"})
        )

        asian = by_breakdown(rows, "race_ethnicity=asian")
        assert asian["value"] is None and asian["note"] == "hidden"
        assert by_breakdown(rows, "race_ethnicity=black")["value"] == 710
        assert 517 not in [r["value"] for r in rows]

    def test_the_owner_downloads_its_exact_figures(self, cast, login, world):
        rows = csv_rows(login(cast.staff_a).get(url("indicator_export", cast, world)))

        asian = by_breakdown(rows, "race_ethnicity=asian")
        assert (asian["value"], asian["note"]) == ("7", "hidden from others")

    def test_titles_are_never_run_as_formulas(self, cast, login, world):
        client = login(cast.staff_b)
        rows = csv_rows(client.get(url("indicator_export", cast, world)))
        assert rows[0]["dataset"].startswith("'=HYPERLINK")

        response = client.get(url("indicator_export", cast, world), {"format": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        titles = [c for c in sheet["H"] if c.value and "HYPERLINK" in str(c.value)]
        assert titles and all(c.data_type == "s" for c in titles)

    def test_csv_starts_with_a_bom_and_names_its_file_safely(self, cast, login, world):
        response = login(cast.staff_b).get(url("indicator_export", cast, world))
        body = b"".join(response.streaming_content)
        assert body.startswith("\ufeff".encode())
        assert response["Content-Disposition"] == 'attachment; filename="collab-a-HOUS-1.csv"'

    def test_xlsx_periods_are_dates(self, cast, login, world):
        response = login(cast.staff_b).get(url("indicator_export", cast, world), {"format": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        start = sheet["E2"]
        assert start.is_date and start.value.date() == date(2024, 1, 1)
        assert start.number_format == "yyyy-mm-dd"

    def test_other_collaborative_gets_404(self, cast, login, world):
        client = login(cast.outsider)
        assert client.get(url("indicator_export", cast, world)).status_code == 404
        assert client.get(url("dashboard_export", cast)).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, cast, client, world):
        assert client.get(url("indicator_export", cast, world)).status_code == 302


class TestDashboardExport:
    def test_everything_the_person_sees_in_one_file(self, cast, login, world):
        other = indicator_of(cast, "EMP-1", name="Employed", dims=())
        observe(make_dataset(cast, cast.org_b, title="B jobs"), other, year(2024), 88)

        rows = csv_rows(login(cast.staff_c).get(url("dashboard_export", cast)))

        assert {r["indicator_code"] for r in rows} == {"HOUS-1", "EMP-1"}
        assert any(r["dataset"] == "Court private" for r in rows)  # staff_c's own
        combined = next(
            r for r in rows if r["organization"] == "All combined" and r["breakdown"] == ""
        )
        assert combined["value"] == "1567"

    def test_one_key_area(self, cast, login, world):
        client = login(cast.staff_b)
        rows = csv_rows(client.get(url("dashboard_export", cast), {"area": "housing"}))
        assert {r["indicator_code"] for r in rows} == {"HOUS-1"}
        assert csv_rows(client.get(url("dashboard_export", cast), {"area": "nope"})) == []

    def test_query_count_is_the_same_with_one_and_many_rows(self, cast, login):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(cast.staff_b)
        indicator = indicator_of(cast, "Q-1")
        a = make_dataset(cast, cast.org_a)
        observe(a, indicator, year(2020), 50)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                b"".join(client.get(url("dashboard_export", cast)).streaming_content)
            return len(ctx.captured_queries)

        one = count()
        for y in range(2021, 2026):
            race_breakdown(a, indicator, year(y), 1234, GROUPS)
        assert count() == one


def test_formula_safe_prefixes_what_a_spreadsheet_would_run():
    assert formula_safe("=1+1") == "'=1+1"
    assert formula_safe("+A1") == "'+A1"
    assert formula_safe("@SUM") == "'@SUM"
    assert formula_safe("Org A") == "Org A"
    assert formula_safe(None) == ""


def test_xlsx_writes_text_as_text_and_numbers_as_numbers():
    workbook = load_workbook(io.BytesIO(xlsx_bytes([["=2+2", 5, None]])))
    sheet = workbook.active
    assert sheet["A1"].value == "=2+2" and sheet["A1"].data_type == "s"
    assert sheet["B1"].value == 5
