"""Template helpers for the directory: opening hours in a few words."""

from datetime import time

from django import template
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import time_format
from django.utils.translation import gettext as _

register = template.Library()


def _hours(schedule) -> str:
    if schedule.opens_at is None:
        return _("hours not given")
    if schedule.opens_at == schedule.closes_at:
        return _("open 24 hours")
    return f"{time_format(schedule.opens_at)}–{time_format(schedule.closes_at)}"


def _order(schedule) -> tuple:
    return (schedule.weekday, schedule.opens_at or time.min)


@register.filter
def hours_summary(schedules) -> list[str]:
    """["Mon–Fri 9 a.m.–5 p.m.", "Sat 10 a.m.–noon"]: days with the same hours run together."""
    by_day: dict[int, list[str]] = {}
    for s in sorted(schedules, key=_order):
        by_day.setdefault(s.weekday, []).append(_hours(s))
    lines: list[str] = []
    days = sorted(by_day)
    i = 0
    while i < len(days):
        j = i
        while (
            j + 1 < len(days)
            and days[j + 1] == days[j] + 1
            and by_day[days[j + 1]] == by_day[days[i]]
        ):
            j += 1
        first, last = WEEKDAYS_ABBR[days[i] - 1], WEEKDAYS_ABBR[days[j] - 1]
        label = str(first) if i == j else f"{first}–{last}"
        lines.append(f"{label} {', '.join(by_day[days[i]])}")
        i = j + 1
    return lines


@register.filter
def hours_by_day(schedules) -> list[tuple[str, list[str]]]:
    """Every day of the week with its hours (an empty list: closed)."""
    by_day: dict[int, list[str]] = {d: [] for d in range(1, 8)}
    for s in sorted(schedules, key=_order):
        by_day[s.weekday].append(_hours(s))
    return [(str(WEEKDAYS[d - 1]), by_day[d]) for d in range(1, 8)]
