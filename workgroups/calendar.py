"""iCalendar (RFC 5545) for the calendar feeds of gatherings.

The .ics is written here by hand (CRLF line ends, lines folded at 75 octets without
splitting a UTF-8 character, TEXT escaping of backslash, semicolon, comma and newlines,
times in UTC): about sixty lines, tested against the RFC's rules, rather than a new
dependency for the one calendar shape we publish.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from workgroups.models import Meeting

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def ics_escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): escape \\ ; , and newlines; drop control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1): continuation lines start with one space,
    and a UTF-8 character is never split."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(meeting: Meeting, host: str) -> list[str]:
    """One VEVENT. Its UID is the gathering's for good (the feed and every notice use
    it), so a calendar replaces its copy when SEQUENCE goes up."""
    url = f"{settings.SITE_URL}{meeting.get_absolute_url()}"
    about = [meeting.owner.name]
    if meeting.video_link:
        about.append(_("Video: %(link)s") % {"link": meeting.video_link})
    if meeting.status == Meeting.Status.CANCELLED and meeting.cancel_reason:
        about.append(_("Cancelled: %(reason)s") % {"reason": meeting.cancel_reason})
    about.append(url)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event_uid(meeting, host)}",
        f"DTSTAMP:{ics_time(meeting.updated_at)}",
        f"LAST-MODIFIED:{ics_time(meeting.updated_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTART:{ics_time(meeting.starts_at)}",
        f"DTEND:{ics_time(meeting.ends_at)}",
        f"SUMMARY:{ics_escape(meeting.title)}",
        f"DESCRIPTION:{ics_escape(chr(10).join(about))}",
        f"URL:{url}",
        "STATUS:CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "STATUS:CONFIRMED",
    ]
    if meeting.place or meeting.video_link:
        lines.append(f"LOCATION:{ics_escape(meeting.place or meeting.video_link)}")
    return lines


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(meeting: Meeting, host: str | None = None) -> str:
    return f"{meeting.public_id}@{host or _host()}"


def _serialise(lines: list[str]) -> str:
    return "".join(f"{ics_fold(line)}\r\n" for line in lines)


def render_calendar(name: str, meetings: Iterable[Meeting]) -> str:
    """The feed. It depends on the gatherings alone (DTSTAMP is each event's last change,
    not the time of the request), so the same gatherings give the same bytes and the
    view's ETag lets a calendar app revalidate."""
    host = _host()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Reentry Commons//Gatherings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
        "X-PUBLISHED-TTL:PT1H",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for meeting in meetings:
        lines += [*_event_lines(meeting, host), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return _serialise(lines)


def _cal_address(name: str, email: str) -> str:
    cn = name.replace('"', "'")
    return f'CN="{cn}":mailto:{email}'


def render_notice(meeting: Meeting, *, attendee_name: str, attendee_email: str) -> str:
    """The calendar entry a notice of change carries (iTIP, RFC 5546): the same event
    (same UID as the feed) with its SEQUENCE, as a REQUEST when it moved and a CANCEL
    (STATUS:CANCELLED) when it was cancelled, so the calendar app updates its copy."""
    cancelled = meeting.status == Meeting.Status.CANCELLED
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Reentry Commons//Gatherings//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        *_event_lines(meeting, _host()),
        "ORGANIZER;" + _cal_address(organizer_name or meeting.collaborative.name, organizer_email),
        "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE;"
        + _cal_address(attendee_name or attendee_email, attendee_email),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return _serialise(lines)
