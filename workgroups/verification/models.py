"""Member verification, for polls that require verified voters.

No government ID is ever asked for. A member is verified by backbone staff, or when two
verified members vouch for them (``Vouch``).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Member


class MemberVerification(models.Model):
    """A member is verified: by backbone staff, or by two verified members vouching.
    No government ID is ever asked for or stored."""

    class Method(models.TextChoices):
        STAFF = "staff", _("Verified by backbone staff")
        VOUCHED = "vouched", _("Vouched for by two verified members")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="verifications")
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    verified_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), default=timezone.now)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-verified_at", "-pk"]
        verbose_name = _("member verification")
        verbose_name_plural = _("member verifications")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(revoked_at__isnull=True),
                name="memberverification_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.get_method_display()}"


class Vouch(models.Model):
    """A verified member says they know this person. Two make a verification."""

    voucher = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="vouches_given")
    vouchee = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="vouches_received")
    created_at = models.DateTimeField(_("vouched"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("vouch")
        verbose_name_plural = _("vouches")
        constraints = [
            models.UniqueConstraint(fields=["voucher", "vouchee"], name="vouch_once"),
            models.CheckConstraint(
                condition=~Q(voucher=models.F("vouchee")), name="vouch_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} → {self.vouchee_id}"
