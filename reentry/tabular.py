"""Reading uploaded tables (CSV and XLSX) as a stream: format checks, rows, headers.

Shared by every upload that reads rows from a spreadsheet (indicator data, service
logs): the same checks and the same plain messages, whatever the app. Size limits are
each upload's own (``indicators.importing.files``, ``casework.services.log_imports``).
XLSX files go through ``reentry.uploads.check_zip`` before openpyxl unpacks anything.
"""

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]  # no stubs shipped
from django.utils.translation import gettext as _

from reentry.uploads import ZipRefused, check_zip


class FileProblem(Exception):  # noqa: N818 - a message for the person, not a bug
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".xls":
        raise FileProblem(
            _("This is an old Excel file (.xls). In Excel, save it as .xlsx or as CSV UTF-8.")
        )
    raise FileProblem(_("Upload a .csv or an .xlsx file."))


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read (for the progress bar)."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def _sniff_text(head: bytes) -> None:
    """Refuse text that is not UTF-8 before reading further."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4096]:
        raise FileProblem(
            _(
                "This file is saved as UTF-16 (“Unicode text”). In Excel, use Save As and "
                "choose “CSV UTF-8 (comma delimited)”, then upload that file."
            ),
            row=1,
        )
    if head.startswith(b"PK\x03\x04"):
        raise FileProblem(_("This looks like an Excel file. Give it a name ending in .xlsx."))
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            raise _not_utf8(head[: exc.start].count(b"\n") + 1) from exc


def _not_utf8(row: int) -> FileProblem:
    return FileProblem(
        _(
            "Row %(row)s: this file is not UTF-8 text (it may be saved as Windows or Mac "
            "text). In Excel, use Save As and choose “CSV UTF-8 (comma delimited)”."
        )
        % {"row": row},
        row=row,
    )


_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Source:
    """An open file and its rows, as lists of cells (str for CSV; typed for XLSX)."""

    rows: Iterator[tuple[int, list[Any]]]
    progress: Callable[[], float]
    close: Callable[[], None]


def open_source(path: str | Path, fmt: str) -> Source:
    """Open ``path`` for streaming. Raises ``FileProblem`` for a file that cannot be read."""
    if fmt == "xlsx":
        return _open_xlsx(Path(path))
    raw = open(path, "rb")  # noqa: SIM115 - closed by Source.close
    try:
        head = raw.read(65536)
        _sniff_text(head)
        raw.seek(0)
        counter = _CountingReader(raw)
        size = max(Path(path).stat().st_size, 1)
        # Bytes that are not UTF-8 become lone surrogates, found row by row below, so the
        # report names the exact row (a decoding error would only name the chunk).
        text = io.TextIOWrapper(
            io.BufferedReader(counter, 65536),
            encoding="utf-8-sig",
            errors="surrogateescape",
            newline="",
        )
        first = head.decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0]
        reader = csv.reader(text, delimiter=_delimiter(first), strict=True)
    except BaseException:
        raw.close()
        raise

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, row in enumerate(reader, start=1):  # noqa: B007 - read after the loop
                if _NOT_UTF8.search("".join(row)):
                    raise _not_utf8(number)
                yield number, row
        except csv.Error as exc:
            raise FileProblem(
                _(
                    "Row %(row)s cannot be read (%(error)s). The file may be cut short, or a "
                    "cell has an unmatched quote mark."
                )
                % {"row": number + 1, "error": exc},
                row=number + 1,
            ) from exc

    return Source(rows=rows(), progress=lambda: counter.count / size, close=raw.close)


def _xml_refused(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the XML parser refusing the file's XML: a
    DTD or an entity (refused by defusedxml) or XML that does not parse."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SyntaxError | DefusedXmlException):  # ParseError is a SyntaxError
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _xml_problem(row: int | None = None) -> FileProblem:
    return FileProblem(
        _(
            "This Excel file holds XML that uploads do not accept (a document type or "
            "entity declaration, or XML that does not parse). Open it in Excel, save it "
            "again as .xlsx, and upload that copy."
        ),
        row=row,
    )


def _open_xlsx(path: Path) -> Source:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    damaged = _(
        "This Excel file cannot be opened: it may be damaged, cut short, or not an "
        ".xlsx file. Open it in Excel, save it again as .xlsx, and upload it."
    )
    # From the zip's directory alone, before openpyxl unpacks anything.
    try:
        check_zip(path)
    except ZipRefused as exc:
        raise FileProblem(exc.message) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(damaged) from exc
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:
        if _xml_refused(exc):
            raise _xml_problem() from exc
        raise FileProblem(damaged) from exc
    sheet = workbook.worksheets[0]
    total = max(getattr(sheet, "max_row", 0) or 0, 1)
    state = {"row": 0}

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                state["row"] = number
                yield number, list(values)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, SyntaxError) as exc:
            if _xml_refused(exc):
                raise _xml_problem(row=state["row"] + 1) from exc
            raise FileProblem(
                _("Row %(row)s cannot be read: the Excel file may be damaged or cut short.")
                % {"row": state["row"] + 1},
                row=state["row"] + 1,
            ) from exc

    return Source(rows=rows(), progress=lambda: state["row"] / total, close=workbook.close)


def normalise_header(text: Any) -> str:
    value = "" if text is None else str(text)
    value = value.strip().lstrip("\ufeff").lower()
    return re.sub(r"[^a-z0-9]+", "_", value).strip("_")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_headers(path: str | Path, fmt: str) -> list[str]:
    """The first row's column names, checked: not empty, no name twice."""
    source = open_source(path, fmt)
    try:
        first = next(source.rows, None)
    finally:
        source.close()
    if first is None or not any(cell_text(c) for c in first[1]):
        raise FileProblem(
            _("The first row is empty. Put the column names in the first row."), row=1
        )
    headers = [cell_text(c) for c in first[1]]
    while headers and not headers[-1]:
        headers.pop()
    seen: dict[str, int] = {}
    for i, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            continue
        if key in seen:
            raise FileProblem(
                _(
                    "The column “%(name)s” appears twice (columns %(first)s and %(second)s). "
                    "Rename or delete one of them."
                )
                % {
                    "name": header,
                    "first": _column_letter(seen[key]),
                    "second": _column_letter(i),
                },
                row=1,
            )
        seen[key] = i
    return headers


def headers_key(headers: list[str]) -> str:
    joined = "\x1f".join(normalise_header(h) for h in headers)
    return hashlib.sha256(joined.encode()).hexdigest()


def cell_text(cell: Any) -> str:
    """A cell as trimmed text: whole floats without ".0", dates as ISO dates."""
    if cell.__class__ is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if not cell.time() else cell.isoformat()
    return str(cell).strip()
