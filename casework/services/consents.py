"""Recording, revoking and expiring consents. Nothing here deletes a record: a revoked
or expired consent stops showing the record to its recipients at the next request."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from casework import access
from casework.models import Consent, Enrolment
from reentry.audit.log import record
from stakeholders.models import Member

CONSENT_FIELDS = (
    "findable",
    "shares_identity",
    "shares_enrolment",
    "shares_needs",
    "shares_service_logs",
    "shares_referrals",
    "shares_part2",
    "purpose",
    "starts_on",
    "ends_on",
    "method",
    "scan",
    "witness_name",
    "signed_name",
    "signed_on",
    "amount_and_kind",
    "told_right_to_revoke",
    "language",
)


@transaction.atomic
def consent_record(
    *,
    actor: Member,
    enrolment: Enrolment,
    recipient_organizations=(),
    recipient_sectors=(),
    key_areas=(),
    request=None,
    **fields: Any,
) -> Consent:
    """Record a consent about the actor's organization's own record of a participant.
    Recipients and key areas must be of the same collaborative (forms offer only those)."""
    if not actor.works_for(enrolment.organization_id):
        raise PermissionDenied
    unknown = set(fields) - set(CONSENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown consent fields: {sorted(unknown)}")
    collaborative = enrolment.collaborative
    for item in (*recipient_organizations, *recipient_sectors, *key_areas):
        if item.collaborative_id != collaborative.pk:
            raise PermissionDenied
    consent = Consent(
        collaborative=collaborative,
        participant=enrolment.participant,
        enrolment=enrolment,
        organization=enrolment.organization,
        taken_by=actor.user,
        **fields,
    )
    consent.full_clean(exclude=["participant", "enrolment", "organization", "collaborative"])
    consent.save()
    consent.recipient_organizations.set(recipient_organizations)
    consent.recipient_sectors.set(recipient_sectors)
    consent.key_areas.set(key_areas)
    record(
        "casework.consent_recorded",
        actor=actor.user,
        request=request,
        collaborative=collaborative,
        obj=enrolment.participant,
        consent=str(consent.public_id),
        kinds=consent.kinds() + (["part2"] if consent.shares_part2 else []),
        recipients=[o.name for o in recipient_organizations] + [s.name for s in recipient_sectors],
        ends_on=consent.ends_on.isoformat(),
    )
    return consent


def may_revoke(user, consent: Consent) -> bool:
    """The person themselves, or the admins and staff of the organization that took it."""
    if consent.participant.user_id is not None and consent.participant.user_id == user.pk:
        return True
    return consent.organization_id is not None and consent.organization_id in set(
        access.reader_org_ids(user).values_list("organization_id", flat=True)
    )


@transaction.atomic
def consent_revoke(*, user, consent: Consent, reason: str = "", request=None) -> Consent:
    """Revoke at once. Idempotent: revoking a revoked consent changes nothing."""
    if not may_revoke(user, consent):
        raise PermissionDenied
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        return consent
    consent.revoked_at = timezone.now()
    consent.revoked_by = user
    consent.revoked_reason = reason[:300]
    consent.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    record(
        "casework.consent_revoked",
        actor=user,
        request=request,
        collaborative=consent.collaborative,
        obj=consent.participant,
        consent=str(consent.public_id),
        by=("person" if consent.participant.user_id == user.pk else "organization"),
    )
    return consent


def consents_expire(*, today=None) -> int:
    """Record, once each, the consents that have ended (the beat job). The rules do not
    wait for this: ``ends_on`` decides at every request. Idempotent."""
    now = timezone.now()
    expired = 0
    ended = Consent.objects.filter(
        expiry_recorded_at__isnull=True,
        revoked_at__isnull=True,
        ends_on__lt=access.default_day(today),
    ).select_related("participant", "collaborative")
    for consent in ended.iterator(chunk_size=500):
        if consent.ends_on >= consent.collaborative.today() and today is None:
            continue  # still its last day where the collaborative is
        with transaction.atomic():
            updated = Consent.objects.filter(pk=consent.pk, expiry_recorded_at__isnull=True).update(
                expiry_recorded_at=now
            )
            if updated:
                record(
                    "casework.consent_expired",
                    collaborative=consent.collaborative,
                    obj=consent.participant,
                    consent=str(consent.public_id),
                    ended_on=consent.ends_on.isoformat(),
                )
                expired += 1
    return expired
