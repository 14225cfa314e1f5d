"""Recording, revoking and expiring consents. Nothing here deletes a record: a revoked
or expired consent stops showing the record to its recipients at the next request."""

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.models import Consent, Enrolment, Part2Program
from casework.scans import prepare_scan
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
    "witness_name",
    "signed_name",
    "signed_on",
    "amount_and_kind",
    "told_right_to_revoke",
    "language",
)


SCAN_FOLDER = "consents/"


def _how_given_errors(
    enrolment: Enrolment,
    consent: Consent,
    *,
    scan: File | None,
    recipients: int,
    key_areas: int,
) -> dict[str, str]:
    """What a consent must say beyond its own fields (``Consent.clean`` checks those):
    someone to share with, something to share, and the proof of how it was given."""
    errors: dict[str, str] = {}
    if not recipients and not consent.findable:
        errors["recipient_organizations"] = _(
            "Choose at least one organization or sector to share with, or let other "
            "organizations find the person."
        )
    if recipients and not consent.kinds():
        errors["kinds"] = _("Choose at least one kind of record to share.")
    if recipients and not key_areas:
        errors["key_areas"] = _("Choose at least one key area, or all of them.")
    if (
        consent.shares_part2
        and not Part2Program.objects.filter(organization_id=enrolment.organization_id).exists()
    ):
        errors["shares_part2"] = _("Only a Part 2 program's records can be shared as such.")
    if consent.method == Consent.Method.PAPER and scan is None:
        errors["scan"] = _("Attach the scan (or a photo) of the signed paper form.")
    if consent.method != Consent.Method.PAPER and scan is not None:
        errors["scan"] = _("A scan goes with a consent signed on paper only.")
    if consent.method == Consent.Method.ON_SCREEN and not consent.signed_name.strip():
        errors["signed_name"] = _("Ask the person to type their name: that is their signature.")
    return errors


def consent_problems(
    *,
    enrolment: Enrolment,
    recipient_organizations=(),
    recipient_sectors=(),
    key_areas=(),
    scan: File | None = None,
    **fields: Any,
) -> dict[str, list[str]]:
    """What is wrong with a consent as far as it is filled in (the rules of
    ``Consent.clean`` and of how it was given), without recording anything: a form with
    other mistakes shows these too, so the person fixes everything in one go. Fields
    left out or None are not judged."""
    given = {k: v for k, v in fields.items() if k in CONSENT_FIELDS and v is not None}
    consent = Consent(enrolment=enrolment, organization=enrolment.organization, **given)
    errors: dict[str, list[str]] = {}
    try:
        consent.clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    more = _how_given_errors(
        enrolment,
        consent,
        scan=scan,
        recipients=len(recipient_organizations) + len(recipient_sectors),
        key_areas=len(key_areas),
    )
    for name, message in more.items():
        errors.setdefault(name, []).append(message)
    return errors


@transaction.atomic
def consent_record(
    *,
    actor: Member,
    enrolment: Enrolment,
    recipient_organizations=(),
    recipient_sectors=(),
    key_areas=(),
    scan: File | None = None,
    request=None,
    **fields: Any,
) -> Consent:
    """Record a consent about the actor's organization's own record of a participant.
    Recipients and key areas must be of the same collaborative (forms offer only those).
    A consent signed on paper comes with its ``scan`` (checked by ``casework.scans``,
    stored under a random name); one given on screen with the name the person typed."""
    if not actor.works_for(enrolment.organization_id):
        raise PermissionDenied
    unknown = set(fields) - set(CONSENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown consent fields: {sorted(unknown)}")
    collaborative = enrolment.collaborative
    recipient_organizations = list(recipient_organizations)
    recipient_sectors = list(recipient_sectors)
    key_areas = list(key_areas)
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
    # Every mistake at once, so the person fixes the form in one go.
    errors: dict[str, list[str]] = {}
    try:
        consent.full_clean(exclude=["participant", "enrolment", "organization", "collaborative"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    more = _how_given_errors(
        enrolment,
        consent,
        scan=scan,
        recipients=len(recipient_organizations) + len(recipient_sectors),
        key_areas=len(key_areas),
    )
    for name, message in more.items():
        errors.setdefault(name, []).append(message)
    prepared = None
    if scan is not None and "scan" not in errors:
        try:
            prepared = prepare_scan(scan)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    stored = ""
    if prepared is not None:
        # Written last, under a random name: nothing of the upload's own name is kept.
        stored = default_storage.save(
            f"{SCAN_FOLDER}{secrets.token_hex(16)}.{prepared.extension}",
            ContentFile(prepared.data),
        )
        consent.scan.name = stored
    try:
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
            recipients=[o.name for o in recipient_organizations]
            + [s.name for s in recipient_sectors],
            ends_on=consent.ends_on.isoformat(),
            method=consent.method,
        )
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
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


def scan_downloaded(*, user, consent: Consent, request=None) -> None:
    """Write down that the scan of a signed consent form (with the person's name and
    signature) left the system."""
    record(
        "casework.consent_scan_downloaded",
        actor=user,
        request=request,
        collaborative=consent.collaborative,
        obj=consent.participant,
        consent=str(consent.public_id),
    )
