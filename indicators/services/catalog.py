"""Writes to the indicator catalog: ``<entity>_<verb>(*, actor, ...)``, atomic, audited;
and the collaborative's indicator settings and dimensions, created on first use."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from indicators.access import can_create_indicator, can_define_locally, can_edit_indicator
from indicators.models import (
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorSettings,
    LocalDefinition,
)
from indicators.seeds import DEFAULT_DIMENSIONS
from reentry.audit.log import record
from stakeholders.models import Collaborative, Member

# --- settings and dimensions ----------------------------------------------------------


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


# --- the catalog ----------------------------------------------------------------------


@transaction.atomic
def indicator_save(
    *,
    actor: Member,
    indicator: Indicator,
    dimensions: Iterable[Dimension] | None = None,
    request=None,
) -> Indicator:
    """Create or update an indicator (fields already set on ``indicator``)."""
    creating = indicator.pk is None
    if creating:
        if not can_create_indicator(actor):
            raise PermissionDenied
        indicator.collaborative = actor.collaborative
    elif not can_edit_indicator(actor, indicator):
        raise PermissionDenied
    indicator.full_clean()
    indicator.save()
    if dimensions is not None:
        chosen = [d for d in dimensions if d.collaborative_id == indicator.collaborative_id]
        indicator.dimensions.set(chosen)
    record(
        "indicator.created" if creating else "indicator.changed",
        actor=actor.user,
        request=request,
        collaborative=indicator.collaborative,
        obj=indicator,
        status=indicator.status,
    )
    return indicator


@transaction.atomic
def local_definition_save(
    *, actor: Member, indicator: Indicator, includes: str, excludes: str, request=None
) -> LocalDefinition:
    """An organization's admin or staff state what their number includes and excludes."""
    organization = actor.organization
    if (
        organization is None
        or not can_define_locally(actor)
        or indicator.collaborative_id != actor.collaborative_id
    ):
        raise PermissionDenied
    definition, _created = LocalDefinition.objects.get_or_create(
        organization=organization, indicator=indicator
    )
    definition.includes = includes.strip()
    definition.excludes = excludes.strip()
    definition.updated_by = actor
    definition.full_clean()
    definition.save()
    record(
        "indicator.local_definition_changed",
        actor=actor.user,
        request=request,
        collaborative=indicator.collaborative,
        obj=indicator,
        organization=organization.name,
    )
    return definition
