"""Writes to the indicator catalog: ``<entity>_<verb>(*, actor, ...)``, atomic, audited.
The collaborative's settings and dimensions, created on first use, are in
``indicators.seeds`` (the importer needs them, and it sits below the services)."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from indicators.access import can_create_indicator, can_define_locally, can_edit_indicator
from indicators.models import (
    Dimension,
    Indicator,
    LocalDefinition,
)
from reentry.audit.log import record
from reentry.pagecache import DASHBOARD, page_changed
from stakeholders.models import Member

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
    page_changed(DASHBOARD, indicator.collaborative)  # its name, target, is_public, status
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
