"""Services delivered, and the keys that make the providers' API idempotent."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework import access
from casework.models.people import Enrolment, Participant
from stakeholders.models import Collaborative, KeyArea, Organization, Service


class ServiceLogQuerySet(models.QuerySet):
    def visible_to(self, user, *, today=None, as_organization=False) -> "ServiceLogQuerySet":
        """``as_organization``: what the person's organization sees (its own and what
        consents name it for), without the person's own record (``access.self_q``)."""
        return self.filter(
            access.service_logs_visible_q(user, today=today, as_organization=as_organization)
        )

    def owned_by(self, user) -> "ServiceLogQuerySet":
        return self.filter(access.owner_q(user))


class ServiceLog(models.Model):
    """One service an organization delivered to a participant. Visible through its
    enrolment (rule 5: never shared row by row): to the owner, and to a recipient of a
    consent in force on that enrolment that covers services received and this key area."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", pgettext_lazy("service outcome", "Done")
        PARTIAL = "partial", _("Partly done")
        NO_SHOW = "no_show", _("Did not come")
        FOLLOW_UP = "follow_up", _("Needs a follow-up")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="service_logs"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="service_logs"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="service_logs")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="service_logs"
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_logs",
        verbose_name=_("service"),
        help_text=_("Which of your directory's services, if any."),
    )
    key_area = models.ForeignKey(
        KeyArea, on_delete=models.PROTECT, related_name="service_logs", verbose_name=_("key area")
    )
    delivered_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(
        pgettext_lazy("duration", "minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.COMPLETED
    )
    notes = models.CharField(_("short notes"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ServiceLogQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("service log")
        verbose_name_plural = _("service logs")
        indexes = [
            models.Index(fields=["organization", "-delivered_on", "-id"], name="servicelog_org"),
            models.Index(fields=["enrolment", "-delivered_on"], name="servicelog_enrolment"),
            models.Index(fields=["collaborative", "-delivered_on"], name="servicelog_collab"),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} {self.delivered_on} {self.key_area}"


class IdempotencyKey(models.Model):
    """A client-supplied ``Idempotency-Key`` an organization's system sent with a create:
    a retried request with the same key returns the first answer instead of writing twice."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "endpoint", "key"], name="idempotency_unique_key"
            )
        ]

    def __str__(self) -> str:
        return self.key
