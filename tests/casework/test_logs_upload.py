"""Bulk upload of service logs: every row checked, a row-by-row report, all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from casework.models import ServiceLog
from reentry.audit.models import AuditEvent
from stakeholders.models import Service
from tests import zipbombs

HEADER = "participant_code,date,key_area,service,minutes,outcome,notes"


def url(name="logs_upload", slug="collab-a"):
    return reverse(f"casework:{name}", kwargs={"slug": slug})


def csv_file(lines, name="logs.csv"):
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def xlsx_file(rows, name="logs.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def lease(casebook):
    service = Service.objects.create(
        organization=casebook.cast.org_a, collaborative=casebook.collab, name="Lease help"
    )
    service.key_areas.set([casebook.housing])
    return service


def test_good_csv_is_saved_whole(casebook, login, lease):
    code, day = casebook.pat.code, casebook.collab.today().isoformat()
    client = login(casebook.cast.staff_a)
    before = ServiceLog.objects.count()
    response = client.post(
        url(),
        {
            "file": csv_file(
                [
                    HEADER,
                    f"{code},{day},Housing,,30,completed,Viewing",
                    f"{code.lower()},{day},employment,,,Needs a follow-up,CV again",
                    f"{code},{day},,Lease help,45,,Signed",
                    ",,,,,,",
                ]
            )
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert ServiceLog.objects.count() == before + 3
    signed = ServiceLog.objects.get(notes="Signed")
    assert signed.service == lease and signed.key_area == casebook.housing
    assert signed.organization == casebook.cast.org_a
    assert ServiceLog.objects.get(notes="CV again").outcome == ServiceLog.Outcome.FOLLOW_UP
    event = AuditEvent.objects.filter(action="casework.logs_imported").latest("id")
    assert event.details["count"] == 3


def test_one_bad_row_saves_nothing_and_every_problem_is_named(casebook, login):
    code, day = casebook.pat.code, casebook.collab.today().isoformat()
    quinn = casebook.quinn_c.participant.code
    client = login(casebook.cast.staff_a)
    before = ServiceLog.objects.count()
    response = client.post(
        url(),
        {
            "file": csv_file(
                [
                    HEADER,
                    f"{code},{day},Housing,,30,,ok",
                    f"{quinn},{day},Housing,,30,,theirs",
                    f"{code},31/02/2025,Flying,Nope,abc,maybe,bad",
                    f"{code},2999-01-01,Housing,,30,,future",
                ]
            )
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert ServiceLog.objects.count() == before
    assert "Nothing was saved" in page
    assert f"Row 3: no participant with code {quinn} is served by your organization." in page
    assert "Row 4: “31/02/2025” is not a date" in page
    assert "no service named “Nope”" in page and "no key area “Flying”" in page
    assert "“abc” is not a number of minutes" in page and "“maybe” is not an outcome" in page
    assert "Row 5: the date 2999-01-01 is in the future." in page
    assert "Row 2" not in page


def test_missing_columns_are_named(casebook, login):
    response = login(casebook.cast.staff_a).post(
        url(), {"file": csv_file(["code,when", "P-AAAA-BBBB,2025-01-01"])}
    )
    page = response.content.decode()
    assert "Row 1: the columns date, key_area are missing" in page


def test_xlsx_upload_with_real_dates(casebook, login):
    code = casebook.pat.code
    before = ServiceLog.objects.count()
    response = login(casebook.cast.staff_a).post(
        url(),
        {
            "file": xlsx_file(
                [
                    HEADER.split(","),
                    [code, casebook.collab.today(), "housing", None, 20, "partial", "from excel"],
                ]
            )
        },
    )
    assert response.status_code == 302
    assert ServiceLog.objects.count() == before + 1
    assert ServiceLog.objects.get(notes="from excel").duration_minutes == 20


def test_zip_bomb_is_refused_before_it_is_unpacked(casebook, login):
    bomb = SimpleUploadedFile("logs.xlsx", zipbombs.bomb(megabytes=64))
    response = login(casebook.cast.staff_a).post(url(), {"file": bomb})
    page = response.content.decode()
    assert response.status_code == 200
    assert "packed far more tightly than real data" in page or "unpacks to" in page


@override_settings(CASEWORK_LOG_UPLOAD_MAX_ROWS=3)
def test_too_many_rows(casebook, login):
    code, day = casebook.pat.code, casebook.collab.today().isoformat()
    lines = [HEADER] + [f"{code},{day},Housing,,30,,n{i}" for i in range(4)]
    before = ServiceLog.objects.count()
    response = login(casebook.cast.staff_a).post(url(), {"file": csv_file(lines)})
    assert "more than 3 rows" in response.content.decode()
    assert ServiceLog.objects.count() == before


@override_settings(CASEWORK_LOG_UPLOAD_MAX_BYTES=100)
def test_too_large(casebook, login):
    lines = [HEADER] + ["P-AAAA-BBBB,2025-01-01,Housing,,30,,note"] * 10
    response = login(casebook.cast.staff_a).post(url(), {"file": csv_file(lines)})
    assert "the limit is 100" in response.content.decode()


def test_other_formats_are_refused(casebook, login):
    response = login(casebook.cast.staff_a).post(
        url(), {"file": SimpleUploadedFile("logs.xls", b"\xd0\xcf\x11\xe0")}
    )
    assert "old Excel file (.xls)" in response.content.decode()


def test_template_lists_the_columns(casebook, login):
    response = login(casebook.cast.staff_a).get(url("logs_upload_template"))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER


def test_upload_pages_are_404_beyond_caseworkers(casebook, login, client):
    for who in (casebook.cast.community, casebook.cast.backbone, casebook.staff_x):
        assert login(who).get(url()).status_code == 404
        assert login(who).get(url("logs_upload_template")).status_code == 404
    client.logout()
    assert client.get(url()).status_code == 302
