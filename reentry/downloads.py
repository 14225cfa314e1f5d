"""Every file the product hands out (CSV and XLSX) is written here, once.

- Cells that a spreadsheet would run as a formula are quoted (CSV injection).
- CSV starts with a UTF-8 byte order mark, so Excel reads "café" as "café".
- XLSX writes real dates and numbers with a number format, text typed as text.
- The file name goes through Django's ``content_disposition_header``, so a non-ASCII
  name survives (``filename*``) and nothing in it can break the header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

type Cell = str | int | float | Decimal | date | datetime | None


def formula_safe(value: object) -> str:
    """Text for a cell that a spreadsheet shows and never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _csv_text(value: Cell) -> str:
    if isinstance(value, str):
        return formula_safe(value)
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The lines of a CSV file, BOM first; formula characters neutralised."""
    writer = csv.writer(_Echo())
    yield BOM
    for row in rows:
        yield writer.writerow([_csv_text(v) for v in row])


def csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    return "".join(csv_lines(rows))


def _attach(response: HttpResponse | StreamingHttpResponse, filename: str, *, inline: bool):
    header = content_disposition_header(not inline, filename)
    if header is not None:  # None only for inline without a name
        response["Content-Disposition"] = header
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(
    rows: Iterable[Sequence[Cell]], filename: str, *, stream: bool = True, inline: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download. ``rows`` may be a generator: with ``stream`` it is written as it
    is read (exports of any size); otherwise it is built first (small files)."""
    content_type = "text/csv; charset=utf-8"
    response: HttpResponse | StreamingHttpResponse
    if stream:
        response = StreamingHttpResponse(csv_lines(rows), content_type=content_type)
    else:
        response = HttpResponse(csv_text(rows), content_type=content_type)
    return _attach(response, filename, inline=inline)


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00##"


def xlsx_bytes(rows: Iterable[Sequence[Cell]], *, title: str = "Data") -> bytes:
    """A workbook written row by row (openpyxl's write-only mode): dates as dates,
    numbers as numbers with a format, text typed as text so it is never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Data")
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                # openpyxl writes a date as a date; its stubs only name datetime.
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                cell.number_format = DATE_FORMAT
            elif isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
            elif isinstance(value, int):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = INTEGER_FORMAT
            elif isinstance(value, Decimal | float):
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = DECIMAL_FORMAT
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    rows: Iterable[Sequence[Cell]], filename: str, *, title: str = "Data"
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(rows, title=title), content_type=XLSX_TYPE)
    return _attach(response, filename, inline=False)


def attachment[R: (HttpResponse, StreamingHttpResponse)](
    response: R, filename: str, *, inline: bool = False
) -> R:
    """Name a response's file (calendar feeds, PDFs, packages) the one safe way."""
    return _attach(response, filename, inline=inline)
