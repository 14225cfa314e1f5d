"""``{% derived_indicators dataset %}``: on a record-level dataset's page, for its owner's
admins and staff, the indicators derived from its records, with links to the builder
(indicators/views/derive.py). One query, whatever the number of indicators."""

from typing import Any

from django import template

from indicators.models import Dataset, DerivedIndicator

register = template.Library()


@register.inclusion_tag("indicators/_derived_indicators.html", takes_context=True)
def derived_indicators(context: dict[str, Any], dataset: Dataset) -> dict[str, Any]:
    shown = bool(context.get("is_owner")) and dataset.is_records
    return {
        "shown": shown,
        "dataset": dataset,
        "collaborative": context.get("collaborative"),
        "definitions": (
            list(
                DerivedIndicator.objects.filter(dataset=dataset)
                .select_related("indicator", "indicator__collaborative", "derived_version")
                .order_by("indicator__name")
            )
            if shown
            else []
        ),
    }
