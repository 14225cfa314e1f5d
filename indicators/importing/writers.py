"""Storing checked rows: COPY on PostgreSQL, batched bulk_create elsewhere."""

import contextlib
import json

from django.db import connection

from indicators.importing.checks import Row
from indicators.models import (
    Dataset,
    DatasetVersion,
    Observation,
)

BATCH = 5000

# --- writers ------------------------------------------------------------------------


class BulkWriter:
    """Batched ``bulk_create`` (SQLite and other databases)."""

    def __init__(self, dataset: Dataset, version: DatasetVersion):
        self.dataset_id = dataset.pk
        self.version_id = version.pk
        self.batch: list[Observation] = []
        self.count = 0

    def write(self, row: Row) -> None:
        self.batch.append(
            Observation(
                dataset_id=self.dataset_id,
                version_id=self.version_id,
                indicator_id=row.indicator_id,
                period_kind=row.period.kind,
                period_start=row.period.start,
                period_end=row.period.end,
                breakdown=row.breakdown,
                breakdown_dims=row.dims,
                breakdown_key=row.key,
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
            )
        )
        self.count += 1
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            # A repeated row is reported by the checks, which then roll everything back.
            Observation.objects.bulk_create(self.batch, ignore_conflicts=True)
            self.batch = []

    def close(self) -> None:
        self.flush()


class CopyWriter:
    """PostgreSQL ``COPY ... FROM STDIN``: rows stream straight into the table."""

    COLUMNS = (
        "dataset_id",
        "version_id",
        "indicator_id",
        "period_kind",
        "period_start",
        "period_end",
        "breakdown",
        "breakdown_dims",
        "breakdown_key",
        "value",
        "numerator",
        "denominator",
    )

    def __init__(self, dataset: Dataset, version: DatasetVersion):
        self.dataset_id = dataset.pk
        self.version_id = version.pk
        self.count = 0
        table = connection.ops.quote_name(Observation._meta.db_table)
        columns = ", ".join(self.COLUMNS)
        self._cursor = connection.cursor()
        raw_cursor = self._cursor.cursor  # psycopg's own cursor, for copy()
        self._copy_cm = raw_cursor.copy(f"COPY {table} ({columns}) FROM STDIN")  # noqa: S608
        self._copy = self._copy_cm.__enter__()
        self._prefix = f"{self.dataset_id}\t{self.version_id}\t"
        self._keys: dict[str, str] = {}
        self._periods: dict[object, str] = {}
        self._lines: list[str] = []

    def write(self, row: Row) -> None:
        """Format the row as a line of COPY's text format; send lines in batches."""
        middle = self._keys.get(row.key)
        if middle is None:
            middle = "\t".join(
                (
                    _escape(json.dumps(row.breakdown, sort_keys=True)),
                    _escape(row.dims),
                    _escape(row.key),
                )
            )
            if len(self._keys) < 50000:
                self._keys[row.key] = middle
        period = self._periods.get(row.period)
        if period is None:
            period = (
                f"{row.period.kind}\t{row.period.start.isoformat()}\t{row.period.end.isoformat()}"
            )
            if len(self._periods) < 50000:
                self._periods[row.period] = period
        numerator = "\\N" if row.numerator is None else str(row.numerator)
        denominator = "\\N" if row.denominator is None else str(row.denominator)
        self._lines.append(
            f"{self._prefix}{row.indicator_id}\t{period}\t{middle}\t{row.value}\t"
            f"{numerator}\t{denominator}\n"
        )
        self.count += 1
        if len(self._lines) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._lines:
            self._copy.write("".join(self._lines))
            self._lines = []

    def close(self) -> None:
        self._flush()
        self._copy_cm.__exit__(None, None, None)
        self._cursor.close()

    def abort(self) -> None:
        # The transaction is rolled back anyway: ending the COPY must not hide the cause.
        with contextlib.suppress(Exception):
            self._copy_cm.__exit__(RuntimeError, RuntimeError("aborted"), None)
        self._cursor.close()


def _escape(text: str) -> str:
    """COPY text format: backslash, tab, newline and carriage return are escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def make_writer(dataset: Dataset, version: DatasetVersion) -> BulkWriter | CopyWriter:
    if connection.vendor == "postgresql":
        return CopyWriter(dataset, version)
    return BulkWriter(dataset, version)
