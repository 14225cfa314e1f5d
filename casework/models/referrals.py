"""Referrals, closed loop: sent → accepted (or declined, or more information asked) →
delivered (linked to the receiver's service log) → closed. Every step is a
``ReferralEvent``, which both organizations see."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework import access
from casework.models.consents import Consent
from casework.models.logs import ServiceLog
from casework.models.people import Enrolment, Participant
from stakeholders.models import Collaborative, KeyArea, Organization, Service


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user, *, today=None, as_organization=False) -> "ReferralQuerySet":
        """``as_organization``: what the person's organization sees (its own and what
        consents name it for), without the person's own record (``access.self_q``)."""
        return self.filter(
            access.referrals_visible_q(user, today=today, as_organization=as_organization)
        )


class Referral(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("referral", "Sent")
        INFO_REQUESTED = "info_requested", _("More information asked")
        ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
        DECLINED = "declined", pgettext_lazy("referral", "Declined")
        DELIVERED = "delivered", _("Service delivered")
        CLOSED = "closed", pgettext_lazy("referral", "Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("referral", "Withdrawn")

    OPEN_STATUSES = (Status.SENT, Status.INFO_REQUESTED, Status.ACCEPTED, Status.DELIVERED)
    WAITING_STATUSES = (Status.SENT, Status.INFO_REQUESTED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="referrals"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="referrals")
    from_organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referrals_sent",
        verbose_name=_("from"),
        help_text=_("Empty for a self-referral."),
    )
    from_enrolment = models.ForeignKey(
        Enrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals_sent"
    )
    to_organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="referrals_received",
        verbose_name=_("to"),
    )
    to_service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service"),
    )
    to_enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_received",
        help_text=_("The receiver's own record of the person, made when it accepts."),
    )
    key_area = models.ForeignKey(
        KeyArea, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("key area")
    )
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text=_("The consent that lets the receiver see this referral."),
    )
    is_self_referral = models.BooleanField(_("self-referral"), default=False)
    reason = models.TextField(_("what the person needs"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT, db_index=True
    )
    service_log = models.ForeignKey(
        ServiceLog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service delivered"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["to_organization", "status", "-sent_at"], name="referral_inbox"),
            models.Index(fields=["from_organization", "-sent_at"], name="referral_outbox"),
            # The inbox: the latest referrals waiting for an answer, read in order and
            # stopped after a page (no sort of every waiting referral); the statuses are
            # WAITING_STATUSES. bench/casework_logs.py: 1.5 ms instead of 30-40 ms.
            models.Index(
                fields=["to_organization", "-sent_at"],
                condition=models.Q(status__in=["sent", "info_requested"]),
                name="referral_inbox_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} → {self.to_organization}"


class ReferralEvent(models.Model):
    """One step of a referral, seen by both organizations."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=16, choices=Referral.Status.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")

    def __str__(self) -> str:
        return f"{self.referral} {self.status}"
