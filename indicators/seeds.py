"""The disaggregation dimensions every collaborative starts with (editable data, not code).

Codes are what uploads use as column names and cell values; labels are translated when
shown. A dimension with no listed values accepts any value (geography: ZIP codes,
neighborhoods, counties differ from place to place).
"""

from django.db import transaction
from django.utils.translation import gettext_noop

from indicators.models import Dimension, DimensionValue, IndicatorSettings
from reentry.i18n import product_written
from stakeholders.models import Collaborative

# (code, name, [(value code, label), ...])
DEFAULT_DIMENSIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "race_ethnicity",
        gettext_noop("Race and ethnicity"),
        [
            ("american-indian", gettext_noop("American Indian or Alaska Native")),
            ("asian", gettext_noop("Asian")),
            ("black", gettext_noop("Black or African American")),
            ("hispanic", gettext_noop("Hispanic or Latino")),
            ("pacific-islander", gettext_noop("Native Hawaiian or Pacific Islander")),
            ("white", gettext_noop("White")),
            ("multiracial", gettext_noop("Two or more races")),
            ("other", gettext_noop("Another race or ethnicity")),
            ("unknown", gettext_noop("Not recorded")),
        ],
    ),
    (
        "sex",
        gettext_noop("Sex"),
        [
            ("female", gettext_noop("Female")),
            ("male", gettext_noop("Male")),
            ("another", gettext_noop("Another answer")),
            ("unknown", gettext_noop("Not recorded")),
        ],
    ),
    (
        "age_group",
        gettext_noop("Age group"),
        [
            ("under-25", gettext_noop("Under 25")),
            ("25-34", gettext_noop("25 to 34")),
            ("35-44", gettext_noop("35 to 44")),
            ("45-54", gettext_noop("45 to 54")),
            ("55-plus", gettext_noop("55 and over")),
            ("unknown", gettext_noop("Not recorded")),
        ],
    ),
    ("geography", gettext_noop("Geography"), []),
    (
        "release_type",
        gettext_noop("Release type"),
        [
            ("parole", gettext_noop("Parole")),
            ("end-of-sentence", gettext_noop("End of sentence")),
            ("special-sentence", gettext_noop("Special sentence")),
            ("probation", gettext_noop("Probation")),
            ("other", gettext_noop("Other release")),
            ("unknown", gettext_noop("Not recorded")),
        ],
    ),
]

# Stored in English, shown in the reader's language while nobody has edited them.
product_written(
    *(name for _code, name, _values in DEFAULT_DIMENSIONS),
    *(label for _code, _name, values in DEFAULT_DIMENSIONS for _value, label in values),
)


def indicator_settings_for(collaborative: Collaborative) -> IndicatorSettings:
    """The collaborative's indicator settings, created (and dimensions seeded) on first use."""
    found = IndicatorSettings.objects.filter(collaborative=collaborative).first()
    if found is not None and found.dimensions_seeded:
        return found
    with transaction.atomic():
        found, _created = IndicatorSettings.objects.select_for_update().get_or_create(
            collaborative=collaborative
        )
        if not found.dimensions_seeded:
            dimensions_seed(collaborative=collaborative)
            found.dimensions_seeded = True
            found.save(update_fields=["dimensions_seeded"])
    return found


def dimensions_seed(*, collaborative: Collaborative) -> None:
    """Create the default dimensions and values that are missing (never overwrites)."""
    existing = set(
        Dimension.objects.filter(collaborative=collaborative).values_list("code", flat=True)
    )
    for order, (code, name, values) in enumerate(DEFAULT_DIMENSIONS):
        if code in existing:
            continue
        dimension = Dimension.objects.create(
            collaborative=collaborative,
            code=code,
            name=name,
            order=order,
            accepts_any_value=not values,
        )
        DimensionValue.objects.bulk_create(
            DimensionValue(dimension=dimension, code=value_code, label=label, order=i)
            for i, (value_code, label) in enumerate(values)
        )
