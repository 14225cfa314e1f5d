"""Hand-worked cases of the MENTOR monitoring schedule (mentorship/schedule.py)."""

from datetime import date

import pytest

from mentorship.schedule import (
    MENTOR,
    Cadence,
    Done,
    Kind,
    Pause,
    Person,
    State,
    add_months,
    continue_plan,
    next_due,
    overdue,
    planned_contacts,
    schedule,
    shift_for_pauses,
    slot_for,
)

D = date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # February is shorter
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # a leap year
        (D(2026, 1, 31), 2, D(2026, 3, 31)),  # counted from the start: no drift
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 15), 2, D(2027, 1, 15)),  # over the new year
        (D(2026, 12, 31), 12, D(2027, 12, 31)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_plan_for_a_match_starting_on_the_31st_of_january():
    plan = planned_contacts(D(2026, 1, 31), D(2026, 5, 31))
    assert [(p.sequence, p.kind, p.due) for p in plan] == [
        (0, Kind.FIRST, D(2026, 2, 2)),  # within 48 hours
        (1, Kind.FIRST_MONTH, D(2026, 2, 14)),  # two weeks in
        (2, Kind.FIRST_MONTH, D(2026, 2, 28)),  # one month in (February is short)
        (3, Kind.MONTHLY, D(2026, 3, 31)),  # back to the 31st
        (4, Kind.MONTHLY, D(2026, 4, 30)),
        (5, Kind.MONTHLY, D(2026, 5, 31)),
    ]


def test_plan_stops_at_the_given_day_inclusive():
    plan = planned_contacts(D(2026, 3, 1), D(2026, 3, 16))
    assert [p.due for p in plan] == [D(2026, 3, 3), D(2026, 3, 16)]  # halfway: 31 // 2 days
    assert planned_contacts(D(2026, 3, 1), D(2026, 3, 2)) == []


def test_nothing_done_two_days_after_start_is_due_today_for_both():
    items = schedule(start=D(2026, 3, 1), today=D(2026, 3, 3))
    firsts = [i for i in items if i.kind == Kind.FIRST]
    assert [(i.person, i.state) for i in firsts] == [
        (Person.MENTOR, State.DUE),
        (Person.MENTEE, State.DUE),
    ]


def test_the_48_hour_contact_is_overdue_on_the_third_day():
    items = schedule(start=D(2026, 3, 1), today=D(2026, 3, 4))
    assert [(i.person, i.due) for i in overdue(items)] == [
        (Person.MENTOR, D(2026, 3, 3)),
        (Person.MENTEE, D(2026, 3, 3)),
    ]


def test_a_contact_with_the_mentor_does_not_settle_the_mentee():
    items = schedule(
        start=D(2026, 3, 1), today=D(2026, 3, 4), done=[Done(Person.MENTOR, D(2026, 3, 2))]
    )
    first = {i.person: i for i in items if i.kind == Kind.FIRST}
    assert first[Person.MENTOR].state == State.DONE
    assert first[Person.MENTOR].done_on == D(2026, 3, 2)
    assert first[Person.MENTEE].state == State.OVERDUE


def test_on_time_contacts_through_the_first_month_then_monthly():
    start = D(2026, 3, 1)
    done = [
        Done(person, day)
        for person in Person
        for day in (D(2026, 3, 2), D(2026, 3, 14), D(2026, 3, 30), D(2026, 4, 29))
    ]
    items = schedule(start=start, today=D(2026, 5, 10), done=done)
    mentor = [i for i in items if i.person == Person.MENTOR]
    assert [(i.due, i.state, i.done_on) for i in mentor] == [
        (D(2026, 3, 3), State.DONE, D(2026, 3, 2)),
        (D(2026, 3, 16), State.DONE, D(2026, 3, 14)),
        (D(2026, 4, 1), State.DONE, D(2026, 3, 30)),  # a couple of days early counts
        (D(2026, 5, 1), State.DONE, D(2026, 4, 29)),
    ]  # 1 June is beyond today + 7 days
    assert next_due(items) is None


def test_the_horizon_shows_contacts_coming_up():
    items = schedule(start=D(2026, 3, 1), today=D(2026, 3, 4), horizon_days=30)
    mentor = [i for i in items if i.person == Person.MENTOR]
    assert [(i.due, i.state) for i in mentor] == [
        (D(2026, 3, 3), State.OVERDUE),
        (D(2026, 3, 16), State.UPCOMING),  # 12 days ahead: not yet "due soon"
        (D(2026, 4, 1), State.UPCOMING),
    ]
    assert next_due(items).due == D(2026, 3, 3)


def test_due_soon_is_within_seven_days():
    done = [Done(Person.MENTOR, D(2026, 3, 2)), Done(Person.MENTEE, D(2026, 3, 2))]
    early = schedule(start=D(2026, 3, 1), today=D(2026, 3, 8), done=done)
    assert [i for i in early if i.sequence == 1] == []  # 16 March is 8 days after the 8th
    items = schedule(start=D(2026, 3, 1), today=D(2026, 3, 9), done=done)
    halfway = [i for i in items if i.sequence == 1]
    assert [(i.due, i.state) for i in halfway] == [(D(2026, 3, 16), State.DUE)] * 2


def test_a_late_first_contact_settles_the_window_it_falls_in_and_earlier_ones_are_missed():
    # Start 1 March. Windows: first [1, 3], halfway [4, 16], one month [17, 1 April].
    items = schedule(
        start=D(2026, 3, 1), today=D(2026, 3, 18), done=[Done(Person.MENTOR, D(2026, 3, 17))]
    )
    mentor = [i for i in items if i.person == Person.MENTOR]
    assert [(i.due, i.state) for i in mentor] == [
        (D(2026, 3, 3), State.MISSED),
        (D(2026, 3, 16), State.MISSED),
        (D(2026, 4, 1), State.DONE),  # early, beyond the horizon, but it is done
    ]
    assert overdue(mentor) == []
    mentee = [i for i in items if i.person == Person.MENTEE]
    assert [(i.due, i.state) for i in mentee] == [
        (D(2026, 3, 3), State.OVERDUE),
        (D(2026, 3, 16), State.OVERDUE),
    ]


def test_a_contact_on_the_due_day_is_on_time_and_a_day_late_is_late():
    items = schedule(
        start=D(2026, 3, 1),
        today=D(2026, 3, 20),
        done=[Done(Person.MENTOR, D(2026, 3, 3)), Done(Person.MENTOR, D(2026, 3, 16))],
    )
    mentor = [i for i in items if i.person == Person.MENTOR]
    assert [(i.state, i.is_late) for i in mentor] == [(State.DONE, False), (State.DONE, False)]
    late = schedule(
        start=D(2026, 3, 1), today=D(2026, 3, 5), done=[Done(Person.MENTOR, D(2026, 3, 4))]
    )
    first = [i for i in late if i.person == Person.MENTOR]
    # 4 March is in the halfway contact's window: the first contact is missed.
    assert [(i.due, i.state) for i in first] == [
        (D(2026, 3, 3), State.MISSED),
        (D(2026, 3, 16), State.DONE),
    ]


def test_two_contacts_in_one_window_count_once():
    items = schedule(
        start=D(2026, 3, 1),
        today=D(2026, 3, 17),
        done=[Done(Person.MENTEE, D(2026, 3, 1)), Done(Person.MENTEE, D(2026, 3, 2))],
    )
    mentee = [i for i in items if i.person == Person.MENTEE]
    assert [(i.due, i.state) for i in mentee] == [
        (D(2026, 3, 3), State.DONE),
        (D(2026, 3, 16), State.OVERDUE),  # the second call does not carry over
    ]


def test_contacts_before_the_start_do_not_count():
    items = schedule(
        start=D(2026, 3, 1), today=D(2026, 3, 4), done=[Done(Person.MENTOR, D(2026, 2, 27))]
    )
    assert {i.state for i in items} == {State.OVERDUE}


class TestPauses:
    def test_a_pause_moves_every_contact_not_yet_due_by_its_length(self):
        pause = Pause(D(2026, 3, 10), D(2026, 3, 20))  # ten days
        assert shift_for_pauses(D(2026, 3, 3), [pause]) == D(2026, 3, 3)  # due before it
        assert shift_for_pauses(D(2026, 3, 15), [pause]) == D(2026, 3, 25)
        assert shift_for_pauses(D(2026, 4, 1), [pause]) == D(2026, 4, 11)
        assert shift_for_pauses(D(2026, 3, 10), [pause]) == D(2026, 3, 20)  # due the first day

    def test_two_pauses_add_up_and_a_moved_day_can_meet_the_next_pause(self):
        pauses = [Pause(D(2026, 4, 5), D(2026, 4, 10)), Pause(D(2026, 3, 10), D(2026, 3, 20))]
        # 1 April → 11 April (first pause), which is after the second pause began on
        # 5 April → 16 April.
        assert shift_for_pauses(D(2026, 4, 1), pauses) == D(2026, 4, 16)

    def test_an_open_pause_holds_everything_after_it(self):
        assert shift_for_pauses(D(2026, 3, 15), [Pause(D(2026, 3, 10))]) is None
        assert shift_for_pauses(D(2026, 3, 3), [Pause(D(2026, 3, 10))]) == D(2026, 3, 3)

    def test_paused_match_has_nothing_overdue_after_the_pause(self):
        items = schedule(
            start=D(2026, 3, 1),
            today=D(2026, 5, 1),
            done=[Done(p, D(2026, 3, 2)) for p in Person],
            pauses=[Pause(D(2026, 3, 10))],
        )
        assert [i.state for i in items] == [State.DONE, State.DONE]

    def test_resumed_match_schedule_runs_on_from_the_resume(self):
        pauses = [Pause(D(2026, 3, 10), D(2026, 3, 20))]
        items = schedule(
            start=D(2026, 3, 1),
            today=D(2026, 3, 27),
            done=[Done(p, D(2026, 3, 2)) for p in Person],
            pauses=pauses,
        )
        mentor = [i for i in items if i.person == Person.MENTOR]
        assert [(i.due, i.state) for i in mentor] == [
            (D(2026, 3, 3), State.DONE),
            (D(2026, 3, 26), State.OVERDUE),  # was 16 March, ten days paused
        ]  # 1 April moved to 11 April: beyond today + 7 days
        wide = schedule(start=D(2026, 3, 1), today=D(2026, 3, 27), pauses=pauses, horizon_days=50)
        assert [i.due for i in wide if i.person == Person.MENTOR] == [
            D(2026, 3, 3),
            D(2026, 3, 26),
            D(2026, 4, 11),
            D(2026, 5, 11),
        ]


def test_a_closed_match_has_nothing_due_after_closing():
    items = schedule(
        start=D(2026, 3, 1),
        today=D(2026, 6, 1),
        done=[Done(p, D(2026, 3, 2)) for p in Person],
        closed_on=D(2026, 3, 20),
    )
    assert [(i.due, i.state) for i in items] == [
        (D(2026, 3, 3), State.DONE),
        (D(2026, 3, 3), State.DONE),
        (D(2026, 3, 16), State.OVERDUE),
        (D(2026, 3, 16), State.OVERDUE),
    ]


class TestCadence:
    def test_mentor_default_is_48_hours_twice_in_the_first_month_then_monthly(self):
        assert Cadence() == MENTOR
        assert MENTOR.first_contact_days == 2

    def test_first_contact_hours_round_up_to_whole_days(self):
        assert Cadence(first_contact_hours=24).first_contact_days == 1
        assert Cadence(first_contact_hours=25).first_contact_days == 2
        assert Cadence(first_contact_hours=72).first_contact_days == 3

    def test_three_first_month_contacts_spread_evenly(self):
        plan = planned_contacts(D(2026, 2, 1), D(2026, 4, 1), Cadence(first_month_contacts=3))
        # February 2026 has 28 days: 28 // 3 = 9, 56 // 3 = 18, then 1 March, 1 April.
        assert [(p.sequence, p.due) for p in plan] == [
            (0, D(2026, 2, 3)),
            (1, D(2026, 2, 10)),
            (2, D(2026, 2, 19)),
            (3, D(2026, 3, 1)),
            (4, D(2026, 4, 1)),
        ]

    def test_every_so_many_days_after_the_first_month(self):
        plan = planned_contacts(D(2026, 1, 31), D(2026, 4, 30), Cadence(every_days=21))
        assert [p.due for p in plan] == [
            D(2026, 2, 2),
            D(2026, 2, 14),
            D(2026, 2, 28),
            D(2026, 3, 21),
            D(2026, 4, 11),
        ]

    def test_no_first_month_contacts_means_monthly_from_the_start(self):
        plan = planned_contacts(D(2026, 1, 31), D(2026, 3, 31), Cadence(first_month_contacts=0))
        assert [(p.kind, p.due) for p in plan] == [
            (Kind.FIRST, D(2026, 2, 2)),
            (Kind.MONTHLY, D(2026, 2, 28)),
            (Kind.MONTHLY, D(2026, 3, 31)),
        ]


def test_slot_for_finds_the_latest_open_window():
    dues = [D(2026, 3, 3), D(2026, 3, 16), D(2026, 4, 1)]
    start = D(2026, 3, 1)
    assert slot_for(D(2026, 3, 2), start, dues, [False] * 3) == 0
    assert slot_for(D(2026, 3, 4), start, dues, [False] * 3) == 1
    assert slot_for(D(2026, 5, 9), start, dues, [False] * 3) == 2
    assert slot_for(D(2026, 3, 5), start, dues, [False, True, False]) is None  # extra
    assert slot_for(D(2026, 2, 27), start, dues, [False] * 3) is None  # before the start
    assert slot_for(D(2026, 3, 5), start, [], []) is None


class TestContinuePlan:
    def test_from_nothing_it_is_the_plan(self):
        start = D(2026, 1, 31)
        assert continue_plan(start, MENTOR, scheduled=0, last_due=None, until=D(2026, 3, 31)) == (
            planned_contacts(start, D(2026, 3, 31))
        )

    def test_extends_after_what_is_kept_without_drifting_from_the_31st(self):
        start = D(2026, 1, 31)
        more = continue_plan(
            start, MENTOR, scheduled=4, last_due=D(2026, 3, 31), until=D(2026, 6, 30)
        )
        assert [(p.sequence, p.due) for p in more] == [
            (4, D(2026, 4, 30)),
            (5, D(2026, 5, 31)),  # back to the 31st, not the 30th
            (6, D(2026, 6, 30)),
        ]

    def test_carries_the_shift_of_a_pause(self):
        # Start 1 March; the fourth contact (1 May) was moved ten days by a pause.
        more = continue_plan(
            D(2026, 3, 1), MENTOR, scheduled=4, last_due=D(2026, 5, 11), until=D(2026, 8, 1)
        )
        assert [p.due for p in more] == [D(2026, 6, 11), D(2026, 7, 11)]
