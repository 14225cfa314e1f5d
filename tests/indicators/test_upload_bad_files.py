"""Hostile workbooks on the upload page: refused with a message beside the field, never a
500, and a zip bomb refused from the zip's directory before openpyxl opens anything."""

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportJob
from tests.zipbombs import bomb, with_dtd

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, cast, content: bytes, name="housing.xlsx"):
    data = {
        "file": SimpleUploadedFile(name, content, content_type=XLSX),
        "title": "Housing 2025",
        "licence": "agreement",
        "sharing_level": "private",
    }
    return client.post(reverse("indicators:upload_new", kwargs={"slug": cast.collab.slug}), data)


def file_errors(response) -> list[str]:
    return response.context["form"].errors.get("file", [])


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(cast, login, monkeypatch):
    opened = []
    real = openpyxl.load_workbook

    def load_workbook(*args, **kwargs):
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", load_workbook)

    response = upload(login(cast.staff_a), cast, bomb(megabytes=64))

    assert response.status_code == 200
    assert "packed far more tightly than real data" in file_errors(response)[0]
    assert opened == []
    assert not ImportJob.objects.exists()


def test_a_workbook_with_a_dtd_is_refused_with_a_message(cast, login):
    response = upload(login(cast.staff_a), cast, with_dtd())

    assert response.status_code == 200
    assert "document type or entity declaration" in file_errors(response)[0]
    assert not ImportJob.objects.exists()
