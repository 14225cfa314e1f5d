"""Enrolling participants, keeping an organization's record of them, linking the
person's own account, merging duplicates, and writing down that a record was read."""

import re
import time
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    Consent,
    Enrolment,
    Identity,
    Participant,
    Referral,
    ServiceLog,
)
from casework.models.people import CODE_ALPHABET
from reentry import rowsecurity
from reentry.audit.log import record
from reentry.ratelimit import counters
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
            # Row-level security: until its enrolment is saved, the new code is nobody's
            # (the INSERT reads the row back).
            with transaction.atomic(), rowsecurity.system():
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


# --- The owner's record ------------------------------------------------------------------


def _require_owner(actor: Member, enrolment: Enrolment) -> None:
    if not actor.works_for(enrolment.organization_id):
        raise PermissionDenied(_("Only the organization that keeps this record can change it."))


@transaction.atomic
def enrolment_update(
    *,
    actor: Member,
    enrolment: Enrolment,
    needs=None,
    identity: dict[str, Any] | None = None,
    request=None,
    **facts: Any,
) -> Enrolment:
    """Change the owner's own record: facts, needs, identity. The audit log says which
    fields changed, never their values (the log is read more widely than the record)."""
    _require_owner(actor, enrolment)
    unknown = set(facts) - set(ENROLMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown enrolment fields: {sorted(unknown)}")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    changed = [name for name, value in facts.items() if getattr(enrolment, name) != value]
    for name, value in facts.items():
        setattr(enrolment, name, value)
    enrolment.full_clean(exclude=["participant", "organization", "collaborative"])
    enrolment.save()
    if needs is not None:
        before = set(enrolment.needs.values_list("pk", flat=True))
        if before != {area.pk for area in needs}:
            enrolment.needs.set(needs)
            changed.append("needs")
    if identity is not None:
        unknown = set(identity) - set(IDENTITY_FIELDS)
        if unknown:
            raise TypeError(f"Unknown identity fields: {sorted(unknown)}")
        current = Identity.objects.filter(enrolment=enrolment).first()
        if current is None and any(identity.values()):
            current = Identity(enrolment=enrolment)
        if current is not None:
            moved = [f for f, v in identity.items() if getattr(current, f) != v]
            if moved:
                for name, value in identity.items():
                    setattr(current, name, value)
                current.full_clean(exclude=["enrolment"])
                current.save()
                changed.extend(f"identity.{name}" for name in moved)
    if changed:
        record(
            "casework.enrolment_updated",
            actor=actor.user,
            request=request,
            collaborative=enrolment.collaborative,
            obj=enrolment.participant,
            organization=str(enrolment.organization),
            fields=changed,
        )
    return enrolment


def _enrolment_status_set(
    actor: Member, enrolment: Enrolment, status: str, action: str, request
) -> Enrolment:
    """Close or reopen the owner's record (idempotent): the record itself is kept."""
    _require_owner(actor, enrolment)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == status:
        return enrolment
    enrolment.status = status
    closing = status == Enrolment.Status.CLOSED
    enrolment.closed_on = (
        max(enrolment.collaborative.today(), enrolment.enrolled_on) if closing else None
    )
    enrolment.save(update_fields=["status", "closed_on", "updated_at"])
    record(
        action,
        actor=actor.user,
        request=request,
        collaborative=enrolment.collaborative,
        obj=enrolment.participant,
        organization=str(enrolment.organization),
    )
    return enrolment


@transaction.atomic
def enrolment_close(*, actor: Member, enrolment: Enrolment, request=None) -> Enrolment:
    """The organization no longer serves the person. The record is kept."""
    return _enrolment_status_set(
        actor, enrolment, Enrolment.Status.CLOSED, "casework.enrolment_closed", request
    )


@transaction.atomic
def enrolment_reopen(*, actor: Member, enrolment: Enrolment, request=None) -> Enrolment:
    """The organization serves the person again."""
    return _enrolment_status_set(
        actor, enrolment, Enrolment.Status.ACTIVE, "casework.enrolment_reopened", request
    )


# --- Linking the person's own account ------------------------------------------------------
#
# A link code is the participant's code, the hour it was made and a MAC over both, the
# participant and the account it is linked to now (none): short enough to read out and
# type on a phone, unforgeable without the secret key (Django's ``salted_hmac``, the same
# machinery as ``django.core.signing``), expiring after ``LINK_MAX_AGE_HOURS``, and spent
# once used (the MAC covers the linked account, which the link changes).

LINK_SALT = "casework.participant_link"
LINK_MAX_AGE_HOURS = 7 * 24
LINK_HOUR_DIGITS = 5
LINK_MAC_DIGITS = 8
LINK_ATTEMPTS_PER_HOUR = 10
_LINK_SHAPE = re.compile(
    rf"^P([{CODE_ALPHABET}]{{8}})([{CODE_ALPHABET}]{{{LINK_HOUR_DIGITS}}})"
    rf"([{CODE_ALPHABET}]{{{LINK_MAC_DIGITS}}})$"
)


def _digits(number: int, length: int) -> str:
    out = []
    for _position in range(length):
        number, rest = divmod(number, len(CODE_ALPHABET))
        out.append(CODE_ALPHABET[rest])
    return "".join(reversed(out))


def _number(digits: str) -> int:
    value = 0
    for char in digits:
        value = value * len(CODE_ALPHABET) + CODE_ALPHABET.index(char)
    return value


def _link_mac(participant: Participant, hour: int) -> str:
    message = f"{participant.public_id}:{participant.collaborative_id}:{participant.user_id}:{hour}"
    digest = salted_hmac(LINK_SALT, message, algorithm="sha256").digest()
    return _digits(int.from_bytes(digest[:8]), LINK_MAC_DIGITS)


def _now_hour() -> int:
    return int(time.time() // 3600)


def link_code_make(*, actor: Member, participant: Participant, request=None) -> str:
    """A one-time code the owner's staff give the person, who enters it signed in to link
    their account to this participant. Audit-logged (who made a code, not the code)."""
    _require_caseworker(actor)
    if not Enrolment.objects.filter(
        participant=participant, organization=actor.organization
    ).exists():
        raise PermissionDenied(_("Only an organization that serves the person gives a link code."))
    if participant.user_id is not None:
        raise ValidationError(_("The person has already linked their account."))
    hour = _now_hour()
    mac = _link_mac(participant, hour)
    record(
        "casework.link_code_made",
        actor=actor.user,
        request=request,
        collaborative=participant.collaborative,
        obj=participant,
        organization=str(actor.organization),
    )
    return f"{participant.code}-{_digits(hour, LINK_HOUR_DIGITS)}-{mac[:4]}-{mac[4:]}"


def _refuse_link() -> ValidationError:
    return ValidationError(
        _("That code does not work. Check it, or ask for a new one: a code lasts seven days.")
    )


@transaction.atomic
def participant_link(*, actor: Member, code: str, request=None) -> Participant:
    """Link the signed-in person's account to the participant a link code names, in the
    actor's collaborative. Refused when the code is wrong, expired or spent, when the
    participant is linked to another account, or when this account already has a record
    here (the two are then merged by an organization, with the person's consent)."""
    user = actor.user
    if counters.hit(f"casework.link:{user.pk}", window=3600) > LINK_ATTEMPTS_PER_HOUR:
        raise ValidationError(_("Too many tries. Wait an hour, then try again."))
    cleaned = re.sub(r"[\s-]", "", code).upper()
    shape = _LINK_SHAPE.match(cleaned)
    if shape is None:
        raise _refuse_link()
    body, hour_digits, mac = shape.groups()
    # The person does not see the record before it is linked to them (row-level
    # security): the code and its signature below decide.
    with rowsecurity.system():
        participant = (
            Participant.objects.select_for_update()
            .filter(
                collaborative=actor.collaborative,
                code=f"P-{body[:4]}-{body[4:]}",
                merged_into__isnull=True,
            )
            .first()
        )
    hour = _number(hour_digits)
    if participant is None or not 0 <= _now_hour() - hour <= LINK_MAX_AGE_HOURS:
        raise _refuse_link()
    if participant.user_id == user.pk:
        return participant
    if participant.user_id is not None:
        raise ValidationError(_("This record is already linked to another account."))
    if not constant_time_compare(mac, _link_mac(participant, hour)):
        raise _refuse_link()
    mine = Participant.objects.filter(
        collaborative=actor.collaborative, user=user, merged_into__isnull=True
    ).first()
    if mine is not None:
        raise ValidationError(
            _(
                "Your account is already linked to the record %(code)s. If both records are "
                "you, ask one of the organizations to merge them."
            )
            % {"code": mine.code}
        )
    participant.user = user
    with rowsecurity.system():
        participant.save(update_fields=["user"])
    record(
        "casework.account_linked",
        actor=user,
        request=request,
        collaborative=participant.collaborative,
        obj=participant,
    )
    return participant


# --- Duplicates --------------------------------------------------------------------------


def merge_consents(actor: Member, keep: Participant, drop: Participant, *, today: date):
    """The consents that let ``actor`` merge the two: findable consents in force about
    either person (given to either organization that serves them)."""
    return access.findable_consents(actor.user, today=today).filter(
        participant__in=[keep.pk, drop.pk]
    )


def merge_candidates(actor: Member, *, today: date):
    """Participants the actor may merge: those visible to them, or findable by them."""
    user = actor.user
    visible = Participant.objects.visible_to(user, today=today).values("pk")
    findable = access.findable_participants(user, today=today).values("pk")
    return Participant.objects.filter(
        collaborative=actor.collaborative, merged_into__isnull=True
    ).filter(Q(pk__in=visible) | Q(pk__in=findable))


@transaction.atomic
def participants_merge(
    *,
    actor: Member,
    keep: Participant,
    drop: Participant,
    consent: Consent,
    request=None,
) -> Participant:
    """Merge a duplicate: move ``drop``'s enrolments (with their identities), consents,
    service logs and referrals to ``keep``, and mark ``drop`` merged into it. Only with
    the person's consent (``consent``: a findable consent in force about either of them)
    and when the actor may see or find both. Nothing becomes more visible: each
    organization's record stays its own, shared only as its consents say. Refused when
    both are served by the same organization (two records of one organization would
    become one: that organization merges its own records by hand first)."""
    _require_caseworker(actor)
    today = actor.collaborative.today()
    if keep.pk == drop.pk:
        raise ValidationError(_("Choose two different participants."))
    allowed = set(merge_candidates(actor, today=today).values_list("pk", flat=True))
    if not {keep.pk, drop.pk} <= allowed:
        raise PermissionDenied
    if not merge_consents(actor, keep, drop, today=today).filter(pk=consent.pk).exists():
        raise ValidationError(
            _("The person has not agreed to be found: record their consent first.")
        )
    # The merge moves the records of every organization that serves either person (row-
    # level security would hide the others' from the actor): checked above, done as system.
    with rowsecurity.system():
        keep = Participant.objects.select_for_update().get(pk=keep.pk)
        drop = Participant.objects.select_for_update().get(pk=drop.pk)
        shared_orgs = set(
            Enrolment.objects.filter(participant=keep).values_list("organization_id", flat=True)
        ) & set(
            Enrolment.objects.filter(participant=drop).values_list("organization_id", flat=True)
        )
        if shared_orgs:
            raise ValidationError(
                _("One organization serves both records: it must close one of them by hand first.")
            )
        if keep.user_id and drop.user_id and keep.user_id != drop.user_id:
            raise ValidationError(_("The two records are linked to two different accounts."))
        moved = {
            "enrolments": Enrolment.objects.filter(participant=drop).update(participant=keep),
            "consents": Consent.objects.filter(participant=drop).update(participant=keep),
            "service_logs": ServiceLog.objects.filter(participant=drop).update(participant=keep),
            "referrals": Referral.objects.filter(participant=drop).update(participant=keep),
        }
        account = drop.user_id
        drop.merged_into = keep
        drop.user = None
        drop.save(update_fields=["merged_into", "user"])
        if account and not keep.user_id:
            keep.user_id = account
            keep.save(update_fields=["user"])
    for participant in (keep, drop):
        record(
            "casework.participants_merged",
            actor=actor.user,
            request=request,
            collaborative=keep.collaborative,
            obj=participant,
            kept=keep.code,
            merged=drop.code,
            consent=str(consent.public_id),
            moved=moved,
        )
    return keep
