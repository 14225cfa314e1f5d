"""Beside the figures on a dashboard: the story behind the curve, partners' comments."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models.catalog import Indicator
from stakeholders.models import Member


class StoryNote(models.Model):
    """The story behind the curve: what is driving the numbers, partners, what works.

    The newest note of an indicator is the one shown; earlier ones stay as its history.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="stories")
    body = models.TextField(_("the story behind the curve"), max_length=10000)
    author = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "-created_at", "-pk"]
        verbose_name = _("story behind the curve")
        verbose_name_plural = _("stories behind the curve")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.body[:60]}"


class IndicatorComment(models.Model):
    """A partner's comment on an indicator, read by the collaborative's members."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"), max_length=4000)
    is_hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Hidden by backbone staff.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "created_at", "pk"]
        verbose_name = _("comment on an indicator")
        verbose_name_plural = _("comments on indicators")

    def __str__(self) -> str:
        return f"{self.author} on {self.indicator.code}"
