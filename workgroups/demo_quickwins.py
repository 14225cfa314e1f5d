"""Demo quick wins and polls for seed_demo: proposals from community members and
providers (some with the proposer's name kept private), quick wins at every stage (one
chosen into its group's plan with action items, one started with work overdue, one
done, one dropped), comments and helpers; one closed poll of each method (approval,
dots, ranked choice with several rounds) with its stored ballots and results, split
between people with lived experience and others, and one open poll.

Everything goes through the services (``workgroups.quickwins.services``,
``workgroups.polls.services``), so ballots, results and audit events are what the app itself
would have made; only dates are moved into the past afterwards, so the journey looks
lived in. Idempotent: quick wins and polls are keyed by their titles.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from stakeholders.models import Collaborative, Member, Organization
from workgroups.inclusion import LIVED
from workgroups.models import ActionItem, WorkingGroup
from workgroups.polls import services as polls
from workgroups.polls.models import Ballot, Poll, PollResult
from workgroups.quickwins import services as qw_services
from workgroups.quickwins.models import QuickWin
from workgroups.services import whole_collaborative_group

Status = QuickWin.Status
DOMAIN = "demo.reentry.test"

# (title, problem, proposer email, anonymous?, group key-area slug, (people, money, weeks),
#  stage, days since proposed)
QUICK_WINS = [
    (
        "Bus passes for the first month home",
        "People miss their first probation and clinic appointments because they have no way "
        "to get there. A month of bus passes costs less than one missed appointment.",
        "community",
        True,
        "transportation",
        (3, "1800", 6),
        Status.DONE,
        150,
    ),
    (
        "A welcome-home kit at release",
        "People walk out of the jail with a paper bag. A kit with a phone, toiletries, a bus "
        "map and a list of who to call would make the first day less frightening.",
        "staff",
        False,
        "pre-release-preparation",
        (6, "2500", 8),
        Status.IN_PROGRESS,
        120,
    ),
    (
        "Saturday résumé clinic at the library",
        "Most of us work weekdays or have appointments. A Saturday clinic with volunteers "
        "who know how to explain a gap in work history would help people apply with "
        "confidence.",
        "community1",
        False,
        "employment",
        (4, "300", 4),
        Status.SELECTED,
        75,
    ),
    (
        "Storage lockers for people in shelters",
        "When you sleep at the shelter you carry everything you own to every interview. A "
        "few lockers would keep IDs and work clothes safe.",
        "community2",
        True,
        "housing",
        (2, "1200", 5),
        Status.SHORTLISTED,
        60,
    ),
    (
        "Peer check-in calls in the first week",
        "The first week is when people slip. A short call from someone who has been there, "
        "on day two and day five, could catch problems early.",
        "community3",
        False,
        "rehabilitation-and-recovery",
        (5, None, 6),
        Status.SHORTLISTED,
        48,
    ),
    (
        "A 'first 72 hours' card in Spanish and English",
        "The resource sheets are long. A small card with the five numbers people need in "
        "the first three days would fit in a wallet.",
        "housing",
        False,
        "housing",
        (2, "400", 3),
        Status.PROPOSED,
        55,
    ),
    (
        "ID photo day at the reentry center",
        "Getting a state ID means a trip across town for a photo. One day a month at the "
        "reentry center, with the DMV's mobile unit, would save hours.",
        "community4",
        True,
        "pre-release-preparation",
        (3, None, 4),
        Status.SHORTLISTED,
        12,
    ),
    (
        "Childcare during working-group gatherings",
        "Parents coming home miss gatherings because there is no one to watch the kids. A "
        "volunteer-run corner with toys would let them take part.",
        "community5",
        False,
        "family-support",
        (2, "200", 2),
        Status.PROPOSED,
        6,
    ),
    (
        "Phone chargers in the probation office lobby",
        "People wait a long time and their phones die, so they miss calls from employers.",
        "orgadmin",
        False,
        "employment",
        (1, "150", 1),
        Status.DROPPED,
        90,
    ),
]

COMMENTS = [
    ("community6", "I missed my first appointment for exactly this reason. Yes, please."),
    ("staff", "Our front desk could hand these out on release day."),
    ("community7", "Could it include a list of churches that serve dinner?"),
    ("housing", "We can store a few of these at our intake office."),
]
HELPERS = [
    ("community8", "I have a car on Saturdays."),
    ("community9", "I can make calls in Spanish."),
    ("staff", ""),
    ("housing", "We could host it."),
]


def _member(collaborative: Collaborative, local: str) -> Member:
    return Member.objects.select_related("user", "organization", "collaborative").get(
        collaborative=collaborative, user__email=f"{local}@{DOMAIN}"
    )


def _group(collaborative: Collaborative, area_slug: str) -> WorkingGroup | None:
    return (
        WorkingGroup.objects.filter(collaborative=collaborative, key_area__slug=area_slug)
        .order_by("pk")
        .first()
    )


def _owner(collaborative: Collaborative, n: int) -> Member:
    owners = list(
        Member.objects.filter(
            collaborative=collaborative, is_active=True, role__in=Member.EDITOR_ROLES
        )
        .select_related("organization")
        .order_by("pk")
    )
    return owners[n % len(owners)]


def _steps(collaborative: Collaborative, title: str, n: int, due_in: list[int]):
    today = timezone.localdate()
    names = [
        f"Find the money for: {title.lower()}",
        "Line up volunteers and a place",
        "Tell people coming home about it",
    ]
    steps = []
    for k, days in enumerate(due_in):
        owner = _owner(collaborative, n * 3 + k)
        steps.append(
            qw_services.Step(
                title=names[k % len(names)][:200],
                owner_member=owner,
                owner_organization=owner.organization,
                due_date=today + timedelta(days=days),
            )
        )
    return steps


def _backdate(quick_win: QuickWin, days: int, stage: str) -> None:
    """Spread the journey over the weeks since it was proposed."""
    now = timezone.now()
    proposed = now - timedelta(days=days)
    fields = {"proposed_at": proposed}
    if quick_win.shortlisted_at:
        fields["shortlisted_at"] = proposed + timedelta(days=days // 5 or 1)
    if quick_win.selected_at:
        fields["selected_at"] = proposed + timedelta(days=days // 3 or 1)
    if quick_win.started_at:
        fields["started_at"] = proposed + timedelta(days=days // 2 or 1)
    if quick_win.done_at:
        fields["done_at"] = proposed + timedelta(days=days - 14)
    if quick_win.dropped_at:
        fields["dropped_at"] = proposed + timedelta(days=days // 2 or 1)
    QuickWin.objects.filter(pk=quick_win.pk).update(**fields)


def _advance(quick_win: QuickWin, stage: str, backbone: Member, n: int) -> QuickWin:
    collaborative = backbone.collaborative
    if stage == Status.PROPOSED:
        return quick_win
    if stage == Status.DROPPED:
        return qw_services.quickwin_move(
            actor=backbone,
            quick_win=quick_win,
            status=Status.DROPPED,
            reason="The probation office put charging stations in the lobby itself. "
            "Thank you for asking them!",
        )
    quick_win = qw_services.quickwin_move(
        actor=backbone, quick_win=quick_win, status=Status.SHORTLISTED
    )
    if stage == Status.SHORTLISTED:
        return quick_win
    group = quick_win.group or whole_collaborative_group(collaborative=collaborative)
    due_in: dict[str, list[int]] = {
        Status.SELECTED: [21, 35],
        Status.IN_PROGRESS: [-9, 10, 30],
        Status.DONE: [-60, -45],
    }
    quick_win = qw_services.quickwin_select(
        actor=backbone,
        quick_win=quick_win,
        group=group,
        steps=_steps(collaborative, quick_win.title, n, due_in[stage]),
    )
    if stage == Status.SELECTED:
        return quick_win
    quick_win = qw_services.quickwin_move(
        actor=backbone, quick_win=quick_win, status=Status.IN_PROGRESS
    )
    items = ActionItem.objects.filter(priority=quick_win.priority).order_by("due_date")
    if stage == Status.IN_PROGRESS:
        first = items.first()
        if first is not None:
            ActionItem.objects.filter(pk=first.pk).update(status=ActionItem.Status.IN_PROGRESS)
        return quick_win
    items.update(status=ActionItem.Status.DONE)
    return qw_services.quickwin_move(actor=backbone, quick_win=quick_win, status=Status.DONE)


def _seed_quick_wins(collaborative: Collaborative, backbone: Member) -> dict[str, QuickWin]:
    made: dict[str, QuickWin] = {}
    organizations = {o.slug: o for o in Organization.objects.filter(collaborative=collaborative)}
    for n, (title, problem, who, anonymous, area, needs, stage, days) in enumerate(QUICK_WINS):
        existing = QuickWin.objects.filter(collaborative=collaborative, title=title).first()
        if existing is not None:
            made[title] = existing
            continue
        proposer = _member(collaborative, who)
        group = _group(collaborative, area)
        people, money, weeks = needs
        quick_win = qw_services.quickwin_propose(
            actor=proposer,
            title=title,
            problem=problem,
            people_needed=people,
            money_needed=Decimal(money) if money else None,
            weeks_needed=weeks,
            key_areas=[group.key_area] if group is not None and group.key_area else [],
            group=group,
            owner_organization=proposer.organization
            or organizations.get("fair-chance-works" if n % 2 else "second-step-housing"),
            is_anonymous=anonymous,
        )
        for author, text in COMMENTS[: 1 + n % 3]:
            if author != who:
                qw_services.quickwin_comment_add(
                    actor=_member(collaborative, author), quick_win=quick_win, text=text
                )
        for helper, note in HELPERS[: n % 4]:
            if helper != who and stage not in (Status.DONE, Status.DROPPED):
                qw_services.quickwin_helper_toggle(
                    actor=_member(collaborative, helper), quick_win=quick_win, note=note
                )
        quick_win = _advance(quick_win, stage, backbone, n)
        _backdate(quick_win, days, stage)
        made[title] = quick_win
    return made


# --- Polls ----------------------------------------------------------------------------------


def _voters(collaborative: Collaborative) -> list[Member]:
    """Everyone who may vote, people who shared their lived experience first, so that
    each poll has enough of them for the results to be split (the split is shown only
    when both sides reach the collaborative's small-number threshold)."""
    people = list(
        Member.objects.filter(collaborative=collaborative, is_active=True)
        .exclude(role=Member.Role.OBSERVER)
        .select_related("user")
        .order_by("pk")
    )
    shared = {
        m.pk
        for m in people
        if m.lived_experience in LIVED
        and m.lived_experience_visibility == m.Visibility.COLLABORATIVE
    }
    return sorted(people, key=lambda m: (m.pk not in shared, m.pk))


def _close_in_the_past(poll: Poll, backbone: Member, days_ago: int) -> None:
    polls.poll_close(actor=backbone, poll=poll)
    closed = timezone.now() - timedelta(days=days_ago)
    opened = closed - timedelta(days=7)
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=opened, opened_at=opened, closes_at=closed, closed_at=closed
    )
    Ballot.objects.filter(poll=poll).update(
        created_at=opened + timedelta(days=1), updated_at=opened + timedelta(days=2)
    )
    PollResult.objects.filter(poll=poll).update(computed_at=closed)


def _new_poll(
    backbone: Member, group: WorkingGroup, title: str, method: str, **fields
) -> Poll | None:
    if Poll.objects.filter(collaborative=group.collaborative, title=title).exists():
        return None
    now = timezone.now()
    poll = polls.poll_create(
        actor=backbone,
        group=group,
        title=title,
        method=method,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=fields.pop("days", 1)),
        electorate=Poll.Electorate.COLLABORATIVE,
        **fields,
    )
    return polls.poll_open(actor=backbone, poll=poll)


def _approval_poll(backbone, group, wins, voters, rng) -> None:
    options = [
        wins["Storage lockers for people in shelters"],
        wins["Peer check-in calls in the first week"],
        wins["A 'first 72 hours' card in Spanish and English"],
        wins["Saturday résumé clinic at the library"],
    ]
    poll = _new_poll(
        backbone,
        group,
        "Which quick wins should we take forward this season?",
        Poll.Method.APPROVAL,
        description="Tick every idea you would be glad to see us start this season.",
        quick_wins=options,
        double_majority=True,
        quorum=15,
    )
    if poll is None:
        return
    keys = [o.key for o in poll.options.order_by("position")]
    weights = [0.75, 0.6, 0.35, 0.55]
    for voter in voters:
        chosen = [k for k, w in zip(keys, weights, strict=True) if rng.random() < w]
        polls.ballot_cast(actor=voter, poll=poll, choices=chosen or [keys[0]])
    _close_in_the_past(poll, backbone, days_ago=40)


def _dots_poll(backbone, group, voters, rng) -> None:
    poll = _new_poll(
        backbone,
        group,
        "Where should this year's quick-win fund go?",
        Poll.Method.DOTS,
        description="You have 5 dots. Put up to 3 on one idea.",
        options=["Transportation", "Housing", "Jobs and training", "Family support"],
        dots_per_voter=5,
        max_dots_per_option=3,
    )
    if poll is None:
        return
    keys = [o.key for o in poll.options.order_by("position")]
    lean = [3, 4, 2, 1]
    for n, voter in enumerate(voters):
        dots: dict[str, int] = {}
        for _ in range(5):
            key = rng.choices(keys, weights=lean)[0]
            if dots.get(key, 0) < 3:
                dots[key] = dots.get(key, 0) + 1
        if n % 9 == 4 and voter.pk != backbone.pk:
            # A paper ballot collected at a gathering, typed in by backbone staff.
            polls.ballot_cast(actor=backbone, poll=poll, choices=dots, voter=voter)
        else:
            polls.ballot_cast(actor=voter, poll=poll, choices=dots)
    _close_in_the_past(poll, backbone, days_ago=25)


def _irv_poll(backbone, group, voters) -> None:
    # Topics, not quick wins: the quick wins above were proposed after this poll closed.
    poll = _new_poll(
        backbone,
        group,
        "Which two topics should this year's community forums cover?",
        Poll.Method.IRV,
        description="Put the topics in order: your favourite first. Rank as many as you like.",
        options=[
            "Finding a place to live",
            "Jobs and training",
            "Getting an ID and documents",
            "Family visits and reunification",
            "Health coverage and treatment",
        ],
        seats=2,
    )
    if poll is None:
        return
    home, jobs, ids, family, health = (o.key for o in poll.options.order_by("position"))
    # First preferences split five ways so that no one has a majority: the count takes
    # several rounds, and some short ballots run out (exhausted).
    patterns = [
        [home, jobs, health],
        [jobs, home],
        [ids, jobs, home],
        [family, health, home],
        [health, family],
        [home, health],
        [jobs, ids],
        [home, family, jobs],
        [ids, home],
        [jobs, health, home],
        [health, home, jobs],
    ]
    for n, voter in enumerate(voters):
        polls.ballot_cast(actor=voter, poll=poll, choices=patterns[n % len(patterns)])
    _close_in_the_past(poll, backbone, days_ago=130)


def _open_poll(backbone, group, wins, voters, rng) -> None:
    poll = _new_poll(
        backbone,
        group,
        "Which shortlisted quick win comes next?",
        Poll.Method.APPROVAL,
        description="Tick every one you support. Results stay hidden until the poll closes.",
        quick_wins=[
            wins["Storage lockers for people in shelters"],
            wins["Peer check-in calls in the first week"],
            wins["ID photo day at the reentry center"],
        ],
        days=4,
    )
    if poll is None:
        return
    keys = [o.key for o in poll.options.order_by("position")]
    keep_free = {f"community@{DOMAIN}", f"staff@{DOMAIN}", f"backbone@{DOMAIN}"}
    for n, voter in enumerate(voters[: len(voters) // 2]):
        if voter.user.email in keep_free:
            continue
        chosen = [k for k in keys if rng.random() < 0.5] or [keys[n % len(keys)]]
        polls.ballot_cast(actor=voter, poll=poll, choices=chosen)


@transaction.atomic
def seed_quickwins(collaborative: Collaborative) -> int:
    """Create (or complete) the demo quick wins and polls. Returns how many quick wins."""
    backbone = _member(collaborative, "backbone")
    wins = _seed_quick_wins(collaborative, backbone)
    group = whole_collaborative_group(collaborative=collaborative)
    voters = _voters(collaborative)
    rng = random.Random(6)  # noqa: S311 - invented demo ballots, not a secret
    _approval_poll(backbone, group, wins, voters[:44], rng)
    _dots_poll(backbone, group, voters[:38], rng)
    _irv_poll(backbone, group, voters[:33])
    _open_poll(backbone, group, wins, voters, rng)
    return len(wins)
