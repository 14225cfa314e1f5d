"""Checks on an uploaded zip file (an .xlsx workbook, an HSDS datapackage) made before
anything in it is unpacked.

A zip says in its central directory how large each member unpacks to. ``check_zip``
reads only that directory (a few kilobytes at the end of the file) and refuses a file
with too many members, a member or a total that unpacks too large, or a member that
unpacks to far more than it takes in the zip (a "zip bomb": a 2 MB file whose one
member is a gigabyte of the same byte). Python's ``zipfile`` never unpacks more than a
member's declared size, so the declared sizes bound what a later read can cost.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Compression ratios are checked only for members at least this large unpacked: a small
# file of spaces may compress 200 times and costs nothing to read.
RATIO_FLOOR_BYTES = 1024 * 1024
_END_OF_DIRECTORY = b"PK\x05\x06"
_END_RECORD = struct.Struct("<4s4H2LH")  # the fixed 22 bytes of the end-of-directory record
_MAX_COMMENT = 0xFFFF


class ZipRefused(ValueError):
    """The zip file is refused before it is unpacked; ``message`` says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _declared_members(handle: IO[bytes]) -> int | None:
    """The member count the end-of-directory record declares, read from the file's tail
    without building the directory; None when there is no such record (not a zip)."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, _END_RECORD.size + _MAX_COMMENT)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < _END_RECORD.size:
        return None
    fields = _END_RECORD.unpack(tail[at : at + _END_RECORD.size])
    return int(fields[4])  # total entries in the central directory (0xFFFF: see ZIP64)


def check_zip(
    file: str | Path | IO[bytes],
    *,
    max_members: int | None = None,
    max_member_bytes: int | None = None,
    max_total_bytes: int | None = None,
    max_ratio: int | None = None,
) -> None:
    """Refuse (``ZipRefused``) a zip whose declared sizes are over the limits, without
    unpacking anything. Limits left out come from settings (``UPLOAD_ZIP_*``). Raises
    ``zipfile.BadZipFile`` for a file that is not a zip. A file object is left at 0."""
    max_members = max_members or _limit("UPLOAD_ZIP_MAX_MEMBERS", 1000)
    max_member_bytes = max_member_bytes or _limit("UPLOAD_ZIP_MAX_MEMBER_BYTES", 200 * 2**20)
    max_total_bytes = max_total_bytes or _limit("UPLOAD_ZIP_MAX_TOTAL_BYTES", 1024 * 2**20)
    max_ratio = max_ratio or _limit("UPLOAD_ZIP_MAX_RATIO", 100)

    handle: IO[bytes] = open(file, "rb") if isinstance(file, str | Path) else file  # noqa: SIM115
    try:
        declared = _declared_members(handle)
        # The directory is read into memory by zipfile: refuse a huge one before that.
        # 0xFFFF means the real count is in a ZIP64 record: too many either way.
        if declared is not None and (declared > max_members or declared == 0xFFFF):
            raise ZipRefused(_too_many(max_members))
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
        if len(members) > max_members:
            raise ZipRefused(_too_many(max_members))
        total = 0
        for info in members:
            total += info.file_size
            if info.file_size > max_member_bytes:
                raise ZipRefused(
                    _(
                        "A part of this file (%(name)s) unpacks to %(size)s; the limit is "
                        "%(limit)s. Split the data into smaller files and upload each one."
                    )
                    % {
                        "name": info.filename[:80],
                        "size": filesizeformat(info.file_size),
                        "limit": filesizeformat(max_member_bytes),
                    }
                )
            if info.file_size >= RATIO_FLOOR_BYTES and info.file_size > max_ratio * max(
                info.compress_size, 1
            ):
                raise ZipRefused(
                    _(
                        "A part of this file (%(name)s) is packed far more tightly than real "
                        "data is, so it is not read. Save the file again from the program "
                        "that made it and upload that copy."
                    )
                    % {"name": info.filename[:80]}
                )
        if total > max_total_bytes:
            raise ZipRefused(
                _(
                    "This file unpacks to %(size)s; the limit is %(limit)s. Split the data "
                    "into smaller files and upload each one."
                )
                % {"size": filesizeformat(total), "limit": filesizeformat(max_total_bytes)}
            )
    finally:
        if handle is not file:
            handle.close()
        else:
            handle.seek(0)


def _too_many(limit: int) -> str:
    return _("This zip file holds more than %(limit)s files.") % {"limit": limit}
