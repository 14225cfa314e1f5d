"""Writes for collaboratives, members and invitations: ``<entity>_<verb>(*, actor, ...)``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.audit.models import AuditEvent
from reentry.mail import send_templated_email
from stakeholders.access import may_accept_invitation, require_inviter, require_member_manager
from stakeholders.models import (
    Collaborative,
    Invitation,
    JoinRequest,
    KeyArea,
    Member,
    Organization,
    Sector,
    User,
)
from stakeholders.seeds import DEFAULT_KEY_AREAS, DEFAULT_SECTORS
from stakeholders.signals import invitation_accepted


@transaction.atomic
def collaborative_create(
    *,
    user: User,
    name: str,
    slug: str = "",
    region: str = "",
    time_zone: str = "America/Chicago",
    description: str = "",
) -> Collaborative:
    """A new collaborative with the default key areas and sectors; the person who starts it
    (a ``User``: they have no membership yet) becomes its backbone staff."""
    collaborative = Collaborative(
        name=name,
        slug=slug or slugify(name)[:60],
        region=region,
        time_zone=time_zone,
        description=description,
    )
    collaborative.full_clean()
    collaborative.save()
    collaborative_seed_defaults(collaborative=collaborative)
    Member.objects.create(user=user, collaborative=collaborative, role=Member.Role.BACKBONE)
    record("collaborative.created", actor=user, obj=collaborative)
    return collaborative


@transaction.atomic
def collaborative_seed_defaults(*, collaborative: Collaborative) -> None:
    """Give a collaborative the default key areas and sectors it does not have yet."""
    have_areas = set(collaborative.key_areas.values_list("slug", flat=True))
    KeyArea.objects.bulk_create(
        [
            KeyArea(
                collaborative=collaborative,
                name=key_name,
                slug=slugify(key_name)[:60],
                description=key_description,
                order=order,
            )
            for order, (key_name, key_description) in enumerate(DEFAULT_KEY_AREAS)
            if slugify(key_name)[:60] not in have_areas
        ]
    )
    have_sectors = set(collaborative.sectors.values_list("slug", flat=True))
    for order, sector_name in enumerate(DEFAULT_SECTORS):
        if slugify(sector_name)[:60] not in have_sectors:
            # Saved one by one: each sector gets its own backing group in save().
            Sector.objects.create(
                collaborative=collaborative,
                name=sector_name,
                slug=slugify(sector_name)[:60],
                order=order,
            )


def _send_invitation(invitation: Invitation, token: str, inviter: User) -> None:
    url = reverse("invitation_accept", kwargs={"token": token})
    from django.conf import settings

    send_templated_email(
        "invitation",
        to=invitation.email,
        context={
            "invitation": invitation,
            "inviter": inviter,
            "collaborative": invitation.collaborative,
            "accept_url": f"{settings.SITE_URL}{url}",
            "role": invitation.get_role_display(),
        },
    )
    invitation.last_sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["last_sent_at", "send_count"])


@transaction.atomic
def invitation_create(
    *,
    actor: Member,
    email: str,
    role: str,
    organization: Organization | None = None,
    name: str = "",
    message: str = "",
    request=None,
) -> tuple[Invitation, str]:
    """Invite someone by email. Returns the invitation and its (only) plain token."""
    email = email.strip().lower()
    require_inviter(actor, role, organization)
    collaborative = actor.collaborative
    if organization is not None and organization.collaborative_id != collaborative.pk:
        raise ValidationError({"organization": _("Choose an organization of this collaborative.")})
    if Member.objects.filter(
        collaborative=collaborative, user__email__iexact=email, is_active=True
    ).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if (
        Invitation.objects.pending()
        .filter(collaborative=collaborative, email__iexact=email)
        .exists()
    ):
        raise ValidationError(
            {"email": _("This person already has an invitation waiting. You can send it again.")}
        )
    # An expired invitation still "open" would block the unique constraint: close it.
    Invitation.objects.filter(
        collaborative=collaborative,
        email__iexact=email,
        accepted_at=None,
        revoked_at=None,
        expires_at__lte=timezone.now(),
    ).update(revoked_at=timezone.now())
    invitation = Invitation(
        collaborative=collaborative,
        email=email,
        role=role,
        organization=organization,
        name=name.strip(),
        message=message.strip(),
        invited_by=actor.user,
    )
    token = invitation.new_token()
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise ValidationError(
            {"email": _("This person already has an invitation waiting. You can send it again.")}
        ) from None
    _send_invitation(invitation, token, actor.user)
    record(
        "invitation.sent",
        actor=actor.user,
        request=request,
        obj=invitation,
        email=email,
        role=role,
        organization=str(organization or ""),
    )
    return invitation, token


@transaction.atomic
def invitation_resend(*, actor: Member, invitation: Invitation, request=None) -> str:
    """Send again with a new link (the old link stops working) and a fresh expiry."""
    require_inviter(actor, invitation.role, invitation.organization)
    if invitation.status in ("accepted", "revoked"):
        raise ValidationError(_("This invitation is closed."))
    token = invitation.new_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send_invitation(invitation, token, actor.user)
    record("invitation.resent", actor=actor.user, request=request, obj=invitation)
    return token


@transaction.atomic
def invitation_revoke(*, actor: Member, invitation: Invitation, request=None) -> None:
    require_inviter(actor, invitation.role, invitation.organization)
    if invitation.status != "pending":
        raise ValidationError(_("Only a waiting invitation can be withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record("invitation.revoked", actor=actor.user, request=request, obj=invitation)


def invitation_accept(*, user: User, token: str, request=None) -> Member:
    """Join the collaborative the invitation is for, with its role and organization (the
    person is a ``User`` here: the membership is what this creates).

    A backbone-staff or organization invitation (``Invitation.ADDRESS_BOUND_ROLES``) is
    accepted only by someone signed in with the invited address: a forwarded or leaked
    link gives nobody else that role. The refusal is audit-logged (outside the
    transaction, so it stays)."""
    invitation = Invitation.objects.by_token(token).select_related("collaborative").first()
    if (
        invitation is not None
        and invitation.status == "pending"
        and not may_accept_invitation(user, invitation)
    ):
        record(
            "invitation.refused_other_address",
            actor=user,
            request=request,
            obj=invitation,
            collaborative=invitation.collaborative,
            outcome=AuditEvent.Outcome.DENIED,
            role=invitation.role,
        )
        raise PermissionDenied(
            _(
                "This invitation is for another email address. Sign out, then open the link "
                "again and sign in with the address it was sent to."
            )
        )
    return _invitation_accept(user=user, token=token, request=request)


@transaction.atomic
def _invitation_accept(*, user: User, token: str, request=None) -> Member:
    invitation = (
        Invitation.objects.select_for_update()
        .by_token(token)
        .select_related("collaborative")
        .first()
    )
    if invitation is None or invitation.status != "pending":
        raise ValidationError(_("This invitation link is no longer valid. Ask for a new one."))
    if not may_accept_invitation(user, invitation):
        raise PermissionDenied(_("This invitation is for another email address."))
    member, created = Member.objects.get_or_create(
        user=user,
        collaborative=invitation.collaborative,
        defaults={"role": invitation.role, "organization": invitation.organization},
    )
    if not created:
        member.role = invitation.role
        member.organization = invitation.organization
        member.is_active = True
        member.full_clean()
        member.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_member = member
    invitation.save(update_fields=["accepted_at", "accepted_member"])
    record(
        "invitation.accepted",
        actor=user,
        request=request,
        obj=invitation,
        collaborative=invitation.collaborative,
        role=invitation.role,
        email_matches=(user.email.lower() == invitation.email.lower()),
    )
    # Apps above this floor act on it (a walk-in's attendance becomes the new member's).
    invitation_accepted.send(sender=Invitation, invitation=invitation, member=member)
    return member


@transaction.atomic
def member_update(
    *,
    actor: Member,
    member: Member,
    role: str,
    organization: Organization | None,
    title: str,
    is_active: bool,
    request=None,
) -> Member:
    """Staff change a member's role, organization or whether they are active."""
    if not Member.objects.editable_by(actor.user).filter(pk=member.pk).exists():
        raise PermissionDenied
    require_member_manager(actor, role, organization)
    if member.pk == actor.pk and (role != actor.role or not is_active):
        raise ValidationError(_("You cannot change your own role or deactivate yourself."))
    before = {
        "role": member.role,
        "organization": str(member.organization or ""),
        "is_active": member.is_active,
    }
    member.role, member.organization, member.title, member.is_active = (
        role,
        organization,
        title,
        is_active,
    )
    member.full_clean()
    member.save()
    after = {
        "role": member.role,
        "organization": str(member.organization or ""),
        "is_active": member.is_active,
    }
    if before != after:
        record(
            "member.role_changed",
            actor=actor.user,
            request=request,
            obj=member,
            before=before,
            after=after,
        )
    return member


@transaction.atomic
def member_update_profile(*, actor: Member, member: Member, request=None, **fields) -> Member:
    """A person changes their own settings; only they can."""
    if member.pk != actor.pk:
        raise PermissionDenied
    changed_privacy = (
        fields.get("lived_experience", member.lived_experience) != member.lived_experience
        or fields.get("lived_experience_visibility", member.lived_experience_visibility)
        != member.lived_experience_visibility
    )
    for name, value in fields.items():
        setattr(member, name, value)
    member.full_clean()
    member.save()
    if changed_privacy:
        # The answer itself is never written to the log, only that it changed.
        record("member.privacy_changed", actor=actor.user, request=request, obj=member)
    return member


@transaction.atomic
def member_unsubscribe(*, actor: Member, kind: str, request=None) -> bool:
    """The person turned email off from a notice's unsubscribe link (the link proves who
    they are). Every notice that offers the link honours ``contact_by_email``, so this is
    the one switch; ``kind`` says which mail they left from. Returns whether it changed."""
    if not actor.contact_by_email:
        return False
    actor.contact_by_email = False
    actor.save(update_fields=["contact_by_email"])
    record("member.unsubscribed", actor=actor.user, request=request, obj=actor, kind=kind[:40])
    return True


def _backbone_emails(collaborative: Collaborative) -> list[tuple[str, str]]:
    return list(
        Member.objects.filter(
            collaborative=collaborative,
            role=Member.Role.BACKBONE,
            is_active=True,
            contact_by_email=True,
        ).values_list("user__email", "user__preferred_language")
    )


@transaction.atomic
def join_request_create(
    *,
    user: User,
    collaborative: Collaborative,
    message: str,
    organization_name: str = "",
    request=None,
) -> JoinRequest:
    """Ask to join a collaborative that accepts requests; backbone staff are told by email."""
    if not collaborative.accepts_join_requests:
        raise PermissionDenied(_("This collaborative does not take requests to join."))
    if Member.objects.of_user(user).filter(collaborative=collaborative).exists():
        raise ValidationError(_("You are already a member."))
    if JoinRequest.objects.pending().filter(collaborative=collaborative, user=user).exists():
        raise ValidationError(_("You already asked to join. Backbone staff will answer soon."))
    join_request = JoinRequest(
        collaborative=collaborative,
        user=user,
        message=message.strip(),
        organization_name=organization_name.strip(),
    )
    join_request.full_clean()
    join_request.save()
    from django.conf import settings

    review_url = reverse("stakeholders:join_requests", kwargs={"slug": collaborative.slug})
    for email, language in _backbone_emails(collaborative):
        send_templated_email(
            "join-request-new",
            to=email,
            language=language,
            context={
                "join_request": join_request,
                "collaborative": collaborative,
                "review_url": f"{settings.SITE_URL}{review_url}",
            },
        )
    record("join_request.created", actor=user, request=request, obj=join_request)
    return join_request


def _decidable(actor: Member, join_request: JoinRequest) -> JoinRequest:
    if (
        actor.role != Member.Role.BACKBONE
        or actor.collaborative_id != join_request.collaborative_id
    ):
        raise PermissionDenied(_("Only backbone staff answer requests to join."))
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered."))
    return locked


def _tell_requester(join_request: JoinRequest) -> None:
    from django.conf import settings

    send_templated_email(
        "join-request-decided",
        to=join_request.user.email,
        language=join_request.user.preferred_language,
        context={
            "join_request": join_request,
            "collaborative": join_request.collaborative,
            "approved": join_request.status == JoinRequest.Status.APPROVED,
            "home_url": f"{settings.SITE_URL}{join_request.collaborative.get_absolute_url()}",
        },
    )


@transaction.atomic
def join_request_approve(
    *,
    actor: Member,
    join_request: JoinRequest,
    role: str,
    organization: Organization | None = None,
    note: str = "",
    request=None,
) -> Member:
    """Let the person in with the role (and organization) backbone staff chose."""
    join_request = _decidable(actor, join_request)
    if organization is not None and organization.collaborative_id != join_request.collaborative_id:
        raise ValidationError({"organization": _("Choose an organization of this collaborative.")})
    member, created = Member.objects.get_or_create(
        user=join_request.user,
        collaborative=join_request.collaborative,
        defaults={"role": role, "organization": organization},
    )
    member.role, member.organization, member.is_active = role, organization, True
    member.full_clean()
    member.save()
    join_request.status = JoinRequest.Status.APPROVED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor.user
    join_request.decision_note = note.strip()
    join_request.member = member
    join_request.save()
    _tell_requester(join_request)
    record(
        "join_request.approved",
        actor=actor.user,
        request=request,
        obj=join_request,
        role=role,
        organization=str(organization or ""),
    )
    return member


@transaction.atomic
def join_request_decline(
    *, actor: Member, join_request: JoinRequest, note: str = "", request=None
) -> JoinRequest:
    join_request = _decidable(actor, join_request)
    join_request.status = JoinRequest.Status.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor.user
    join_request.decision_note = note.strip()
    join_request.save()
    _tell_requester(join_request)
    record("join_request.declined", actor=actor.user, request=request, obj=join_request)
    return join_request


@transaction.atomic
def join_request_withdraw(*, user: User, join_request: JoinRequest, request=None) -> None:
    if join_request.user_id != user.pk:
        raise PermissionDenied
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered."))
    locked.status = JoinRequest.Status.WITHDRAWN
    locked.save(update_fields=["status"])
    record("join_request.withdrawn", actor=user, request=request, obj=locked)
