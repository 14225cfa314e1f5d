"""Which file column is which upload field: choices, guesses, problems, memory per organization."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.importing.files import headers_key, normalise_header
from indicators.models import ColumnMapping, Dimension
from reentry.i18n import localized
from stakeholders.models import Organization

# The fields a column can be mapped to (besides one per dimension, "dim:<code>").
FIELDS: dict[str, Any] = {
    "indicator": gettext_lazy("Indicator code"),
    "period": gettext_lazy("Period (2025-03, 2025-Q1, 2025, FY2025)"),
    "period_start": gettext_lazy("Period start (a date)"),
    "period_end": gettext_lazy("Period end (a date)"),
    "value": gettext_lazy("Value"),
    "numerator": gettext_lazy("Numerator"),
    "denominator": gettext_lazy("Denominator (or number of people)"),
}
SYNONYMS = {
    "indicator": "indicator",
    "indicator_code": "indicator",
    "code": "indicator",
    "measure": "indicator",
    "period": "period",
    "reporting_period": "period",
    "month": "period",
    "quarter": "period",
    "year": "period",
    "fiscal_year": "period",
    "period_start": "period_start",
    "start_date": "period_start",
    "start": "period_start",
    "from": "period_start",
    "period_end": "period_end",
    "end_date": "period_end",
    "end": "period_end",
    "to": "period_end",
    "value": "value",
    "count": "value",
    "amount": "value",
    "numerator": "numerator",
    "num": "numerator",
    "denominator": "denominator",
    "denom": "denominator",
    "people": "denominator",
    "race": "dim:race_ethnicity",
    "ethnicity": "dim:race_ethnicity",
    "race_and_ethnicity": "dim:race_ethnicity",
    "gender": "dim:sex",
    "age": "dim:age_group",
    "county": "dim:geography",
    "zip": "dim:geography",
    "zip_code": "dim:geography",
    "area": "dim:geography",
}

# --- mapping ------------------------------------------------------------------------


def target_choices(dimensions: list[Dimension]) -> list[tuple[str, str]]:
    choices = [("", _("Leave out"))]
    choices += [(key, str(label)) for key, label in FIELDS.items()]
    choices += [
        (f"dim:{d.code}", _("Breakdown: %(name)s") % {"name": localized(d, "name")})
        for d in dimensions
    ]
    return choices


def guess_mapping(
    headers: list[str], dimensions: list[Dimension], organization: Organization | None
) -> dict[str, str]:
    """The organization's remembered mapping for these headers, or a guess by name."""
    if organization is not None:
        remembered = ColumnMapping.objects.filter(
            organization=organization, headers_key=headers_key(headers)
        ).first()
        if remembered is not None:
            return {h: remembered.mapping.get(h, "") for h in headers}
    by_name = dict(SYNONYMS)
    for d in dimensions:
        by_name[d.code] = f"dim:{d.code}"
        by_name[normalise_header(d.name)] = f"dim:{d.code}"
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = by_name.get(normalise_header(header), "")
        if (
            target
            and target not in used
            and (not target.startswith("dim:") or target in by_name.values())
        ):
            mapping[header] = target
            used.add(target)
        else:
            mapping[header] = ""
    known = {f"dim:{d.code}" for d in dimensions}
    return {h: (t if not t.startswith("dim:") or t in known else "") for h, t in mapping.items()}


def mapping_problems(mapping: dict[str, str]) -> list[str]:
    """What is missing or repeated in a mapping, in plain words."""
    targets = [t for t in mapping.values() if t]
    problems = []
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        label = FIELDS.get(target, target.removeprefix("dim:"))
        problems.append(_("Only one column can be “%(field)s”.") % {"field": label})
    if "indicator" not in targets:
        problems.append(_("Choose the column with the indicator code."))
    has_period = "period" in targets
    has_range = "period_start" in targets and "period_end" in targets
    if not has_period and not has_range:
        problems.append(
            _("Choose the column with the period, or the columns with its start and end dates.")
        )
    if has_period and ("period_start" in targets or "period_end" in targets):
        problems.append(_("Use either a period column or start and end dates, not both."))
    if "value" not in targets and "numerator" not in targets:
        problems.append(_("Choose the column with the value (or the numerator and denominator)."))
    if "numerator" in targets and "denominator" not in targets:
        problems.append(_("A numerator needs its denominator column."))
    return problems


def explicit_mapping(
    given: dict[str, str], headers: list[str], dimensions: list[Dimension]
) -> tuple[dict[str, str], list[str]]:
    """A mapping someone wrote out (file column → field), checked as the mapping screen
    checks it: each column is one of the file's, each field one the screen offers (a
    breakdown as ``dim:<code>`` or just its code), then ``mapping_problems``. Columns not
    named are left out. Returns (the mapping for every column, problems in plain words)."""
    fields = {key for key, _label in target_choices(dimensions) if key}
    codes = {d.code: f"dim:{d.code}" for d in dimensions}
    by_name = {normalise_header(h): h for h in headers if h}
    mapping = {h: "" for h in headers if h}
    problems: list[str] = []
    for column, field in given.items():
        header = column if column in mapping else by_name.get(normalise_header(column))
        if header is None:
            problems.append(
                _("The file has no column “%(column)s”. Its columns are: %(columns)s.")
                % {"column": column, "columns": ", ".join(h for h in headers if h)}
            )
            continue
        target = field.strip()
        target = codes.get(target.removeprefix("dim:"), target) if target else ""
        if target and target not in fields:
            problems.append(
                _("“%(field)s” (for column “%(column)s”) is not a field. Use one of: %(fields)s.")
                % {"field": field, "column": column, "fields": ", ".join(sorted(fields))}
            )
            continue
        mapping[header] = target
    if problems:
        return mapping, problems
    return mapping, mapping_problems(mapping)


def remember_mapping(
    *, organization: Organization, headers: list[str], mapping: dict, user
) -> None:
    ColumnMapping.objects.update_or_create(
        organization=organization,
        headers_key=headers_key(headers),
        defaults={"headers": headers, "mapping": mapping, "updated_by": user},
    )
