"""Benchmark: deriving indicators in the database, against the same grouped query by hand.

    createdb -h 127.0.0.1 -U postgres reentry_bench_derivation
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reentry_bench_derivation \\
    DJANGO_SETTINGS_MODULE=tests.settings \\
    .venv/bin/python bench/derivation.py --rows 1000000 --logs 2000000
    dropdb -h 127.0.0.1 -U postgres reentry_bench_derivation

Two parts (``--only records`` or ``--only casework`` runs one):

1. Record-level: a ``--rows``-row dataset of Iowa-like release records (rows drawn, with a
   fixed seed, from the real Iowa file in ../shared/data), loaded through the real path
   (``records_import``: check and profile pass, COPY, derive), with the shipped
   IOWA-RETURN-3Y definition (a rate by fiscal year, three breakdowns). It times
   ``indicators.records.derive.derive`` (the ORM's inner select, the GROUPING SETS query,
   cells, observations replaced) against the same GROUPING SETS query over
   ``cells ->> i`` written by hand in SQL.
2. Casework: one organization with ``--logs`` service logs (ten per enrolment, the
   enrolments with release dates) and ``--referrals`` referrals it sent, plus a second
   organization serving a tenth of the same people (never counted). It times
   ``casework_indicators_derive`` (four definitions: housed within 30 days, an employment
   service within 90 days, the same by supervision, referrals delivered) and each
   definition's grouped query through the engine, against hand-written SQL.

Each figure is the median of ``--runs`` alternating rounds (ORM, then hand SQL, in the
same run). The ORM's Python memory is measured once, apart, with ``tracemalloc`` (its
peak), beside the process's ``ru_maxrss``. ``--explain`` prints both plans of each pair.
The data is reused when the sizes match; ``--rebuild`` builds it again. PostgreSQL only.
"""

import argparse
import csv
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from casework import indicators as casework_source  # noqa: E402
from casework.services.indicators import (  # noqa: E402
    casework_dataset,
    casework_indicator_define,
    casework_indicators_derive,
    casework_indicators_setup,
)
from indicators.models import (  # noqa: E402
    Dataset,
    DerivedIndicator,
    Dimension,
    DimensionValue,
    Indicator,
)
from indicators.records.derive import cells, derive, grouped, observations  # noqa: E402
from indicators.records.spec import Dimensions, check_against, parse_file  # noqa: E402
from indicators.seeds import indicator_settings_for  # noqa: E402
from indicators.services.records import records_import  # noqa: E402
from stakeholders.models import Collaborative, KeyArea, Organization, Sector  # noqa: E402
from stakeholders.services import collaborative_seed_defaults  # noqa: E402

SLUG = "bench-derivation"
IOWA = ROOT.parent / "shared" / "data" / "iowa-recidivism"
IOWA_FILE = IOWA / "3-year-recidivism-released-from-prison-iowa.csv"
SPEC = ROOT / "docs" / "examples" / "iowa-return-to-prison.json"


def refuse_sqlite() -> None:
    if connection.vendor != "postgresql":
        sys.exit(
            "This benchmark needs PostgreSQL (it measures the production query plans). "
            "Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> and run it again."
        )


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def alternate(orm, hand, runs: int) -> tuple[float, float]:
    """Median ms of ``orm`` and ``hand``, run in alternating rounds after a warm-up each."""
    orm()
    hand()
    a, b = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        orm()
        a.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        hand()
        b.append((time.perf_counter() - t0) * 1000)
    return statistics.median(a), statistics.median(b)


def traced_peak_mib(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run_sql(query: str, params):
    def run():
        with connection.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    return run


def explain(query: str, params) -> str:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query, params)
        return "\n".join(row[0] for row in cur.fetchall())


def captured_sql(fn) -> tuple[str, list]:
    """The grouped query ``fn`` runs (the one with GROUPING SETS or GROUP BY)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    found = [q["sql"] for q in ctx.captured_queries if "GROUP BY" in q["sql"]]
    return found[0], []


def collaborative() -> tuple[Collaborative, Organization, Organization]:
    collab, created = Collaborative.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench derivation"}
    )
    if created:
        collaborative_seed_defaults(collaborative=collab)
        indicator_settings_for(collab)
        sector = Sector.objects.filter(collaborative=collab).first()
        for i in range(2):
            Organization.objects.create(
                collaborative=collab, sector=sector, name=f"Org {i}", slug=f"org-{i}"
            )
    orgs = list(Organization.objects.filter(collaborative=collab).order_by("pk"))
    return collab, orgs[0], orgs[1]


# --- 1. record-level -------------------------------------------------------------------------


def build_records(collab, org, rows: int) -> None:
    with IOWA_FILE.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        headers = next(reader)
        source = list(reader)
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "iowa-like.csv"
        t0 = time.perf_counter()
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            left = rows
            while left:
                take = min(left, 100_000)
                writer.writerows(rng.choices(source, k=take))
                left -= take
        print(f"  wrote {rows:,} Iowa-like rows in {time.perf_counter() - t0:.1f} s")
        spec_file = parse_file(json.loads(SPEC.read_text()))
        t0 = time.perf_counter()
        report, dataset, _definitions, _warnings = records_import(
            collaborative=collab,
            organization=org,
            path=path,
            fmt="csv",
            spec_file=spec_file,
            reason="Bench",
        )
        if dataset is None:
            sys.exit(f"The load failed: {[p.message for p in report.problems[:5]]}")
        print(f"  loaded and derived in {time.perf_counter() - t0:.1f} s (records_import)")


def hand_records_sql(version, spec, names) -> tuple[str, list]:
    """The GROUPING SETS query over ``cells ->> i``, written out (the mapping is data)."""
    index = {name: i for i, name in enumerate(version.columns)}
    params: list = [version.pk]

    def at(column: str) -> str:
        return f"(cells ->> {index[names[column]]})"

    cases = []
    for breakdown in spec.breakdowns:
        whens = []
        for raw, code in breakdown.mapping.items():
            whens.append(f"WHEN {at(breakdown.column)} = %s THEN %s")
            params += [raw, code]
        if breakdown.blank is not None:
            whens.append(f"WHEN {at(breakdown.column)} = '' THEN %s")
            params.append(breakdown.blank)
        cases.append("CASE " + " ".join(whens) + " END")
    numerator = spec.numerator[0]
    params += list(numerator.is_in or ())
    marks = ", ".join(["%s"] * len(numerator.is_in or ()))
    # The inner select's parameters come first in the text: move the version id after.
    params = params[1:] + params[:1]
    columns = ", ".join(f"{case} AS b{i}" for i, case in enumerate(cases))
    sql = (
        f"SELECT GROUPING(b0, b1, b2), p, b0, b1, b2, count(*), sum(n) FROM ("  # noqa: S608
        f"SELECT {at(spec.period.column)} AS p, {columns}, "
        f"CASE WHEN {at(numerator.column)} IN ({marks}) THEN 1 ELSE 0 END AS n "
        f"FROM indicators_record WHERE version_id = %s) r "
        f"GROUP BY GROUPING SETS ((p), (p, b0), (p, b1), (p, b2))"
    )
    return sql, params


def bench_records(collab, org, args) -> None:
    dataset = Dataset.objects.filter(owner=org, kind=Dataset.Kind.RECORDS).first()
    have = dataset.current_version.row_count if dataset and dataset.current_version else 0
    if args.rebuild or have != args.rows:
        print(f"Building {args.rows:,} record-level rows...")
        if dataset is not None:
            with connection.cursor() as cur:
                cur.execute("DELETE FROM indicators_record WHERE dataset_id = %s", [dataset.pk])
            dataset.delete()
        build_records(collab, org, args.rows)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE indicators_record")
        dataset = Dataset.objects.get(owner=org, kind=Dataset.Kind.RECORDS)
    else:
        print(f"Reusing {have:,} record-level rows; --rebuild to start again.")
    version = dataset.current_version
    definition = DerivedIndicator.objects.select_related("indicator").get(dataset=dataset)
    spec = parse_file(json.loads(SPEC.read_text())).indicators[0]
    dimensions = Dimensions.load(collab)
    names = check_against(spec, version.profile, dimensions)
    indicator = definition.indicator

    def orm():
        with transaction.atomic():
            return derive(indicator, spec, version, dimensions=dimensions, fiscal_start_month=7)

    hand_sql, hand_params = hand_records_sql(version, spec, names)
    hand = run_sql(hand_sql, hand_params)
    orm_sql, _ = captured_sql(orm)
    # Both give the same groups.
    with connection.cursor() as cur:
        cur.execute(orm_sql)
        assert sorted(map(repr, cur.fetchall())) == sorted(map(repr, hand()))  # noqa: S101
    orm_ms, hand_ms = alternate(orm, hand, args.runs)
    orm_sql_ms, hand_ms2 = alternate(run_sql(orm_sql, None), hand, args.runs)
    peak = traced_peak_mib(orm)
    print(
        f"\n1. record-level, {version.row_count:,} rows, IOWA-RETURN-3Y "
        f"(rate, fiscal year, 3 breakdowns), median of {args.runs}"
    )
    print(f"  derive() (query + cells + observations saved) {orm_ms:8.0f} ms")
    print(f"  its grouped query alone                       {orm_sql_ms:8.0f} ms")
    print(f"  hand-written GROUPING SETS                    {hand_ms:8.0f} ms ({hand_ms2:.0f})")
    print(f"  ratio derive() / hand                         {orm_ms / hand_ms:8.2f}")
    print(f"  ratio its query / hand                        {orm_sql_ms / hand_ms2:8.2f}")
    print(f"  Python heap peak of derive() (tracemalloc)    {peak:8.1f} MiB")
    print(f"  process peak RSS so far                       {rss_mib():8.0f} MiB")
    if args.explain:
        print("\nORM plan:\n" + explain(orm_sql, None))
        print("\nhand plan:\n" + explain(hand_sql, hand_params))


# --- 2. casework -----------------------------------------------------------------------------

CASEWORK_STEPS = [
    (
        "participants",
        """
        INSERT INTO casework_participant (public_id, collaborative_id, code, created_at)
        SELECT gen_random_uuid(), %(collab)s, 'D-' || g, now()
        FROM generate_series(1, %(people)s) g
        """,
    ),
    (
        # Everyone at the measured organization, released over three years; one in ten
        # also served by the second organization (never counted in the first's figures).
        "enrolments",
        """
        INSERT INTO casework_enrolment (public_id, collaborative_id, participant_id,
            organization_id, status, enrolled_on, release_date, facility, supervision,
            preferred_language, created_at, updated_at)
        SELECT gen_random_uuid(), %(collab)s, p.id, o.org, 'active', d.release,
               d.release, '',
               (ARRAY['', 'none', 'parole', 'parole', 'probation', 'other'])[1 + p.id %% 6],
               '', now(), now()
        FROM casework_participant p
        -- p.id in the expression: an uncorrelated LATERAL would run once, one date for all.
        CROSS JOIN LATERAL (
            SELECT current_date - 30 - (random() * 1095 + 0 * p.id)::int AS release
        ) d
        CROSS JOIN LATERAL (
            SELECT %(org)s AS org
            UNION ALL SELECT %(other)s WHERE p.id %% 10 = 0
        ) o
        WHERE p.collaborative_id = %(collab)s
        """,
    ),
    (
        # Ten logs per enrolment of the measured organization, from 60 days before release
        # to 400 after, in any key area, with every outcome.
        "service logs",
        """
        INSERT INTO casework_servicelog (public_id, collaborative_id, organization_id,
            enrolment_id, participant_id, key_area_id, delivered_on, duration_minutes,
            outcome, notes, created_at)
        SELECT gen_random_uuid(), %(collab)s, e.organization_id, e.id, e.participant_id,
               (%(areas)s::int[])[1 + (random() * 9)::int],
               e.release_date - 60 + (random() * 460)::int, 30,
               (ARRAY['completed', 'completed', 'completed', 'partial', 'no_show',
                      'follow_up'])[1 + (random() * 5)::int],
               '', now()
        FROM casework_enrolment e, generate_series(1, 10) g
        WHERE e.organization_id = %(org)s
        LIMIT %(logs)s
        """,
    ),
    (
        "the other organization's logs",
        """
        INSERT INTO casework_servicelog (public_id, collaborative_id, organization_id,
            enrolment_id, participant_id, key_area_id, delivered_on, duration_minutes,
            outcome, notes, created_at)
        SELECT gen_random_uuid(), %(collab)s, e.organization_id, e.id, e.participant_id,
               %(housing)s, e.release_date + 3, 30, 'completed', '', now()
        FROM casework_enrolment e WHERE e.organization_id = %(other)s
        """,
    ),
    (
        "a consent",
        """
        INSERT INTO casework_consent (public_id, collaborative_id, participant_id,
            enrolment_id, organization_id, findable, shares_identity, shares_enrolment,
            shares_needs, shares_service_logs, shares_referrals, shares_part2, purpose,
            starts_on, ends_on, method, scan, witness_name, signed_name,
            amount_and_kind, told_right_to_revoke, language, created_at, revoked_reason)
        SELECT gen_random_uuid(), %(collab)s, e.participant_id, e.id, e.organization_id,
               false, false, false, false, false, true, false, 'Referral',
               current_date - 2000, current_date + 400, 'on_screen', '', '', 'Signed', '',
               true, 'en', now(), ''
        FROM casework_enrolment e WHERE e.organization_id = %(org)s ORDER BY e.id LIMIT 1
        """,
    ),
    (
        "referrals",
        """
        INSERT INTO casework_referral (public_id, collaborative_id, participant_id,
            from_organization_id, from_enrolment_id, to_organization_id, key_area_id,
            consent_id, is_self_referral, reason, status, sent_at, updated_at, service_log_id)
        SELECT gen_random_uuid(), %(collab)s, e.participant_id, %(org)s, e.id, %(other)s,
               %(housing)s, (SELECT max(id) FROM casework_consent), false, 'Needs help',
               s.status, now() - random() * interval '1000 days', now(),
               CASE WHEN s.status IN ('delivered', 'closed') AND random() < 0.8
                    THEN (SELECT min(id) FROM casework_servicelog) END
        FROM (SELECT * FROM casework_enrolment WHERE organization_id = %(org)s
              ORDER BY id LIMIT %(referrals)s) e
        CROSS JOIN LATERAL (
            SELECT (ARRAY['sent', 'info_requested', 'accepted', 'declined', 'delivered',
                          'closed', 'closed', 'withdrawn'])[1 + (e.id %% 8)] AS status) s
        """,
    ),
]


def build_casework(collab, org, other, logs: int, referrals: int) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM casework_referral WHERE collaborative_id = %s; "
            "DELETE FROM casework_consent WHERE collaborative_id = %s; "
            "DELETE FROM casework_servicelog WHERE collaborative_id = %s; "
            "DELETE FROM casework_enrolment WHERE collaborative_id = %s; "
            "DELETE FROM casework_participant WHERE collaborative_id = %s",
            [collab.pk] * 5,
        )
    areas = list(
        KeyArea.objects.filter(collaborative=collab).order_by("order").values_list("pk", flat=True)
    )
    params = {
        "collab": collab.pk,
        "org": org.pk,
        "other": other.pk,
        "people": -(-logs // 10),
        "logs": logs,
        "referrals": referrals,
        "areas": areas,
        "housing": KeyArea.objects.get(collaborative=collab, slug="housing").pk,
    }
    with connection.cursor() as cur:
        for label, sql in CASEWORK_STEPS:
            t0 = time.perf_counter()
            cur.execute(sql, params)
            print(f"  {label}: {cur.rowcount:,} rows, {time.perf_counter() - t0:.1f} s")


HAND_AFTER_RELEASE = """
SELECT GROUPING(b0), p, b0, count(*), sum(n) FROM (
    SELECT to_char(e.release_date, 'YYYY-MM') AS p, {b0} AS b0,
           CASE WHEN EXISTS (
               SELECT 1 FROM casework_servicelog l
               WHERE l.enrolment_id = e.id AND l.organization_id = %(org)s
                 AND l.key_area_id = %(area)s AND l.outcome IN ({outcomes})
                 AND l.delivered_on BETWEEN e.release_date AND e.release_date + %(days)s
           ) THEN 1 ELSE 0 END AS n
    FROM casework_enrolment e
    WHERE e.organization_id = %(org)s AND e.release_date IS NOT NULL
) r GROUP BY GROUPING SETS ((p), (p, b0))
"""

HAND_REFERRALS = """
SELECT to_char((r.sent_at AT TIME ZONE %(zone)s)::date, 'YYYY-MM') AS p, count(*),
       sum(CASE WHEN r.status IN ('delivered', 'closed') AND r.service_log_id IS NOT NULL
                THEN 1 ELSE 0 END)
FROM casework_referral r WHERE r.from_organization_id = %(org)s GROUP BY 1
"""


def totals(rows, grouping: bool, breakdowns: int) -> dict:
    """{month: (count, numerator)} of the rows that are a month's total."""
    if not grouping:  # (p, count, sum) or (-1, p, NULL, count, sum) rows
        rows = [
            r[-3:] if len(r) == 3 else (r[1], r[-2], r[-1])
            for r in rows
            if len(r) == 3 or r[0] == -1
        ]
        return {p: (int(c), int(n or 0)) for p, c, n in rows}
    all_ones = (1 << breakdowns) - 1
    return {r[1]: (int(r[-2]), int(r[-1] or 0)) for r in rows if r[0] == all_ones}


def hand_casework(spec, org, area_id, zone) -> tuple[str, dict]:
    if spec.count == "referrals":
        return HAND_REFERRALS, {"org": org.pk, "zone": zone}
    b0 = "NULL"
    if spec.breakdowns:
        breakdown = spec.breakdowns[0]
        whens = " ".join(
            f"WHEN e.supervision = '{raw}' THEN '{code}'" for raw, code in breakdown.mapping.items()
        )
        b0 = f"CASE {whens} WHEN e.supervision = '' THEN '{breakdown.blank}' END"
    outcomes = ", ".join(f"'{o}'" for o in spec.outcomes)
    return HAND_AFTER_RELEASE.format(b0=b0, outcomes=outcomes), {
        "org": org.pk,
        "area": area_id,
        "days": spec.within_days,
    }


def define_casework(collab, org) -> None:
    casework_indicators_setup(actor=None, organization=org)
    dimension, _created = Dimension.objects.get_or_create(
        collaborative=collab, code="supervision", defaults={"name": "Supervision"}
    )
    for order, code in enumerate(["none", "parole", "probation", "other", "unknown"]):
        DimensionValue.objects.get_or_create(
            dimension=dimension, code=code, defaults={"label": code, "order": order}
        )
    indicator, _created = Indicator.objects.get_or_create(
        collaborative=collab,
        code="HOUSED-30D-SUP",
        defaults={
            "name": "Housed within 30 days of release, by supervision",
            "question": "?",
            "unit": Indicator.Unit.PERCENT,
            "key_area": KeyArea.objects.get(collaborative=collab, slug="housing"),
        },
    )
    spec = casework_source.parse(
        {
            "source": "casework",
            "count": "after_release",
            "key_area": "housing",
            "within_days": 30,
            "outcomes": ["completed"],
            "cut": "quarter",
            "breakdowns": [
                {
                    "field": "supervision",
                    "dimension": "supervision",
                    "map": {k: k for k in ("none", "parole", "probation", "other")},
                    "blank": "unknown",
                }
            ],
        },
        indicator.code,
    )
    casework_indicator_define(actor=None, organization=org, indicator=indicator, spec=spec)


def bench_casework(collab, org, other, args) -> None:
    from casework.models import ServiceLog

    have = ServiceLog.objects.filter(organization=org).count()
    if args.rebuild or have != args.logs:
        print(f"Building {args.logs:,} service logs and {args.referrals:,} referrals...")
        with transaction.atomic():
            build_casework(collab, org, other, args.logs, args.referrals)
        with connection.cursor() as cur:
            cur.execute(
                "ANALYZE casework_participant, casework_enrolment, casework_servicelog, "
                "casework_referral"
            )
        t0 = time.perf_counter()
        define_casework(collab, org)
        print(f"  defined and derived four indicators in {time.perf_counter() - t0:.1f} s")
    else:
        print(f"Reusing {have:,} service logs; --rebuild to start again.")
    dataset = casework_dataset(org)
    dimensions = Dimensions.load(collab)
    definitions = list(DerivedIndicator.objects.filter(dataset=dataset).select_related("indicator"))
    print(
        f"\n2. casework, {ServiceLog.objects.filter(organization=org).count():,} service logs "
        f"of the organization ({ServiceLog.objects.count():,} in all), median of {args.runs}"
    )
    total_hand: list = []
    for definition in definitions:
        spec = casework_source.parse(definition.spec, definition.indicator.code)
        area_id = casework_source.check(spec, org, dimensions)
        engine = spec.engine_spec()

        def orm(spec=spec, area_id=area_id, engine=engine, definition=definition):
            groups = grouped(casework_source.inner_select(spec, org, area_id), len(spec.breakdowns))
            sums, _result = cells(groups, engine, 7)
            return observations(sums, engine, definition.indicator, dataset.current_version)

        hand_sql, hand_params = hand_casework(spec, org, area_id, collab.time_zone)
        hand = run_sql(hand_sql, hand_params)
        total_hand.append(hand)
        orm_sql, _ = captured_sql(orm)
        # Both give the same totals per month (and the ORM's breakdowns, the hand's).
        orm_totals = totals(run_sql(orm_sql, None)(), "GROUPING" in orm_sql, len(spec.breakdowns))
        hand_totals = totals(hand(), spec.count != "referrals", 1)
        assert orm_totals == hand_totals, (orm_totals, hand_totals)  # noqa: S101
        orm_ms, hand_ms = alternate(orm, hand, args.runs)
        orm_sql_ms, hand_ms2 = alternate(run_sql(orm_sql, None), hand, args.runs)
        peak = traced_peak_mib(orm)
        print(
            f"  {spec.code:<20} engine {orm_ms:7.0f} ms  its query {orm_sql_ms:7.0f} ms  "
            f"hand {hand_ms:7.0f} ms  ratio {orm_ms / hand_ms:5.2f} "
            f"(query {orm_sql_ms / hand_ms2:4.2f})  heap peak {peak:5.1f} MiB"
        )
        if args.explain:
            print("\nORM plan:\n" + explain(orm_sql, None))
            print("\nhand plan:\n" + explain(hand_sql, hand_params))

    def whole():
        return casework_indicators_derive(actor=None, organization=org)

    def hands():
        for hand in total_hand:
            hand()

    whole_ms, hands_ms = alternate(whole, hands, args.runs)
    peak = traced_peak_mib(whole)
    print(
        f"  casework_indicators_derive (4 definitions, compare, no change) {whole_ms:7.0f} ms; "
        f"the four hand queries {hands_ms:7.0f} ms; ratio {whole_ms / hands_ms:4.2f}; "
        f"heap peak {peak:.1f} MiB"
    )
    print(f"  process peak RSS so far {rss_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="record-level rows")
    parser.add_argument("--logs", type=int, default=2_000_000, help="service logs")
    parser.add_argument("--referrals", type=int, default=200_000, help="referrals sent")
    parser.add_argument("--runs", type=int, default=5, help="alternating rounds per figure")
    parser.add_argument("--only", choices=("records", "casework"), help="run one part")
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()

    refuse_sqlite()
    call_command("migrate", verbosity=0)
    collab, org, other = collaborative()
    print(f"PostgreSQL {connection.pg_version // 10000}")
    if args.only in (None, "records"):
        bench_records(collab, org, args)
    if args.only in (None, "casework"):
        bench_casework(collab, org, other, args)


if __name__ == "__main__":
    main()
