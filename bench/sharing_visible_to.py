"""Benchmark: visible_to / visible_through at a million rows, beside hand-written SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reentry_sharing \\
    DJANGO_SETTINGS_MODULE=tests.settings \\
    .venv/bin/python bench/sharing_visible_to.py --rows 1000000

Builds (once; --rebuild to start again) ~3 collaboratives, ~10 sectors, ~300
organizations, ~2,000 people, ~20,000 Folders at mixed levels with realistic grants
and ``--rows`` Notes, ANALYZEs, then times for several people (median of --runs)
the latest 50 Notes and the count through ``Note.objects.visible_through("folder",
user)`` beside the same query written by hand, and guardian's
``get_objects_for_user`` at the Folder level. PostgreSQL only.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from guardian.shortcuts import get_objects_for_user  # noqa: E402

from reentry.sharing.groups import sync_user_groups  # noqa: E402
from reentry.sharing.levels import SharingLevel as L  # noqa: E402
from stakeholders.models import Collaborative, Member, Organization, Sector, User  # noqa: E402
from tests.sharingapp.models import Folder, FolderGroupObjectPermission, Note  # noqa: E402

R = Member.Role
BENCH_DOMAIN = "bench.example.org"

HAND_SQL = """
SELECT n.id, n.folder_id, n.body, n.created
FROM sharingapp_note n
WHERE n.folder_id IN (
    SELECT f.id
    FROM sharingapp_folder f
    WHERE f.sharing_level = 'public'
       OR f.owner_id IN (SELECT m.organization_id FROM stakeholders_member m
                         WHERE m.user_id = %(user)s AND m.is_active)
       OR (f.sharing_level = 'collaborative'
           AND f.owner_id IN (SELECT o.id FROM stakeholders_organization o
                              WHERE o.collaborative_id IN (
                                  SELECT m.collaborative_id FROM stakeholders_member m
                                  WHERE m.user_id = %(user)s AND m.is_active)))
       OR (f.sharing_level IN ('sector', 'shared')
           AND f.id IN (SELECT g.content_object_id
                        FROM sharingapp_foldergroupobjectpermission g
                        WHERE g.permission_id = %(perm)s
                          AND g.group_id IN (SELECT ug.group_id FROM stakeholders_user_groups ug
                                             WHERE ug.user_id = %(user)s)))
)
"""
HAND_LATEST = HAND_SQL + "ORDER BY n.created DESC LIMIT 50"
HAND_COUNT = "SELECT count(*) FROM (" + HAND_SQL + ") t"


def refuse_sqlite() -> None:
    if connection.vendor != "postgresql":
        sys.exit(
            "This benchmark needs PostgreSQL (it measures the production query plans). "
            "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> and run it again."
        )


def wipe() -> None:
    tables = [
        m._meta.db_table
        for m in (Note, FolderGroupObjectPermission, Folder, Member, Organization, Sector)
    ]
    tables += [Collaborative._meta.db_table, User._meta.db_table, "auth_group"]
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def build(rows: int, rnd: random.Random) -> None:
    t0 = time.perf_counter()
    collabs = [Collaborative.objects.create(name=f"Bench {i}", slug=f"bench-{i}") for i in range(3)]
    sectors_per = [4, 3, 3]
    sectors = {
        c.pk: [
            Sector.objects.create(collaborative=c, name=f"Sector {j}", slug=f"s{j}")
            for j in range(n)
        ]
        for c, n in zip(collabs, sectors_per, strict=True)
    }
    orgs_per = [150, 100, 50]
    orgs: dict[int, list[Organization]] = {}
    for c, n in zip(collabs, orgs_per, strict=True):
        orgs[c.pk] = [
            Organization.objects.create(
                collaborative=c,
                sector=sectors[c.pk][j % len(sectors[c.pk])],
                name=f"Org {c.pk}-{j}",
                slug=f"org-{j}",
            )
            for j in range(n)
        ]
    all_orgs = [o for os_ in orgs.values() for o in os_]
    # Organization sizes follow a long tail; org 0 of collaborative 0 is the big one.
    weights = [1.0 / (1 + i) ** 0.8 for i in range(len(all_orgs))]

    users = User.objects.bulk_create(
        [
            User(email=f"p{i}@{BENCH_DOMAIN}", name=f"Person {i}", password="!")  # noqa: S106
            for i in range(2000)
        ],
        batch_size=1000,
    )
    members: list[Member] = []
    for u in users:
        role = rnd.choices(
            [R.ORG_ADMIN, R.PROVIDER_STAFF, R.COMMUNITY, R.OBSERVER, R.BACKBONE],
            [10, 55, 25, 5, 5],
        )[0]
        if role in Member.ORG_ROLES:
            org = rnd.choices(all_orgs, weights)[0]
            collab_id = org.collaborative_id
        else:
            org, collab_id = None, rnd.choice(collabs).pk
        members.append(
            Member(
                user=u,
                collaborative_id=collab_id,
                role=role,
                organization=org,
                is_active=rnd.random() > 0.05,
            )
        )
    # The person with many groups: staff of an organization in every collaborative.
    many = users[-1]
    members = [m for m in members if m.user_id != many.pk]
    members += [
        Member(user=many, collaborative=c, role=R.PROVIDER_STAFF, organization=orgs[c.pk][3])
        for c in collabs
    ]
    Member.objects.bulk_create(members, batch_size=2000)
    org_by_pk = {o.pk: o for o in all_orgs}
    sector_group = {s.pk: s.group_id for ss in sectors.values() for s in ss}
    collab_group = {c.pk: c.group_id for c in collabs}
    through = User.groups.through
    links = set()
    for m in members:
        if not m.is_active:
            continue
        links.add((m.user_id, collab_group[m.collaborative_id]))
        if m.organization_id:
            org = org_by_pk[m.organization_id]
            links.add((m.user_id, org.group_id))
            links.add((m.user_id, sector_group[org.sector_id]))
    through.objects.bulk_create([through(user_id=u, group_id=g) for u, g in links], batch_size=5000)
    print(f"  people and organizations: {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    levels = [L.PRIVATE, L.SECTOR, L.SHARED, L.COLLABORATIVE, L.PUBLIC]
    folders = []
    for i in range(20_000):
        owner = rnd.choices(all_orgs, weights)[0]
        folders.append(
            Folder(
                owner=owner,
                title=f"Folder {i}",
                public_id=uuid.uuid4(),
                sharing_level=rnd.choices(levels, [40, 20, 15, 20, 5])[0],
            )
        )
    Folder.objects.bulk_create(folders, batch_size=5000)
    view = Folder.grant_model()._meta.get_field("permission").related_model.objects
    view_perm = view.get(codename="view_folder", content_type__app_label="sharingapp")
    change_perm = view.get(codename="change_folder", content_type__app_label="sharingapp")
    grants = []
    for f in folders:
        owner = org_by_pk[f.owner_id]
        if f.sharing_level == L.SECTOR:
            grants.append((f, view_perm, sector_group[owner.sector_id]))
        elif f.sharing_level == L.SHARED:
            here_orgs = orgs[owner.collaborative_id]
            here_sectors = sectors[owner.collaborative_id]
            targets = {
                (
                    rnd.choice(here_orgs).group_id
                    if rnd.random() < 0.7
                    else sector_group[rnd.choice(here_sectors).pk]
                )
                for _ in range(rnd.randint(1, 6))
            }
            grants += [(f, view_perm, g) for g in targets]
            if rnd.random() < 0.1:
                grants.append((f, change_perm, next(iter(targets))))
    FolderGroupObjectPermission.objects.bulk_create(
        [
            FolderGroupObjectPermission(content_object=f, permission=p, group_id=g)
            for f, p, g in grants
        ],
        batch_size=5000,
    )
    print(f"  {len(folders):,} folders, {len(grants):,} grants: {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO sharingapp_note (folder_id, body, created)
            SELECT ids[1 + floor(random() * array_length(ids, 1))::int],
                   'Note ' || g,
                   now() - random() * interval '1095 days'
            FROM (SELECT array_agg(id) AS ids FROM sharingapp_folder) a,
                 generate_series(1, %s) g
            """,
            [rows],
        )
    print(f"  {rows:,} notes: {time.perf_counter() - t0:.1f} s")


def median_ms(fn, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def alternating_ms(fns: dict, runs: int) -> dict[str, float]:
    """Median ms of each function, run in alternating rounds (one of each per round), so
    that a change in the machine's load falls on every side alike."""
    for fn in fns.values():
        fn()  # warm up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    return {name: statistics.median(ts) for name, ts in times.items()}


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def pick_people() -> list[tuple[str, User]]:
    big_org = Organization.objects.filter(collaborative__slug="bench-0").order_by("pk").first()
    staff = (
        Member.objects.filter(organization=big_org, role=R.PROVIDER_STAFF, is_active=True)
        .select_related("user")
        .first()
    )
    community = (
        Member.objects.filter(role=R.COMMUNITY, is_active=True, user__email__endswith=BENCH_DOMAIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    many = (
        User.objects.filter(email__endswith=BENCH_DOMAIN)
        .annotate(n=django.db.models.Count("groups"))
        .order_by("-n", "pk")
        .first()
    )
    people = [
        (f"staff of the biggest org ({big_org.members.count()} people)", staff.user),
        ("community member, no org", community.user),
        (f"member of 3 collaboratives ({many.n} groups)", many),
    ]
    for _label, user in people:
        before = set(user.groups.values_list("pk", flat=True))
        sync_user_groups(user)  # the built groups must be exactly what sync would give
        assert before == set(user.groups.values_list("pk", flat=True))  # noqa: S101
    return people


def measure(people, runs: int) -> list[dict]:
    perm_id = (
        FolderGroupObjectPermission._meta.get_field("permission")
        .related_model.objects.get(codename="view_folder", content_type__app_label="sharingapp")
        .pk
    )
    results = []
    for label, user in people:
        params = {"user": user.pk, "perm": perm_id}

        def orm_latest(user=user):
            return list(Note.objects.visible_through("folder", user).order_by("-created")[:50])

        def orm_count(user=user):
            return Note.objects.visible_through("folder", user).count()

        latest_sql = Note.objects.visible_through("folder", user).order_by("-created")[:50]
        orm_sql, orm_params = latest_sql.query.sql_with_params()

        def orm_sql_only(orm_sql=orm_sql, orm_params=orm_params):
            with connection.cursor() as cur:
                cur.execute(orm_sql, orm_params)
                return cur.fetchall()

        def sql_latest(params=params):
            with connection.cursor() as cur:
                cur.execute(HAND_LATEST, params)
                return cur.fetchall()

        def sql_count(params=params):
            with connection.cursor() as cur:
                cur.execute(HAND_COUNT, params)
                return cur.fetchone()[0]

        def guardian_folders(user=user):
            return get_objects_for_user(
                user, "sharingapp.view_folder", klass=Folder, accept_global_perms=False
            ).count()

        def orm_folders(user=user):
            return Folder.objects.visible_to(user).count()

        assert [n.id for n in orm_latest()] == [r[0] for r in sql_latest()]  # noqa: S101
        assert orm_count() == sql_count()  # noqa: S101
        latest = alternating_ms(
            {"orm_latest": orm_latest, "sql_latest": sql_latest, "orm_sql_latest": orm_sql_only},
            runs,
        )
        counts = alternating_ms({"orm_count": orm_count, "sql_count": sql_count}, runs)
        results.append(
            {
                "label": label,
                "count": orm_count(),
                "folders": orm_folders(),
                "granted": guardian_folders(),
                **latest,
                **counts,
                "q_latest": queries_of(orm_latest),
                "q_count": queries_of(orm_count),
                "orm_folders": median_ms(orm_folders, runs),
                "guardian": median_ms(guardian_folders, runs),
            }
        )
    return results


def print_table(results, runs: int) -> None:
    print()
    print(f"median of {runs} alternating rounds, ms; ratio = ORM / hand-written SQL (goal < 2)")
    head = f"{'person':<40} {'visible':>9} | {'latest 50':^25} | {'count':^25} | queries"
    print(head)
    print(
        f"{'':<40} {'notes':>9} | {'ORM':>7} {'SQL':>7} {'ratio':>7}   "
        f"| {'ORM':>7} {'SQL':>7} {'ratio':>7}   | "
    )
    print("-" * len(head))
    for r in results:
        print(
            f"{r['label']:<40} {r['count']:>9,} | "
            f"{r['orm_latest']:>7.1f} {r['sql_latest']:>7.1f} "
            f"{r['orm_latest'] / r['sql_latest']:>7.2f}   | "
            f"{r['orm_count']:>7.1f} {r['sql_count']:>7.1f} "
            f"{r['orm_count'] / r['sql_count']:>7.2f}   | "
            f"{r['q_latest']} and {r['q_count']}"
        )
    print()
    print("The ORM's latest-50 time is mostly Python (building and compiling the queryset);")
    print("its SQL alone, run through a cursor:")
    for r in results:
        print(
            f"{r['label']:<40} {r['orm_sql_latest']:>7.1f} ms "
            f"(ratio {r['orm_sql_latest'] / r['sql_latest']:.2f} to the hand-written SQL)"
        )
    print()
    print("Folder level: Folder.objects.visible_to(user).count() vs guardian get_objects_for_user")
    print("(guardian sees only the grants: no owner, collaborative or public levels)")
    print(f"{'person':<40} {'visible':>8} {'ms':>7} | {'granted':>8} {'guardian ms':>12} {'x':>6}")
    for r in results:
        print(
            f"{r['label']:<40} {r['folders']:>8,} {r['orm_folders']:>7.1f} | "
            f"{r['granted']:>8,} {r['guardian']:>12.1f} {r['guardian'] / r['orm_folders']:>6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Notes to build")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query")
    parser.add_argument("--rebuild", action="store_true", help="wipe and build the data again")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    refuse_sqlite()
    call_command("migrate", verbosity=0)
    have = Note.objects.count()
    if args.rebuild or have != args.rows:
        print(f"Building the data ({args.rows:,} notes)...")
        wipe()
        with transaction.atomic():
            build(args.rows, random.Random(args.seed))
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        print(f"Reusing the data already built ({have:,} notes); --rebuild to start again.")
    print(
        f"{Folder.objects.count():,} folders, {FolderGroupObjectPermission.objects.count():,} "
        f"grants, {User.objects.count():,} people, {Organization.objects.count()} organizations, "
        f"{Note.objects.count():,} notes; PostgreSQL {connection.pg_version // 10000}"
    )
    people = pick_people()
    print_table(measure(people, args.runs), args.runs)


if __name__ == "__main__":
    main()
