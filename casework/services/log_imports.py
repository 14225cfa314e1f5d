"""Bulk upload of service logs from a CSV or XLSX file: every row checked, a row-by-row
report in plain words, and all of the file saved or none of it.

The file is read with the shared table reader (``reentry.tabular``: the same checks and
messages as indicator uploads; XLSX through ``reentry.uploads.check_zip`` before anything
is unpacked). It is small by design (``CASEWORK_LOG_UPLOAD_MAX_BYTES``,
``CASEWORK_LOG_UPLOAD_MAX_ROWS``): a month of a busy program's sessions, not a data
migration. It is read from a temporary copy that is deleted whatever happens: nothing of
a refused file is kept.
"""

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.models import Enrolment, ServiceLog
from casework.selectors import logs as selectors
from reentry.tabular import FileProblem, cell_text, file_format, normalise_header, open_source
from stakeholders.models import KeyArea, Member

COLUMNS = ("participant_code", "date", "key_area", "service", "minutes", "outcome", "notes")
REQUIRED = ("participant_code", "date")
# Other names people give the same columns.
ALIASES = {
    "participant": "participant_code",
    "code": "participant_code",
    "delivered_on": "date",
    "service_date": "date",
    "duration": "minutes",
    "duration_minutes": "minutes",
    "note": "notes",
}
MAX_PROBLEMS = 100


def max_bytes() -> int:
    return int(getattr(settings, "CASEWORK_LOG_UPLOAD_MAX_BYTES", 2 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "CASEWORK_LOG_UPLOAD_MAX_ROWS", 5000))


@dataclass
class LogRow:
    number: int
    enrolment: Enrolment
    fields: dict[str, Any]


@dataclass
class LogFileReport:
    """What the file holds: good rows, or the problems (row by row) that stop it."""

    rows: list[LogRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    more_problems: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def add(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        else:
            self.more_problems += 1


class _Lookups:
    """Everything a row is checked against, loaded once for the file (four queries)."""

    def __init__(self, member: Member, codes: set[str]):
        self.today = member.collaborative.today()
        self.enrolments = {
            e.participant.code: e
            for e in selectors.own_enrolments(member)
            .filter(participant__code__in=codes)
            .select_related("participant", "collaborative")
        }
        areas = list(KeyArea.objects.filter(collaborative_id=member.collaborative_id))
        self.key_areas: dict[str, KeyArea] = {}
        for area in areas:
            self.key_areas[area.slug.casefold()] = area
            self.key_areas[area.name.casefold()] = area
        self.services = {s.name.casefold(): s for s in selectors.own_services(member)}
        self.outcomes: dict[str, str] = {}
        for value, label in ServiceLog.Outcome.choices:
            self.outcomes[value] = value
            self.outcomes[str(label).casefold()] = value
            self.outcomes[value.replace("_", " ")] = value


def _day(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = cell_text(raw)
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    return None


def _check_row(number: int, cells: dict[str, Any], look: _Lookups, report: LogFileReport) -> None:
    where = _("Row %(row)s") % {"row": number}
    problems: list[str] = []
    raw_code = cell_text(cells.get("participant_code"))
    code = selectors.normalise_code(raw_code) if raw_code else None
    enrolment = look.enrolments.get(code) if code else None
    if not raw_code:
        problems.append(_("the participant code is empty"))
    elif enrolment is None:
        problems.append(
            _("no participant with code %(code)s is served by your organization")
            % {"code": code or raw_code}
        )
    day = _day(cells.get("date"))
    if day is None:
        problems.append(
            _("“%(text)s” is not a date; write it as 2025-03-31")
            % {"text": cell_text(cells.get("date"))}
            if cell_text(cells.get("date"))
            else _("the date is empty")
        )
    elif day > look.today:
        problems.append(_("the date %(day)s is in the future") % {"day": day.isoformat()})
    service = None
    service_text = cell_text(cells.get("service"))
    if service_text:
        service = look.services.get(service_text.casefold())
        if service is None:
            problems.append(
                _("your organization has no service named “%(name)s” in the directory")
                % {"name": service_text}
            )
    area_text = cell_text(cells.get("key_area"))
    key_area = look.key_areas.get(area_text.casefold()) if area_text else None
    if area_text and key_area is None:
        problems.append(
            _("there is no key area “%(name)s” (the key areas are listed below the form)")
            % {"name": area_text}
        )
    elif not area_text:
        areas = sorted(service.key_areas.all(), key=lambda a: (a.order, a.name)) if service else []
        if areas:
            key_area = areas[0]
        else:
            problems.append(_("the key area is empty"))
    minutes = None
    minutes_text = cell_text(cells.get("minutes"))
    if minutes_text:
        try:
            minutes = int(minutes_text)
        except ValueError:
            minutes = None
        if minutes is None or not 1 <= minutes <= 24 * 60:
            problems.append(
                _("“%(text)s” is not a number of minutes between 1 and 1440")
                % {"text": minutes_text}
            )
    outcome_text = cell_text(cells.get("outcome"))
    outcome = ServiceLog.Outcome.COMPLETED.value
    if outcome_text:
        found = look.outcomes.get(outcome_text.casefold())
        if found is None:
            problems.append(
                _("“%(text)s” is not an outcome (write one of: %(names)s)")
                % {
                    "text": outcome_text,
                    "names": ", ".join(str(label) for _v, label in ServiceLog.Outcome.choices),
                }
            )
        else:
            outcome = found
    notes = cell_text(cells.get("notes"))
    if len(notes) > 500:
        problems.append(_("the notes are longer than 500 characters"))
    if problems:
        report.add(f"{where}: {'; '.join(problems)}.")
        return
    assert enrolment is not None and key_area is not None and day is not None  # noqa: S101
    report.rows.append(
        LogRow(
            number=number,
            enrolment=enrolment,
            fields={
                "service": service,
                "key_area": key_area,
                "delivered_on": day,
                "duration_minutes": minutes,
                "outcome": outcome,
                "notes": notes,
            },
        )
    )


def _columns(header: list[Any], report: LogFileReport) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = normalise_header(cell)
        name = ALIASES.get(name, name)
        if not name:
            continue
        if name in COLUMNS and name not in columns:
            columns[name] = index
        else:
            report.ignored_columns.append(cell_text(cell))
    missing = [name for name in REQUIRED if name not in columns]
    if "key_area" not in columns and "service" not in columns:
        missing.append("key_area")
    if missing:
        report.add(
            ngettext(
                "Row 1: the column %(names)s is missing. The columns are: %(all)s.",
                "Row 1: the columns %(names)s are missing. The columns are: %(all)s.",
                len(missing),
            )
            % {"names": ", ".join(missing), "all": ", ".join(COLUMNS)}
        )
        return None
    return columns


def read_log_file(upload, *, member: Member) -> LogFileReport:
    """Check every row of an uploaded file against the member's organization's
    participants and services and the collaborative's key areas. Raises
    ``FileProblem`` when the file as a whole cannot be read."""
    size = upload.size or 0
    if size > max_bytes():
        raise FileProblem(
            _(
                "This file is %(size)s; the limit is %(limit)s. Split it into smaller files "
                "(for example one per month) and upload each one."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
        )
    fmt = file_format(upload.name or "")
    with tempfile.TemporaryDirectory(prefix="cw-logs-") as folder:
        path = Path(folder) / f"upload.{fmt}"
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return _read(path, fmt, member)


def _read(path: Path, fmt: str, member: Member) -> LogFileReport:
    report = LogFileReport()
    source = open_source(path, fmt)
    try:
        rows: list[tuple[int, list[Any]]] = []
        columns: dict[str, int] | None = None
        for number, cells in source.rows:
            if number == 1:
                columns = _columns(cells, report)
                if columns is None:
                    return report
                continue
            if not any(cell_text(c) for c in cells):
                continue
            rows.append((number, cells))
            if len(rows) > max_rows():
                raise FileProblem(
                    _(
                        "This file has more than %(limit)s rows. Split it into smaller files "
                        "(for example one per month) and upload each one."
                    )
                    % {"limit": f"{max_rows():,}"}
                )
    finally:
        source.close()
    if columns is None:
        raise FileProblem(_("The file is empty. Put the column names in the first row."), row=1)
    if not rows:
        report.add(_("The file has its column names but no rows of services."))
        return report

    def cell(cells: list[Any], name: str) -> Any:
        assert columns is not None  # noqa: S101
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    parsed = [(n, {name: cell(cells, name) for name in COLUMNS}) for n, cells in rows]
    codes = {
        code
        for _n, row in parsed
        if (code := selectors.normalise_code(cell_text(row["participant_code"]))) is not None
    }
    look = _Lookups(member, codes)
    for number, row in parsed:
        _check_row(number, row, look, report)
    if report.problems:
        report.rows = []
    return report
