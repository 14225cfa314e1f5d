"""Casework's API for providers' own case systems (organization tokens): participants,
consents, service logs and referrals, under rule 7 like every page.

/api/v1/collaboratives/<slug>/participants/, /service-logs/, /consents/ and
/referrals/ (list and read; participants and service logs also create).

- Every read goes through the models' ``visible_to``. An organization's token acts as its
  organization (``as_organization``): it sees the organization's own records and what
  consents in force name the organization (or its sector) for, never what its creator
  sees of their own record as a participant.
- Participants come as their code and public id, with the token organization's own
  enrolment facts (null when the organization does not serve the person). Never a name.
- Creates are for an organization's admins and staff (a token always is), at their own
  organization, through the same services as the pages (``casework.services``).
- Creates are idempotent on an ``Idempotency-Key`` header: the same key with the same
  body within 24 hours answers what the first request answered (and writes nothing);
  the same key with another body is a 422. Keys are kept per organization and endpoint
  and forgotten after 24 hours (``services.logs.idempotency_keys_expire``).
- A record of a 42 CFR Part 2 program shown to anyone outside that program carries
  ``part2_notice``, the §2.32 notice against redisclosure (null otherwise).
- Service logs and referrals page by keyset (``?older=<public_id>`` from ``next``), not
  by page number: no count over millions of rows.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from casework import access, notices
from casework.models import Consent, Enrolment, IdempotencyKey, Participant, Referral, ServiceLog
from casework.selectors import logs as log_selectors
from casework.services import logs as log_services
from casework.services import participants as participant_services
from reentry.api.filters import CollaborativeFilterSet, FlagFilter, SlugFilter
from reentry.api.params import uuid_param
from reentry.api.schema import error_response
from reentry.api.viewsets import (
    COLLABORATIVE_PREFIX,
    CollaborativeScopedViewSet,
    api_router,
    request_token,
)
from stakeholders.api import OrganizationRefSerializer
from stakeholders.models import KeyArea, Member

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 100


# --- shared pieces -------------------------------------------------------------------------


class ParticipantRef(serializers.Serializer):
    public_id = serializers.UUIDField()
    code = serializers.CharField()


def _person(participant: Participant) -> dict[str, str]:
    return {"public_id": str(participant.public_id), "code": participant.code}


def _organization(organization) -> dict[str, str] | None:
    if organization is None:
        return None
    return {
        "public_id": str(organization.public_id),
        "slug": organization.slug,
        "name": organization.name,
    }


class Part2NoticeMixin(serializers.Serializer):
    part2_notice = serializers.SerializerMethodField(
        help_text="The 42 CFR §2.32 notice against redisclosure when this is a Part 2 "
        "program's record disclosed to you; null otherwise."
    )

    def disclosing_organization(self, obj: Any):
        return obj.organization

    def get_part2_notice(self, obj: Any) -> str | None:
        organization = self.disclosing_organization(obj)
        if organization is None:
            return None
        viewer_orgs = self.context.get("viewer_org_ids", set())
        holder = _Holder(organization)
        if notices.part2_disclosed([holder], viewer_orgs):
            return str(notices.PART2_NOTICE)
        return None


class _Holder:
    """``notices.part2_disclosed`` reads ``organization_id`` and ``organization``."""

    def __init__(self, organization):
        self.organization = organization
        self.organization_id = organization.pk


def _slugs(areas) -> list[str]:
    return [area.slug for area in areas]


# --- serializers ---------------------------------------------------------------------------


class OurEnrolmentSerializer(serializers.ModelSerializer):
    needs = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "public_id",
            "status",
            "enrolled_on",
            "closed_on",
            "release_date",
            "facility",
            "supervision",
            "preferred_language",
            "needs",
        ]


class ParticipantSerializer(serializers.ModelSerializer):
    enrolment = serializers.SerializerMethodField(
        help_text="Your organization's own record of the person; null when your "
        "organization does not serve them (you see the participant through a consent)."
    )

    class Meta:
        model = Participant
        fields = ["public_id", "code", "enrolment"]

    @extend_schema_field(OurEnrolmentSerializer(allow_null=True))
    def get_enrolment(self, participant: Participant) -> dict | None:
        ours = getattr(participant, "ours", None)
        if not ours:
            return None
        return dict(OurEnrolmentSerializer(ours[0]).data)


class IdentityInput(serializers.Serializer):
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)


class ParticipantCreateSerializer(serializers.Serializer):
    """Enrol a new participant at your organization (a fresh code)."""

    enrolled_on = serializers.DateField(required=False, help_text="Default: today.")
    release_date = serializers.DateField(required=False, allow_null=True)
    facility = serializers.CharField(max_length=200, required=False, allow_blank=True)
    supervision = serializers.ChoiceField(
        choices=Enrolment.Supervision.choices, required=False, allow_blank=True
    )
    preferred_language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    needs = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Key area slugs."
    )
    identity = IdentityInput(
        required=False,
        write_only=True,
        help_text="Name and contact as your organization records them. Kept apart from the "
        "pseudonymous record and never sent back by the API.",
    )

    def validate_needs(self, slugs: list[str]) -> list[KeyArea]:
        areas = list(
            KeyArea.objects.filter(collaborative=self.context["collaborative"], slug__in=slugs)
        )
        unknown = sorted(set(slugs) - {a.slug for a in areas})
        if unknown:
            raise ValidationError(f"No key area with the slug: {', '.join(unknown)}.")
        return areas


class ServiceLogSerializer(Part2NoticeMixin, serializers.ModelSerializer):
    participant = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    service = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    service_name = serializers.SerializerMethodField()
    key_area = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ServiceLog
        fields = [
            "public_id",
            "participant",
            "organization",
            "service",
            "service_name",
            "key_area",
            "delivered_on",
            "duration_minutes",
            "outcome",
            "notes",
            "created_at",
            "part2_notice",
        ]

    @extend_schema_field(ParticipantRef)
    def get_participant(self, log: ServiceLog) -> dict:
        return _person(log.participant)

    @extend_schema_field(OrganizationRefSerializer)
    def get_organization(self, log: ServiceLog) -> dict | None:
        return _organization(log.organization)

    def get_service_name(self, log: ServiceLog) -> str | None:
        return log.service.name if log.service is not None else None


class ServiceLogCreateSerializer(serializers.Serializer):
    """Log a service your organization delivered to a participant it serves."""

    participant = serializers.UUIDField(
        required=False, help_text="The participant's public_id (or give participant_code)."
    )
    participant_code = serializers.CharField(
        max_length=20, required=False, help_text="The participant's code, like P-7KM3-Q9XA."
    )
    service = serializers.UUIDField(
        required=False, allow_null=True, help_text="One of your organization's services."
    )
    key_area = serializers.SlugField(
        required=False, help_text="Key area slug. Default: the service's key area."
    )
    delivered_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=24 * 60
    )
    outcome = serializers.ChoiceField(
        choices=ServiceLog.Outcome.choices, default=ServiceLog.Outcome.COMPLETED
    )
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        member: Member = self.context["member"]
        collaborative = self.context["collaborative"]
        errors: dict[str, str] = {}
        ours = log_selectors.own_enrolments(member).select_related("participant", "collaborative")
        enrolment = None
        if data.get("participant") and data.get("participant_code"):
            errors["participant"] = "Give participant or participant_code, not both."
        elif data.get("participant"):
            enrolment = ours.filter(participant__public_id=data["participant"]).first()
            if enrolment is None:
                errors["participant"] = (
                    "No participant with this id is served by your organization."
                )
        elif data.get("participant_code"):
            code = log_selectors.normalise_code(data["participant_code"])
            enrolment = ours.filter(participant__code=code).first() if code else None
            if enrolment is None:
                errors["participant_code"] = (
                    f"No participant with code {code or data['participant_code']} is served "
                    "by your organization."
                )
        else:
            errors["participant"] = "Give the participant's public_id or participant_code."
        service = None
        if data.get("service"):
            service = log_selectors.own_services(member).filter(public_id=data["service"]).first()
            if service is None:
                errors["service"] = "Your organization has no service with this id."
        key_area = None
        if data.get("key_area"):
            key_area = KeyArea.objects.filter(
                collaborative=collaborative, slug=data["key_area"]
            ).first()
            if key_area is None:
                errors["key_area"] = f"No key area with the slug {data['key_area']}."
        elif service is not None:
            key_area = service.key_areas.order_by("order", "name").first()
        if key_area is None and "key_area" not in errors:
            errors["key_area"] = "Give the key area (the service has none)."
        if data["delivered_on"] > collaborative.today():
            errors["delivered_on"] = "The date is in the future."
        if errors:
            raise ValidationError(errors)
        return {
            "enrolment": enrolment,
            "fields": {
                "service": service,
                "key_area": key_area,
                "delivered_on": data["delivered_on"],
                "duration_minutes": data.get("duration_minutes"),
                "outcome": data["outcome"],
                "notes": data.get("notes", ""),
            },
        }


class ConsentSerializer(Part2NoticeMixin, serializers.ModelSerializer):
    participant = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField(help_text="Who shares the record.")
    recipient_organizations = serializers.SlugRelatedField(
        slug_field="public_id", many=True, read_only=True
    )
    recipient_sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    key_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    kinds = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "public_id",
            "participant",
            "organization",
            "recipient_organizations",
            "recipient_sectors",
            "key_areas",
            "kinds",
            "shares_part2",
            "findable",
            "purpose",
            "starts_on",
            "ends_on",
            "method",
            "in_force",
            "revoked_at",
            "part2_notice",
        ]

    @extend_schema_field(ParticipantRef)
    def get_participant(self, consent: Consent) -> dict:
        return _person(consent.participant)

    @extend_schema_field(OrganizationRefSerializer(allow_null=True))
    def get_organization(self, consent: Consent) -> dict | None:
        return _organization(consent.organization)

    def get_kinds(self, consent: Consent) -> list[str]:
        return [str(kind) for kind in consent.kinds()]

    def get_in_force(self, consent: Consent) -> bool:
        return consent.in_force_on(self.context["today"])


class ReferralSerializer(Part2NoticeMixin, serializers.ModelSerializer):
    participant = serializers.SerializerMethodField()
    from_organization = serializers.SerializerMethodField()
    to_organization = serializers.SerializerMethodField()
    to_service = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    key_area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    service_log = serializers.SlugRelatedField(slug_field="public_id", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "public_id",
            "participant",
            "from_organization",
            "to_organization",
            "to_service",
            "key_area",
            "status",
            "is_self_referral",
            "reason",
            "sent_at",
            "updated_at",
            "service_log",
            "part2_notice",
        ]

    def disclosing_organization(self, referral: Referral):
        return referral.from_organization

    @extend_schema_field(ParticipantRef)
    def get_participant(self, referral: Referral) -> dict:
        return _person(referral.participant)

    @extend_schema_field(OrganizationRefSerializer(allow_null=True))
    def get_from_organization(self, referral: Referral) -> dict | None:
        return _organization(referral.from_organization)

    @extend_schema_field(OrganizationRefSerializer)
    def get_to_organization(self, referral: Referral) -> dict | None:
        return _organization(referral.to_organization)


# --- pagination ----------------------------------------------------------------------------


class KeysetPagination(BasePagination):
    """Newest first, ``?older=<public_id>`` for the next page (the ``next`` link),
    ``?newer=<public_id>`` for the previous one; ``?page_size=`` up to 200. No count."""

    page_size = 50
    max_page_size = 200
    by = "delivered_on"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            size = int(request.query_params.get("page_size", self.page_size))
        except ValueError as exc:
            raise ValidationError({"page_size": [_("Give a whole number.")]}) from exc
        size = max(1, min(size, self.max_page_size))
        self.page = log_selectors.keyset_page(
            queryset,
            older_than=_text_uuid(request.query_params, "older"),
            newer_than=_text_uuid(request.query_params, "newer"),
            size=size,
            by=self.by,
        )
        return self.page.rows

    def _link(self, name: str, value: str | None) -> str | None:
        if value is None:
            return None
        url = self.request.build_absolute_uri()
        for other in ("older", "newer"):
            url = remove_query_param(url, other)
        return replace_query_param(url, name, value)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link("older", self.page.older),
                "previous": self._link("newer", self.page.newer),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": "string", "format": "uuid"}
                if name != "page_size"
                else {"type": "integer"},
            }
            for name, description in (
                ("older", "The rows after this one (use the next link)."),
                ("newer", "The rows before this one (use the previous link)."),
                ("page_size", "Rows a page, up to 200 (default 50)."),
            )
        ]


class ReferralPagination(KeysetPagination):
    by = "sent_at"


def _text_uuid(params, name: str) -> str | None:
    value = uuid_param(params, name)
    return str(value) if value is not None else None


# --- viewsets ------------------------------------------------------------------------------

NOT_FOUND = error_response(
    404,
    "No such collaborative for you, or no such record you may see (never 403, so ids "
    "cannot be probed).",
)
UNAUTHENTICATED = error_response(401, "No token or session, or the token is not valid.")
READ_ERRORS = {401: UNAUTHENTICATED, 404: NOT_FOUND}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="A key of your choosing (up to 100 characters, e.g. a UUID) that makes a "
    "retried create safe: the same key and body within 24 hours returns the first answer "
    "and writes nothing; the same key with another body is a 422.",
)


def create_errors() -> dict[int, Any]:
    return {
        400: error_response(400, "The body is not valid: each field's problem is named."),
        401: UNAUTHENTICATED,
        403: error_response(
            403, "Only an organization's admins and staff (and its tokens) may create."
        ),
        404: NOT_FOUND,
        422: error_response(
            422, "This Idempotency-Key was used in the last 24 hours with another body."
        ),
    }


class _CaseworkViewSet(CollaborativeScopedViewSet):
    @cached_property
    def as_organization(self) -> bool:
        return request_token(self.request) is not None

    @cached_property
    def today(self):
        return self.collaborative.today()

    @cached_property
    def viewer_org_ids(self) -> set[int]:
        return set(
            access.reader_org_ids(self.request.user).values_list("organization_id", flat=True)
        )

    def scope_kwargs(self) -> dict[str, Any]:
        return {"today": self.today, "as_organization": self.as_organization}

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context.update(
                viewer_org_ids=self.viewer_org_ids,
                today=self.today,
                collaborative=self.collaborative,
                member=self.member,
            )
        return context


class _CreatingViewSet(_CaseworkViewSet):
    """An endpoint that creates records (participants, service logs), idempotently.
    Each defines the two hooks: ``perform_create_from`` writes the record through its
    service, ``answer_for`` gives the body to answer (and replay) for it. Consents and
    referrals do not derive from this, so they have no ``create`` and POST answers 405."""

    idempotency_endpoint = ""
    perform_create_from: Callable[[Member, dict[str, Any]], Any]
    answer_for: Callable[[Any], Any]

    def caseworker(self) -> Member:
        member = self.member
        if not access.is_caseworker(member):
            raise PermissionDenied("Only an organization's admins and staff keep casework.")
        assert member is not None  # noqa: S101 - is_caseworker says so
        return member

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.caseworker()
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise ValidationError(
                {
                    IDEMPOTENCY_HEADER: [
                        _("Use at most %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX}
                    ]
                }
            )
        body = hashlib.sha256(
            json.dumps(request.data, sort_keys=True, default=str).encode()
        ).hexdigest()
        if key:
            replay = self._replay(member, key, body)
            if replay is not None:
                return replay
        incoming = self.get_serializer_class()(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                created = self.perform_create_from(member, incoming.validated_data)
                data = json.loads(JSONRenderer().render(self.answer_for(created)))
                if key:
                    self._stale(member, key).delete()
                    IdempotencyKey.objects.create(
                        organization_id=log_selectors.organization_id(member),
                        key=key,
                        endpoint=self.idempotency_endpoint,
                        request_hash=body,
                        status_code=201,
                        response=data,
                    )
        except IntegrityError:
            # The same key, sent twice at once: the other request won; answer as it did.
            replay = self._replay(member, key, body) if key else None
            if replay is None:
                raise
            return replay
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from exc
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
            ) from exc
        return Response(data, status=201)

    def _keys(self, member: Member) -> QuerySet[IdempotencyKey]:
        return IdempotencyKey.objects.filter(
            organization_id=log_selectors.organization_id(member),
            endpoint=self.idempotency_endpoint,
        )

    def _stale(self, member: Member, key: str) -> QuerySet[IdempotencyKey]:
        cutoff = timezone.now() - log_services.IDEMPOTENCY_TTL
        return self._keys(member).filter(key=key, created_at__lt=cutoff)

    def _replay(self, member: Member, key: str, body: str) -> Response | None:
        cutoff = timezone.now() - log_services.IDEMPOTENCY_TTL
        found = self._keys(member).filter(key=key, created_at__gte=cutoff).first()
        if found is None:
            return None
        if found.request_hash != body:
            return Response(
                {
                    "detail": f"This {IDEMPOTENCY_HEADER} was used in the last 24 hours with "
                    "another body. Send a new key for a new record, or the same body to get "
                    "the first answer again."
                },
                status=422,
            )
        return Response(
            found.response, status=found.status_code, headers={"Idempotent-Replayed": "true"}
        )


def _own_org_id(filterset: CollaborativeFilterSet) -> int | None:
    member = getattr(filterset.view, "member", None)
    return member.organization_id if member is not None else None


class ParticipantFilter(CollaborativeFilterSet):
    code = django_filters.CharFilter(method="filter_code")
    ours = FlagFilter(method="filter_ours")

    def filter_code(self, qs, name: str, value: str):
        return qs.filter(code=log_selectors.normalise_code(value) or value)

    def filter_ours(self, qs, name: str, value: bool):
        org_id = _own_org_id(self)
        return qs.filter(enrolments__organization_id__in=[org_id] if org_id else [])


class ServiceLogFilter(CollaborativeFilterSet):
    participant = django_filters.UUIDFilter(field_name="participant__public_id")
    key_area = SlugFilter(field_name="key_area")
    delivered_from = django_filters.DateFilter(field_name="delivered_on", lookup_expr="gte")
    delivered_to = django_filters.DateFilter(field_name="delivered_on", lookup_expr="lte")
    ours = FlagFilter(method="filter_ours")

    def filter_ours(self, qs, name: str, value: bool):
        return qs.filter(organization_id=_own_org_id(self))


class ConsentFilter(CollaborativeFilterSet):
    participant = django_filters.UUIDFilter(field_name="participant__public_id")
    in_force = FlagFilter(method="filter_in_force")

    def filter_in_force(self, qs, name: str, value: bool):
        return qs.in_force(self.view.today)


class ReferralFilter(CollaborativeFilterSet):
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices)
    direction = django_filters.ChoiceFilter(
        choices=[("sent", "sent"), ("received", "received")], method="filter_direction"
    )

    def filter_direction(self, qs, name: str, value: str):
        org_id = _own_org_id(self)
        if value == "sent":
            return qs.filter(from_organization_id=org_id)
        return qs.filter(to_organization_id=org_id)


PARTICIPANT_FILTERS = [
    OpenApiParameter("code", OpenApiTypes.STR, description="Only the participant with this code."),
    OpenApiParameter(
        "ours", OpenApiTypes.BOOL, description="Only participants your organization serves."
    ),
]


@extend_schema(tags=["casework"])
@extend_schema_view(
    list=extend_schema(
        parameters=PARTICIPANT_FILTERS, responses={200: ParticipantSerializer, **READ_ERRORS}
    ),
    retrieve=extend_schema(responses={200: ParticipantSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=ParticipantCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ParticipantSerializer, **create_errors()},
        description="Enrol a new participant at your organization: a fresh code, your "
        "organization's own record. To serve a person another organization already "
        "serves, they must consent to be findable (not through the API).",
    ),
)
class ParticipantViewSet(_CreatingViewSet):
    """Participants you may see: code and public id, with your organization's own
    enrolment facts. Never a name."""

    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter
    idempotency_endpoint = "participants"

    def get_serializer_class(self):
        if self.action == "create":
            return ParticipantCreateSerializer
        return ParticipantSerializer

    def scoped_queryset(self):
        member = self.member
        org_id = member.organization_id if member is not None else None
        ours = Enrolment.objects.filter(
            organization_id__in=[org_id] if org_id is not None else []
        ).prefetch_related("needs")
        qs = (
            Participant.objects.visible_to(self.request.user, **self.scope_kwargs())
            .filter(collaborative=self.collaborative, merged_into__isnull=True)
            .prefetch_related(Prefetch("enrolments", queryset=ours, to_attr="ours"))
            .order_by("code", "pk")
        )
        return qs

    def perform_create_from(self, member: Member, data: dict[str, Any]) -> Enrolment:
        facts = {k: v for k, v in data.items() if k not in ("needs", "identity")}
        return participant_services.enrol(
            actor=member,
            needs=data.get("needs", []),
            identity=data.get("identity"),
            request=self.request,
            **facts,
        )

    def answer_for(self, enrolment: Enrolment) -> Any:
        participant = enrolment.participant
        participant.ours = [enrolment]  # type: ignore[attr-defined]
        return ParticipantSerializer(participant, context=self.get_serializer_context()).data


SERVICE_LOG_FILTERS = [
    OpenApiParameter("participant", OpenApiTypes.UUID, description="Only this participant's."),
    OpenApiParameter("key_area", OpenApiTypes.STR, description="Key area slug."),
    OpenApiParameter("delivered_from", OpenApiTypes.DATE, description="On or after this day."),
    OpenApiParameter("delivered_to", OpenApiTypes.DATE, description="On or before this day."),
    OpenApiParameter("ours", OpenApiTypes.BOOL, description="Only your organization's own logs."),
]


@extend_schema(tags=["casework"])
@extend_schema_view(
    list=extend_schema(
        parameters=SERVICE_LOG_FILTERS, responses={200: ServiceLogSerializer, **READ_ERRORS}
    ),
    retrieve=extend_schema(responses={200: ServiceLogSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=ServiceLogCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ServiceLogSerializer, **create_errors()},
        description="Log a service your organization delivered to a participant it serves.",
    ),
)
class ServiceLogViewSet(_CreatingViewSet):
    """Service logs you may see: your organization's, and other organizations' where a
    consent in force shares services received in that key area with yours."""

    serializer_class = ServiceLogSerializer
    filterset_class = ServiceLogFilter
    pagination_class = KeysetPagination
    idempotency_endpoint = "service-logs"

    def get_serializer_class(self):
        if self.action == "create":
            return ServiceLogCreateSerializer
        return ServiceLogSerializer

    def scoped_queryset(self):
        qs = (
            ServiceLog.objects.visible_to(self.request.user, **self.scope_kwargs())
            .filter(collaborative=self.collaborative)
            .select_related("participant", "organization__part2_program", "service", "key_area")
            .order_by("-delivered_on", "-pk")
        )
        return qs

    def perform_create_from(self, member: Member, data: dict[str, Any]) -> ServiceLog:
        return log_services.service_log(
            actor=member, enrolment=data["enrolment"], request=self.request, **data["fields"]
        )

    def answer_for(self, log: ServiceLog) -> Any:
        return ServiceLogSerializer(log, context=self.get_serializer_context()).data


CONSENT_FILTERS = [
    OpenApiParameter("participant", OpenApiTypes.UUID, description="Only this participant's."),
    OpenApiParameter("in_force", OpenApiTypes.BOOL, description="Only consents in force today."),
]


@extend_schema(tags=["casework"])
@extend_schema_view(
    list=extend_schema(
        parameters=CONSENT_FILTERS, responses={200: ConsentSerializer, **READ_ERRORS}
    ),
    retrieve=extend_schema(responses={200: ConsentSerializer, **READ_ERRORS}),
)
class ConsentViewSet(_CaseworkViewSet):
    """Consents your organization took, and those in force that name it (or its sector)."""

    serializer_class = ConsentSerializer
    filterset_class = ConsentFilter

    def scoped_queryset(self):
        qs = (
            Consent.objects.visible_to(self.request.user, **self.scope_kwargs())
            .filter(collaborative=self.collaborative)
            .select_related("participant", "organization__part2_program")
            .prefetch_related("recipient_organizations", "recipient_sectors", "key_areas")
            .order_by("-starts_on", "-pk")
        )
        return qs


REFERRAL_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(Referral.Status.values)),
    OpenApiParameter(
        "direction",
        OpenApiTypes.STR,
        enum=["sent", "received"],
        description="Sent by your organization, or received by it.",
    ),
]


@extend_schema(tags=["casework"])
@extend_schema_view(
    list=extend_schema(
        parameters=REFERRAL_FILTERS, responses={200: ReferralSerializer, **READ_ERRORS}
    ),
    retrieve=extend_schema(responses={200: ReferralSerializer, **READ_ERRORS}),
)
class ReferralViewSet(_CaseworkViewSet):
    """Referrals your organization sent, and those sent to it while the consent they
    were sent under is in force."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    pagination_class = ReferralPagination

    def scoped_queryset(self):
        qs = (
            Referral.objects.visible_to(self.request.user, **self.scope_kwargs())
            .filter(collaborative=self.collaborative)
            .select_related(
                "participant",
                "from_organization__part2_program",
                "to_organization",
                "to_service",
                "key_area",
                "service_log",
            )
            .order_by("-sent_at", "-pk")
        )
        return qs


router = api_router()
router.register(
    f"{COLLABORATIVE_PREFIX}/participants", ParticipantViewSet, basename="casework-participant"
)
router.register(
    f"{COLLABORATIVE_PREFIX}/service-logs", ServiceLogViewSet, basename="casework-service-log"
)
router.register(f"{COLLABORATIVE_PREFIX}/consents", ConsentViewSet, basename="casework-consent")
router.register(f"{COLLABORATIVE_PREFIX}/referrals", ReferralViewSet, basename="casework-referral")
