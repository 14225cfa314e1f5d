"""Datasets: an organization's data, a ``Shareable`` container whose rows live in
``DatasetVersion`` s (draft -> submitted -> accepted, per version)."""

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reentry.sharing.models import GroupGrant, Shareable, ShareableQuerySet
from stakeholders.models import Collaborative, Member, Organization


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0")
    CC0 = "cc0-1.0", _("Public domain (CC0)")
    ODBL = "odbl-1.0", _("Open Database License")
    AGREEMENT = "agreement", _("Collaborative data-sharing agreement only")


class DatasetQuerySet(ShareableQuerySet["Dataset"]):
    def with_versions(self) -> "DatasetQuerySet":
        return self.select_related("owner", "current_version", "accepted_version")

    def reviewable_by(self, user) -> "DatasetQuerySet":
        """What backbone staff review: their collaboratives' datasets that were submitted
        (or accepted once), whatever their sharing. Submitting hands a dataset's
        description and status, not its rows, to backbone staff for acceptance."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        backbone = Member.objects.filter(
            user_id=user.pk, is_active=True, role=Member.Role.BACKBONE
        ).values("collaborative_id")
        handed_over = Q(
            current_version__status__in=[
                DatasetVersion.Status.SUBMITTED,
                DatasetVersion.Status.ACCEPTED,
            ]
        ) | Q(accepted_version__isnull=False)
        return self.filter(handed_over, collaborative_id__in=backbone)

    def visible_or_reviewable(self, user) -> "DatasetQuerySet":
        """``visible_to`` plus, for backbone staff, ``reviewable_by``: a dataset's
        description, on its pages and in the API alike (never its rows)."""
        return self.filter(
            Q(pk__in=self.model.objects.visible_to(user).values("pk"))
            | Q(pk__in=self.model.objects.reviewable_by(user).values("pk"))
        )


class Dataset(Shareable):
    """An organization's data for one period: a shareable container of observations.

    A "records" dataset holds person-level rows (``Record``) that never leave the owner;
    its observations are derived from them (``DerivedIndicator``), and only those are
    shared, at the dataset's sharing level. A "casework" dataset holds the figures an
    organization derives from its own casework records (release dates, service logs,
    referrals; ``casework.indicators``), shared the same way.
    """

    class Kind(models.TextChoices):
        FIGURES = "figures", _("Figures (counts and rates)")
        RECORDS = "records", _("Records (one row per person)")
        CASEWORK = "casework", _("Derived from casework records")

    sharing_collaborative_path = "collaborative"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="datasets", editable=False
    )
    owner = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="datasets",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.FIGURES,
        editable=False,
        help_text=_(
            "Records stay with the organization; only what is derived from them is shared."
        ),
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("The system or report it came from.")
    )
    period_start = models.DateField(_("covers from"))
    period_end = models.DateField(_("covers to"))
    methodology = models.TextField(
        _("methodology notes"),
        blank=True,
        help_text=_("How the numbers were counted, and anything a reader should know."),
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.AGREEMENT
    )
    current_version = models.ForeignKey(
        "DatasetVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("The version the organization works on (and others see, if shared)."),
    )
    accepted_version = models.ForeignKey(
        "DatasetVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("The last version backbone staff accepted."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: ClassVar = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "title", "pk"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        indexes = [
            models.Index(fields=["owner", "period_end"], name="dataset_owner_period"),
            models.Index(fields=["collaborative", "period_end"], name="dataset_collab_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="dataset_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.owner_id and not self.collaborative_id:
            self.collaborative_id = self.owner.collaborative_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "indicators:dataset",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )

    def clean(self) -> None:
        if self.owner_id:
            self.collaborative_id = self.owner.collaborative_id
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The end comes on or after the start.")})

    @property
    def status(self) -> str:
        """The status of the current version ("draft" before any rows are stored)."""
        version = self.current_version
        return version.status if version is not None else DatasetVersion.Status.DRAFT

    @property
    def is_records(self) -> bool:
        return self.kind == self.Kind.RECORDS

    @property
    def is_casework(self) -> bool:
        """Figures the owner derives from its own casework records (``casework.indicators``):
        no upload, a new version whenever the figures change."""
        return self.kind == self.Kind.CASEWORK

    @property
    def is_locked(self) -> bool:
        """An accepted current version cannot change: changes need a new version."""
        return self.status == DatasetVersion.Status.ACCEPTED

    def next_version_number(self) -> int:
        """The number the next version of this dataset takes (uploads and restores)."""
        last = self.versions.order_by("-number").values_list("number", flat=True).first()
        return (last or 0) + 1


class DatasetGroupObjectPermission(GroupGrant):
    content_object = models.ForeignKey(Dataset, on_delete=models.CASCADE)


class DatasetVersion(models.Model):
    """One upload of a dataset's rows. Rows never change after the commit; a change is a
    new version with a reason, and an earlier version can be made current again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted by the organization")
        ACCEPTED = "accepted", _("Accepted")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    reason = models.TextField(
        _("reason for the change"), blank=True, help_text=_("Required from the second version.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    restored_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restored from"),
        help_text=_("Set when this version is a copy of an earlier one, made current again."),
    )
    source_filename = models.CharField(_("file"), max_length=255, blank=True)
    columns = models.JSONField(
        default=list, blank=True, help_text="Records: the file's column names, in order."
    )
    profile = models.JSONField(
        default=dict,
        blank=True,
        help_text="Records: each column's type, blanks and values with counts.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="datasetversion_unique"),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(reason=""), name="datasetversion_reason_after_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"
