"""Consent: what a participant agreed to share, with whom, for what, until when.

A consent is given about one organization's record (its ``enrolment``), or, for a
self-referral, by the person about what they wrote themselves (no enrolment). It names
its recipients (organizations and/or sectors), the key areas and the kinds of record it
covers. It is in force from ``starts_on`` to ``ends_on`` inclusive unless revoked; a
revoked or expired consent is kept (never deleted) for the record and the audit log.
Whether it is in force is decided at every request from these fields, so revocation and
expiry act on the very next request whatever the beat job has done.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.models.people import Enrolment, Participant
from stakeholders.models import Collaborative, KeyArea, Organization, Sector


class ConsentQuerySet(models.QuerySet):
    def in_force(self, today) -> "ConsentQuerySet":
        """Consents in force on ``today``: started, not ended, not revoked."""
        return self.filter(access.in_force_q(today))

    def visible_to(self, user, *, today=None, as_organization=False) -> "ConsentQuerySet":
        """``as_organization``: what the person's organization sees (its own and what
        consents name it for), without the person's own record (``access.self_q``)."""
        return self.filter(
            access.consents_visible_q(user, today=today, as_organization=as_organization)
        )


class Consent(models.Model):
    """A release of information, under rule 7 and, for Part 2 records, 42 CFR §2.31."""

    class Method(models.TextChoices):
        PAPER = "paper", _("Signed on paper (scan kept)")
        VERBAL = "verbal", _("Said out loud, with a witness")
        ON_SCREEN = "on_screen", _("Given on screen by the person")

    class Kind(models.TextChoices):
        """The kinds of record a consent can cover; each is a field below."""

        IDENTITY = "identity", _("Name, date of birth and contact details")
        ENROLMENT = "enrolment", _("Enrolment facts (dates, release, supervision, language)")
        NEEDS = "needs", _("Needs")
        SERVICE_LOGS = "service_logs", _("Services received")
        REFERRALS = "referrals", _("Referrals")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="consents"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("record shared"),
        help_text=_("Empty when the person shares what they wrote themselves."),
    )
    # The discloser: the enrolment's organization, kept here so rule 7 filters need no join.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents_given",
        verbose_name=_("shared by"),
    )
    recipient_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="consents_received",
        verbose_name=_("shared with these organizations"),
    )
    recipient_sectors = models.ManyToManyField(
        Sector,
        blank=True,
        related_name="consents_received",
        verbose_name=_("shared with every organization in these sectors"),
    )
    findable = models.BooleanField(
        _("others may find this person"),
        default=False,
        help_text=_(
            "Other organizations in the collaborative may find the person by code, or by "
            "name and date of birth, and enrol them without starting a second record."
        ),
    )
    key_areas = models.ManyToManyField(
        KeyArea, blank=True, related_name="consents", verbose_name=_("about these key areas")
    )
    shares_identity = models.BooleanField(_("name, date of birth and contact"), default=False)
    shares_enrolment = models.BooleanField(_("enrolment facts"), default=False)
    shares_needs = models.BooleanField(_("needs"), default=False)
    shares_service_logs = models.BooleanField(_("services received"), default=False)
    shares_referrals = models.BooleanField(_("referrals"), default=False)
    shares_part2 = models.BooleanField(
        _("substance-use treatment records (42 CFR Part 2)"),
        default=False,
        help_text=_("Only for a Part 2 program's records; needs every element of §2.31."),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=300,
        help_text=_("Why the information is shared, e.g. “to find housing after release”."),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(
        _("ends"), help_text=_("The last day the consent is in force. At most three years.")
    )
    method = models.CharField(_("how it was given"), max_length=12, choices=Method.choices)
    scan = models.FileField(
        _("scan of the signed form"),
        upload_to="consents/",
        max_length=200,
        blank=True,
        help_text=_("PDF or photo of the signed paper form."),
    )
    witness_name = models.CharField(_("witness"), max_length=150, blank=True)
    # §2.31 elements, as written on the form the person signed.
    signed_name = models.CharField(_("name of the person, as signed"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    amount_and_kind = models.CharField(
        _("how much and what kind of information"),
        max_length=300,
        blank=True,
        help_text=_("Part 2 only, e.g. “attendance and progress in treatment since March”."),
    )
    told_right_to_revoke = models.BooleanField(
        _("the person was told they can revoke at any time"), default=False
    )
    language = models.CharField(
        _("language of the form"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_reason = models.CharField(_("why revoked"), max_length=300, blank=True)
    # Set once by the expiry job, for the audit log and the person's notice; the rules
    # never read it (``ends_on`` decides).
    expiry_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsentQuerySet.as_manager()

    KIND_FIELDS = {
        Kind.IDENTITY: "shares_identity",
        Kind.ENROLMENT: "shares_enrolment",
        Kind.NEEDS: "shares_needs",
        Kind.SERVICE_LOGS: "shares_service_logs",
        Kind.REFERRALS: "shares_referrals",
    }

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(fields=["participant", "-starts_on"], name="consent_participant"),
            models.Index(fields=["enrolment", "ends_on"], name="consent_enrolment_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="consent_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code}: {self.purpose[:60]}"

    def in_force_on(self, today) -> bool:
        return self.revoked_at is None and self.starts_on <= today <= self.ends_on

    def kinds(self) -> list[str]:
        return [kind for kind, field in self.KIND_FIELDS.items() if getattr(self, field)]

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                errors["ends_on"] = _("The end is before the start.")
            elif (self.ends_on - self.starts_on).days > 366 * 3:
                errors["ends_on"] = _("A consent can last at most three years.")
        if self.method == self.Method.VERBAL and not self.witness_name.strip():
            errors["witness_name"] = _("Name the witness of a verbal consent.")
        if self.shares_part2:
            for field in ("signed_name", "signed_on", "amount_and_kind"):
                if not getattr(self, field):
                    errors[field] = _("A Part 2 consent must state this (42 CFR §2.31).")
            if not self.told_right_to_revoke:
                errors["told_right_to_revoke"] = _(
                    "A Part 2 consent must tell the person they can revoke it (42 CFR §2.31)."
                )
            if self.method == self.Method.VERBAL:
                errors["method"] = _("A Part 2 consent must be signed, on paper or on screen.")
        if errors:
            raise ValidationError(errors)
