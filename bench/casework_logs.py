"""Benchmark: the service-log list and the referral inbox at 2,000,000 service logs.

    createdb -h 127.0.0.1 -U postgres reentry_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reentry_bench \\
    DJANGO_SETTINGS_MODULE=tests.settings \\
    .venv/bin/python bench/casework_logs.py --logs 2000000 --referrals 200000
    dropdb -h 127.0.0.1 -U postgres reentry_bench

Builds (once; --rebuild to start again) one collaborative with ten key areas, six
sectors, 200 organizations (the first serves a tenth of everyone: the busy one), one
caseworker per organization, participants and their enrolments, ``--logs`` service logs
(ten per enrolment, over two years), consents and ``--referrals`` referrals at every step,
all with ``generate_series`` in SQL, then ANALYZEs. It times, as the busy organization's
caseworker (median of ``--runs``):

- the service-log list page (``/c/<slug>/casework/logs/``) through Django's test client:
  the whole server time (session, membership, the keyset page, the template, the audit
  events of the reads), page one, an older page, and filtered by key area;
- the same page's query alone (``selectors.own_logs`` + keyset) and the same rows by
  hand-written SQL, with the ratio;
- the referral inbox's query (``Referral.objects.visible_to(user).filter(to_organization=…,
  status__in=WAITING_STATUSES).select_related(…).order_by("-sent_at")[:25]``) beside the
  hand-written SQL. The inbox page is another change's; its query is the one measured here.

PostgreSQL only: the point is PostgreSQL's plans.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
)

from casework.models import Referral, ServiceLog  # noqa: E402
from casework.selectors import logs as selectors  # noqa: E402
from stakeholders.models import (  # noqa: E402
    Collaborative,
    KeyArea,
    Member,
    Organization,
    Sector,
    User,
)

SLUG = "bench-casework"
BENCH_DOMAIN = "bench-casework.example.org"
ORGANIZATIONS = 200
LOGS_PER_ENROLMENT = 10

TOP_UP = """
INSERT INTO casework_servicelog (public_id, collaborative_id, organization_id, enrolment_id,
    participant_id, key_area_id, delivered_on, duration_minutes, outcome, notes, created_at)
SELECT gen_random_uuid(), e.collaborative_id, e.organization_id, e.id, e.participant_id,
       (SELECT id FROM stakeholders_keyarea WHERE collaborative_id = e.collaborative_id
        ORDER BY id LIMIT 1),
       current_date - (random() * 730)::int, 30, 'completed', 'Extra', now()
FROM casework_enrolment e
ORDER BY e.id
LIMIT greatest(0, %(logs)s - (SELECT count(*) FROM casework_servicelog))
"""

HAND_LOGS = """
SELECT l.id, l.public_id, l.delivered_on, l.duration_minutes, l.outcome, l.notes,
       p.code, k.name, s.name, i.given_name, i.family_name
FROM casework_servicelog l
JOIN casework_participant p ON p.id = l.participant_id
JOIN stakeholders_keyarea k ON k.id = l.key_area_id
LEFT JOIN stakeholders_service s ON s.id = l.service_id
LEFT JOIN casework_identity i ON i.enrolment_id = l.enrolment_id
WHERE l.organization_id = %(org)s AND l.collaborative_id = %(collab)s
ORDER BY l.delivered_on DESC, l.id DESC
LIMIT 26
"""

HAND_INBOX = """
SELECT r.id, r.public_id, r.status, r.sent_at, r.reason, p.code, f.name, k.name
FROM casework_referral r
JOIN casework_consent c ON c.id = r.consent_id
JOIN casework_participant p ON p.id = r.participant_id
LEFT JOIN stakeholders_organization f ON f.id = r.from_organization_id
JOIN stakeholders_keyarea k ON k.id = r.key_area_id
WHERE r.to_organization_id = %(org)s
  AND r.status IN ('sent', 'info_requested')
  AND (r.from_organization_id = %(org)s
       OR (c.revoked_at IS NULL AND c.starts_on <= %(today)s AND c.ends_on >= %(today)s
           AND c.shares_referrals
           AND EXISTS (SELECT 1 FROM casework_consent_key_areas ck
                       WHERE ck.consent_id = c.id AND ck.keyarea_id = r.key_area_id)
           AND (EXISTS (SELECT 1 FROM casework_consent_recipient_organizations co
                        WHERE co.consent_id = c.id AND co.organization_id = %(org)s)
                OR EXISTS (SELECT 1 FROM casework_consent_recipient_sectors cs
                           WHERE cs.consent_id = c.id AND cs.sector_id = %(sector)s))
           AND (c.shares_part2 OR NOT EXISTS (SELECT 1 FROM casework_part2program pp
                                              WHERE pp.organization_id = c.organization_id))))
ORDER BY r.sent_at DESC
LIMIT 25
"""


def refuse_sqlite() -> None:
    if connection.vendor != "postgresql":
        sys.exit(
            "This benchmark needs PostgreSQL (it measures the production query plans). "
            "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> and run it again."
        )


def wipe() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE casework_referralevent, casework_referral, casework_consent_key_areas, "
            "casework_consent_recipient_organizations, casework_consent_recipient_sectors, "
            "casework_consent, casework_servicelog, casework_identity, "
            "casework_enrolment_needs, casework_enrolment, casework_participant, "
            "audit_auditevent, stakeholders_member, stakeholders_organization, "
            "stakeholders_sector, stakeholders_keyarea, stakeholders_collaborative, "
            "stakeholders_user RESTART IDENTITY CASCADE"
        )


def build(logs: int, referrals: int) -> None:
    enrolments = logs // LOGS_PER_ENROLMENT
    participants = int(enrolments / 1.3)  # some people are served by two organizations
    t0 = time.perf_counter()
    collab = Collaborative.objects.create(name="Bench casework", slug=SLUG)
    areas = [
        KeyArea.objects.get_or_create(
            collaborative=collab, slug=f"area-{i}", defaults={"name": f"Area {i}", "order": i}
        )[0]
        for i in range(10)
    ]
    sectors = [
        Sector.objects.create(collaborative=collab, name=f"Sector {i}", slug=f"sector-{i}")
        for i in range(6)
    ]
    orgs = [
        Organization.objects.create(
            collaborative=collab, sector=sectors[i % 6], name=f"Org {i}", slug=f"org-{i}"
        )
        for i in range(ORGANIZATIONS)
    ]
    users = User.objects.bulk_create(
        [
            User(email=f"staff{i}@{BENCH_DOMAIN}", name=f"Staff {i}", password="!")  # noqa: S106
            for i in range(ORGANIZATIONS)
        ]
    )
    Member.objects.bulk_create(
        [
            Member(
                user=user, collaborative=collab, organization=org, role=Member.Role.PROVIDER_STAFF
            )
            for user, org in zip(users, orgs, strict=True)
        ]
    )
    print(f"  registry: {time.perf_counter() - t0:.1f} s")
    org_ids = [o.pk for o in orgs]
    area_ids = [a.pk for a in areas]
    busy = org_ids[0]
    params = {
        "collab": collab.pk,
        "orgs": org_ids,
        "areas": area_ids,
        "busy": busy,
        "n": participants,
        "enrolments": enrolments,
        "per": LOGS_PER_ENROLMENT,
        "referrals": referrals,
        "logs": logs,
    }
    steps = [
        (
            "participants",
            """
            INSERT INTO casework_participant (public_id, collaborative_id, code, created_at)
            SELECT gen_random_uuid(), %(collab)s, 'B-' || g, now()
            FROM generate_series(1, %(n)s) g
            """,
        ),
        (
            # Participant g is served by one organization, a third of them by a second one
            # as well; the busy organization serves a tenth of everyone.
            "enrolments",
            """
            INSERT INTO casework_enrolment (public_id, collaborative_id, participant_id,
                organization_id, status, enrolled_on, facility, supervision,
                preferred_language, created_at, updated_at)
            SELECT gen_random_uuid(), %(collab)s, p.id, o.org, 'active',
                   current_date - (random() * 900)::int, '', '', '', now(), now()
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n
                  FROM casework_participant) p
            CROSS JOIN LATERAL (
                SELECT CASE WHEN p.n %% 10 = 0 THEN %(busy)s
                            ELSE (%(orgs)s::int[])[2 + (p.n * 7) %% 199]
                       END AS org
                UNION ALL
                SELECT (%(orgs)s::int[])[2 + (p.n * 13) %% 199]
                WHERE p.n %% 10 < 3
            ) o
            ON CONFLICT DO NOTHING
            """,
        ),
        (
            "identities",
            """
            INSERT INTO casework_identity (enrolment_id, given_name, family_name, phone,
                address, search_name)
            SELECT e.id, 'Given' || e.id, 'Family', '', '', 'given' || e.id || ' family'
            FROM casework_enrolment e
            """,
        ),
        (
            "service logs",
            """
            INSERT INTO casework_servicelog (public_id, collaborative_id, organization_id,
                enrolment_id, participant_id, key_area_id, delivered_on, duration_minutes,
                outcome, notes, created_at)
            SELECT gen_random_uuid(), %(collab)s, e.organization_id, e.id, e.participant_id,
                   (%(areas)s::int[])[1 + (e.id + g) %% 10],
                   current_date - (random() * 730)::int,
                   15 * (1 + (random() * 5)::int), 'completed', 'Session ' || g, now()
            FROM casework_enrolment e, generate_series(1, %(per)s) g
            """,
        ),
        (
            # Enrolments that were one organization twice were dropped: top up to --logs.
            "service logs, topped up",
            TOP_UP,
        ),
        (
            # One consent per referral, from the sending enrolment to the receiver.
            "consents",
            """
            INSERT INTO casework_consent (public_id, collaborative_id, participant_id,
                enrolment_id, organization_id, findable, shares_identity, shares_enrolment,
                shares_needs, shares_service_logs, shares_referrals, shares_part2, purpose,
                starts_on, ends_on, method, scan, witness_name, signed_name,
                amount_and_kind, told_right_to_revoke, language, created_at, revoked_reason,
                revoked_at)
            SELECT gen_random_uuid(), %(collab)s, e.participant_id, e.id, e.organization_id,
                   false, false, true, true, true, true, false, 'Referral',
                   current_date - 200, current_date + (random() * 400)::int - 100,
                   'on_screen', '', '', 'Signed', '', true, 'en', now(), '',
                   CASE WHEN random() < 0.05 THEN now() END
            FROM (SELECT * FROM casework_enrolment ORDER BY random() LIMIT %(referrals)s) e
            """,
        ),
        (
            "referrals",
            """
            INSERT INTO casework_referral (public_id, collaborative_id, participant_id,
                from_organization_id, from_enrolment_id, to_organization_id, key_area_id,
                consent_id, is_self_referral, reason, status, sent_at, updated_at)
            SELECT gen_random_uuid(), %(collab)s, c.participant_id, c.organization_id,
                   c.enrolment_id,
                   CASE WHEN c.id %% 10 = 1 THEN %(busy)s
                        ELSE (%(orgs)s::int[])[1 + c.id %% array_length(%(orgs)s::int[], 1)]
                   END,
                   (%(areas)s::int[])[1 + c.id %% 10], c.id, false, 'Needs help ' || c.id,
                   (ARRAY['sent', 'info_requested', 'accepted', 'declined', 'delivered',
                          'closed', 'closed', 'closed'])[1 + c.id %% 8],
                   now() - random() * interval '365 days', now()
            FROM casework_consent c
            """,
        ),
        (
            "consent recipients",
            """
            INSERT INTO casework_consent_recipient_organizations (consent_id, organization_id)
            SELECT r.consent_id, r.to_organization_id FROM casework_referral r
            """,
        ),
        (
            # Each consent covers its referral's key area (rule 7: the receiver sees a
            # referral only under a consent naming it, referrals and the key area).
            "consent key areas",
            """
            INSERT INTO casework_consent_key_areas (consent_id, keyarea_id)
            SELECT r.consent_id, r.key_area_id FROM casework_referral r
            """,
        ),
    ]
    with connection.cursor() as cur:
        for label, sql in steps:
            t0 = time.perf_counter()
            cur.execute(sql, params)
            print(f"  {label}: {cur.rowcount:,} rows, {time.perf_counter() - t0:.1f} s")


def median_ms(fn, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def sql(query: str, params: dict):
    def run():
        with connection.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    return run


def explain(query: str, params) -> str:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query, params)
        return "\n".join(row[0] for row in cur.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logs", type=int, default=2_000_000, help="service logs to build")
    parser.add_argument("--referrals", type=int, default=200_000, help="referrals to build")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per figure")
    parser.add_argument("--rebuild", action="store_true", help="wipe and build the data again")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()

    refuse_sqlite()
    call_command("migrate", verbosity=0)
    have = ServiceLog.objects.count()
    if args.rebuild or abs(have - args.logs) > args.logs // 100:
        print(f"Building the data ({args.logs:,} service logs, {args.referrals:,} referrals)...")
        wipe()
        with transaction.atomic():
            build(args.logs, args.referrals)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        print(f"Reusing the data already built ({have:,} service logs); --rebuild to start again.")

    collab = Collaborative.objects.get(slug=SLUG)
    busy = Organization.objects.filter(collaborative=collab).order_by("pk").first()
    member = Member.objects.select_related("user", "organization", "collaborative").get(
        organization=busy
    )
    user = member.user
    today = collab.today()
    own = ServiceLog.objects.filter(organization=busy).count()
    inbox_all = Referral.objects.filter(
        to_organization=busy, status__in=Referral.WAITING_STATUSES
    ).count()
    print(
        f"{ServiceLog.objects.count():,} service logs ({own:,} of the busy organization's), "
        f"{Referral.objects.count():,} referrals ({inbox_all:,} waiting at the busy "
        f"organization); PostgreSQL {connection.pg_version // 10000}"
    )

    setup_test_environment()
    # As in the tests: plain static files (no manifest to build), a cache in memory.
    override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    client = Client()
    client.force_login(user)
    base = f"/c/{SLUG}/casework/logs/"
    inbox = f"/c/{SLUG}/casework/referrals/"
    first = client.get(base)
    assert first.status_code == 200, first.status_code  # noqa: S101
    older = first.context["page"].older
    area = KeyArea.objects.filter(collaborative=collab).order_by("order").first()

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200  # noqa: S101
            return response

        return get

    def orm_logs():
        rows = selectors.keyset_page(selectors.for_list(selectors.own_logs(member)), size=25)
        selectors.names_of(rows.rows)  # the page's second query: the people's names
        return rows.rows

    hand_logs = sql(HAND_LOGS, {"org": busy.pk, "collab": collab.pk})
    assert [log.pk for log in orm_logs()] == [r[0] for r in hand_logs()[:25]]  # noqa: S101

    def orm_inbox():
        return list(
            Referral.objects.visible_to(user, today=today)
            .filter(
                collaborative=collab, to_organization=busy, status__in=Referral.WAITING_STATUSES
            )
            .select_related("participant", "from_organization", "key_area", "to_service")
            .order_by("-sent_at")[:25]
        )

    hand_inbox = sql(
        HAND_INBOX,
        {"org": busy.pk, "sector": busy.sector_id, "collab": collab.pk, "today": today},
    )
    assert [r.pk for r in orm_inbox()] == [row[0] for row in hand_inbox()]  # noqa: S101
    inbox_qs = (
        Referral.objects.visible_to(user, today=today)
        .filter(collaborative=collab, to_organization=busy, status__in=Referral.WAITING_STATUSES)
        .select_related("participant", "from_organization", "key_area", "to_service")
        .order_by("-sent_at")[:25]
    )
    inbox_sql, inbox_params = inbox_qs.query.sql_with_params()
    logs_qs = (selectors.for_list(selectors.own_logs(member)).order_by("-delivered_on", "-pk"))[:26]
    logs_sql, logs_params = logs_qs.query.sql_with_params()

    runs = args.runs
    figures = [
        ("list page, page one (test client)", median_ms(page(base), runs), queries_of(page(base))),
        (
            "list page, an older page",
            median_ms(page(f"{base}?older={older}"), runs),
            queries_of(page(f"{base}?older={older}")),
        ),
        (
            "list page, one key area",
            median_ms(page(f"{base}?key_area={area.pk}"), runs),
            queries_of(page(f"{base}?key_area={area.pk}")),
        ),
        (
            "referral inbox page, waiting (test client)",
            median_ms(page(inbox), runs),
            queries_of(page(inbox)),
        ),
    ]
    logs_orm = median_ms(orm_logs, runs)
    logs_orm_sql = median_ms(sql(logs_sql, logs_params), runs)
    logs_hand = median_ms(hand_logs, runs)
    inbox_orm = median_ms(orm_inbox, runs)
    inbox_orm_sql = median_ms(sql(inbox_sql, inbox_params), runs)
    inbox_hand = median_ms(hand_inbox, runs)

    print()
    print(f"median of {runs} runs, ms (server time: the whole request through the test client)")
    for label, ms, queries in figures:
        print(f"  {label:<44} {ms:>7.1f} ms  ({queries} queries)")
    print()
    print(f"{'query':<44} {'ORM':>7} {'its SQL':>8} {'hand SQL':>9} {'ratio':>6}")
    print(
        f"  {'service-log list: keyset page of 25':<42} {logs_orm:>7.1f} {logs_orm_sql:>8.1f} "
        f"{logs_hand:>9.1f} {logs_orm_sql / logs_hand:>6.2f}"
    )
    print(
        f"  {'referral inbox: waiting, latest 25':<42} {inbox_orm:>7.1f} {inbox_orm_sql:>8.1f} "
        f"{inbox_hand:>9.1f} {inbox_orm_sql / inbox_hand:>6.2f}"
    )
    print("(ratio = the ORM's SQL run alone / the hand-written SQL; the ORM column adds Python)")
    if args.explain:
        print("\nservice-log list plan:\n" + explain(logs_sql, logs_params))
        print("\nreferral inbox plan:\n" + explain(inbox_sql, inbox_params))


if __name__ == "__main__":
    main()
