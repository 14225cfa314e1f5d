"""Data requests: a member asks an organization to share a dataset."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models.datasets import Dataset
from stakeholders.models import Collaborative, Member, Organization


class DataRequest(models.Model):
    """A member asks an organization to share a dataset with them (or their organization)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="data_requests", editable=False
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="requests")
    requested_by = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    requesting_organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The organization that would see the dataset, if any."),
    )
    reason = models.TextField(_("why you need it"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    response = models.TextField(_("answer"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "requested_by"],
                condition=Q(status="pending"),
                name="datarequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requested_by} → {self.dataset}"

    def save(self, *args, **kwargs):
        if self.dataset_id and not self.collaborative_id:
            self.collaborative_id = self.dataset.collaborative_id
        super().save(*args, **kwargs)
