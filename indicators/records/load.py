"""Loading a record-level file: check and profile it, then save every row as a new
dataset version and derive every indicator defined on the dataset, or save nothing.

The same streaming reader as figure uploads (``reentry.tabular``): one pass to check
and profile (``scan``), one pass inside one transaction to store (``load_version``),
with ``COPY`` on PostgreSQL. Memory holds the profile (bounded per column), never the
rows.
"""

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from indicators.importing.checks import (
    Problem,
    Report,
    blank_row_problem,
    extra_cells_problem,
    short_row_problem,
)
from indicators.importing.files import FileProblem, _text, open_source, read_headers
from indicators.importing.writers import _escape
from indicators.models import Dataset, DatasetVersion, Observation, Record
from indicators.records.profile import DATE, Profiler, us_date_to_iso
from indicators.records.spec import SpecError
from stakeholders.models import Collaborative, Organization, User

BATCH = 5000
PROGRESS_EVERY = 2000


class _Rollback(Exception):  # noqa: N818 - control flow: undo the transaction
    def __init__(self, report: Report):
        self.report = report


class RecordBulkWriter:
    def __init__(self, version: DatasetVersion):
        self.dataset_id, self.version_id = version.dataset_id, version.pk
        self.batch: list[Record] = []

    def write(self, row: int, cells: list[str]) -> None:
        self.batch.append(
            Record(dataset_id=self.dataset_id, version_id=self.version_id, row=row, cells=cells)
        )
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            Record.objects.bulk_create(self.batch)
            self.batch = []

    def close(self) -> None:
        self.flush()

    def abort(self) -> None:
        self.batch = []


class RecordCopyWriter:
    """PostgreSQL ``COPY ... FROM STDIN`` into a temporary table, then one ``INSERT ...
    SELECT`` into ``indicators_record``. PostgreSQL refuses COPY into a table under
    row-level security (indicators/migrations/0009), and a temporary table has none;
    the insert then passes the table's policy as any write does."""

    def __init__(self, version: DatasetVersion):
        self._version = version
        self._staging = f"records_load_{version.pk}"
        self._cursor = connection.cursor()
        self._cursor.execute(
            f"CREATE TEMPORARY TABLE {self._staging} (row integer, cells jsonb) ON COMMIT DROP"
        )
        self._copy_cm = self._cursor.cursor.copy(
            f"COPY {self._staging} (row, cells) FROM STDIN"  # noqa: S608
        )
        self._copy = self._copy_cm.__enter__()
        self._lines: list[str] = []

    def write(self, row: int, cells: list[str]) -> None:
        self._lines.append(f"{row}\t{_escape(json.dumps(cells, ensure_ascii=False))}\n")
        if len(self._lines) >= BATCH:
            self._copy.write("".join(self._lines))
            self._lines = []

    def close(self) -> None:
        if self._lines:
            self._copy.write("".join(self._lines))
        self._copy_cm.__exit__(None, None, None)
        table = connection.ops.quote_name(Record._meta.db_table)
        self._cursor.execute(
            f"INSERT INTO {table} (dataset_id, version_id, row, cells) "  # noqa: S608
            f"SELECT %s, %s, row, cells FROM {self._staging}",
            [self._version.dataset_id, self._version.pk],
        )
        self._cursor.execute(f"DROP TABLE {self._staging}")
        self._cursor.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._copy_cm.__exit__(RuntimeError, RuntimeError("aborted"), None)
        self._cursor.close()


def make_writer(version: DatasetVersion) -> RecordBulkWriter | RecordCopyWriter:
    if connection.vendor == "postgresql":
        return RecordCopyWriter(version)
    return RecordBulkWriter(version)


def _header_problems(headers: list[str], report: Report) -> None:
    for index, header in enumerate(headers):
        if not header:
            report.add(
                Problem(
                    1,
                    "",
                    "unnamed_column",
                    _("Column %(number)s has no name. Give it one in the first row, or delete it.")
                    % {"number": index + 1},
                )
            )


def scan(
    path: str | Path,
    fmt: str,
    *,
    write: Callable[[int, list[str]], None] | None = None,
    convert: dict[int, Callable[[str], str]] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> tuple[Report, list[str], dict[str, Any]]:
    """Read the whole file once: check its shape, profile every column, and hand each
    row's cells (trimmed text) to ``write``. Returns (report, headers, profile)."""
    report = Report()
    try:
        headers = read_headers(path, fmt)
    except FileProblem as exc:
        report.file_problem = exc.message
        report.add(Problem(exc.row or 1, "", "file", exc.message))
        return report, [], {}
    _header_problems(headers, report)
    width = len(headers)
    profiler = Profiler(headers)
    convert = convert or {}
    source = open_source(path, fmt)
    blank_run: list[int] = []
    last_tick = time.monotonic()
    try:
        for number, raw in source.rows:
            if number == 1:
                continue
            cells = [_text(c) for c in raw]
            if not any(cells):
                blank_run.append(number)
                continue
            for blank in blank_run[:20]:
                report.add(blank_row_problem(blank))
            blank_run = []
            report.rows += 1
            if any(cells[width:]):
                report.add(extra_cells_problem(number))
                continue
            if fmt == "csv" and len(cells) < width:
                report.add(short_row_problem(number, len(cells), width))
                continue
            cells = cells[:width] + [""] * (width - len(cells))
            profiler.add(cells)
            if write is not None and not report.problem_count:
                for index, change in convert.items():
                    if cells[index]:
                        cells[index] = change(cells[index])
                write(number, cells)
            if on_progress is not None and report.rows % PROGRESS_EVERY == 0:
                now = time.monotonic()
                if now - last_tick > 0.5:
                    on_progress(report.rows, source.progress())
                    last_tick = now
    except FileProblem as exc:
        report.file_problem = exc.message
        report.add(Problem(exc.row or 0, "", "file", exc.message))
    finally:
        source.close()
    if not report.rows and not report.file_problem:
        report.file_problem = _("There are no rows of data under the column names.")
        report.add(Problem(2, "", "empty", report.file_problem))
    return report, headers, profiler.result()


def _us_dates(profile: dict[str, Any]) -> dict[int, Callable[[str], str]]:
    """Date columns written month/day/year are stored as ISO dates (2026-01-31)."""
    return {
        column["index"]: lambda text: us_date_to_iso(text) or text
        for column in profile.get("columns", [])
        if column["type"] == DATE and column.get("us_dates")
    }


def load_version(
    *,
    collaborative: Collaborative,
    organization: Organization,
    path: str | Path,
    fmt: str,
    created_by: User | None,
    dataset: Dataset | None,
    dataset_fields: dict[str, Any],
    reason: str,
    filename: str,
    before_derive: Callable[[Dataset, DatasetVersion], None] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> tuple[Report, dict[str, Any], Dataset | None, DatasetVersion | None]:
    """One transaction: the dataset (new, or the existing one locked), a new version,
    every row, and every derived indicator re-derived into it. Any problem (a row, the
    file, a definition that no longer fits the data) rolls everything back and the
    report says why: (report, profile, None, None)."""
    from indicators.importing.jobs import open_version, version_saved
    from indicators.records.derive import derive_all

    checked, _headers, profile = scan(path, fmt)
    if not checked.ok:
        return checked, profile, None, None
    try:
        with transaction.atomic():
            created = dataset is None
            dataset, version = open_version(
                organization=organization,
                dataset=dataset,
                dataset_fields=dataset_fields,
                reason=reason,
                filename=filename,
                created_by=created_by,
                kind=Dataset.Kind.RECORDS,
            )
            writer = make_writer(version)
            try:
                report, headers, profile = scan(
                    path,
                    fmt,
                    write=writer.write,
                    convert=_us_dates(profile),
                    on_progress=on_progress,
                )
            except BaseException:
                writer.abort()
                raise
            if not report.ok:
                writer.abort()
                raise _Rollback(report)
            writer.close()
            version.row_count = report.rows
            version.columns = headers
            version.profile = profile
            version.save(update_fields=["row_count", "columns", "profile"])
            dataset.current_version = version
            dataset.save(update_fields=["current_version", "updated_at"])
            if before_derive is not None:
                before_derive(dataset, version)
            try:
                derive_all(version)
            except SpecError as exc:
                for message in exc.problems:
                    report.add(Problem(0, "", "definition", message))
                raise _Rollback(report) from exc
            _cover_periods(dataset, version)
            version_saved(
                dataset,
                version,
                created=created,
                dataset_fields=dataset_fields,
                created_by=created_by,
                rows=report.rows,
                filename=filename,
            )
    except _Rollback as rollback:
        return rollback.report, profile, None, None
    return report, profile, dataset, version


def _cover_periods(dataset: Dataset, version: DatasetVersion) -> None:
    """The dataset covers the periods of the figures derived into the version."""
    from django.db.models import Max, Min

    span = Observation.objects.filter(version=version).aggregate(
        start=Min("period_start"), end=Max("period_end")
    )
    if span["start"] and span["end"]:
        dataset.period_start, dataset.period_end = span["start"], span["end"]
        dataset.save(update_fields=["period_start", "period_end", "updated_at"])
