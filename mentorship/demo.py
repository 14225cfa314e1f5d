"""Demo mentoring for seed_demo: the "Second Chances Mentoring" program of Cedar River,
coordinated by the backbone staff member, with a foundation grant and its budget;
30 mentors at every stage of screening (13 approved, with accounts among the community
members — community@ is one of them); 40 mentees (some not yet released); active,
paused, proposed and closed matches (one closed for a poor fit and re-matched); a
year of sessions approved month by month into the one stipend ledger (seed_stipends
then pays the months before last, with the gatherings' lines); check-ins scheduled
and mostly done, a few overdue; fit checks; the coordinator's expenses on the grant.

Idempotent: nothing is added when the program already exists. Deterministic: one
seeded random generator."""

import random
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mentorship import schedule
from mentorship.models import (
    Applicant,
    BackgroundAssessment,
    BudgetLine,
    Expense,
    FitCheck,
    Grant,
    Match,
    MenteeProfile,
    MentorProfile,
    MonitoringContact,
    Program,
    Session,
    Stage,
    StageChange,
    TrainingCompletion,
    TrainingModule,
)
from mentorship.services import sessions
from stakeholders.models import Collaborative, KeyArea, Member

SLUG = "second-chances"

MENTOR_NAMES = [
    "Darnell Hayes",
    "Rosa Delgado",
    "Terrence Cole",
    "Angela Brooks",
    "Luis Ortega",
    "Keisha Warren",
    "Marcus Bell",
    "Yolanda Pierce",
    "Andre Simmons",
    "Carmen Ruiz",
    "Tyrone Mitchell",
    "Denise Carter",
    "Victor Nguyen",
    "Latoya Hughes",
    "Ray Castillo",
    "Monique Ford",
    "Jerome Price",
    "Sandra Vega",
    "Curtis Long",
    "Naomi Fischer",
    "Omar Haddad",
    "Bethany Kim",
    "Kevin O'Neal",
    "Maribel Soto",
    "Derek Lawson",
    "Felicia Grant",
    "Hector Ramos",
    "Tanya Moore",
    "Isaac Rivers",
    "Gloria Chen",
]
MENTEE_NAMES = [
    "Jamal",
    "Maria",
    "DeShawn",
    "Tasha",
    "Carlos",
    "Brandon",
    "Aisha",
    "Tony",
    "Crystal",
    "Jose",
    "Marcus",
    "Keith",
    "Shanice",
    "Ricky",
    "Lena",
    "Troy",
    "Alicia",
    "Devon",
    "Rosa",
    "Curtis",
    "Nia",
    "Eduardo",
    "Travis",
    "Kim",
    "Lamar",
    "Yesenia",
    "Dwayne",
    "Paula",
    "Andre",
    "Beatriz",
    "Cedric",
    "Tiana",
    "Hugo",
    "Sierra",
    "Malik",
    "Renee",
    "Javier",
    "Ebony",
    "Wes",
    "Lupe",
]
# The stages of the 30 applicants: every stage shown, most approved.
STAGES = (
    [Stage.APPLIED] * 3
    + [Stage.INTERVIEWED] * 3
    + [Stage.REFERENCES] * 2
    + [Stage.BACKGROUND] * 3
    + [Stage.TRAINED] * 3
    + [Stage.APPROVED] * 14
    + [Stage.DECLINED, Stage.WITHDRAWN]
)
NEIGHBOURHOODS = ["Northside", "Eastgate", "Riverbend", "Old Town", "Southfield", "Westview"]
INTERESTS = ["basketball", "cooking", "music", "fishing", "church", "cars", "art", "gardening"]
TOPICS = [
    "Job search and the interview on Tuesday",
    "Apartment applications",
    "Reconnecting with family",
    "Getting an ID and a bank account",
    "Staying on track with parole",
    "Bus routes to work",
    "Meetings and sobriety",
    "Budget for the month",
]
PRIVATE_NOTES = [
    "Mentioned feeling low this week; I gave them the crisis line number and told the coordinator.",
    "Worried about running into old friends at the new job. Asked me to keep it between us.",
]


def _local(tz: zoneinfo.ZoneInfo, day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def _backdate(model, pk: int, **fields) -> None:
    """auto_now_add fields can only be set after the row exists."""
    model.objects.filter(pk=pk).update(**fields)


@transaction.atomic
def seed_mentorship(collab: Collaborative) -> Program | None:
    """Returns the program (None when the collaborative has no backbone staff)."""
    existing = Program.objects.filter(collaborative=collab, slug=SLUG).first()
    if existing is not None:
        return existing
    coordinator = (
        Member.objects.filter(collaborative=collab, role=Member.Role.BACKBONE, is_active=True)
        .select_related("user")
        .order_by("joined_at", "pk")
        .first()
    )
    if coordinator is None:
        return None
    rng = random.Random(8)  # noqa: S311 - demo data, not security
    tz = collab.zone
    today = timezone.localdate(timezone=tz)
    year_ago = today - timedelta(days=365)
    areas = list(KeyArea.objects.filter(collaborative=collab).order_by("order", "name"))
    community = list(
        Member.objects.filter(collaborative=collab, role=Member.Role.COMMUNITY, is_active=True)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    # community@ first: signing in as them shows a mentor's pages.
    community.sort(key=lambda m: (not m.user.email.startswith("community@"), m.pk))

    program = Program.objects.create(
        collaborative=collab,
        name="Second Chances Mentoring",
        slug=SLUG,
        description=(
            "Mentors who have been there, for people coming home. Meet once a week for a "
            "year: coffee, a walk, a phone call — whatever helps."
        ),
        stipend_per_session=Decimal("15.00"),
        stipend_per_hour=Decimal("10.00"),
        monthly_cap=Decimal("150.00"),
    )
    _backdate(Program, program.pk, created_at=_local(tz, year_ago - timedelta(days=30)))
    program.coordinators.set([coordinator])
    modules = [
        TrainingModule.objects.create(
            program=program, name=name, hours=Decimal(h), order=i, is_required=req, description=desc
        )
        for i, (name, h, req, desc) in enumerate(
            [
                (
                    "Mentoring basics",
                    "3",
                    True,
                    "Listening, boundaries, what a mentor is and is not.",
                ),
                (
                    "Trauma-informed support",
                    "2",
                    True,
                    "How stress and trauma show up, and how to respond.",
                ),
                (
                    "Community resources",
                    "1.5",
                    False,
                    "Housing, jobs and recovery help in Cedar River.",
                ),
            ]
        )
    ]

    # The grant, its budget and the coordinator's expenses.
    grant = Grant.objects.create(
        program=program,
        funder="Cedar River Community Foundation",
        name="Reentry Mentoring Initiative",
        reference="CRCF-2026-014",
        amount=Decimal("120000.00"),
        starts_on=year_ago.replace(day=1) + timedelta(days=31),
        ends_on=(year_ago.replace(day=1) + timedelta(days=31)).replace(year=today.year + 1)
        - timedelta(days=1),
        restrictions=(
            "Stipends for mentors with lived experience, the coordinator's salary, training and "
            "transport. No capital costs. Report twice a year."
        ),
    )
    grant.starts_on = grant.starts_on.replace(day=1)
    grant.ends_on = grant.starts_on.replace(year=grant.starts_on.year + 1) - timedelta(days=1)
    grant.save()
    lines = {
        category: BudgetLine.objects.create(
            grant=grant, category=category, label=label, amount=amount
        )
        for category, label, amount in [
            (BudgetLine.Category.COORDINATOR, "Coordinator, half time", Decimal("60000.00")),
            (BudgetLine.Category.STIPENDS, "Mentor stipends", Decimal("40000.00")),
            (BudgetLine.Category.TRAINING, "Mentor training", Decimal("12000.00")),
            (BudgetLine.Category.OTHER, "Bus passes and coffee", Decimal("8000.00")),
        ]
    }
    month = grant.starts_on
    while month <= today:
        Expense.objects.create(
            budget_line=lines[BudgetLine.Category.COORDINATOR],
            date=month,
            amount=Decimal("5000.00"),
            description=f"Coordinator pay, {month:%B %Y}",
            entered_by=coordinator.user,
        )
        Expense.objects.create(
            budget_line=lines[BudgetLine.Category.OTHER],
            date=month + timedelta(days=9),
            amount=Decimal(rng.choice(["310.00", "420.50", "275.25"])),
            description="Bus passes and coffee for sessions",
            entered_by=coordinator.user,
        )
        if month.month % 3 == 1:
            Expense.objects.create(
                budget_line=lines[BudgetLine.Category.TRAINING],
                date=month + timedelta(days=14),
                amount=Decimal("1800.00"),
                description="Training cohort",
                entered_by=coordinator.user,
            )
        month = (month + timedelta(days=32)).replace(day=1)

    # 30 mentor applicants at every stage.
    pipeline = Stage.pipeline()
    mentors: list[MentorProfile] = []
    # Approved mentors first get accounts (community@ among them), then the trained ones.
    ranked = sorted(
        (i for i, stage in enumerate(STAGES) if stage in (Stage.TRAINED, Stage.APPROVED)),
        key=lambda i: (STAGES[i] != Stage.APPROVED, i),
    )
    accounts = dict(zip(ranked, community, strict=False))
    for i, (name, stage) in enumerate(zip(MENTOR_NAMES, STAGES, strict=True)):
        account = accounts.get(i)
        applied = _local(tz, year_ago - timedelta(days=20) + timedelta(days=i * 11), 10)
        applicant = Applicant.objects.create(
            program=program,
            name=account.user.name if account else name,
            email=account.user.email if account else f"applicant{i}@example.org",
            phone="" if account else f"319-555-01{i:02d}",
            preferred_language="es" if i % 5 == 1 else "en",
            answers={
                "why": "I want to give back what someone gave me.",
                "availability": "evenings",
            },
            source=Applicant.Source.PUBLIC_FORM,
            stage=stage,
            member=account,
            decline_reason="Could not commit to a year of weekly meetings."
            if stage == Stage.DECLINED
            else "",
        )
        _backdate(Applicant, applicant.pk, created_at=applied)
        steps = (
            pipeline[: pipeline.index(stage) + 1]
            if stage in pipeline
            else [Stage.APPLIED, Stage.INTERVIEWED, stage]
        )
        moved = applied
        for before, after in zip(["", *steps[:-1]], steps, strict=True):
            change = StageChange.objects.create(
                applicant=applicant,
                from_stage=before,
                to_stage=after,
                changed_by=None if not before else coordinator.user,
            )
            _backdate(StageChange, change.pk, changed_at=moved)
            moved += timedelta(days=rng.randint(4, 12))
        _backdate(Applicant, applicant.pk, stage_changed_at=moved - timedelta(days=6))
        if stage in (Stage.BACKGROUND, Stage.TRAINED, Stage.APPROVED) and i % 2 == 0:
            BackgroundAssessment.objects.create(
                applicant=applicant,
                has_history=True,
                what="A drug possession conviction; served 2016–2019.",
                years_since=6,
                relevance=BackgroundAssessment.Relevance.NONE,
                rehabilitation="Five years in recovery; peer support volunteer.",
                outcome=BackgroundAssessment.Outcome.PROCEED,
                notes="Open about it in the interview; strong references.",
                assessed_by=coordinator.user,
            )
        if stage in (Stage.TRAINED, Stage.APPROVED):
            for module in modules[:2]:
                TrainingCompletion.objects.create(
                    applicant=applicant,
                    module=module,
                    completed_on=(moved - timedelta(days=10)).date(),
                    recorded_by=coordinator.user,
                )
        if stage == Stage.APPROVED:
            profile = MentorProfile.objects.create(
                applicant=applicant,
                program=program,
                lived_experience="yes" if i % 4 else "family",
                bio="Came home in 2019. Ask me about finding work and staying steady.",
                languages=["en", "es"] if i % 5 == 1 else ["en"],
                gender=rng.choice(["man", "woman"]),
                age_range=rng.choice(["25-34", "35-44", "45-54", "55-64"]),
                neighbourhood=NEIGHBOURHOODS[i % len(NEIGHBOURHOODS)],
                availability=[[d, "17:00", "20:00"] for d in (i % 5, (i + 2) % 5)]
                + [[5, "10:00", "14:00"]],
                interests=rng.sample(INTERESTS, 3),
                capacity=2 if i % 3 == 0 else 1,
            )
            profile.key_areas.set(rng.sample(areas, min(3, len(areas))))
            mentors.append(profile)

    # 40 mentees, some still inside (release dates ahead).
    mentees = []
    for i, name in enumerate(MENTEE_NAMES):
        release = (
            today - timedelta(days=rng.randint(30, 420))
            if i < 32
            else today + timedelta(days=5 + i)
        )
        mentee = MenteeProfile.objects.create(
            program=program,
            name=name,
            phone=f"319-555-02{i:02d}",
            referral=MenteeProfile.Referral.SELF if i % 4 == 0 else MenteeProfile.Referral.PROVIDER,
            release_date=release,
            goals=rng.choice(
                [
                    "A steady job and my own place by summer.",
                    "Get my license back and reconnect with my kids.",
                    "Stay sober and finish my GED.",
                    "Find work in construction; save for a deposit.",
                ]
            ),
            languages=["es", "en"] if i % 5 == 1 else ["en"],
            gender=rng.choice(["man", "woman"]),
            age_range=rng.choice(["18-24", "25-34", "35-44", "45-54"]),
            neighbourhood=NEIGHBOURHOODS[(i * 2) % len(NEIGHBOURHOODS)],
            availability=[[i % 5, "17:00", "20:00"], [5, "10:00", "14:00"]],
            interests=rng.sample(INTERESTS, 2),
            supervision_conditions="Curfew 9 pm; no contact with co-defendants."
            if i % 3 == 0
            else "",
            created_by=coordinator.user,
        )
        mentee.needs.set(rng.sample(areas, min(2, len(areas))))
        mentees.append(mentee)

    # Matches: start dates spread over the year; a few closed (one a poor fit, re-matched).
    plan: list[tuple[MentorProfile, MenteeProfile, date, date | None, str, bool]] = []
    slots = [m for m in mentors for _ in range(m.capacity)]
    starts = sorted(today - timedelta(days=rng.randint(20, 330)) for _ in range(len(slots)))
    for k, (mentor, start) in enumerate(zip(slots, starts, strict=False)):
        mentee = mentees[k]
        if k in (1, 4, 7, 10, 13):
            reasons = ["completed", "poor_fit", "mentee_left", "goals_met", "lost_contact"]
            reason = reasons[(1, 4, 7, 10, 13).index(k)]
            ended = min(today - timedelta(days=10), start + timedelta(days=rng.randint(45, 250)))
            plan.append((mentor, mentee, start, ended, reason, False))
        else:
            plan.append((mentor, mentee, start, None, "", k == 3))
    created: list[tuple[Match, date, date | None]] = []
    for mentor, mentee, start, end, _reason, paused in plan:
        match = Match.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=Match.Status.ACTIVE,
            score=round(rng.uniform(62, 94), 1),
            proposed_by=coordinator.user,
            mentor_accepted_at=_local(tz, start - timedelta(days=2)),
            mentee_accepted_at=_local(tz, start),
            mentee_acceptance_recorded_by=coordinator.user,
            started_at=_local(tz, start, 11),
            explanation=[],
        )
        _backdate(Match, match.pk, proposed_at=_local(tz, start - timedelta(days=5)))
        created.append((match, start, end))
        if paused:
            Match.objects.filter(pk=match.pk).update(
                status=Match.Status.PAUSED,
                paused_at=_local(tz, today - timedelta(days=6)),
                pause_reason="Mentee is in a 30-day treatment program.",
            )
    # The poor fit's mentee gets a new mentor below: a re-match.
    poor = next(m for (m, _s, _e), p in zip(created, plan, strict=True) if p[4] == "poor_fit")

    all_sessions: list[Session] = []
    for (match, start, end), (_m, _e, _s, _end, _reason, paused) in zip(created, plan, strict=True):
        last = end or today
        day = start + timedelta(days=rng.randint(2, 6))
        n = 0
        while day <= last and not (paused and day > today - timedelta(days=8)):
            if match.pk == created[2][0].pk and day > today - timedelta(days=26):
                break  # a quiet match: no session in over three weeks
            session = Session(
                match=match,
                date=day,
                minutes=rng.choice([45, 60, 60, 75, 90, 120]),
                mode=rng.choice(["in_person", "in_person", "phone", "video"]),
                topics=rng.choice(TOPICS),
                goals_progress=rng.choice(["some", "some", "good", "none", "met"])
                if n > 2
                else "some",
                notes=(
                    rng.choice(PRIVATE_NOTES)
                    if n % 9 == 4
                    else "Good talk. Next week: follow up on the application."
                ),
                notes_private_to_coordinator=n % 9 == 4,
                logged_by=match.mentor.applicant.member.user
                if match.mentor.applicant.member
                else None,
            )
            all_sessions.append(session)
            n += 1
            day += timedelta(days=rng.choice([6, 7, 7, 8, 10, 14]))
    Session.objects.bulk_create(all_sessions)
    for session in all_sessions:
        if session.pk is not None:
            session.key_areas.set(rng.sample(areas, 1))

    # Approve month by month, so each month's cap fills in date order; the last two weeks
    # wait for the coordinator.
    cutoff = today - timedelta(days=12)
    to_approve = sorted((s for s in all_sessions if s.date <= cutoff), key=lambda s: (s.date, s.pk))
    by_month: dict[date, list[Session]] = {}
    for s in to_approve:
        by_month.setdefault(s.date.replace(day=1), []).append(s)
    for month_sessions in by_month.values():
        sessions.sessions_approve(
            actor=coordinator,
            program=program,
            session_ids=[s.public_id for s in month_sessions],
        )
    late = next((s for s in all_sessions if s.date > cutoff), None)
    if late is not None:
        sessions.sessions_reject(
            actor=coordinator,
            program=program,
            session_ids=[late.public_id],
            reason="Logged twice: the same meeting as the day before.",
        )

    # Close the matches that ended; check-ins and fit checks for all.
    for (match, start, end), (_m, _e, _s, _end, reason, _paused) in zip(created, plan, strict=True):
        until = min(end or today, today)
        contacts = []
        for planned in schedule.planned_contacts(start, until + timedelta(days=40)):
            for person in ("mentor", "mentee"):
                due = planned.due
                done = due < today - timedelta(days=12) or (due < today and rng.random() < 0.5)
                if end is not None and due > end:
                    continue
                contacts.append(
                    MonitoringContact(
                        match=match,
                        with_whom=person,
                        kind=planned.kind.value,
                        due_on=due,
                        done_at=_local(tz, due - timedelta(days=rng.randint(0, 2)), 15)
                        if done and due <= until
                        else None,
                        done_by=coordinator.user if done and due <= until else None,
                        method=rng.choice(["phone", "in_person", "text"])
                        if done and due <= until
                        else "",
                    )
                )
        MonitoringContact.objects.bulk_create(contacts)
        first = match.sessions.order_by("date").first()
        if first is not None and first.date < today - timedelta(days=5):
            FitCheck.objects.create(
                match=match,
                session=first,
                mentor_fit=FitCheck.Fit.POOR if reason == "poor_fit" else FitCheck.Fit.GOOD,
                mentee_fit=FitCheck.Fit.POOR
                if reason == "poor_fit"
                else rng.choice([FitCheck.Fit.GOOD, FitCheck.Fit.UNSURE]),
                concerns="They could never find a time that worked."
                if reason == "poor_fit"
                else "",
                rematch_recommended=reason == "poor_fit",
                recorded_by=coordinator.user,
            )
        if end is not None:
            Match.objects.filter(pk=match.pk).update(
                status=Match.Status.CLOSED,
                closed_at=_local(tz, end, 16),
                closed_by=coordinator.user,
                closure_reason=reason,
                closure_notes=(
                    "Mentor: proud of the progress, will stay in touch at the church. Mentee: "
                    "thankful; feels ready. We talked about what comes next."
                    if reason in ("completed", "goals_met")
                    else "Both agreed it was time to stop. We thanked each other."
                ),
            )
            MenteeProfile.objects.filter(pk=match.mentee_id).update(
                status=MenteeProfile.Status.WAITING
                if reason == "poor_fit"
                else MenteeProfile.Status.EXITED
            )
        else:
            MenteeProfile.objects.filter(pk=match.mentee_id).update(
                status=MenteeProfile.Status.MATCHED
            )
    poor.refresh_from_db()
    free = [
        m
        for m in mentors
        if m.pk != poor.mentor_id and not Match.objects.filter(mentor=m).open().exists()
    ]
    if free and poor.closed_at is not None:
        rematch_start = program.collaborative.local_date(poor.closed_at) + timedelta(days=4)
        Match.objects.create(
            program=program,
            mentor=free[0],
            mentee=poor.mentee,
            status=Match.Status.ACTIVE,
            score=81.5,
            proposed_by=coordinator.user,
            rematch_of=poor,
            mentor_accepted_at=_local(tz, rematch_start),
            mentee_accepted_at=_local(tz, rematch_start),
            started_at=_local(tz, rematch_start, 11),
            explanation=[],
        )
        MenteeProfile.objects.filter(pk=poor.mentee_id).update(status=MenteeProfile.Status.MATCHED)
    # Two proposals waiting for a yes, with mentors who have room.
    roomy = (
        [
            m
            for m in mentors
            if Match.objects.filter(mentor=m).open().count() < m.capacity and m.pk != free[0].pk
        ]
        if free
        else []
    )
    for mentee, mentor in zip(mentees[len(plan) + 1 : len(plan) + 3], roomy, strict=False):
        if not Match.objects.filter(mentee=mentee).open().exists():
            Match.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=Match.Status.PROPOSED,
                score=74.0,
                proposed_by=coordinator.user,
                explanation=[],
                mentor_accepted_at=_local(tz, today - timedelta(days=1)),
            )
    return program
