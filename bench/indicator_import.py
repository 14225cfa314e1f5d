"""Benchmark: importing a 1,000,000-row aggregate CSV of observations into PostgreSQL.

    createdb -h 127.0.0.1 -U postgres reentry_h7a
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reentry_h7a \\
    .venv/bin/python bench/indicator_import.py --rows 1000000

Builds (once) one collaborative "bench-indicators" with one organization and 20 count
indicators that allow breakdowns by race and ethnicity, sex, age group and geography,
then writes a CSV of ``--rows`` rows to a temporary folder (streamed; about 40 MB for a
million rows): per indicator and month, a total, breakdowns by race (9 rows), sex (4)
and age group (6) that add up to it, and ZIP-code rows. It then runs, each in a child
process of its own so that each phase's memory is its own:

1. ``check``: the checking pass the upload page runs (``indicators.importing.run_pass``
   without a writer);
2. ``commit``: the all-or-nothing import (``indicators.importing.jobs.import_file``: the
   same pass, writing through COPY in one transaction) — what the Celery task and
   ``manage.py import_observations`` run.

For each it prints rows per second and memory: the process's resident size when the
phase starts, its peak (``getrusage`` ``ru_maxrss``), and the growth between the two.
Pass ``--tracemalloc`` to also trace the Python heap's peak (slower: do not compare its
timings). Each run imports a new dataset; ``--keep`` keeps the rows, otherwise the
benchmark's datasets are deleted at the end. PostgreSQL only.
"""

import argparse
import csv
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from indicators.importing import Context, read_headers, run_pass  # noqa: E402
from indicators.importing.jobs import import_file  # noqa: E402
from indicators.importing.mapping import guess_mapping  # noqa: E402
from indicators.models import Dataset, Dimension, Indicator  # noqa: E402
from indicators.seeds import indicator_settings_for  # noqa: E402
from stakeholders.models import Collaborative, KeyArea, Organization, Sector  # noqa: E402

SLUG = "bench-indicators"
INDICATORS = 20
RACES = ["american-indian", "asian", "black", "hispanic", "pacific-islander", "white",
         "multiracial", "other", "unknown"]  # fmt: skip
SEXES = ["female", "male", "another", "unknown"]
AGES = ["under-25", "25-34", "35-44", "45-54", "55-plus", "unknown"]
BREAKDOWN_ROWS = 1 + len(RACES) + len(SEXES) + len(AGES)


def build() -> tuple[Collaborative, Organization]:
    collaborative, _ = Collaborative.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench indicators"}
    )
    sector, _ = Sector.objects.get_or_create(
        collaborative=collaborative, slug="housing", defaults={"name": "Housing"}
    )
    area, _ = KeyArea.objects.get_or_create(
        collaborative=collaborative, slug="housing", defaults={"name": "Housing"}
    )
    organization, _ = Organization.objects.get_or_create(
        collaborative=collaborative, slug="bench-org", defaults={"name": "Bench", "sector": sector}
    )
    indicator_settings_for(collaborative)
    dims = list(Dimension.objects.filter(collaborative=collaborative))
    for i in range(INDICATORS):
        indicator, created = Indicator.objects.get_or_create(
            collaborative=collaborative,
            code=f"B-{i:02d}",
            defaults={"key_area": area, "name": f"Bench {i}", "question": "How many?"},
        )
        if created:
            indicator.dimensions.set(dims)
    return collaborative, organization


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def write_csv(path: Path, rows: int, seed: int = 7) -> int:
    """Stream ``rows`` rows (rounded to whole groups) to ``path``; returns the count."""
    rng = random.Random(seed)
    zips_per_group = 80
    per_group = BREAKDOWN_ROWS + zips_per_group
    groups = max(1, rows // per_group)
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(
            ["indicator", "period", "race_ethnicity", "sex", "age_group", "geography", "value"]
        )
        for g in range(groups):
            code = f"B-{g % INDICATORS:02d}"
            month = g // INDICATORS
            period = f"{1980 + month // 12}-{month % 12 + 1:02d}"
            total = rng.randint(200, 5000)
            out.writerow([code, period, "", "", "", "", total])
            for race, n in zip(RACES, split(total, len(RACES), rng), strict=True):
                out.writerow([code, period, race, "", "", "", n])
            for sex, n in zip(SEXES, split(total, len(SEXES), rng), strict=True):
                out.writerow([code, period, "", sex, "", "", n])
            for age, n in zip(AGES, split(total, len(AGES), rng), strict=True):
                out.writerow([code, period, "", "", age, "", n])
            for z, n in enumerate(split(total, zips_per_group, rng)):
                out.writerow([code, period, "", "", "", f"5{z:04d}", n])
            written += per_group
    return written


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def phase(name: str, path: str, trace: bool, queue) -> None:
    connection.close()
    collaborative = Collaborative.objects.get(slug=SLUG)
    organization = Organization.objects.get(collaborative=collaborative, slug="bench-org")
    headers = read_headers(path, "csv")
    mapping = guess_mapping(
        headers, list(Dimension.objects.filter(collaborative=collaborative)), None
    )
    start_rss = rss_kb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if name == "check":
        report = run_pass(
            path=path,
            fmt="csv",
            headers=headers,
            mapping=mapping,
            context=Context.load(collaborative),
        )
        saved = None
    else:
        report, dataset, _version = import_file(
            collaborative=collaborative,
            organization=organization,
            path=path,
            fmt="csv",
            headers=headers,
            mapping=mapping,
            created_by=None,
            dataset=None,
            dataset_fields={"title": "Bench import"},
            reason="",
            filename=Path(path).name,
        )
        saved = dataset.pk if dataset is not None else None
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put(
        {
            "phase": name,
            "rows": report.rows,
            "ok": report.ok,
            "problems": report.problem_count,
            "seconds": seconds,
            "start_kb": start_rss,
            "peak_kb": peak_kb,
            "traced": traced,
            "dataset": saved,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL to a database of its own.")
    settings.INDICATOR_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024
    call_command("migrate", verbosity=0)
    build()
    connection.close()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "observations.csv"
        t = time.perf_counter()
        rows = write_csv(path, args.rows)
        size = path.stat().st_size
        print(
            f"CSV: {rows:,} rows, {size / 1048576:.1f} MB, written in "
            f"{time.perf_counter() - t:.1f} s"
        )
        context = multiprocessing.get_context("fork")
        results = []
        for name in ("check", "commit"):
            queue = context.Queue()
            child = context.Process(target=phase, args=(name, str(path), args.tracemalloc, queue))
            child.start()
            result = queue.get()
            child.join()
            results.append(result)
            rate = result["rows"] / result["seconds"]
            line = (
                f"{name:>6}: {result['rows']:,} rows in {result['seconds']:.1f} s = "
                f"{rate:,.0f} rows/s; ok={result['ok']}; RSS at start "
                f"{result['start_kb'] / 1024:.0f} MB, peak {result['peak_kb'] / 1024:.0f} MB "
                f"(+{(result['peak_kb'] - result['start_kb']) / 1024:.0f} MB)"
            )
            if result["traced"] is not None:
                line += f"; Python heap peak {result['traced'] / 1048576:.0f} MB"
            print(line)
    commit = results[-1]
    if commit["dataset"] and not args.keep:
        t = time.perf_counter()
        Dataset.objects.filter(pk=commit["dataset"]).delete()
        print(f"Deleted the benchmark dataset in {time.perf_counter() - t:.1f} s.")


if __name__ == "__main__":
    main()
