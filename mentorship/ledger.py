"""Approved mentoring sessions into the one stipend ledger (``reentry.stipends``).

A session approved by a coordinator earns its mentor one line, ``source = mentoring``,
``session`` set: the database's ``stipendline_one_per_session`` constraint makes a second
line for the same session impossible, whatever the code does. The line is approved as
it is made — the coordinator's approval of the session is the approval of the payment —
so it goes straight to the month's payroll with the gatherings' lines: one statement,
one payroll row, one payment per person.

The arithmetic is ``mentorship.stipend_rules`` over the program's rates; the monthly cap
is per mentor, per program, per month, filled by the lines already approved or paid.
The description names the program and the length, never the mentee: a statement is
read by the backbone staff, who do not see mentees.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from mentorship import stipend_rules
from mentorship.models import Program, Session
from reentry.stipends import money
from reentry.stipends.models import Source, StipendLine
from stakeholders.models import Member

Status = StipendLine.Status


@dataclass(frozen=True)
class LedgerResult:
    lines: list[StipendLine]
    without_account: int  # sessions whose mentor has no account to pay


def rates_for(program: Program) -> stipend_rules.Rates:
    return stipend_rules.Rates(
        per_session=program.stipend_per_session,
        per_hour=program.stipend_per_hour,
        monthly_cap=program.monthly_cap,
    )


def _description(program: Program, session: Session, earning: stipend_rules.Earning) -> str:
    # Stored in English; ``StipendLine.shown_description`` translates it when shown.
    text = f"{StipendLine.MENTORING_SESSION} · {program.name} · {session.minutes} min"
    if earning.is_combined:
        text += f" ({stipend_rules.describe(earning)})"
    return text[:300]


def stipend_lines_for_sessions(
    *, approver: Member, program: Program, sessions: Sequence[Session]
) -> LedgerResult:
    """Make the ledger lines of newly approved sessions. Call inside the approval's
    transaction; ``sessions`` are of ``program``, with ``match__mentor__applicant__member``
    loaded."""
    payable = []
    without_account = 0
    for session in sessions:
        member = session.match.mentor.applicant.member
        if member is None:
            without_account += 1
        else:
            payable.append((session, member))
    rates = rates_for(program)
    if not payable or not rates.pays:
        return LedgerResult(lines=[], without_account=without_account)
    tz = program.collaborative.time_zone
    members = {member.pk for _s, member in payable}
    months = {money.month_start(s.date) for s, _m in payable}
    booked_q = Q()
    for month in months:
        booked_q |= Q(date__gte=month, date__lt=money.next_month(month))
    # Lock the mentors' lines of these months, so two approvals at once cannot both
    # take the last of a cap.
    booked = [
        stipend_rules.Booked(mentor=line.member_id, day=line.date, amount=line.amount)
        for line in StipendLine.objects.select_for_update(of=("self",))
        .filter(booked_q, member_id__in=members, session__match__program=program)
        .counted()
    ]
    earnings = {
        e.key: e
        for e in stipend_rules.earnings(
            [
                stipend_rules.SessionFacts(
                    key=s.pk, mentor=member.pk, held=s.date, minutes=s.minutes
                )
                for s, member in payable
            ],
            rates,
            tz,
            booked=booked,
        )
    }
    now = timezone.now()
    lines = []
    for session, member in payable:
        e = earnings[session.pk]
        line = StipendLine(
            collaborative_id=program.collaborative_id,
            member=member,
            source=Source.MENTORING,
            session=session,
            date=e.day,
            description=_description(program, session, e),
            unit=e.unit,
            quantity=e.quantity,
            unit_amount=e.unit_amount,
            cap_reduction=e.cap_reduction,
            amount=e.amount,
            currency=program.currency,
            status=Status.APPROVED,
            approved_by=approver,
            approved_at=now,
        )
        line.full_clean(validate_unique=False, validate_constraints=False)
        lines.append(line)
    # The unique constraint on ``session`` turns a second approval of the same session
    # (two coordinators at once) into an IntegrityError and a rollback, never two lines.
    StipendLine.objects.bulk_create(lines)
    return LedgerResult(lines=lines, without_account=without_account)
