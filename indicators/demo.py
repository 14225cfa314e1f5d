"""Demo indicators for seed_demo: three indicators per key area with baselines and
targets, five years of figures (2021-2025) from several organizations at different
sharing levels, with breakdowns by race and ethnicity and by sex for the later years,
so that equity gaps and small-number suppression both show.

Magnitudes follow Iowa's public release data (26,020 releases from prison, fiscal
years 2010-2015, in /work/shared/data/iowa-recidivism beside the project): the share
of each group among people released and each group's three-year return-to-prison
rate are read from that file when it is there (fixed figures from the same file
otherwise), and scaled down to one county. The figures are invented from those shares,
not copied.

Idempotent: datasets are keyed by their organization and title, indicators by their
code; a second run adds nothing that is already there.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from indicators.demo_data import SPEC, D, U
from indicators.models import (
    Dataset,
    DatasetVersion,
    Dimension,
    Indicator,
    LocalDefinition,
    Observation,
    PeriodKind,
    StoryNote,
)
from indicators.seeds import indicator_settings_for
from reentry.sharing.services import sharing_set
from stakeholders.models import Collaborative, KeyArea, Member, Organization

YEARS = range(2021, 2026)
BREAKDOWN_YEARS = (2024, 2025)
IOWA = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "data"
    / "iowa-recidivism"
    / "3-year-recidivism-released-from-prison-iowa.csv"
)

# Shares of people released and return rates by group, as measured in the Iowa file
# (used when the file is not there).
FALLBACK_RACE = {
    "white": (0.690, 0.323),
    "black": (0.245, 0.371),
    "hispanic": (0.047, 0.294),
    "american-indian": (0.013, 0.430),
    "asian": (0.005, 0.250),
}
FALLBACK_SEX = {"male": (0.870, 0.334), "female": (0.130, 0.265)}

RACE_CODES = {
    "White - Non-Hispanic": "white",
    "Black - Non-Hispanic": "black",
    "White - Hispanic": "hispanic",
    "Black - Hispanic": "hispanic",
    "American Indian or Alaska Native - Non-Hispanic": "american-indian",
    "American Indian or Alaska Native - Hispanic": "american-indian",
    "Asian or Pacific Islander - Non-Hispanic": "asian",
    "Asian or Pacific Islander - Hispanic": "asian",
}


def iowa_shares() -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """(share of releases, three-year return rate) by race group and by sex."""
    if not IOWA.exists():
        return FALLBACK_RACE, FALLBACK_SEX
    released: dict[str, Counter] = {"race": Counter(), "sex": Counter()}
    returned: dict[str, Counter] = {"race": Counter(), "sex": Counter()}
    with IOWA.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            back = row.get("Recidivism - Return to Prison", "").strip() == "Yes"
            race = RACE_CODES.get(" ".join(row.get("Race - Ethnicity", "").split()))
            sex = {"Male": "male", "Female": "female"}.get(row.get("Sex", "").strip())
            for kind, code in (("race", race), ("sex", sex)):
                if code:
                    released[kind][code] += 1
                    returned[kind][code] += back
    shares = []
    for kind, fallback in (("race", FALLBACK_RACE), ("sex", FALLBACK_SEX)):
        total = sum(released[kind].values())
        if not total:
            shares.append(fallback)
            continue
        shares.append(
            {
                code: (released[kind][code] / total, returned[kind][code] / released[kind][code])
                for code in fallback
                if released[kind][code]
            }
        )
    return shares[0], shares[1]


def _split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """``total`` split by ``shares`` into whole numbers that add up to it."""
    raw = {code: total * share for code, share in shares.items()}
    parts = {code: int(value) for code, value in raw.items()}
    rest = total - sum(parts.values())
    for code in sorted(raw, key=lambda c: raw[c] - parts[c], reverse=True)[:rest]:
        parts[code] += 1
    return parts


def _editor(organization: Organization) -> Member | None:
    return (
        Member.objects.filter(
            organization=organization, is_active=True, role__in=Member.EDITOR_ROLES
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )


@transaction.atomic
def seed_indicators(collab: Collaborative) -> None:
    """Indicators, datasets and observations for the demo collaborative."""
    indicator_settings_for(collab)
    rng = random.Random(f"indicators-{collab.slug}")  # noqa: S311 - demo data
    race_shares, sex_shares = iowa_shares()
    areas = {a.slug: a for a in KeyArea.objects.filter(collaborative=collab)}
    organizations = {o.name: o for o in Organization.objects.filter(collaborative=collab)}
    dimensions = {
        d.code: d
        for d in Dimension.objects.filter(collaborative=collab, code__in=["race_ethnicity", "sex"])
    }
    backbone = (
        Member.objects.filter(collaborative=collab, role=Member.Role.BACKBONE, is_active=True)
        .select_related("user")
        .first()
    )
    # organization -> key area -> [(indicator, share, level, spec)]
    reports: dict[tuple[str, str], list[tuple]] = {}
    for area_slug, specs in SPEC.items():
        area = areas.get(area_slug)
        if area is None:
            continue
        for spec in specs:
            (
                code,
                name,
                question,
                kind,
                unit,
                direction,
                size,
                rate,
                change,
                target_change,
                public,
                headline,
                reporters,
            ) = spec
            base = Decimal(str(rate if unit != U.COUNT else size))
            indicator, created = Indicator.objects.get_or_create(
                collaborative=collab,
                code=code,
                defaults={
                    "key_area": area,
                    "name": name,
                    "question": question,
                    "kind": kind,
                    "unit": unit,
                    "direction": direction,
                    "numerator_definition": "People counted in the result."
                    if unit in Indicator.SCALE
                    else "",
                    "denominator_definition": (
                        "People released to Cedar River County in the period."
                        if unit in Indicator.SCALE
                        else ""
                    ),
                    "source": "Partner organizations' records",
                    "frequency": Indicator.Frequency.YEARLY,
                    "baseline_value": base,
                    "baseline_date": date(2021, 12, 31),
                    "target_value": (base + Decimal(str(target_change)))
                    if direction != D.NEUTRAL
                    else None,
                    "target_date": date(2027, 12, 31) if direction != D.NEUTRAL else None,
                    "status": Indicator.Status.ADOPTED,
                    "is_headline": headline,
                    "is_public": public,
                },
            )
            if created:
                indicator.dimensions.set(dimensions.values())
            for org_name, level, share in reporters:
                if org_name in organizations:
                    reports.setdefault((org_name, area_slug), []).append(
                        (indicator, share, level, spec)
                    )

    for (org_name, area_slug), items in reports.items():
        organization = organizations[org_name]
        # One dataset per organization and key area; its sharing is the most open
        # level asked for among its indicators.
        level = min(
            (i[2] for i in items), key=["public", "collaborative", "sector", "private"].index
        )
        title = f"{org_name}: {areas[area_slug].name} figures 2021-2025"
        if Dataset.objects.filter(owner=organization, title=title).exists():
            continue
        dataset = Dataset.objects.create(
            owner=organization,
            title=title,
            source=f"{org_name} case records",
            period_start=date(2021, 1, 1),
            period_end=date(2025, 12, 31),
            methodology="Counted from case records at the end of each calendar year.",
            licence="cc-by-4.0" if level == "public" else "agreement",
        )
        editor = _editor(organization)
        # Public figures are always accepted (the public dashboard shows nothing else).
        accepted = level == "public" or (level != "private" and rng.random() > 0.25)
        version = DatasetVersion.objects.create(
            dataset=dataset,
            number=1,
            status=DatasetVersion.Status.ACCEPTED if accepted else DatasetVersion.Status.SUBMITTED,
            source_filename=f"{organization.slug}-{area_slug}.csv",
            created_by=editor.user if editor else None,
            accepted_by=backbone.user if accepted and backbone else None,
        )
        rows: list[Observation] = []
        for indicator, share, _level, spec in items:
            rows += _observations(
                dataset, version, indicator, share, spec, rng, race_shares, sex_shares
            )
        Observation.objects.bulk_create(rows)
        version.row_count = len(rows)
        version.save(update_fields=["row_count"])
        dataset.current_version = version
        dataset.accepted_version = version if accepted else None
        dataset.save(update_fields=["current_version", "accepted_version"])
        if level != "private" and editor is not None:
            sharing_set(actor=editor, obj=dataset, level=level)
        for indicator, *_rest in items:
            if (
                indicator.unit == U.DAYS
                and not LocalDefinition.objects.filter(
                    organization=organization, indicator=indicator
                ).exists()
            ):
                LocalDefinition.objects.create(
                    organization=organization,
                    indicator=indicator,
                    includes="Everyone enrolled in the year, counted from the day they came home.",
                    excludes="People who moved out of the county before their first appointment.",
                    updated_by=editor,
                )
    _stories(collab, backbone)


def _observations(dataset, version, indicator, share, spec, rng, race_shares, sex_shares):
    """Five years of one indicator for one organization. In the breakdown years every
    breakdown adds up to the total: people, and numerators for a percent or a rate."""
    (_code, _name, _q, _kind, unit, direction, size, rate, change, _t, _p, _h, _r) = spec
    per = 100 if unit == U.PERCENT else 1000
    rows = []
    for index, year in enumerate(YEARS):
        period = (PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))
        base = size + change * index if unit == U.COUNT else size * (1 + 0.03 * index)
        people = max(12, round(base * share * rng.uniform(0.92, 1.08)))
        level = rate + change * index + rng.uniform(-abs(change or 1), abs(change or 1)) * 0.6
        level = max(level, 0)
        total_num = min(people, round(people * level / per)) if unit in Indicator.SCALE else None
        rows.append(_row(dataset, version, indicator, period, {}, people, level, unit, total_num))
        if year not in BREAKDOWN_YEARS:
            continue
        for code, parts in (("race_ethnicity", race_shares), ("sex", sex_shares)):
            split = _split(people, {c: s for c, (s, _r) in parts.items()})
            overall = sum(s * r for s, r in parts.values()) / sum(s for s, _r in parts.values())
            # Each group's gap to the overall figure follows the Iowa file's return rates:
            # a group that returns to prison more often does worse on the others.
            sign = -1 if direction == D.UP else 1
            factor = {
                g: max(0.05, 1 + sign * ((parts[g][1] / overall if overall else 1) - 1))
                for g in split
            }
            mean = sum(split[g] * factor[g] for g in split) / people
            numerators = (
                _capped_split(total_num, split, {g: split[g] * factor[g] for g in split})
                if total_num is not None
                else {}
            )
            for group, n in split.items():
                if n == 0 and unit != U.COUNT:
                    continue  # nobody in the group: no rate to report
                value = level * factor[group] / mean
                rows.append(
                    _row(
                        dataset,
                        version,
                        indicator,
                        period,
                        {code: group},
                        n,
                        value,
                        unit,
                        numerators.get(group),
                    )
                )
    return rows


def _capped_split(
    total: int, capacity: dict[str, int], weights: dict[str, float]
) -> dict[str, int]:
    """``total`` split by ``weights``, no part above its ``capacity``, adding up exactly."""
    weight = sum(weights.values()) or 1
    parts = _split(total, {g: w / weight for g, w in weights.items()})
    parts = {g: min(n, capacity[g]) for g, n in parts.items()}
    missing = total - sum(parts.values())
    for group in sorted(capacity, key=lambda g: capacity[g] - parts[g], reverse=True):
        room = min(missing, capacity[group] - parts[group])
        parts[group] += room
        missing -= room
    return parts


def _row(dataset, version, indicator, period, breakdown, n, value, unit, numerator_count=None):
    kind, start, end = period
    dims = sorted(breakdown)
    numerator = denominator = None
    if unit in Indicator.SCALE:
        denominator = Decimal(n)
        numerator = Decimal(numerator_count or 0)
        amount = indicator.derive_value(numerator, denominator)
    elif unit == U.COUNT:
        amount = Decimal(n)
    else:
        denominator = Decimal(n)
        amount = Decimal(str(round(max(value, 0), 1)))
    return Observation(
        dataset=dataset,
        version=version,
        indicator=indicator,
        period_kind=kind,
        period_start=start,
        period_end=end,
        breakdown=breakdown,
        breakdown_dims=",".join(dims),
        breakdown_key="|".join(f"{d}={breakdown[d]}" for d in dims),
        value=amount,
        numerator=numerator,
        denominator=denominator,
    )


STORIES = {
    "HOUS-90": (
        "More people are housed at 90 days since the housing authority set aside vouchers "
        "for people coming home in 2023. The gap for Black residents is the widest: "
        "landlords still screen out conviction records, and the fair-chance ordinance "
        "only covers buildings with more than ten units. Partners: Second Step Housing, "
        "Harbor House, Legal Aid. What works: a housing navigator who meets people on the "
        "day of release."
    ),
    "EMP-90": (
        "Employment rose with the fair-chance pledge and the transit program's rides to "
        "first shifts. Women find work more slowly: most open jobs are night shifts in "
        "warehouses, with no child care."
    ),
}


def _stories(collab: Collaborative, author: Member | None) -> None:
    for code, body in STORIES.items():
        indicator = Indicator.objects.filter(collaborative=collab, code=code).first()
        if indicator is not None and not StoryNote.objects.filter(indicator=indicator).exists():
            StoryNote.objects.create(indicator=indicator, body=body, author=author)


IOWA_SPEC = Path(settings.BASE_DIR) / "docs/examples/iowa-return-to-prison.json"
RECORDS_OWNER = "eastfield-correctional-facility-reentry-office"


def seed_records(collab: Collaborative) -> None:
    """The Iowa release file as the state prison's record-level dataset, with the
    shipped spec (docs/examples/iowa-return-to-prison.json), shared with the
    collaborative: its rows stay with the prison's office; the derived return rate is
    shared, suppressed. Skipped when the sample data is not beside the project."""
    import json

    from indicators.importing import file_format
    from indicators.records.spec import parse_file
    from indicators.services.records import records_import

    organization = Organization.objects.filter(collaborative=collab, slug=RECORDS_OWNER).first()
    if organization is None or not IOWA.exists():
        return
    editor = _editor(organization)
    spec = parse_file(json.loads(IOWA_SPEC.read_text(encoding="utf-8")))
    report, dataset, _definitions, _notes = records_import(
        collaborative=collab,
        organization=organization,
        path=IOWA,
        fmt=file_format(IOWA.name),
        spec_file=spec,
        share="collaborative",
        actor=editor.user if editor else None,
    )
    if dataset is None:
        raise RuntimeError(
            f"The demo's Iowa records did not load: {report.as_dict()['errors'][:3]}"
        )
