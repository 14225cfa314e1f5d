from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A Celery task that could not be published when its transaction committed.

    ``reentry.queue.enqueue`` writes it when the broker does not answer; the
    ``flush_outbox`` beat task and management command claim rows atomically
    (``claim`` is set by one UPDATE), publish them and delete them.
    """

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(
        _("keyword arguments"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=1)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("waiting task")
        verbose_name_plural = _("waiting tasks")
        indexes = [models.Index(fields=["claimed_at", "id"], name="outbox_claimable")]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
