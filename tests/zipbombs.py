"""Zip files made in the test that asks for them (no binary in the repository): a real
workbook, one whose shared strings are a huge run of one byte, one with a DTD."""

import io
import zipfile

from openpyxl import Workbook

CHUNK = b"a" * (1024 * 1024)
SHARED_STRINGS = "xl/sharedStrings.xml"
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>'
)


def workbook_bytes(rows=(("indicator", "period", "value"), ("HOUS-1", "2025-Q1", 30))) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bomb(*, megabytes: int = 64, member: str = SHARED_STRINGS, base: bytes | None = None):
    """``base`` (a workbook by default) plus ``member``: ``megabytes`` of one byte, deflated
    (about 1,000 to 1), written a megabyte at a time. As the shared strings of a workbook,
    it is one well-formed string that openpyxl would read whole."""
    source = zipfile.ZipFile(io.BytesIO(base if base is not None else workbook_bytes()))
    strings = member == SHARED_STRINGS
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if strings and info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SHARED_STRINGS_TYPE)
            if info.filename != member:
                archive.writestr(info.filename, data)
        with archive.open(member, "w", force_zip64=True) as target:
            if strings:
                target.write(
                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                target.write(b"<si><t>")
            for _ in range(megabytes):
                target.write(CHUNK)
            if strings:
                target.write(b"</t></si></sst>")
    return out.getvalue()


def with_dtd(member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A workbook whose ``member`` declares an external entity and uses it in a cell."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == member:
                data = (
                    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    + data.replace(b">indicator<", b">&x;<")
                )
            archive.writestr(info.filename, data)
    return out.getvalue()
