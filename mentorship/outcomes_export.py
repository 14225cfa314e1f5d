"""The mentoring program's outcomes as rows for the indicators upload (``indicators``).

The export does not write observations itself: an organization owns every dataset, with its
sharing, versions and approval. The coordinator downloads these rows as a CSV in the
upload format and uploads it through Indicators → Upload data as their organization,
where it is checked, versioned and shared like any other dataset.

Per calendar month (period "YYYY-MM"), measured on the month's last day:

- **Active matches** (a count): matches that had started by the end of that day and were
  not closed by then. A match closed on the last day is not active at the month's end.
- **Six-month retention** (a percent, numerator / denominator): of the matches started at
  least six months before the month's end, how many lasted six months
  (``mentorship.outcomes.retention``, the same rule as the funder report). No row when
  no match is old enough to tell: a percent over nothing is not 0%.
"""

import calendar
from collections.abc import Iterable, Sequence
from datetime import date

from mentorship import outcomes
from mentorship.models import Match, Program

HEADER = ["indicator", "period", "value", "numerator", "denominator"]
RETENTION_MONTHS = 6
DEFAULT_MONTHS = 12
MAX_MONTHS = 120


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def last_full_months(today: date, months: int) -> list[date]:
    """The last days of the ``months`` calendar months that ended before ``today``,
    oldest first."""
    year, month = today.year, today.month
    ends: list[date] = []
    for _i in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(month_end(year, month))
    return ends[::-1]


def active_at(spans: Iterable[outcomes.Span], day: date) -> int:
    """Matches started on or before ``day`` and not closed by the end of it."""
    return sum(
        1
        for s in spans
        if s.started is not None and s.started <= day and (s.ended is None or s.ended > day)
    )


def rows_for(
    spans: Sequence[outcomes.Span],
    month_ends: Iterable[date],
    *,
    active_code: str,
    retention_code: str,
) -> list[list[str]]:
    """Pure: the upload rows (in ``HEADER`` order) for the given month ends."""
    rows: list[list[str]] = []
    for end in month_ends:
        period = f"{end:%Y-%m}"
        # A match closed after this day was open on it: clip so the month sees what it saw.
        seen = [
            outcomes.Span(started=s.started, ended=s.ended if s.ended and s.ended <= end else None)
            for s in spans
            if s.started is not None and s.started <= end
        ]
        rows.append([active_code, period, str(active_at(seen, end)), "", ""])
        rate = outcomes.retention(seen, RETENTION_MONTHS, end)
        if rate.whole:
            rows.append([retention_code, period, "", str(rate.part), str(rate.whole)])
    return rows


def spans_of(program: Program) -> list[outcomes.Span]:
    """Every match of the program that started, as local calendar days."""
    return [
        outcomes.Span(
            started=program.collaborative.local_date(m.started_at),
            ended=None if m.closed_at is None else program.collaborative.local_date(m.closed_at),
        )
        for m in Match.objects.filter(program=program)
        .exclude(started_at=None)
        .only("started_at", "closed_at")
        if m.started_at is not None
    ]


def outcomes_rows(
    program: Program,
    *,
    active_code: str,
    retention_code: str,
    months: int = DEFAULT_MONTHS,
    today: date | None = None,
) -> list[list[str]]:
    """The upload rows for the last ``months`` full calendar months of the program."""
    today = today or program.collaborative.today()
    months = max(1, min(months, MAX_MONTHS))
    return rows_for(
        spans_of(program),
        last_full_months(today, months),
        active_code=active_code,
        retention_code=retention_code,
    )
