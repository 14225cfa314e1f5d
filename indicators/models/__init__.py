"""Shared measurement: one indicator catalog per collaborative, and the data behind it.

- ``Indicator``: the catalog (per collaborative, per key area), with the disaggregations
  it allows (``Dimension`` / ``DimensionValue``, seeded per collaborative).
- ``LocalDefinition``: what one organization's number includes and excludes.
- ``Dataset``: an organization's upload, a ``Shareable`` container. Its rows live in
  ``DatasetVersion`` s: every re-upload is a new version with a reason; the dataset
  points at its ``current_version`` (what the owner works on) and its
  ``accepted_version`` (the last one backbone staff accepted: what "accepted data only"
  shows). Status draft -> submitted -> accepted is per version.
- ``Observation``: one value for an indicator, a period and a breakdown, in one version.
  Never shared row by row: visible through its dataset (``visible_through``).
- ``ColumnMapping``, ``ImportJob``: the upload pipeline.
- ``StoryNote``, ``IndicatorComment``: the story behind the curve, partners' comments.
- ``DataRequest``: a member asks an organization to share a dataset.
- ``Record``, ``DerivedIndicator``: a record-level dataset's person-level rows (never
  shared) and the indicators derived from them (``indicators.records``).
"""

from indicators.models.catalog import (
    VALUE_DIGITS,
    VALUE_PLACES,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorQuerySet,
    IndicatorSettings,
    LocalDefinition,
    code_validator,
)
from indicators.models.dashboards import (
    IndicatorComment,
    StoryNote,
)
from indicators.models.datasets import (
    Dataset,
    DatasetGroupObjectPermission,
    DatasetQuerySet,
    DatasetVersion,
    Licence,
)
from indicators.models.imports import (
    ColumnMapping,
    ImportJob,
    ImportJobQuerySet,
)
from indicators.models.observations import (
    Observation,
    ObservationQuerySet,
    PeriodKind,
)
from indicators.models.records import (
    DerivedIndicator,
    DerivedIndicatorQuerySet,
    Record,
    RecordQuerySet,
)
from indicators.models.requests import (
    DataRequest,
)

__all__ = [
    "ColumnMapping",
    "DataRequest",
    "Dataset",
    "DatasetGroupObjectPermission",
    "DatasetQuerySet",
    "DatasetVersion",
    "DerivedIndicator",
    "DerivedIndicatorQuerySet",
    "Dimension",
    "DimensionValue",
    "ImportJob",
    "ImportJobQuerySet",
    "Indicator",
    "IndicatorComment",
    "IndicatorQuerySet",
    "IndicatorSettings",
    "Licence",
    "LocalDefinition",
    "Observation",
    "ObservationQuerySet",
    "PeriodKind",
    "Record",
    "RecordQuerySet",
    "StoryNote",
    "VALUE_DIGITS",
    "VALUE_PLACES",
    "code_validator",
]
