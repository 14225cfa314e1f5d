"""Benchmark: the directory search page's queries at 2,000 organizations and 10,000 services.

    createdb -h 127.0.0.1 -U postgres reentry_directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reentry_directory \\
    .venv/bin/python bench/directory_search.py

Builds (once; --rebuild to start again) one collaborative "bench-directory" with ten key
areas, six sectors, ``--organizations`` organizations (a third public) and ``--services``
services with key areas, languages, eligibility rules and opening hours, ANALYZEs, then
times what one directory page runs — the language list, the count and one page of 25 cards
with their key areas and languages (``stakeholders.directory.selectors``: the same functions the
view calls) — for a member and for the public, under several filters. Each figure is the
median (and the slowest) of ``--runs`` runs, with the number of queries. PostgreSQL only.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from stakeholders.directory.selectors import (  # noqa: E402
    PAGE_SIZE,
    listed_language_codes,
    listed_services,
    search_services,
)
from stakeholders.models import (  # noqa: E402
    Collaborative,
    KeyArea,
    Language,
    Member,
    Organization,
    RegularSchedule,
    Sector,
    Service,
    ServiceCriterion,
    User,
)
from stakeholders.seeds import DEFAULT_KEY_AREAS  # noqa: E402

SLUG = "bench-directory"
WORDS = [
    "housing", "rent", "deposit", "shelter", "job", "training", "resume", "recovery",
    "counseling", "clinic", "rides", "bus", "family", "mentor", "ID", "benefits", "food",
]  # fmt: skip
LANGUAGES = [("English", "en"), ("Spanish", "es"), ("Vietnamese", "vi"), ("Arabic", "ar")]
RULES = [
    ("document", "state_id", "requires"),
    ("document", "social_security_card", "requires"),
    ("supervision", "parole", "excludes"),
    ("conviction", "sex_offense_registry", "excludes"),
    ("conviction", "arson", "excludes"),
]
SCENARIOS = [
    ("everything, by name", {}),
    ("search 'rent'", {"q": "rent"}),
    ("search 'job training'", {"q": "job training"}),
    ("key area + Spanish", {"key_area": "housing", "language": "es"}),
    ("sector", {"sector": "sector-2"}),
    ("3 eligibility flags", {"eligibility": ["no-state-id", "parole", "sex-offense"]}),
    ("referrals + open now", {"referrals": True, "open_now": True}),
    ("all filters", {
        "q": "help", "key_area": "housing", "language": "es", "referrals": True,
        "eligibility": ["no-state-id"], "open_now": True,
    }),
    ("recently verified", {"sort": "verified"}),
]  # fmt: skip


def refuse_sqlite() -> None:
    if connection.vendor != "postgresql":
        sys.exit(
            "This benchmark needs PostgreSQL (it measures the production query plans). "
            "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> and run it again."
        )


@transaction.atomic
def build(n_orgs: int, n_services: int) -> Collaborative:
    rng = random.Random(4)
    Collaborative.objects.filter(slug=SLUG).delete()
    collab = Collaborative.objects.create(name="Bench directory", slug=SLUG)
    areas = KeyArea.objects.bulk_create(
        KeyArea(collaborative=collab, name=name, slug=slugify(name), order=i)
        for i, (name, _d) in enumerate(DEFAULT_KEY_AREAS)
    )
    sectors = [
        Sector.objects.create(collaborative=collab, name=f"Sector {i}", slug=f"sector-{i}")
        for i in range(6)
    ]
    orgs = Organization.objects.bulk_create(
        Organization(
            collaborative=collab,
            sector=sectors[i % len(sectors)],
            name=f"Organization {i}",
            slug=f"organization-{i}",
            sharing_level="public" if i % 3 == 0 else "collaborative",
        )
        for i in range(n_orgs)
    )
    today = timezone.localdate()
    services = Service.objects.bulk_create(
        Service(
            organization=orgs[i % n_orgs],
            collaborative=collab,
            name=" ".join(rng.sample(WORDS, 2)).capitalize() + f" {i}",
            description=" ".join(rng.choices(WORDS, k=12)) + " help for people coming home",
            accepts_referrals=rng.random() < 0.4,
            status="active" if rng.random() < 0.95 else "inactive",
            last_verified_at=(
                today - timedelta(days=rng.randint(0, 400)) if rng.random() < 0.8 else None
            ),
        )
        for i in range(n_services)
    )
    through = Service.key_areas.through
    through.objects.bulk_create(
        through(service_id=s.pk, keyarea_id=area.pk)
        for s in services
        for area in rng.sample(areas, rng.choice([1, 1, 2]))
    )
    Language.objects.bulk_create(
        Language(
            service=s,
            organization_id=s.organization_id,
            collaborative=collab,
            language=name,
            code=code,
        )
        for s in services
        for name, code in [LANGUAGES[0], *rng.sample(LANGUAGES[1:], rng.choice([0, 0, 1, 2]))]
    )
    ServiceCriterion.objects.bulk_create(
        ServiceCriterion(service=s, kind=kind, value=value, rule=rule)
        for s in services
        for kind, value, rule in rng.sample(RULES, rng.choice([0, 0, 1, 2]))
    )
    RegularSchedule.objects.bulk_create(
        RegularSchedule(
            service=s,
            organization_id=s.organization_id,
            collaborative=collab,
            weekday=day,
            opens_at=clock(rng.choice([8, 9, 10])),
            closes_at=clock(rng.choice([16, 17, 20])),
        )
        for s in services
        for day in (range(1, 6) if rng.random() < 0.8 else (6, 7))
    )
    user, _created = User.objects.get_or_create(
        email="bench-member@bench.example.org", defaults={"name": "Bench member"}
    )
    Member.objects.update_or_create(
        user=user, collaborative=collab, defaults={"role": Member.Role.COMMUNITY}
    )
    return collab


def one_page(viewer, collab: Collaborative, asked: dict, key_areas, sectors, page: int) -> int:
    listed = listed_services(viewer, collab)
    listed_language_codes(listed)
    results = search_services(
        listed, asked, key_areas=key_areas, sectors=sectors, time_zone=collab.time_zone
    )
    found = Paginator(results, PAGE_SIZE).get_page(page)
    cards = list(found.object_list)
    for card in cards:  # what the template reads
        list(card.key_areas.all())
        list(card.languages.all())
    return found.paginator.count


def measure(viewer, collab, asked, runs: int, page: int = 1) -> tuple[float, float, int, int]:
    key_areas = list(collab.key_areas.all())
    sectors = list(collab.sectors.all())
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            count = one_page(viewer, collab, asked, key_areas, sectors, page)
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings), len(ctx.captured_queries), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--organizations", type=int, default=2000)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    refuse_sqlite()
    call_command("migrate", verbosity=0)
    collab = Collaborative.objects.filter(slug=SLUG).first()
    if (
        args.rebuild
        or collab is None
        or Service.objects.filter(collaborative=collab).count() != args.services
    ):
        print(f"Building {args.organizations:,} organizations and {args.services:,} services…")
        start = time.perf_counter()
        collab = build(args.organizations, args.services)
        print(f"  built in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    member = User.objects.get(email="bench-member@bench.example.org")
    viewers = [("member", member), ("public", AnonymousUser())]
    print(
        f"\nDirectory page at {Organization.objects.filter(collaborative=collab).count():,} "
        f"organizations, {Service.objects.filter(collaborative=collab).count():,} services "
        f"(median / slowest of {args.runs} runs; queries per page)\n"
    )
    print(f"{'filters':<24} {'viewer':<7} {'matches':>8} {'median ms':>10} {'max ms':>8} {'q':>3}")
    for label, asked in SCENARIOS:
        for who, viewer in viewers:
            median, slowest, queries, count = measure(viewer, collab, asked, args.runs)
            print(f"{label:<24} {who:<7} {count:>8,} {median:>10.1f} {slowest:>8.1f} {queries:>3}")
    median, slowest, queries, count = measure(member, collab, {}, args.runs, page=200)
    print(f"{'page 200 of everything':<24} {'member':<7} {count:>8,} {median:>10.1f} "
          f"{slowest:>8.1f} {queries:>3}")  # fmt: skip


if __name__ == "__main__":
    main()
