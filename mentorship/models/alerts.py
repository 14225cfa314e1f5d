"""Alerts the mentoring program has sent: a claim row per alert, person and day.

Claim-before-send, as ``workgroups.reminders`` does with ``SentReminder``: a row keyed
(kind, object, person, day) under a unique constraint is inserted with ON CONFLICT DO
NOTHING under a fresh claim id in the transaction that queues the email; only rows
carrying this run's claim id are emailed. A second beat, a retry or two workers at once
send nothing twice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Member


class SentAlert(models.Model):
    class Kind(models.TextChoices):
        QUIET = "quiet", _("No session for a while")
        RELEASE = "release", _("A release date is near")
        CONTACT_DUE = "contact_due", _("Check-ins due")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_key = models.CharField(_("about"), max_length=64)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    on_date = models.DateField(_("day"))
    claim = models.UUIDField(editable=False)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("mentoring alert sent")
        verbose_name_plural = _("mentoring alerts sent")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_key", "member", "on_date"], name="sentalert_once"
            )
        ]
        indexes = [models.Index(fields=["claim"], name="sentalert_claim")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.on_date}"
