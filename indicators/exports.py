"""CSV and XLSX downloads of indicator data, exactly as the person may see it.

The rows come from indicators/dashboards.py, so sharing and small-number
suppression are the same as on the pages: a hidden figure is an empty cell with
the word "hidden" beside it, never a number. The files themselves are written by
``reentry.downloads`` (formula-safe text, a BOM in CSV, dates and numbers typed in
XLSX, the file name in a safe header).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

from indicators.dashboards import IndicatorData, ValueOrder
from indicators.models import Dataset
from reentry.downloads import csv_response, xlsx_response
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

type Row = list[str | Decimal | int | date | None]


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


def rows(
    data: Iterable[IndicatorData],
    datasets: Mapping[int, Dataset],
    *,
    order: ValueOrder | None = None,
) -> Iterator[Row]:
    """The header, then one row per figure: each dataset's cells, then the combined
    cells, period by period (breakdown rows in the dimensions' order with ``order``).
    Hidden figures have no value."""
    yield list(HEADER)
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
                keys = sorted(cells, key=order.key) if order is not None else list(cells)
                for key in keys:
                    cell = cells[key]
                    yield [
                        indicator.code,
                        indicator.name,
                        indicator.unit,
                        table.label,
                        table.period.start,
                        table.period.end,
                        organization,
                        title,
                        _breakdown(key),
                        _number(cell.value),
                        _number(cell.numerator),
                        _number(cell.denominator),
                        _note(cell),
                    ]


def download(
    data: Iterable[Row], filename: str, *, xlsx: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """``rows(...)`` as ``<filename>.csv`` (streamed), or ``<filename>.xlsx``."""
    if xlsx:
        return xlsx_response(data, f"{filename}.xlsx")
    return csv_response(data, f"{filename}.csv")
