"""The indicators' API: /api/v1/collaboratives/<slug>/indicators/, /datasets/ and /observations/.

Read-only. Indicators through ``Indicator.objects.visible_to`` (the catalog, read by
every member), datasets' descriptions through ``Dataset.objects.visible_or_reviewable``
(their sharing, plus for backbone staff what was submitted to them, as on the dataset
pages; never the rows), and
observations exactly as the dashboards show them (indicators/dashboards.py): the
rows of datasets the person may see, with small numbers suppressed. Suppression is
worked out on each whole table (an indicator and a period, every dataset and
breakdown) before the filters pick rows, so asking for one breakdown or one
organization never shows a figure the whole table hides. A hidden figure comes back
with ``"value": null`` and ``"hidden": true``. The person's own organization (with a
token: the token's organization) gets its own exact figures.
"""

import uuid
from typing import Any

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from indicators.dashboards import COMBINED, indicator_data
from indicators.models import Dataset, Indicator
from reentry.api.filters import CollaborativeFilterSet, SlugFilter
from reentry.api.params import date_param, flag_param, uuid_param
from reentry.api.viewsets import (
    COLLABORATIVE_PREFIX,
    CollaborativeScopedViewSet,
    api_router,
    request_token,
)
from reentry.sharing.access import get_visible_or_404


class IndicatorSerializer(serializers.ModelSerializer):
    key_area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    dimensions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "public_id",
            "code",
            "name",
            "name_es",
            "question",
            "key_area",
            "kind",
            "unit",
            "direction",
            "numerator_definition",
            "denominator_definition",
            "source",
            "frequency",
            "dimensions",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "status",
            "is_headline",
            "is_public",
        ]


class DatasetSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="owner.public_id", read_only=True)
    organization_name = serializers.CharField(source="owner.name", read_only=True)
    status = serializers.CharField(read_only=True)
    accepted = serializers.SerializerMethodField()
    sharing_level = serializers.CharField(
        read_only=True, help_text="private, sector, shared, collaborative or public."
    )

    class Meta:
        model = Dataset
        fields = [
            "public_id",
            "title",
            "organization",
            "organization_name",
            "source",
            "period_start",
            "period_end",
            "methodology",
            "licence",
            "sharing_level",
            "status",
            "accepted",
        ]

    def get_accepted(self, dataset: Dataset) -> bool:
        return dataset.accepted_version_id is not None


class ObservationSerializer(serializers.Serializer):
    indicator = serializers.UUIDField()
    period = serializers.CharField()
    period_kind = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    dataset = serializers.UUIDField(allow_null=True, help_text="Null for a combined figure.")
    organization = serializers.UUIDField(allow_null=True, help_text="Null for combined.")
    breakdown = serializers.DictField(child=serializers.CharField())
    value = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    hidden = serializers.BooleanField(help_text="Suppressed: too few people to show.")
    hidden_from_others = serializers.BooleanField(
        help_text="Your own figure, which others see as hidden."
    )


def _int(number) -> int | None:
    return None if number is None else int(number)


class IndicatorFilter(CollaborativeFilterSet):
    key_area = SlugFilter(field_name="key_area")
    status = django_filters.ChoiceFilter(choices=Indicator.Status.choices)


class DatasetFilter(CollaborativeFilterSet):
    organization = django_filters.UUIDFilter(field_name="owner__public_id")


@extend_schema(tags=["indicators"])
@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("key_area", OpenApiTypes.STR, description="Key area slug."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Indicator.Status.values),
        ]
    )
)
class IndicatorViewSet(CollaborativeScopedViewSet):
    """The collaborative's indicator catalog."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter

    def scoped_queryset(self):
        qs = (
            Indicator.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("key_area")
            .prefetch_related("dimensions")
            .order_by("code", "pk")
        )
        return qs


@extend_schema(tags=["indicators"])
@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("organization", OpenApiTypes.UUID, description="Owner.")]
    )
)
class DatasetViewSet(CollaborativeScopedViewSet):
    """Datasets you may see (their owner's sharing level decides; backbone staff also see
    the description of datasets submitted to them for acceptance, as on the pages)."""

    serializer_class = DatasetSerializer
    filterset_class = DatasetFilter

    def scoped_queryset(self):
        qs = (
            Dataset.objects.visible_or_reviewable(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("owner", "current_version")
            .order_by("-period_end", "title", "pk")
        )
        return qs


OBSERVATION_FILTERS = [
    OpenApiParameter(
        "indicator",
        OpenApiTypes.STR,
        required=True,
        description="The indicator's UUID (public_id) or its code.",
    ),
    OpenApiParameter("period_from", OpenApiTypes.DATE, description="Periods ending on or after."),
    OpenApiParameter("period_to", OpenApiTypes.DATE, description="Periods starting on or before."),
    OpenApiParameter(
        "disaggregation",
        OpenApiTypes.STR,
        description="'total', or dimension codes joined by commas (e.g. 'race_ethnicity').",
    ),
    OpenApiParameter(
        "organization", OpenApiTypes.STR, description="An organization's UUID, or 'combined'."
    ),
    OpenApiParameter("accepted", OpenApiTypes.BOOL, description="Accepted versions only."),
]


@extend_schema(tags=["indicators"])
@extend_schema_view(list=extend_schema(parameters=OBSERVATION_FILTERS))
class ObservationViewSet(CollaborativeScopedViewSet):
    """One indicator's figures, as the dashboards show them to you (suppressed)."""

    serializer_class = ObservationSerializer
    # Read by list() itself, not a FilterSet.
    query_parameters = tuple(p.name for p in OBSERVATION_FILTERS)

    def scoped_queryset(self):
        return Indicator.objects.visible_to(self.request.user).filter(
            collaborative=self.collaborative
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request data
            return Indicator.objects.none()
        return self.scoped_queryset()

    def _own(self) -> list[int]:
        token = request_token(self.request)
        if token is not None:
            return [token.organization_id]
        member = self.member
        return [member.organization_id] if member and member.organization_id else []

    @extend_schema(exclude=True)
    def retrieve(self, request, *args, **kwargs):
        """Figures have no address of their own: list them by indicator."""
        raise NotFound

    def list(self, request, *args, **kwargs):
        params = request.query_params
        wanted = (params.get("indicator") or "").strip()
        if not wanted:
            raise ValidationError({"indicator": [_("Give the indicator's UUID or code.")]})
        try:
            lookup: dict[str, Any] = {"public_id": uuid.UUID(wanted)}
        except ValueError:
            lookup = {"code": wanted}
        indicator = get_visible_or_404(
            Indicator.objects.filter(collaborative=self.collaborative),
            self.scoped_queryset().select_related("key_area"),
            request=request,
            **lookup,
        )
        period_from, period_to = date_param(params, "period_from"), date_param(params, "period_to")
        wanted_dims = params.get("disaggregation")
        organization = params.get("organization")
        if organization and organization not in (COMBINED, "combined"):
            uuid_param(params, "organization")
        data = indicator_data(
            [indicator],
            user=request.user,
            collaborative=self.collaborative,
            own_organization_ids=self._own(),
            accepted_only=flag_param(params, "accepted"),
        )[indicator.pk]
        datasets = {
            d.pk: d for d in Dataset.objects.filter(pk__in=data.dataset_ids).select_related("owner")
        }
        rows: list[dict[str, Any]] = []
        for table in data.tables:
            if period_from and table.period.end < period_from:
                continue
            if period_to and table.period.start > period_to:
                continue
            sources = [(datasets.get(i), cells) for i, cells in table.by_dataset.items()]
            if len(table.by_dataset) > 1:
                sources.append((None, table.combined))
            for dataset, cells in sources:
                if organization == "combined" and dataset is not None:
                    continue
                if (
                    organization
                    and organization != "combined"
                    and (dataset is None or str(dataset.owner.public_id) != organization)
                ):
                    continue
                for key, cell in cells.items():
                    dims = ",".join(d for d, _v in key) or "total"
                    if wanted_dims and dims != wanted_dims:
                        continue
                    rows.append(
                        {
                            "indicator": indicator.public_id,
                            "period": table.label,
                            "period_kind": table.period.kind,
                            "period_start": table.period.start,
                            "period_end": table.period.end,
                            "dataset": dataset.public_id if dataset else None,
                            "organization": dataset.owner.public_id if dataset else None,
                            "breakdown": dict(key),
                            "value": cell.value,
                            "numerator": _int(cell.numerator),
                            "denominator": _int(cell.denominator),
                            "hidden": cell.hidden,
                            "hidden_from_others": cell.protected and not cell.hidden,
                        }
                    )
        page = self.paginate_queryset(rows)
        serializer = self.get_serializer(page if page is not None else rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)


router = api_router()
router.register(f"{COLLABORATIVE_PREFIX}/indicators", IndicatorViewSet, basename="indicator")
router.register(f"{COLLABORATIVE_PREFIX}/datasets", DatasetViewSet, basename="dataset")
router.register(f"{COLLABORATIVE_PREFIX}/observations", ObservationViewSet, basename="observation")
