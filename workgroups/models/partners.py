"""Partner initiatives: the community's other collective impact efforts that reentry
work touches, linked to the groups, priorities and action items working alongside them."""

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Collaborative
from workgroups.models.groups import WorkingGroup, backbone_collaboratives, my_collaboratives
from workgroups.models.plans import ActionItem, Priority


class PartnerInitiativeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnerInitiativeQuerySet":
        """Every member of the collaborative sees the partner efforts it records."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=my_collaboratives(user))

    def editable_by(self, user) -> "PartnerInitiativeQuerySet":
        """Backbone staff keep the list."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=backbone_collaboratives(user))


class PartnerInitiative(models.Model):
    """Another collective impact effort in the community (on poverty, school achievement,
    youth employment…) that reentry work touches: the preventive approach. Linked to the
    groups, priorities and action items that work alongside it."""

    class Focus(models.TextChoices):
        POVERTY = "poverty", _("Poverty and economic mobility")
        EDUCATION = "education", _("School achievement")
        YOUTH_EMPLOYMENT = "youth_employment", _("Youth employment")
        EARLY_CHILDHOOD = "early_childhood", _("Early childhood")
        HEALTH = "health", _("Community health")
        HOUSING = "housing", _("Housing stability")
        SAFETY = "safety", _("Violence prevention and community safety")
        OTHER = "other", _("Something else")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="partner_initiatives"
    )
    name = models.CharField(_("name"), max_length=200)
    focus = models.CharField(_("focus"), max_length=20, choices=Focus.choices)
    description = models.TextField(_("what they do"), blank=True, max_length=4000)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    groups = models.ManyToManyField(
        WorkingGroup, blank=True, related_name="partner_initiatives", verbose_name=_("groups")
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="partner_initiatives", verbose_name=_("priorities")
    )
    action_items = models.ManyToManyField(
        ActionItem,
        blank=True,
        related_name="partner_initiatives",
        verbose_name=_("action items"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PartnerInitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative", "name"]
        verbose_name = _("partner initiative")
        verbose_name_plural = _("partner initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "name"], name="partnerinitiative_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "coordination:partner",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )
