"""CSV and XLSX downloads of indicator data, exactly as the person may see it.

The rows come from indicators/dashboards.py, so sharing and small-number
suppression are the same as on the pages: a hidden figure is an empty cell with
the word "hidden" beside it, never a number. Text a person typed is written so
that a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from indicators.dashboards import IndicatorData
from indicators.models import Dataset
from reentry.suppression import PublishedCell

HEADER = [
    "indicator_code",
    "indicator",
    "unit",
    "period",
    "period_start",
    "period_end",
    "organization",
    "dataset",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "note",
]
COMBINED_LABEL = "All combined"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type Row = list[str | Decimal | int | None]


def formula_safe(value: object) -> str:
    """A spreadsheet must not run text as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _note(cell: PublishedCell) -> str:
    if cell.hidden:
        return "hidden"
    if cell.protected:
        return "hidden from others"
    return ""


def _breakdown(key: Sequence[tuple[str, str]]) -> str:
    return "|".join(f"{dimension}={value}" for dimension, value in key)


def _number(value) -> Decimal | int | None:
    if value is None:
        return None
    number = Decimal(str(value)).normalize()
    return int(number) if number == number.to_integral_value() else number


def rows(data: Iterable[IndicatorData], datasets: Mapping[int, Dataset]) -> Iterator[Row]:
    """One row per figure: each dataset's cells, then the combined cells, period by
    period. Hidden figures have no value."""
    for item in data:
        indicator = item.indicator
        for table in item.tables:
            sources: list[tuple[str, str, dict]] = [
                (
                    datasets[dataset_id].owner.name if dataset_id in datasets else "",
                    datasets[dataset_id].title if dataset_id in datasets else "",
                    cells,
                )
                for dataset_id, cells in table.by_dataset.items()
            ]
            if len(table.by_dataset) > 1:
                sources.append((COMBINED_LABEL, "", table.combined))
            for organization, title, cells in sources:
                for key, cell in cells.items():
                    yield [
                        indicator.code,
                        indicator.name,
                        indicator.unit,
                        table.label,
                        table.period.start.isoformat(),
                        table.period.end.isoformat(),
                        organization,
                        title,
                        _breakdown(key),
                        _number(cell.value),
                        _number(cell.numerator),
                        _number(cell.denominator),
                        _note(cell),
                    ]


def _text(row: Row) -> list[str]:
    return [formula_safe(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(data: Iterable[Row], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    lines = (writer.writerow(_text(row)) for row in _with_header(data))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def _with_header(data: Iterable[Row]) -> Iterator[Row]:
    yield list(HEADER)
    yield from data


def xlsx_bytes(data: Iterable[Row], *, title: str = "Data") -> bytes:
    """A workbook written row by row (openpyxl's write-only mode). Text cells are
    typed as text, so nothing in them is ever read as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Data")
    for row in _with_header(data):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=float(value) if isinstance(value, Decimal) else value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(data: Iterable[Row], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(data), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
