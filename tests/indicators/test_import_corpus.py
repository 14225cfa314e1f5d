"""The bad-upload corpus: each file gives a clear report and stores nothing — through the
command, which runs the same pass as the pages (test_upload_views covers the pages' own
file checks)."""

import codecs
import datetime
import os
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from indicators.importing import files
from tests.indicators.upload_helpers import HEADER, make_indicator, stored_nothing, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalog(cast):
    make_indicator(cast)


def import_fails(path, *messages):
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_observations", "collab-a", "org-a", str(path), stderr=err)
    text = str(raised.value) + "\n" + err.getvalue()
    for message in messages:
        assert message in text, text
    assert stored_nothing()
    return text


def xlsx(path, rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


GOOD_ROW = "HOUS-1,2025,,,5,,\n"


def test_truncated_csv_with_an_open_quote(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(",".join(HEADER) + "\n" + GOOD_ROW + 'HOUS-1,2025,"Black or Afr')
    import_fails(path, "Row 3 cannot be read", "cut short")


def test_truncated_csv_mid_row(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(",".join(HEADER) + "\n" + GOOD_ROW + "HOUS-1,2025-Q")
    import_fails(path, "row 3", "The file may be cut short")


def test_truncated_xlsx(tmp_path):
    whole = xlsx(tmp_path / "whole.xlsx", [["HOUS-1", "2025", None, None, 5]])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[:-400])
    import_fails(cut, "This Excel file cannot be opened")


def test_windows_1252_text(tmp_path):
    path = write_csv(
        tmp_path / "ansi.csv",
        [["HOUS-1", "2025", "", "", "5", "", ""], ["HOUS-1", "2025 – Q1", "", "", "5", "", ""]],
        encoding="cp1252",
    )
    import_fails(path, "not UTF-8 text", "CSV UTF-8")


def test_windows_1252_text_after_the_first_64_kb_names_the_row(tmp_path):
    start = datetime.date(2000, 1, 1)
    rows = []
    for i in range(3000):
        day = (start + datetime.timedelta(days=i)).isoformat()
        rows.append(["HOUS-1", f"{day}..{day}", "", "", "5", "", ""])
    path = write_csv(tmp_path / "late.csv", rows)
    with open(path, "ab") as f:
        f.write("HOUS-1,2024-Q1,,,caf\u00e9,,\n".encode("cp1252"))
    assert os.path.getsize(path) > 65536  # past what the upload sniffs first
    import_fails(path, "Row 3002: this file is not UTF-8 text")


def test_utf16(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + (",".join(HEADER) + "\n" + GOOD_ROW).encode("utf-16-le"))
    import_fails(path, "UTF-16", "CSV UTF-8")


def test_excel_dates_in_xlsx(tmp_path):
    path = xlsx(
        tmp_path / "dates.xlsx",
        [
            ["HOUS-1", datetime.datetime(2025, 3, 1), None, None, 5],  # noqa: DTZ001
            ["HOUS-1", "2025-Q2", None, None, datetime.datetime(2025, 1, 5)],  # noqa: DTZ001
        ],
    )
    import_fails(path, "Excel stored this period as a date (2025-03-01)", "not a number")


def test_excel_date_numbers_in_csv(tmp_path):
    path = write_csv(tmp_path / "serial.csv", [["HOUS-1", "45717", "", "", "5", "", ""]])
    import_fails(path, "looks like a date that Excel turned into a number")


def test_blank_rows_between_data(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(",".join(HEADER) + "\n" + GOOD_ROW + ",,,,,,\n\nHOUS-1,2024,,,5,,\n\n\n")
    import_fails(path, "row 3: This row is empty", "row 4: This row is empty")


def test_only_blank_rows(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(HEADER) + "\n\n,,,\n")
    import_fails(path, "no rows of data")


def test_trailing_blank_rows_are_fine(tmp_path):
    path = tmp_path / "tail.csv"
    path.write_text(",".join(HEADER) + "\n" + GOOD_ROW + ",,,,,,\n\n")
    out = StringIO()
    call_command("import_observations", "collab-a", "org-a", str(path), stdout=out)
    assert "1 rows saved" in out.getvalue()


def test_formulas_in_xlsx(tmp_path):
    path = xlsx(
        tmp_path / "formula.xlsx",
        [
            ["HOUS-1", "2025", None, None, "=SUM(E3:E4)"],
            ["HOUS-1", "2024", '=HYPERLINK("http://x")', None, 5],
        ],
    )
    import_fails(
        path, "row 2, value: This cell holds a formula (=SUM(E3:E4))", "row 3, race_ethnicity"
    )


def test_formula_injection_in_csv(tmp_path):
    path = write_csv(tmp_path / "cmd.csv", [["=cmd|' /C calc'!A0", "2025", "", "", "5", "", ""]])
    import_fails(path, "This cell holds a formula")


def test_duplicate_header(tmp_path):
    path = write_csv(
        tmp_path / "dup.csv",
        [["HOUS-1", "2025", "5", "6"]],
        header=["indicator", "period", "value", "VALUE"],
    )
    import_fails(path, "The column “VALUE” appears twice (columns C and D)")


def test_100_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    row = GOOD_ROW.encode()
    with open(path, "wb") as f:
        f.write((",".join(HEADER) + "\n").encode())
        block = row * (1024 * 1024 // len(row))
        for _ in range(100):
            f.write(block)
    assert os.path.getsize(path) >= 100 * 1000 * 1000

    def never(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(files, "open_source", never)
    started = time.monotonic()
    text = import_fails(path, "the limit is 50.0\xa0MB", "Split it into smaller files")
    assert "100." in text and time.monotonic() - started < 5


def test_100_mb_upload_is_refused_by_its_length_before_it_is_read(cast, login):
    client = login(cast.staff_a)
    url = reverse("indicators:upload_new", kwargs={"slug": "collab-a"})
    response = client.post(
        url,
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "over the 50.0\xa0MB limit" in response.content.decode()
    assert stored_nothing()
