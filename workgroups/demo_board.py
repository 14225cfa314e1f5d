"""Demo action plans for the board and the key-area pages: ranked priorities with items
spread across every status, owners from other sectors than the group's, one deliberate
overlap between two groups (landlord recruitment, in Housing), a few overdue items and
items nobody owns yet, and two partner initiatives linked to groups, priorities and
items. Idempotent: priorities, items and initiatives are keyed by their titles."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from stakeholders.models import Collaborative, KeyArea, Member
from workgroups.models import (
    ActionItem,
    ActionPlan,
    PartnerInitiative,
    Priority,
    Update,
    WorkingGroup,
)

# key-area slug of the group -> [(priority, [(item, status, days until due, owner?, area)])]
# owner: True for someone from another sector, False for nobody yet. area: the item's
# key-area slug when it differs from its group's.
PLANS: dict[str, list[tuple[str, list[tuple[Any, ...]]]]] = {
    "housing": [
        (
            "More fair-chance landlords",
            [
                ("Recruit fair-chance landlords for returning citizens", "in_progress", 30),
                ("Write a landlord guide to renting to returning citizens", "not_started", 60),
                ("Hold a landlord breakfast with the housing authority", "done", -40),
            ],
        ),
        (
            "No one released to the street",
            [
                ("Count transitional beds every week", "blocked", -12),
                ("Set up an emergency bed line for release days", "not_started", 20, False),
            ],
        ),
    ],
    "pre-release-preparation": [
        (
            "A place to sleep on the first night",
            [
                ("Recruit landlords for fair-chance housing", "not_started", 45, True, "housing"),
                ("Add a housing question to the release checklist", "in_progress", -5),
            ],
        ),
        (
            "Identification before release",
            [
                ("State ID for everyone leaving the county jail", "in_progress", 25),
                ("Birth certificates paid for by the reentry fund", "done", -60),
            ],
        ),
    ],
    "employment": [
        (
            "Fair-chance hiring",
            [
                ("Sign up ten fair-chance employers", "in_progress", 40),
                ("Job fair at the workforce center", "not_started", 75),
                ("Summer jobs for young people with a parent inside", "blocked", -8, False),
            ],
        ),
    ],
    "family-support": [
        (
            "Children stay connected to a parent inside",
            [
                ("Free video visits at the library", "in_progress", 15),
                ("Homework help for children of incarcerated parents", "not_started", 50),
            ],
        ),
    ],
    "transportation": [
        (
            "Getting to supervision and work",
            [
                ("Bus passes for the first 30 days", "done", -30),
                ("Driver's licence reinstatement clinic", "blocked", -20),
            ],
        ),
    ],
}

PARTNERS = [
    {
        "name": "Cedar River Cradle to Career",
        "focus": PartnerInitiative.Focus.EDUCATION,
        "description": (
            "The county's education partnership: schools, libraries and families working "
            "so every child reads by third grade and finishes high school. Children of "
            "incarcerated parents are one of its focus groups."
        ),
        "contact_name": "Monique Harris",
        "contact_email": "monique@cradletocareer.example.org",
        "contact_phone": "(319) 555-0142",
        "website": "https://cradletocareer.example.org",
        "groups": ["family-support", "prevention"],
        "priorities": ["Children stay connected to a parent inside"],
        "items": ["Homework help for children of incarcerated parents"],
    },
    {
        "name": "Youth Works Summer Jobs",
        "focus": PartnerInitiative.Focus.YOUTH_EMPLOYMENT,
        "description": (
            "A city-wide summer jobs program for 16 to 24 year olds, run with employers "
            "and the workforce board. A first job keeps young people out of the system."
        ),
        "contact_name": "Daniel Okafor",
        "contact_email": "daniel@youthworks.example.org",
        "contact_phone": "(319) 555-0188",
        "website": "https://youthworks.example.org",
        "groups": ["employment", "prevention"],
        "priorities": ["Fair-chance hiring"],
        "items": [
            "Summer jobs for young people with a parent inside",
            "Job fair at the workforce center",
        ],
    },
]


@transaction.atomic
def seed_board(collaborative: Collaborative) -> int:
    """Add the demo priorities, items and partner initiatives. Returns how many items."""
    today = timezone.localdate()
    groups = {
        g.key_area.slug: g
        for g in WorkingGroup.objects.filter(
            collaborative=collaborative, key_area__isnull=False, is_whole_collaborative=False
        ).select_related("key_area")
        if g.key_area is not None  # always, given the filter; for the type
    }
    areas = {a.slug: a for a in KeyArea.objects.filter(collaborative=collaborative)}
    owners = list(
        Member.objects.filter(
            collaborative=collaborative, is_active=True, role__in=Member.EDITOR_ROLES
        )
        .select_related("organization__sector")
        .order_by("user__email")
    )
    backbone = Member.objects.filter(collaborative=collaborative, role=Member.Role.BACKBONE).first()
    priorities: dict[str, Priority] = {}
    items: dict[str, ActionItem] = {}
    n = 0
    for area_slug, plan_spec in PLANS.items():
        group = groups.get(area_slug)
        if group is None:
            continue
        plan, _created = ActionPlan.objects.get_or_create(
            group=group, period=str(today.year), defaults={"title": f"{group.name} plan"}
        )
        if not plan.summary:
            plan.summary = group.charter
            plan.save(update_fields=["summary"])
        # Other sectors than the chairs' own: mutually reinforcing activities.
        chair_sectors = set(
            group.memberships.filter(role__in=["chair", "cochair"]).values_list(
                "member__organization__sector_id", flat=True
            )
        )
        others = [
            m
            for m in owners
            if m.organization is not None and m.organization.sector_id not in chair_sectors
        ] or owners
        for rank, (title, specs) in enumerate(plan_spec, start=2):
            priority, _ = Priority.objects.get_or_create(
                plan=plan, title=title, defaults={"rank": rank}
            )
            priorities[title] = priority
            for spec in specs:
                item_title, status, days = spec[:3]
                owned = spec[3] if len(spec) > 3 else True
                area = areas.get(spec[4]) if len(spec) > 4 else group.key_area
                owner = others[n % len(others)] if owned else None
                n += 1
                item, created = ActionItem.objects.get_or_create(
                    group=group,
                    title=item_title,
                    defaults={
                        "collaborative_id": collaborative.pk,
                        "priority": priority,
                        "key_area": area,
                        "owner_member": owner,
                        "owner_organization": owner.organization if owner else None,
                        "due_date": today + timedelta(days=days),
                        "status": status,
                        "created_by": backbone,
                    },
                )
                items[item_title] = item
                if created and status != "not_started" and owner is not None:
                    Update.objects.create(
                        item=item,
                        author=owner,
                        text=UPDATE_TEXT[status],
                        created_at=timezone.now() - timedelta(days=5 + n % 9),
                    )
    for partner in PARTNERS:
        initiative, created = PartnerInitiative.objects.get_or_create(
            collaborative=collaborative,
            name=partner["name"],
            defaults={
                k: partner[k]
                for k in (
                    "focus",
                    "description",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "website",
                )
            },
        )
        if created:
            initiative.groups.set([groups[s] for s in partner["groups"] if s in groups])
            initiative.priorities.set(
                [priorities[t] for t in partner["priorities"] if t in priorities]
            )
            initiative.action_items.set([items[t] for t in partner["items"] if t in items])
    return len(items)


UPDATE_TEXT = {
    "in_progress": "Started: first calls made, two partners said yes. Next: a date.",
    "blocked": "Stuck: waiting on the county to answer. Raised it with the backbone team.",
    "done": "Done. Thanks to everyone who helped; notes shared with the group.",
}
