"""The monitoring schedule of a match, as MENTOR's Elements of Effective Practice set it.

Pure: dates in, dates out; no database. The coordinator contacts both the mentor and the
mentee (each contact is per person):

1. a first contact within 48 hours of the start — due two days after the start date;
2. twice in the first month — halfway through it (14 days after a start on 31 January,
   15 after one on 1 March) and one month after the start;
3. then monthly — two months after the start, three months, and so on.

A program may set another cadence (``Cadence``): the first contact within so many
hours (rounded up to whole days), so many contacts in the first month spread evenly
with the last one a month after the start, then one every so many days — or, the
default, every calendar month.

"One month after" is the same day of the next month, or that month's last day when it
is shorter (a match that starts on 31 January has its month contact on 28 February,
or the 29th in a leap year; the next on 31 March).

A pause stops the clock. Every contact not yet due when a pause begins moves later by
the length of the pause (a pause from 10 to 20 March moves a contact due on 15 March to
25 March); while a match is paused with no end in sight, nothing after the pause's start
is due. A closed match has nothing due after its closing day.

Each contact has a window: the first contact's opens on the start day, every other
one's the day after the contact before it was due. A contact done counts for the latest
contact of the same person whose window has opened and that is not done yet; the open
contacts before it are then *missed* (history, no longer something to do). So a first
contact made on day 15 of a match settles the one-month contact (its window opened on
day 15), and the 48-hour and two-week contacts are missed; a contact made a few days
before it is due settles it early. A contact still open after its due day is overdue.
"""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: How many days ahead a contact counts as "due soon".
DUE_SOON_DAYS = 7


class Person(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class Kind(StrEnum):
    FIRST = "first"  # within 48 hours of the start
    FIRST_MONTH = "first_month"  # the two contacts of the first month
    MONTHLY = "monthly"  # every month after


class State(StrEnum):
    DONE = "done"
    MISSED = "missed"  # never done, and a later contact with the same person was
    OVERDUE = "overdue"
    DUE = "due"  # due today or within DUE_SOON_DAYS
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class Pause:
    """A pause from ``starts`` (first day paused) to ``ends`` (first day running again);
    ``ends`` is None while the match is still paused."""

    starts: date
    ends: date | None = None

    @property
    def days(self) -> int | None:
        return None if self.ends is None else max(0, (self.ends - self.starts).days)


@dataclass(frozen=True)
class Cadence:
    """How often the coordinator checks in. The default is MENTOR's."""

    first_contact_hours: int = 48
    first_month_contacts: int = 2
    #: None: every calendar month after the first; else every so many days.
    every_days: int | None = None

    @property
    def first_contact_days(self) -> int:
        return max(1, -(-self.first_contact_hours // 24))


MENTOR = Cadence()


@dataclass(frozen=True)
class Planned:
    """One contact the schedule asks for, before pauses move it."""

    sequence: int  # 0 for the first contact, 1 and 2 for the first month, 3… monthly
    kind: Kind
    due: date


@dataclass(frozen=True)
class Scheduled:
    """One contact with one person, with its state on a given day."""

    person: Person
    sequence: int
    kind: Kind
    due: date
    opens: date
    state: State
    done_on: date | None = None

    @property
    def is_late(self) -> bool:
        """Done, but after it was due."""
        return self.done_on is not None and self.done_on > self.due


@dataclass(frozen=True)
class Done:
    """A contact the coordinator recorded: with whom, and on which day."""

    person: Person
    on: date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def planned_contacts(start: date, until: date, cadence: Cadence = MENTOR) -> list[Planned]:
    """Every contact due from ``start`` up to and including ``until``, before pauses.

    Monthly contacts are counted from the start date (start + n months), never from the
    previous contact, so month ends do not drift (31 Jan → 28 Feb → 31 Mar)."""
    one_month = add_months(start, 1)
    month_days = (one_month - start).days
    plan = [Planned(0, Kind.FIRST, start + timedelta(days=cadence.first_contact_days))]
    n = cadence.first_month_contacts
    plan += [
        Planned(k, Kind.FIRST_MONTH, start + timedelta(days=month_days * k // n))
        for k in range(1, n)
    ]
    if n >= 1:
        plan.append(Planned(n, Kind.FIRST_MONTH, one_month))
    sequence, step = n + 1, 1
    while True:
        if cadence.every_days is None:
            due = add_months(start, step + (1 if n >= 1 else 0))
        else:
            due = one_month + timedelta(days=cadence.every_days * (step - (0 if n >= 1 else 1)))
        if due > until:
            break
        plan.append(Planned(sequence, Kind.MONTHLY, due))
        sequence, step = sequence + 1, step + 1
    return sorted((p for p in plan if p.due <= until), key=lambda p: (p.due, p.sequence))


def continue_plan(
    start: date, cadence: Cadence, *, scheduled: int, last_due: date | None, until: date
) -> list[Planned]:
    """The contacts after the first ``scheduled`` ones (already kept somewhere), up to
    ``until``. They move as much as the last one kept had moved (by pauses), so a
    schedule extended month by month stays on the start's day of the month."""
    plan = planned_contacts(start, max(until, last_due or until), cadence)
    shift = timedelta(0)
    if scheduled and last_due is not None and scheduled <= len(plan):
        shift = last_due - plan[scheduled - 1].due
    return [
        Planned(p.sequence, p.kind, p.due + shift)
        for p in plan[scheduled:]
        if p.due + shift <= until
    ]


def shift_for_pauses(due: date, pauses: Sequence[Pause]) -> date | None:
    """When a contact is due once pauses are counted, or None while the match is paused
    with no end and the contact falls after the pause began.

    Pauses are taken in order; a pause that starts on or before the (already moved) due
    day pushes it by the pause's length."""
    for pause in sorted(pauses, key=lambda p: p.starts):
        if pause.starts > due:
            break
        if pause.days is None:
            return None
        due += timedelta(days=pause.days)
    return due


def _contact_dates(
    start: date, until: date, pauses: Sequence[Pause], cadence: Cadence
) -> list[Planned]:
    """Planned contacts with pauses applied, up to ``until``."""
    moved = []
    # Pauses only ever move a contact later, so planning up to ``until`` is enough.
    for item in planned_contacts(start, until, cadence):
        due = shift_for_pauses(item.due, pauses)
        if due is None or due > until:
            continue
        moved.append(Planned(item.sequence, item.kind, due))
    return moved


def schedule(
    *,
    start: date,
    today: date,
    done: Iterable[Done] = (),
    pauses: Sequence[Pause] = (),
    closed_on: date | None = None,
    cadence: Cadence = MENTOR,
    horizon_days: int = DUE_SOON_DAYS,
) -> list[Scheduled]:
    """Each contact due up to ``today + horizon_days`` (and any done early) for both
    people, with its state; nothing after ``closed_on``.

    Sorted by due day, then mentor before mentee."""
    by_person: dict[Person, list[date]] = {p: [] for p in Person}
    for contact in done:
        if contact.on >= start:
            by_person[contact.person].append(contact.on)
    limit = today + timedelta(days=horizon_days)
    latest = max((d for days in by_person.values() for d in days), default=start)
    # Plan past the latest contact too, so a contact falls in its own window whatever
    # the horizon; contacts planned beyond the horizon are shown only when done.
    until = max(limit, latest + timedelta(days=max(62, cadence.every_days or 0)))
    if closed_on is not None:
        limit, until = min(limit, closed_on), min(until, closed_on)
    plan = _contact_dates(start, until, pauses, cadence)
    dues = [item.due for item in plan]
    windows = window_openings(start, dues)
    result: list[Scheduled] = []
    for person in Person:
        done_on: list[date | None] = [None] * len(plan)
        for day in sorted(by_person[person]):
            index = slot_for(day, start, dues, [d is not None for d in done_on])
            if index is not None:
                done_on[index] = day
        last_done = max((i for i, d in enumerate(done_on) if d is not None), default=-1)
        for i, item in enumerate(plan):
            if item.due > limit and done_on[i] is None:
                continue
            state = _state(item.due, done_on[i], today)
            if done_on[i] is None and i < last_done:
                state = State.MISSED
            result.append(
                Scheduled(
                    person=person,
                    sequence=item.sequence,
                    kind=item.kind,
                    due=item.due,
                    opens=windows[i],
                    state=state,
                    done_on=done_on[i],
                )
            )
    order = {Person.MENTOR: 0, Person.MENTEE: 1}
    return sorted(result, key=lambda s: (s.due, order[s.person], s.sequence))


def window_openings(start: date, dues: Sequence[date]) -> list[date]:
    """The day each contact's window opens: the start for the first, then the day after
    the contact before it was due. ``dues`` in order."""
    return [start, *(due + timedelta(days=1) for due in dues[:-1])][: len(dues)]


def slot_for(day: date, start: date, dues: Sequence[date], done: Sequence[bool]) -> int | None:
    """Which contact a contact made on ``day`` settles: the latest whose window has
    opened, if it is not done already; None when there is none (an extra contact)."""
    windows = window_openings(start, dues)
    index = max((i for i, opens in enumerate(windows) if opens <= day), default=None)
    if index is None or done[index]:
        return None
    return index


def _state(due: date, done_on: date | None, today: date) -> State:
    if done_on is not None:
        return State.DONE
    if due < today:
        return State.OVERDUE
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return State.DUE
    return State.UPCOMING


def overdue(items: Iterable[Scheduled]) -> list[Scheduled]:
    return [item for item in items if item.state == State.OVERDUE]


def next_due(items: Iterable[Scheduled]) -> Scheduled | None:
    """The earliest contact still to do (overdue first, since it is earliest)."""
    open_items = [
        item for item in items if item.state in (State.OVERDUE, State.DUE, State.UPCOMING)
    ]
    return min(open_items, key=lambda s: s.due) if open_items else None
