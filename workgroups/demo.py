"""Demo working groups for seed_demo: a group per key area with chairs and members, a
year of monthly gatherings with agenda, attendance, minutes and decisions, upcoming
gatherings, and action items owned across sectors. Idempotent: gatherings are keyed
by their group and start time (the second Tuesday of each month), so a second run adds
nothing that is already there."""

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from stakeholders.models import Collaborative, Member
from workgroups import services
from workgroups.demo_board import seed_board
from workgroups.ledger import stipend_lines_for_meeting
from workgroups.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    Attendance,
    Decision,
    GroupMembership,
    Meeting,
    Priority,
    Update,
    WorkingGroup,
)

# key-area slug -> (group name, charter, join policy, minutes sharing)
GROUPS = {
    "pre-release-preparation": (
        "Pre-release Planning Group",
        "Make sure every person leaving the jail or prison has an ID, health coverage, a "
        "place to sleep and an appointment with a case manager on the day they come home.",
        "request",
        "collaborative",
    ),
    "rehabilitation-and-recovery": (
        "Recovery Working Group",
        "Connect returning citizens with treatment and peer recovery support, and close the "
        "gap between release and the first appointment.",
        "open",
        "collaborative",
    ),
    "mental-health": (
        "Mental Health Working Group",
        "Crisis support, counseling and medication continuity for people coming home. "
        "Members discuss hard cases, so the minutes stay within the group.",
        "request",
        "private",
    ),
    "healthcare": (
        "Health Coverage Working Group",
        "Medicaid enrollment before release and a medical home after it.",
        "open",
        "collaborative",
    ),
    "housing": (
        "Housing Working Group",
        "More fair-chance landlords, more transitional beds, and no one released to the street.",
        "open",
        "collaborative",
    ),
    "family-support": (
        "Families Working Group",
        "Support for children and families before, during and after a parent's incarceration.",
        "open",
        "collaborative",
    ),
    "mentorship-and-self-actualization": (
        "Mentorship Working Group",
        "Recruit, train and support mentors with lived experience.",
        "open",
        "public",
    ),
    "transportation": (
        "Transportation Working Group",
        "Bus passes, rides to supervision and work, and driver's licence reinstatement.",
        "open",
        "collaborative",
    ),
    "employment": (
        "Employment Working Group",
        "Fair-chance hiring, transitional jobs and training that leads to a living wage.",
        "open",
        "collaborative",
    ),
    "prevention": (
        "Prevention Working Group",
        "Work alongside the community's other collective impact efforts so fewer people "
        "enter the system in the first place.",
        "invitation",
        "collaborative",
    ),
}

# Two groups wrote their name and charter in Spanish too (shown to Spanish readers); the
# others show their English, as an organization that has not translated yet would.
GROUPS_IN_SPANISH = {
    "housing": (
        "Grupo de Trabajo de Vivienda",
        "Más propietarios que den una oportunidad justa, más camas de transición y que nadie "
        "salga de la cárcel a la calle.",
    ),
    "rehabilitation-and-recovery": (
        "Grupo de Trabajo de Recuperación",
        "Conectar a las personas que regresan a la comunidad con tratamiento y apoyo de "
        "recuperación entre pares, y acortar la espera entre la salida y la primera cita.",
    ),
}

AGENDA = [
    "Welcome and introductions",
    "Updates from last month's action items",
    "Data review: what the numbers say this month",
    "Voices from the community: what people coming home are running into",
    "Quick wins for next month",
    "Announcements and next steps",
]

# What each group decides at its gatherings, and the action item that follows from each
# decision (key-area slug -> [(decision, follow-up)]): a group's minutes talk about its own
# work (the Employment group decides about employers, not landlords). "" is the full
# collaborative's gathering.
DECISIONS: dict[str, list[tuple[str, str]]] = {
    "pre-release-preparation": [
        (
            "Ask the jail to start ID applications 60 days before release.",
            "Meet the jail's release planner about ID applications",
        ),
        (
            "Make a one-page guide of who to call in the first 72 hours after release.",
            "Draft the one-page first-72-hours guide",
        ),
        (
            "Track where pre-release referrals get stuck, month by month.",
            "Map where pre-release referrals get stuck",
        ),
    ],
    "rehabilitation-and-recovery": [
        (
            "Track the days between release and the first treatment appointment, by provider.",
            "Collect first-appointment dates from every treatment provider",
        ),
        (
            "Put a peer recovery coach at the release desk two mornings a week.",
            "Schedule peer recovery coaches for the release desk",
        ),
        (
            "Start a shared waiting list for treatment beds so no one applies at four places.",
            "Collect waiting-list forms from every treatment provider",
        ),
    ],
    "mental-health": [
        (
            "Ask the jail's clinic to send a 30-day supply of medication home with people.",
            "Write to the jail's clinic about a 30-day medication supply",
        ),
        (
            "Keep a list of counselors who see people the week they come home.",
            "List counselors with openings in the first week",
        ),
        (
            "Hold a case review every month, inside the group only.",
            "Set the dates of this year's case reviews",
        ),
    ],
    "healthcare": [
        (
            "Help people apply for Medicaid 45 days before release.",
            "Train jail staff on the Medicaid pre-release application",
        ),
        (
            "Find a clinic that will be a medical home for people just released.",
            "Ask two clinics to take new patients within a week of release",
        ),
        (
            "Track how many people leave with health coverage.",
            "Share last quarter's coverage numbers with the group",
        ),
    ],
    "housing": [
        (
            "Invite two landlords who rent to returning citizens to the next gathering.",
            "Invite two landlords to speak",
        ),
        (
            "Start a shared waiting list for transitional beds so no one applies at four places.",
            "Collect waiting-list forms from every housing provider",
        ),
        (
            "Write a letter landlords can read about fair-chance renting.",
            "Draft the fair-chance renting letter for landlords",
        ),
    ],
    "family-support": [
        (
            "Offer video visits at the library for children of parents inside.",
            "Book the library room for family video visits",
        ),
        (
            "Make a guide for caregivers on what to expect when a parent comes home.",
            "Draft the caregivers' homecoming guide",
        ),
        (
            "Ask the schools to name one contact for children with a parent inside.",
            "Write to the school district about a contact person",
        ),
    ],
    "mentorship-and-self-actualization": [
        (
            "Recruit five more mentors with lived experience this quarter.",
            "Hold a mentor information evening",
        ),
        (
            "Pair every new mentor with an experienced one for their first month.",
            "Write the buddy plan for new mentors",
        ),
        (
            "Meet mentors in person once a season to share what works.",
            "Book a room for the mentors' season meeting",
        ),
    ],
    "transportation": [
        (
            "Ask the county to add a reentry stop to the Route 6 bus schedule.",
            "Call the transit authority about a reentry bus stop",
        ),
        (
            "Give a month's bus pass to everyone at their first appointment.",
            "Order bus passes for first appointments",
        ),
        (
            "Hold a driver's licence clinic with legal aid every quarter.",
            "Set a date for the licence reinstatement clinic",
        ),
    ],
    "employment": [
        (
            "Invite two fair-chance employers to speak at the next gathering.",
            "Invite two fair-chance employers to speak",
        ),
        (
            "Hold a hiring event with employers who hire people with records.",
            "Book the hiring event and invite employers",
        ),
        (
            "Track how many people have a job 90 days after release.",
            "Share last quarter's job numbers with the group",
        ),
    ],
    "prevention": [
        (
            "Meet the youth violence prevention coalition to share our plans.",
            "Set up a meeting with the prevention coalition",
        ),
        (
            "Map the programs that keep young people out of the system.",
            "List prevention programs by neighborhood",
        ),
        (
            "Put prevention on the full collaborative's agenda twice a year.",
            "Ask the backbone for two agenda slots on prevention",
        ),
    ],
    "": [
        (
            "Pay community members a stipend for every gathering they attend.",
            "Write up the stipend process for community members",
        ),
        (
            "Hold next season's gatherings at the library so people can come after work.",
            "Book the library meeting room for the next six months",
        ),
        (
            "Ask every working group to bring one number to each full gathering.",
            "Ask each group's chair for one number to share",
        ),
    ],
}


def _decisions(group: WorkingGroup) -> list[tuple[str, str]]:
    slug = group.key_area.slug if group.key_area is not None else ""
    return DECISIONS.get(slug, DECISIONS[""])


WALK_INS = ["Jamal Price", "Rosa Delgado", "Kevin Moore", "Tanya Ruiz", "Luis Ortega"]


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    offset = (1 - first.weekday()) % 7  # Tuesday is weekday 1
    return first + timedelta(days=offset + 7)


def _month(today: date, delta: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + delta
    return index // 12, index % 12 + 1


def _at(day: date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


@transaction.atomic
def seed_workgroups(collaborative: Collaborative) -> int:
    """Create (or complete) the demo groups. Returns the number of groups."""
    rng = random.Random(f"{collaborative.slug}-workgroups")  # noqa: S311 - demo data only
    tz = collaborative.zone
    members = list(
        Member.objects.filter(collaborative=collaborative, is_active=True)
        .select_related("user", "organization")
        .prefetch_related("organization__key_areas")
        .order_by("user__email")
    )
    community = [m for m in members if m.role == Member.Role.COMMUNITY]
    staff = [m for m in members if m.organization_id]
    backbone = next(m for m in members if m.is_backbone)
    groups: list[WorkingGroup] = []
    for area in collaborative.key_areas.order_by("order"):
        spec = GROUPS.get(area.slug)
        if spec is None:
            continue
        name, charter, policy, sharing = spec
        name_es, charter_es = GROUPS_IN_SPANISH.get(area.slug, ("", ""))
        group, created = WorkingGroup.objects.get_or_create(
            collaborative=collaborative,
            slug=slugify(name)[:80],
            defaults={
                "key_area": area,
                "name": name,
                "charter": charter,
                "name_es": name_es,
                "charter_es": charter_es,
                "join_policy": policy,
                "minutes_sharing": sharing,
                "requires_community_cochair": True,
            },
        )
        groups.append(group)
        if created:
            _seat_people(group, area, staff, community, rng)
    whole = services.whole_collaborative_group(collaborative=collaborative)
    if not whole.memberships.exists():
        GroupMembership.objects.create(group=whole, member=backbone, role="chair")

    today = timezone.localdate()
    for n, group in enumerate(groups):
        people = list(group.active_people().select_related("user"))
        for delta in range(-12, 3):
            year, month = _month(today, delta)
            day = _second_tuesday(year, month) + timedelta(days=n % 3)
            starts = _at(day, 17 + n % 2, 30, tz)
            _gathering(group, starts, people, staff, backbone, rng, today)
    for delta in (-12, -9, -6, -3, 1):
        year, month = _month(today, delta)
        starts = _at(_second_tuesday(year, month) + timedelta(days=2), 18, 0, tz)
        people = rng.sample(staff, 12) + rng.sample(community, 6)
        title = f"Full collaborative gathering: {starts:%B}"
        _gathering(whole, starts, people, staff, backbone, rng, today, title=title)
    _plans(groups)
    seed_board(collaborative)  # priorities, overlaps, orphans, partner initiatives
    return len(groups) + 1


def _seat_people(group, area, staff, community, rng) -> None:
    in_area = [m for m in staff if area in m.organization.key_areas.all()]
    others = [m for m in staff if m not in in_area]
    chair = in_area[0] if in_area else others[0]
    seats = {chair.pk: (chair, "chair")}
    cochair = community[rng.randrange(len(community))]
    seats[cochair.pk] = (cochair, "cochair")
    for m in in_area[1:6] + rng.sample(others, 2) + rng.sample(community, 4):
        seats.setdefault(m.pk, (m, "member"))
    for member, role in seats.values():
        GroupMembership.objects.get_or_create(group=group, member=member, defaults={"role": role})


def _gathering(group, starts, people, staff, backbone, rng, today, title=""):
    meeting, created = Meeting.objects.get_or_create(
        owner=group,
        starts_at=starts,
        defaults={
            "collaborative_id": group.collaborative_id,
            "title": title or f"{starts:%B} gathering",
            "ends_at": starts + timedelta(minutes=90),
            "place": "Cedar River Public Library, Meeting Room B"
            if starts.month % 2
            else "Second Step Housing, 412 Oak Street",
            "video_link": "https://meet.example.org/cedar-river" if starts.month % 3 else "",
            "sharing_level": group.minutes_sharing,
        },
    )
    if not created:
        return
    items = []
    for order, topic in enumerate(rng.sample(AGENDA[1:5], 2)):
        presenter = rng.choice(people or staff)
        items.append(
            AgendaItem(
                meeting=meeting,
                order=order + 1,
                title=topic,
                presenter=presenter,
                duration_minutes=rng.choice([15, 20, 30]),
            )
        )
    items.insert(0, AgendaItem(meeting=meeting, order=0, title=AGENDA[0], duration_minutes=10))
    items.append(
        AgendaItem(meeting=meeting, order=len(items), title=AGENDA[5], duration_minutes=10)
    )
    AgendaItem.objects.bulk_create(items)
    if starts.date() >= today:
        return
    meeting.status = Meeting.Status.HELD
    rows = []
    for person in people:
        roll = rng.random()
        status = "present" if roll < 0.72 else ("excused" if roll < 0.88 else "absent")
        rows.append(Attendance(meeting=meeting, member=person, status=status, recorded_by=backbone))
    rows.extend(
        Attendance(meeting=meeting, walk_in_name=name, status="present", recorded_by=backbone)
        for name in rng.sample(WALK_INS, rng.randrange(0, 3))
    )
    Attendance.objects.bulk_create(rows)
    chosen = [text for text, _ in rng.sample(_decisions(group), rng.randrange(1, 3))]
    present = sum(1 for r in rows if r.status == "present")
    walk_ins = sum(1 for r in rows if r.walk_in_name)
    meeting.minutes = (
        f"{present} people came"
        + (f", {walk_ins} of them for the first time" if walk_ins else "")
        + ".\n\nWe went over last month's action items; most are moving. "
        + f"{items[1].title}: the group talked through what is working and what is not.\n\n"
        + "Decided: "
        + " ".join(chosen)
    )
    meeting.save(update_fields=["status", "minutes"])
    Decision.objects.bulk_create(
        [
            Decision(
                meeting=meeting,
                agenda_item=items[2],
                text=text,
                decided_at=starts + timedelta(minutes=70),
                recorded_by=backbone,
            )
            for text in chosen
        ]
    )


def _plans(groups: list[WorkingGroup]) -> None:
    """A plan for this year per group, with priorities and items owned across sectors."""
    today = timezone.localdate()
    period = str(today.year)
    statuses = ["not_started", "in_progress", "in_progress", "blocked", "done"]
    for n, group in enumerate(groups):
        plan, created = ActionPlan.objects.get_or_create(
            group=group, period=period, defaults={"title": f"{group.name} plan"}
        )
        if not created:
            continue
        priority = Priority.objects.create(plan=plan, rank=1, title=group.charter.split(".")[0])
        meetings = list(
            Meeting.objects.filter(owner=group, status="held")
            .prefetch_related("decisions")
            .order_by("-starts_at")[:3]
        )
        # Owners from outside the group's own sector: mutually reinforcing activities.
        owners = list(
            Member.objects.filter(
                collaborative_id=group.collaborative_id,
                is_active=True,
                role__in=Member.EDITOR_ROLES,
            )
            .select_related("organization")
            .order_by("pk")
        )
        follow_ups = dict(_decisions(group))
        for k, meeting in enumerate(meetings):
            decision = next(iter(meeting.decisions.all()), None)
            title = follow_ups.get(decision.text) if decision else None
            owner = owners[(n * 3 + k * 5) % len(owners)]
            item = ActionItem.objects.create(
                group=group,
                collaborative_id=group.collaborative_id,
                priority=priority,
                title=title or _decisions(group)[k % 3][1],
                description=decision.text if decision else "",
                key_area=group.key_area,
                owner_member=owner,
                owner_organization=owner.organization,
                # One group in three is behind on its latest item: overdue shows, but the
                # demo is not a collaborative in trouble.
                due_date=today + timedelta(days=[-20 if n % 3 == 0 else 14, 21, 45][k] + n),
                status=statuses[(n + k) % len(statuses)],
                source_meeting=meeting,
                source_decision=decision,
            )
            if item.status != "not_started":
                Update.objects.create(
                    item=item,
                    author=owner,
                    text="Talked with the partners involved; next step agreed.",
                    created_at=timezone.now() - timedelta(days=7),
                )


def seed_meeting_stipends(collaborative: Collaborative, *, actor: Member) -> None:
    """Every past held gathering's stipend lines, from its attendance, once seed_demo has
    turned stipends on (``reentry.stipends.demo``). Idempotent."""
    for meeting in Meeting.objects.filter(
        collaborative=collaborative, status=Meeting.Status.HELD, starts_at__lt=timezone.now()
    ).order_by("starts_at"):
        stipend_lines_for_meeting(actor=actor, meeting=meeting)
