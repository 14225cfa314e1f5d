"""Datasets and observations for the dashboard, public, export and API tests, written
straight to the database: the import pipeline has its own tests."""

import re
from datetime import date
from decimal import Decimal

from indicators.models import Dataset, DatasetVersion, Indicator, Observation, PeriodKind
from reentry.sharing.services import sharing_set
from tests.indicators.upload_helpers import make_indicator


def make_dataset(cast, owner, *, level="collaborative", accepted=True, title=None, actor=None):
    """A dataset of ``owner`` at sharing ``level``, with one version (accepted or not)."""
    dataset = Dataset.objects.create(
        owner=owner,
        title=title or f"{owner.name} figures",
        period_start=date(2022, 1, 1),
        period_end=date(2025, 12, 31),
    )
    version = DatasetVersion.objects.create(
        dataset=dataset,
        number=1,
        status=DatasetVersion.Status.ACCEPTED if accepted else DatasetVersion.Status.DRAFT,
    )
    dataset.current_version = version
    dataset.accepted_version = version if accepted else None
    dataset.save(update_fields=["current_version", "accepted_version"])
    if level != "private":
        admin = actor or _admin_of(cast, owner)
        sharing_set(actor=admin, obj=dataset, level=level)
    return dataset


def _admin_of(cast, owner):
    for name in ("admin_a", "staff_b", "staff_c"):
        member = getattr(cast, name)
        if member.organization_id == owner.pk:
            if member.role != member.Role.ORG_ADMIN:
                member.role = member.Role.ORG_ADMIN
                member.save(update_fields=["role"])
            return member
    raise AssertionError(f"no admin for {owner}")


def year(y):
    return (PeriodKind.YEAR, date(y, 1, 1), date(y, 12, 31))


def observe(dataset, indicator, period, value, *, breakdown=None, numerator=None, denominator=None):
    kind, start, end = period
    breakdown = breakdown or {}
    dims = sorted(breakdown)
    if indicator.is_ratio and numerator is not None and value is None:
        value = indicator.derive_value(Decimal(numerator), Decimal(denominator))
    return Observation.objects.create(
        dataset=dataset,
        version=dataset.current_version,
        indicator=indicator,
        period_kind=kind,
        period_start=start,
        period_end=end,
        breakdown=breakdown,
        breakdown_dims=",".join(dims),
        breakdown_key="|".join(f"{d}={breakdown[d]}" for d in dims),
        value=Decimal(value),
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
    )


def race_breakdown(dataset, indicator, period, total, groups):
    """A total and its breakdown by race and ethnicity (counts)."""
    observe(dataset, indicator, period, total)
    for code, value in groups.items():
        observe(dataset, indicator, period, value, breakdown={"race_ethnicity": code})


def indicator_of(cast, code="HOUS-1", **kw) -> Indicator:
    return make_indicator(cast, code, **kw)


_RANDOM_TOKENS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # public ids
    r"|name=\"csrfmiddlewaretoken\" value=\"[^\"]*\""  # CSRF tokens
    r"|/static/[^\"'\s)]*"  # hashed static file names
)


def figures_of(page: str) -> str:
    """The page without ids, tokens and static file names, so that asserting a figure
    is absent cannot fail because "517" happens to be inside a random UUID."""
    return _RANDOM_TOKENS.sub("", page)
