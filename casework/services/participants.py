"""Enrolling participants, and writing down that their record was read."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from casework import access
from casework.models import Enrolment, Identity, Participant
from reentry.audit.log import record
from stakeholders.models import Member

ENROLMENT_FIELDS = (
    "enrolled_on",
    "release_date",
    "facility",
    "supervision",
    "preferred_language",
)
IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "phone", "address")


def _require_caseworker(actor: Member) -> None:
    if not access.is_caseworker(actor):
        raise PermissionDenied(_("Only an organization's admins and staff keep casework."))


def _new_participant(collaborative) -> Participant:
    """A participant with a fresh code; retried on the (astronomically rare) clash."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Participant.objects.create(collaborative=collaborative)
        except IntegrityError:
            continue
    raise RuntimeError("Could not draw a unique participant code.")


@transaction.atomic
def enrol(
    *,
    actor: Member,
    participant: Participant | None = None,
    needs=(),
    identity: dict[str, Any] | None = None,
    request=None,
    **facts: Any,
) -> Enrolment:
    """Enrol a participant at the actor's organization: a new participant (a fresh code),
    or one the actor's organization may already see or find (``find_participant``).
    ``facts`` are ``ENROLMENT_FIELDS``; ``identity`` the ``IDENTITY_FIELDS``."""
    _require_caseworker(actor)
    collaborative = actor.collaborative
    if participant is None:
        participant = _new_participant(collaborative)
    elif participant.collaborative_id != collaborative.pk or participant.merged_into_id:
        raise PermissionDenied
    if Enrolment.objects.filter(participant=participant, organization=actor.organization).exists():
        raise ValidationError(_("Your organization already serves this participant."))
    unknown = set(facts) - set(ENROLMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown enrolment fields: {sorted(unknown)}")
    facts.setdefault("enrolled_on", collaborative.today())
    enrolment = Enrolment(
        collaborative=collaborative,
        participant=participant,
        organization=actor.organization,
        created_by=actor.user,
        **facts,
    )
    enrolment.full_clean(exclude=["participant", "organization", "collaborative"])
    enrolment.save()
    enrolment.needs.set(needs)
    if identity and any(identity.values()):
        Identity.objects.create(enrolment=enrolment, **identity)
    record(
        "casework.enrolled",
        actor=actor.user,
        request=request,
        collaborative=collaborative,
        obj=participant,
        organization=str(actor.organization),
    )
    return enrolment


def record_read(
    *,
    user,
    participant: Participant,
    grants: dict[int, access.Grant],
    what: str,
    request=None,
) -> None:
    """Write to the audit log that ``user`` was shown ``what`` of a participant's record,
    and why (owner, self, or which consents). The person and the owner's admins read it."""
    why = sorted({grant.why for grant in grants.values()})
    consents = sorted({c for grant in grants.values() for c in grant.consent_ids})
    record(
        "casework.record_viewed",
        actor=user,
        request=request,
        collaborative=participant.collaborative,
        obj=participant,
        what=what,
        why=why,
        consents=consents,
    )


def on_day(collaborative, today: date | None = None) -> date:
    return today if today is not None else collaborative.today()
