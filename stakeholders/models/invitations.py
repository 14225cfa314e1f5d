"""Ways in: an invitation by email, and a person's request to join."""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stakeholders.models.people import Collaborative, Member, Organization

INVITATION_LIFETIME = timedelta(days=14)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())

    def managed_by(self, member: Member) -> "InvitationQuerySet":
        """Backbone staff see all invitations; organization admins their organization's."""
        qs = self.filter(collaborative_id=member.collaborative_id)
        if member.role == Member.Role.BACKBONE:
            return qs
        if member.role == Member.Role.ORG_ADMIN:
            return qs.filter(organization_id=member.organization_id)
        return qs.none()

    def by_token(self, token: str) -> "InvitationQuerySet":
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    """An invitation by email to join a collaborative with a role (and organization)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Member.Role.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("organization"),
    )
    message = models.TextField(_("personal message"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_member = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitation"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "email"],
                condition=Q(accepted_at=None, revoked_at=None),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["org_admin", "provider_staff"])
                | Q(organization__isnull=False),
                name="invitation_org_role_needs_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.collaborative}"

    def new_token(self) -> str:
        """Set a fresh token (only its hash is stored) and return it for the link."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.expires_at = timezone.now() + INVITATION_LIFETIME
        return token

    #: Roles whose invitation only the invited address may accept: they open an
    #: organization's own data (its private datasets, its participants' records) or the
    #: backbone's tools. Community members and observers see only what the collaborative
    #: shares with every member, so anyone holding their link may still accept it.
    ADDRESS_BOUND_ROLES = (
        Member.Role.BACKBONE,
        Member.Role.ORG_ADMIN,
        Member.Role.PROVIDER_STAFF,
    )

    @property
    def is_bound_to_address(self) -> bool:
        return self.role in self.ADDRESS_BOUND_ROLES

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> str | Promise:
        return {
            "accepted": _("Accepted"),
            "revoked": _("Withdrawn"),
            "expired": _("Expired"),
            "pending": _("Waiting"),
        }[self.status]


class JoinRequestQuerySet(models.QuerySet):
    def pending(self) -> "JoinRequestQuerySet":
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(models.Model):
    """A person asks to join a collaborative; backbone staff approve or decline."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(
        _("why you would like to join"),
        max_length=2000,
        help_text=_("A few words about you and what you hope to do here."),
    )
    organization_name = models.CharField(
        _("your organization, if any"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty if you are joining as a community member."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("note to the person"), blank=True, max_length=2000)
    member = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="join_request"
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "user"],
                condition=Q(status="pending"),
                name="joinrequest_one_pending_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.collaborative}"
