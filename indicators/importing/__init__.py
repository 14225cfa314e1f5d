"""The upload pipeline: read a CSV or XLSX file as a stream, check every row, and save
all of it or nothing.

One pass (``run_pass``) reads the file row by row (a ``csv.reader`` over the open
file, or openpyxl in read-only mode), checks each row against the catalog, and hands
good rows to a writer (``COPY`` on PostgreSQL, batched ``bulk_create`` elsewhere).
The same pass runs twice: once to check (no writer), and once, inside one transaction,
to save. Nothing but the checks' own bookkeeping (a hash per row to find duplicates,
a running sum per indicator and period for the breakdown totals) is kept in memory.

Used by the upload pages (through the tasks in ``indicators.tasks``) and by
``manage.py import_observations``: same checks, same report.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from indicators.importing.checks import (
    ERROR_KINDS,
    PREVIEW_ROWS,
    Context,
    Problem,
    Report,
    Row,
    _Checker,
    _plain,
    blank_row_problem,
    extra_cells_problem,
    short_row_problem,
)
from indicators.importing.files import (
    FileProblem,
    _text,
    check_size,
    file_format,
    headers_key,
    max_upload_bytes,
    normalise_header,
    open_source,
    read_headers,
    too_large_message,
)
from indicators.importing.mapping import (
    FIELDS,
    explicit_mapping,
    guess_mapping,
    mapping_problems,
    remember_mapping,
    target_choices,
)
from indicators.importing.writers import BulkWriter, CopyWriter, make_writer

__all__ = [
    "ERROR_KINDS",
    "FIELDS",
    "BulkWriter",
    "Context",
    "CopyWriter",
    "FileProblem",
    "Report",
    "check_size",
    "explicit_mapping",
    "file_format",
    "guess_mapping",
    "headers_key",
    "make_writer",
    "mapping_problems",
    "max_upload_bytes",
    "normalise_header",
    "progress_key",
    "read_headers",
    "remember_mapping",
    "run_pass",
    "target_choices",
    "too_large_message",
]

PROGRESS_EVERY = 2000

# --- the pass -----------------------------------------------------------------------


def progress_key(job_public_id: Any) -> str:
    return f"indicators:import:{job_public_id}:progress"


def run_pass(
    *,
    path: str | Path,
    fmt: str,
    headers: list[str],
    mapping: dict[str, str],
    context: Context,
    writer: BulkWriter | CopyWriter | None = None,
    on_progress: Callable[[int, float], None] | None = None,
) -> Report:
    """Read the whole file once, checking every row; write good rows if a writer is given
    (the caller rolls back if the report is not ok)."""
    report = Report()
    checker = _Checker(context, headers, mapping)
    source = open_source(path, fmt)
    blank_run: list[int] = []
    indicator_ids: set[int] = set()
    last_tick = time.monotonic()
    try:
        for number, cells in source.rows:
            if number == 1:
                continue  # the header row, checked by read_headers
            if not "".join(cells).strip() if fmt == "csv" else not any(_text(c) for c in cells):
                blank_run.append(number)
                continue
            if blank_run:
                for blank in blank_run[:20]:
                    report.add(blank_row_problem(blank))
                blank_run = []
            report.rows += 1
            if fmt == "csv" and len(cells) < checker.width:
                report.add(short_row_problem(number, len(cells), checker.width))
                continue
            extra = [c for c in cells[checker.width :] if _text(c)]
            if extra:
                report.add(extra_cells_problem(number))
                continue
            row = checker.check(number, cells, report)
            if row is None:
                continue
            if report.period_start is None or row.period.start < report.period_start:
                report.period_start = row.period.start
            if report.period_end is None or row.period.end > report.period_end:
                report.period_end = row.period.end
            indicator_ids.add(row.indicator_id)
            if len(report.preview) < PREVIEW_ROWS:
                report.preview.append(_preview(row, context))
            if writer is not None and not report.problem_count:
                writer.write(row)
            if on_progress is not None and report.rows % PROGRESS_EVERY == 0:
                now = time.monotonic()
                if now - last_tick > 0.5:
                    on_progress(report.rows, source.progress())
                    last_tick = now
        checker.check_duplicates(report)
        checker.check_totals(report, context.fiscal_start_month)
        report.problems.sort(key=lambda p: p.row)
        report.indicators = {context.codes[pk] for pk in indicator_ids}
    except FileProblem as exc:
        report.file_problem = exc.message
        report.add(Problem(exc.row or 0, "", "file", exc.message))
    finally:
        source.close()
    if not report.rows and not report.file_problem:
        report.file_problem = _("There are no rows of data under the column names.")
        report.add(Problem(2, "", "empty", report.file_problem))
    return report


def _preview(row: Row, context: Context) -> dict[str, str]:
    from indicators.periods import period_label

    return {
        "indicator": context.codes.get(row.indicator_id, ""),
        "period": period_label(
            row.period.kind,
            row.period.start,
            row.period.end,
            fiscal_start_month=context.fiscal_start_month,
        ),
        "breakdown": ", ".join(
            f"{context.dimensions[k].name}: {v}" for k, v in sorted(row.breakdown.items())
        ),
        "value": _plain(row.value),
        "numerator": _plain(row.numerator) if row.numerator is not None else "",
        "denominator": _plain(row.denominator) if row.denominator is not None else "",
    }
