"""Member verification for polls that require verified voters. No government ID, ever.

A member is verified when backbone staff say so, or when two verified members of the
same collaborative vouch for them. Backbone staff can withdraw a verification; vouches
stay on record (a withdrawn person's own vouches no longer count towards anyone new).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reentry.audit.log import record
from stakeholders.models import Member
from workgroups.verification.access import can_verify, can_vouch, check_same_collaborative
from workgroups.verification.models import MemberVerification, Vouch
from workgroups.verification.selectors import is_verified, verified_ids

VOUCHES_NEEDED = 2


@transaction.atomic
def member_verify(*, actor: Member, member: Member, request=None) -> MemberVerification:
    """Backbone staff verify a member (they know them; no ID is asked for)."""
    check_same_collaborative(actor, member)
    if not can_verify(actor):
        raise PermissionDenied(_("Only backbone staff can verify members."))
    existing = MemberVerification.objects.filter(member=member, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    verification = MemberVerification.objects.create(
        member=member, method=MemberVerification.Method.STAFF, verified_by=actor
    )
    record(
        "member.verified",
        actor=actor.user,
        request=request,
        collaborative=member.collaborative,
        obj=member,
        method=verification.method,
    )
    return verification


@transaction.atomic
def member_verification_revoke(*, actor: Member, member: Member, request=None) -> None:
    check_same_collaborative(actor, member)
    if not can_verify(actor):
        raise PermissionDenied(_("Only backbone staff can withdraw a verification."))
    count = MemberVerification.objects.filter(member=member, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if count:
        record(
            "member.verification_withdrawn",
            actor=actor.user,
            request=request,
            collaborative=member.collaborative,
            obj=member,
        )


@transaction.atomic
def member_vouch(*, actor: Member, member: Member, request=None) -> Vouch:
    """A verified member vouches for another; the second vouch from verified members
    verifies them."""
    check_same_collaborative(actor, member)
    if actor.pk == member.pk:
        raise ValidationError(_("You cannot vouch for yourself."))
    if not can_vouch(actor):
        raise PermissionDenied(_("Only verified members can vouch for someone."))
    try:
        with transaction.atomic():
            vouch = Vouch.objects.create(voucher=actor, vouchee=member)
    except IntegrityError as exc:
        raise ValidationError(_("You have already vouched for this person.")) from exc
    record(
        "member.vouched",
        actor=actor.user,
        request=request,
        collaborative=member.collaborative,
        obj=member,
    )
    counted = Vouch.objects.filter(
        vouchee=member, voucher_id__in=verified_ids(member.collaborative_id)
    ).count()
    if counted >= VOUCHES_NEEDED and not is_verified(member):
        MemberVerification.objects.create(member=member, method=MemberVerification.Method.VOUCHED)
        record(
            "member.verified",
            actor=actor.user,
            request=request,
            collaborative=member.collaborative,
            obj=member,
            method=MemberVerification.Method.VOUCHED,
        )
    return vouch
