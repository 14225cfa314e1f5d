"""Reporting periods: parse what people write in a spreadsheet, and label periods back.

Accepted (case and spaces do not matter):

- a month: ``2025-03``, ``2025-3``, ``03/2025``, ``Mar 2025``, ``March 2025``
- a quarter: ``2025-Q1``, ``2025 Q1``, ``Q1 2025``, ``Q1-2025``
- a calendar year: ``2025``, ``CY2025``
- a fiscal year: ``FY2025``, ``FY 2025``, ``FY25`` (ends in the month before the
  collaborative's fiscal-year start month, in that year; with a July start, FY2025 is
  2024-07-01 to 2025-06-30)
- a date range: ``2025-01-01..2025-03-31``, ``2025-01-01/2025-03-31``,
  ``2025-01-01 to 2025-03-31``
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from indicators.models import PeriodKind

MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i])
    if name
}
MONTHS["sept"] = 9

_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_US = re.compile(r"^(\d{1,2})/(\d{4})$")
_MONTH_NAME = re.compile(r"^([a-z]+)\.?[ -](\d{4})$")
_QUARTER_A = re.compile(r"^(\d{4})[ -]?q([1-4])$")
_QUARTER_B = re.compile(r"^q([1-4])[ -]?(\d{4})$")
_YEAR = re.compile(r"^(?:cy)?(\d{4})$")
_FISCAL = re.compile(r"^fy[ -]?(\d{4}|\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|\s+to\s+)\s*(\d{4}-\d{2}-\d{2})$")
_EXCEL_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")


class PeriodError(ValueError):
    """The text is not a period; the message says what to write instead."""


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    start: date
    end: date


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(_("There is no month %(month)s.") % {"month": month})
    return Period(PeriodKind.MONTH, date(year, month, 1), _month_end(year, month))


def fiscal_year(year: int, start_month: int) -> Period:
    """Fiscal year ``year``: the twelve months ending in the month before ``start_month``."""
    if start_month == 1:
        return Period(PeriodKind.FISCAL_YEAR, date(year, 1, 1), date(year, 12, 31))
    start = date(year - 1, start_month, 1)
    end = _month_end(year, start_month - 1)
    return Period(PeriodKind.FISCAL_YEAR, start, end)


def how_to() -> str:
    return _(
        "Write a month as 2025-03, a quarter as 2025-Q1, a year as 2025, a fiscal year as "
        "FY2025, or a date range as 2025-01-01..2025-03-31."
    )


def parse_period(text: str, *, fiscal_start_month: int = 7) -> Period:
    """The period ``text`` names, or ``PeriodError`` with a message a person can act on."""
    raw = " ".join(str(text).split())
    value = raw.lower()
    if not value:
        raise PeriodError(_("The period is empty.") + " " + how_to())
    try:
        if m := _MONTH_ISO.match(value):
            return _month(int(m[1]), int(m[2]))
        if m := _MONTH_US.match(value):
            return _month(int(m[2]), int(m[1]))
        if (m := _MONTH_NAME.match(value)) and m[1] in MONTHS:
            return _month(int(m[2]), MONTHS[m[1]])
        if m := _QUARTER_A.match(value):
            return _quarter(int(m[1]), int(m[2]))
        if m := _QUARTER_B.match(value):
            return _quarter(int(m[2]), int(m[1]))
        if m := _YEAR.match(value):
            year = int(m[1])
            return Period(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))
        if m := _FISCAL.match(value):
            year = int(m[1])
            if year < 100:
                year += 2000
            return fiscal_year(year, fiscal_start_month)
        if m := _RANGE.match(value):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(_("The range ends before it starts."))
            return Period(PeriodKind.RANGE, start, end)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(_("“%(text)s” is not a real date.") % {"text": raw}) from exc
    if _EXCEL_SERIAL.match(value):
        raise PeriodError(
            _("“%(text)s” looks like a date that Excel turned into a number.") % {"text": raw}
            + " "
            + how_to()
        )
    if re.match(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$", value):
        raise PeriodError(
            _("“%(text)s” is a single day, not a period.") % {"text": raw} + " " + how_to()
        )
    raise PeriodError(_("“%(text)s” is not a period we can read.") % {"text": raw} + " " + how_to())


def _quarter(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(PeriodKind.QUARTER, date(year, first, 1), _month_end(year, first + 2))


def period_label(kind: str, start: date, end: date, *, fiscal_start_month: int = 7) -> str:
    """How a period is written back (in uploads, tables and charts)."""
    if kind == PeriodKind.MONTH:
        return f"{start.year}-{start.month:02d}"
    if kind == PeriodKind.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == PeriodKind.YEAR:
        return str(start.year)
    if kind == PeriodKind.FISCAL_YEAR:
        return f"FY{end.year}"
    return f"{start.isoformat()}..{end.isoformat()}"


def period_of_month(year: int, month: int, kind: str, *, fiscal_start_month: int = 7) -> Period:
    """The period of ``kind`` (month, quarter, year, fiscal_year) holding a month: how a
    date column is cut into periods when an indicator is derived from records."""
    if kind == PeriodKind.MONTH:
        return _month(year, month)
    if kind == PeriodKind.QUARTER:
        return _quarter(year, (month - 1) // 3 + 1)
    if kind == PeriodKind.YEAR:
        return Period(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))
    if kind == PeriodKind.FISCAL_YEAR:
        ending = year + 1 if fiscal_start_month != 1 and month >= fiscal_start_month else year
        return fiscal_year(ending, fiscal_start_month)
    raise PeriodError(_("“%(kind)s” is not a kind of period.") % {"kind": kind})
