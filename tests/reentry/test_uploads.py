"""reentry.uploads.check_zip: a zip is refused from its directory, before it is unpacked."""

import io
import zipfile

import pytest

from reentry.uploads import ZipRefused, check_zip
from tests.zipbombs import bomb, workbook_bytes


def test_a_real_workbook_passes_and_the_file_is_rewound():
    handle = io.BytesIO(workbook_bytes())
    check_zip(handle)
    assert handle.tell() == 0


def test_a_member_packed_a_thousand_to_one_is_refused():
    with pytest.raises(ZipRefused, match="packed far more tightly"):
        check_zip(io.BytesIO(bomb(megabytes=16)))


def test_a_member_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_RATIO = 10_000
    settings.UPLOAD_ZIP_MAX_MEMBER_BYTES = 8 * 1024 * 1024
    with pytest.raises(ZipRefused, match=r"xl/sharedStrings.xml\) unpacks to 16.0"):
        check_zip(io.BytesIO(bomb(megabytes=16)))


def test_a_total_over_the_limit_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_RATIO = 10_000
    settings.UPLOAD_ZIP_MAX_TOTAL_BYTES = 8 * 1024 * 1024
    with pytest.raises(ZipRefused, match="This file unpacks to"):
        check_zip(io.BytesIO(bomb(megabytes=16)))


def test_too_many_members_are_refused_from_the_end_record(settings, monkeypatch):
    settings.UPLOAD_ZIP_MAX_MEMBERS = 5
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(6):
            archive.writestr(f"{n}.txt", "x")

    def no_directory(*args, **kwargs):
        raise AssertionError("the directory was read")

    monkeypatch.setattr(zipfile, "ZipFile", no_directory)
    with pytest.raises(ZipRefused, match="more than 5 files"):
        check_zip(buffer)


def test_a_file_that_is_not_a_zip_raises_bad_zip_file():
    with pytest.raises(zipfile.BadZipFile):
        check_zip(io.BytesIO(b"name,value\nx,1\n"))
