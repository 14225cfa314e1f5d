"""Release-anchored and casework indicators, derived by the same engine as record-level
datasets (``indicators.records.derive``).

An organization derives these from its OWN casework records only (DESIGN.md rule 7):
the enrolments it made (their release dates), the service logs it wrote on them, and the
referrals it sent. A service another organization logged, even one a consent lets the
organization see, is never counted: a consent lets a caseworker read a record to serve
the person, not fold it into statistics. What leaves the organization is the aggregate,
stored as the observations of a dataset it owns (kind "casework") and shared, like every
figure, at the level the owner chooses and through the one suppression entry point
(rule 8).

Two sources, each an inner select with the aliases the engine groups by (``p``: the
period as ``YYYY-MM`` text, ``b0``…``bN``: mapped breakdown values, ``n``: 1 when the
numerator holds), so ``grouped``, ``cells`` and ``observations`` are reused unchanged:

- ``after_release``: one row per enrolment of the organization with a release date,
  period = the release date; ``n`` = 1 when the organization logged a service in the
  named key area, with one of the named outcomes, from the release date to ``within_days``
  days after it ("housed within 30 days": Housing, 30; "employed within 90 days":
  Employment, 90).
- ``referrals``: one row per referral the organization sent, period = the day it was
  sent (in the collaborative's time zone); ``n`` = 1 when the receiver delivered a service
  (the referral is "delivered" or "closed" with a service log linked). The sender sees
  that status on its own referral, so it is the sender's record.

The definition (stored on ``DerivedIndicator.spec``, ``"source": "casework"``)::

    {"source": "casework", "code": "HOUSED-30D", "count": "after_release",
     "key_area": "housing", "within_days": 30, "outcomes": ["completed"],
     "cut": "quarter",
     "breakdowns": [{"field": "supervision", "dimension": "supervision",
                     "map": {"parole": "parole", "probation": "probation",
                             "none": "none", "other": "other"}, "blank": "unknown"}]}
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr, TruncDate
from django.utils.translation import gettext as _

from casework.models import Enrolment, Referral, ServiceLog
from indicators.records.derive import mapped
from indicators.records.spec import DATE_CUTS, Breakdown, Dimensions, IndicatorSpec, PeriodSpec
from stakeholders.models import KeyArea, Organization

SOURCE = "casework"
COUNTS = ("after_release", "referrals")
OUTCOMES = tuple(ServiceLog.Outcome.values)
# The fields a breakdown may read, per count, and every value each can hold ("" = blank).
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "after_release": {
        "supervision": tuple(Enrolment.Supervision.values),
        "preferred_language": ("",),  # values: the site's languages, filled in below
    },
    "referrals": {},
}
SPEC_KEYS = (
    "source",
    "code",
    "count",
    "key_area",
    "within_days",
    "outcomes",
    "cut",
    "breakdowns",
)


class CaseworkSpecError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _field_values(count: str, name: str) -> tuple[str, ...]:
    if name == "preferred_language":
        from django.conf import settings

        return ("", *(code for code, _name in settings.LANGUAGES))
    return FIELDS[count][name]


@dataclass(frozen=True)
class CaseworkSpec:
    code: str
    count: str
    cut: str = "quarter"
    key_area: str = ""
    within_days: int = 0
    outcomes: tuple[str, ...] = (ServiceLog.Outcome.COMPLETED,)
    breakdowns: tuple[Breakdown, ...] = ()

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"source": SOURCE, "code": self.code, "count": self.count}
        if self.count == "after_release":
            found.update(
                key_area=self.key_area,
                within_days=self.within_days,
                outcomes=list(self.outcomes),
            )
        elif self.key_area:
            found["key_area"] = self.key_area
        found["cut"] = self.cut
        found["breakdowns"] = [
            {"field": b.column, **{k: v for k, v in b.as_json().items() if k != "column"}}
            for b in self.breakdowns
        ]
        return found

    def engine_spec(self) -> IndicatorSpec:
        """The engine's view of the definition: a rate by a date cut into periods, with
        the same breakdowns (``cells`` and ``observations`` read only these)."""
        column = "release_date" if self.count == "after_release" else "sent_on"
        return IndicatorSpec(
            self.code, "rate", PeriodSpec(column, "date", self.cut), breakdowns=self.breakdowns
        )


def is_casework(spec: dict[str, Any]) -> bool:
    return isinstance(spec, dict) and spec.get("source") == SOURCE


def parse(data: Any, code: str | None = None) -> CaseworkSpec:
    """Read a definition; raises ``CaseworkSpecError`` naming every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CaseworkSpecError([_("The definition is a JSON object.")])
    unknown = sorted(set(data) - set(SPEC_KEYS))
    if unknown:
        problems.append(_("Unknown key(s): %(keys)s.") % {"keys": ", ".join(unknown)})
    code = code or str(data.get("code") or "").strip()
    if not code:
        problems.append(_("Give the indicator's code."))
    count = data.get("count")
    if count not in COUNTS:
        problems.append(_("“count” is one of %(counts)s.") % {"counts": ", ".join(COUNTS)})
        raise CaseworkSpecError(problems)
    cut = data.get("cut", "quarter")
    if cut not in DATE_CUTS:
        problems.append(_("“cut” is one of %(cuts)s.") % {"cuts": ", ".join(DATE_CUTS)})
    key_area = str(data.get("key_area") or "")
    within_days = data.get("within_days", 0)
    outcomes = data.get("outcomes", [ServiceLog.Outcome.COMPLETED])
    if count == "after_release":
        if not key_area:
            problems.append(_("Name the key area of the service counted (its web address name)."))
        if isinstance(within_days, bool) or not isinstance(within_days, int) or within_days < 0:
            problems.append(_("“within_days” is a whole number of days, 0 or more."))
            within_days = 0
        if (
            not isinstance(outcomes, list)
            or not outcomes
            or any(o not in OUTCOMES for o in outcomes)
        ):
            problems.append(
                _("“outcomes” is a list of %(outcomes)s.") % {"outcomes": ", ".join(OUTCOMES)}
            )
            outcomes = [ServiceLog.Outcome.COMPLETED]
    breakdowns = []
    for index, item in enumerate(data.get("breakdowns") or []):
        where = f"breakdowns[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("map", {}), dict):
            problems.append(_("%(where)s: give field, dimension and map.") % {"where": where})
            continue
        name = item.get("field")
        if name not in FIELDS[count]:
            problems.append(
                _("%(where)s: “field” is one of %(fields)s.")
                % {"where": where, "fields": ", ".join(FIELDS[count]) or _("(none)")}
            )
            continue
        breakdowns.append(
            Breakdown(
                name,
                str(item.get("dimension") or ""),
                {str(k): str(v) for k, v in (item.get("map") or {}).items()},
                item.get("blank"),
                item.get("other"),
            )
        )
    if problems:
        raise CaseworkSpecError(problems)
    return CaseworkSpec(
        code=code,
        count=count,
        cut=cut,
        key_area=key_area,
        within_days=int(within_days),
        outcomes=tuple(outcomes),
        breakdowns=tuple(breakdowns),
    )


def check(spec: CaseworkSpec, organization: Organization, dimensions: Dimensions) -> int | None:
    """Check a definition against the collaborative: its key area exists, every breakdown
    names a dimension, maps every value the field can hold (or sends it to "other" or
    "blank") onto that dimension's values, so nothing is silently dropped. Returns the key
    area's id (None when the count takes none)."""
    problems: list[str] = []
    key_area_id = None
    if spec.key_area:
        key_area_id = (
            KeyArea.objects.filter(
                collaborative_id=organization.collaborative_id, slug=spec.key_area
            )
            .values_list("pk", flat=True)
            .first()
        )
        if key_area_id is None:
            problems.append(
                _("The collaborative has no key area “%(slug)s”.") % {"slug": spec.key_area}
            )
    for index, breakdown in enumerate(spec.breakdowns):
        where = f"breakdowns[{index}]"
        if breakdown.dimension not in dimensions.names:
            problems.append(
                _("%(where)s: the collaborative has no dimension “%(code)s”.")
                % {"where": where, "code": breakdown.dimension}
            )
            continue
        allowed = dimensions.values[breakdown.dimension]
        for raw in _field_values(spec.count, breakdown.column):
            target = breakdown.code_for(raw)
            if target is None:
                problems.append(
                    _("%(where)s: say what “%(value)s” counts as.")
                    % {"where": where, "value": raw or _("(blank)")}
                )
            elif allowed is not None and target not in allowed:
                problems.append(
                    _("%(where)s: “%(code)s” is not a value of %(dimension)s.")
                    % {
                        "where": where,
                        "code": target,
                        "dimension": dimensions.names[breakdown.dimension],
                    }
                )
    if problems:
        raise CaseworkSpecError(problems)
    return key_area_id


# --- the inner selects ----------------------------------------------------------------------


def _month_text(expression) -> Substr:
    """``YYYY-MM`` of a date, on PostgreSQL and SQLite alike (ISO text of a date)."""
    return Substr(Cast(expression, CharField()), 1, 7)


def _breakdowns(spec: CaseworkSpec, prefix: str = "") -> dict[str, Any]:
    return {f"b{i}": mapped(b, f"{prefix}{b.column}") for i, b in enumerate(spec.breakdowns)}


def after_release_select(
    spec: CaseworkSpec, organization_id: int, key_area_id: int | None
) -> QuerySet:
    """One row per enrolment the organization made that has a release date."""
    window_end = ExpressionWrapper(
        OuterRef("release_date") + timedelta(days=spec.within_days), output_field=DateField()
    )
    served = ServiceLog.objects.filter(
        enrolment_id=OuterRef("pk"),
        organization_id=organization_id,
        key_area_id=key_area_id,
        outcome__in=list(spec.outcomes),
        delivered_on__gte=OuterRef("release_date"),
        delivered_on__lte=window_end,
    )
    annotations: dict[str, Any] = {
        "p": _month_text(F("release_date")),
        **_breakdowns(spec),
        "n": Case(
            When(Exists(served), then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    }
    return (
        Enrolment.objects.filter(organization_id=organization_id, release_date__isnull=False)
        .order_by()
        .annotate(**annotations)
        .values(*annotations)
    )


def referrals_select(
    spec: CaseworkSpec, organization_id: int, key_area_id: int | None, time_zone
) -> QuerySet:
    """One row per referral the organization sent (in the key area, if one is named)."""
    delivered = Q(
        status__in=[Referral.Status.DELIVERED, Referral.Status.CLOSED],
        service_log_id__isnull=False,
    )
    annotations: dict[str, Any] = {
        "p": _month_text(TruncDate("sent_at", tzinfo=time_zone)),
        **_breakdowns(spec),
        "n": Case(When(delivered, then=Value(1)), default=Value(0), output_field=IntegerField()),
    }
    qs = Referral.objects.filter(from_organization_id=organization_id)
    if key_area_id is not None:
        qs = qs.filter(key_area_id=key_area_id)
    return qs.order_by().annotate(**annotations).values(*annotations)


def inner_select(
    spec: CaseworkSpec, organization: Organization, key_area_id: int | None
) -> QuerySet:
    if spec.count == "after_release":
        return after_release_select(spec, organization.pk, key_area_id)
    import zoneinfo

    zone = zoneinfo.ZoneInfo(organization.collaborative.time_zone)
    return referrals_select(spec, organization.pk, key_area_id, zone)


# --- in words ------------------------------------------------------------------------------


def describe(spec: CaseworkSpec, organization: Organization, dimensions: Dimensions) -> str:
    from indicators.records.describe import PERIOD_WORDS

    period = PERIOD_WORDS[spec.cut]()
    if spec.count == "after_release":
        area = (
            KeyArea.objects.filter(
                collaborative_id=organization.collaborative_id, slug=spec.key_area
            )
            .values_list("name", flat=True)
            .first()
            or spec.key_area
        )
        outcomes = _(" or ").join(f"“{ServiceLog.Outcome(o).label}”" for o in spec.outcomes)
        text = _(
            "Percent of the people %(org)s enrolled with a release date for whom it logged "
            "a service in %(area)s (outcome %(outcomes)s) within %(days)s days of release, "
            "by %(period)s of release. Only the organization's own records are counted."
        ) % {
            "org": organization.name,
            "area": area,
            "outcomes": outcomes,
            "days": spec.within_days,
            "period": period,
        }
    else:
        text = _(
            "Percent of the referrals %(org)s sent for which the receiving organization "
            "delivered a service (the referral is marked delivered or closed with a service "
            "linked), by %(period)s sent."
        ) % {"org": organization.name, "period": period}
    for breakdown in spec.breakdowns:
        text += " " + _("Broken down by %(dimension)s (from the enrolment's “%(field)s”).") % {
            "dimension": dimensions.names.get(breakdown.dimension, breakdown.dimension),
            "field": breakdown.column.replace("_", " "),
        }
    return text


# --- the standard three ---------------------------------------------------------------------

STANDARD: tuple[dict[str, Any], ...] = (
    {
        "spec": {
            "source": SOURCE,
            "code": "HOUSED-30D",
            "count": "after_release",
            "key_area": "housing",
            "within_days": 30,
            "outcomes": ["completed"],
            "cut": "quarter",
        },
        "catalog": {
            "name": "Housed within 30 days of release",
            "question": "How many people had a housing service within 30 days of release?",
            "key_area": "housing",
            "kind": "better_off",
        },
    },
    {
        "spec": {
            "source": SOURCE,
            "code": "EMPLOYED-90D",
            "count": "after_release",
            "key_area": "employment",
            "within_days": 90,
            "outcomes": ["completed"],
            "cut": "quarter",
        },
        "catalog": {
            "name": "Employment service within 90 days of release",
            "question": "How many people had an employment service within 90 days of release?",
            "key_area": "employment",
            "kind": "better_off",
        },
    },
    {
        "spec": {
            "source": SOURCE,
            "code": "REFERRALS-DELIVERED",
            "count": "referrals",
            "cut": "quarter",
        },
        "catalog": {
            "name": "Referrals closed with a service delivered",
            "question": "Of the referrals sent, how many ended with a service delivered?",
            "key_area": None,
            "kind": "how_well",
        },
    },
)
