"""Participants and the organizations that serve them.

A ``Participant`` is only a pseudonym: a code unique in the collaborative, and the
person's own account when they have one. Everything an organization knows about the
person lives on that organization's ``Enrolment`` (facts and needs) and ``Identity``
(name, date of birth, contact), so a second organization that enrols the same person
starts from nothing and never sees the first one's record (rule 7).
"""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework import access
from stakeholders.models import Collaborative, KeyArea, Organization

# No 0/O or 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_participant_code() -> str:
    """A fresh code like ``P-7KM3-Q9XA``: 31^8 ≈ 8.5e11 possibilities, so a guess hits
    nobody; uniqueness within the collaborative is still enforced by the database."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"P-{body[:4]}-{body[4:]}"


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user, *, today=None, as_organization=False) -> "ParticipantQuerySet":
        """``as_organization``: what the person's organization sees (its own and what
        consents name it for), without the person's own record (``access.self_q``)."""
        return self.filter(
            access.participants_visible_q(user, today=today, as_organization=as_organization)
        )


class Participant(models.Model):
    """A returning citizen known to the collaborative, by code only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="participants"
    )
    code = models.CharField(
        _("participant code"),
        max_length=20,
        default=new_participant_code,
        help_text=_("The same code at every organization. Give it to the person."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant_records",
        verbose_name=_("the person's own account"),
        help_text=_("Linked only by the person, with a code given to them."),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
        help_text=_("Set when a duplicate was merged, with the person's consent."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative", "code"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "code"], name="participant_unique_code"
            ),
            models.UniqueConstraint(
                fields=["collaborative", "user"],
                condition=Q(user__isnull=False, merged_into__isnull=True),
                name="participant_one_record_per_account",
            ),
        ]

    def __str__(self) -> str:
        # Never the person's name: this string goes into the audit log and admin lists.
        return self.code


class Part2Program(models.Model):
    """An organization that is a substance-use treatment program under 42 CFR Part 2.
    Its records about a participant never leave it without a consent that names Part 2
    records explicitly and carries the elements of §2.31. Set by backbone staff."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="part2_program"
    )
    program_name = models.CharField(
        _("program name"),
        max_length=200,
        help_text=_("As it must appear on consent forms, e.g. “Linn County Recovery Program”."),
    )
    designated_at = models.DateTimeField(_("designated"), auto_now_add=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Part 2 program")
        verbose_name_plural = _("Part 2 programs")

    def __str__(self) -> str:
        return self.program_name


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user, *, today=None, as_organization=False) -> "EnrolmentQuerySet":
        """``as_organization``: what the person's organization sees (its own and what
        consents name it for), without the person's own record (``access.self_q``)."""
        return self.filter(
            access.enrolments_visible_q(user, today=today, as_organization=as_organization)
        )

    def owned_by(self, user) -> "EnrolmentQuerySet":
        return self.filter(access.owner_q(user))


class Enrolment(models.Model):
    """A participant served by an organization: that organization's own record of the
    person, which it owns for rule 7."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Being served")
        CLOSED = "closed", _("Closed")

    class Supervision(models.TextChoices):
        UNKNOWN = "", _("Not recorded")
        NONE = "none", _("Not under supervision")
        PAROLE = "parole", _("Parole")
        PROBATION = "probation", _("Probation")
        OTHER = "other", _("Other supervision")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="enrolments"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="enrolments"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    enrolled_on = models.DateField(_("first served on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    facility = models.CharField(
        _("released from"), max_length=200, blank=True, help_text=_("Prison or jail, if known.")
    )
    supervision = models.CharField(
        _("supervision"), max_length=12, choices=Supervision.choices, blank=True, default=""
    )
    needs = models.ManyToManyField(
        KeyArea, blank=True, related_name="enrolment_needs", verbose_name=_("needs help with")
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "organization"], name="enrolment_one_per_organization"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "-enrolled_on"], name="enrolment_org_date"),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} at {self.organization}"

    def clean(self) -> None:
        if self.closed_on and self.closed_on < self.enrolled_on:
            raise ValidationError({"closed_on": _("The closing date is before the first visit.")})


class Identity(models.Model):
    """Who the person is, as one organization recorded it. Kept apart from the
    pseudonymous record and shown only under rule 7 (owner, or a consent that covers
    identity)."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="identity")
    given_name = models.CharField(_("first name"), max_length=100, blank=True)
    family_name = models.CharField(_("last name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    # Lower-cased "given family", for the one-field search of the owner's own people.
    search_name = models.CharField(max_length=201, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        # Never the name: Django's admin log and the audit log keep this string.
        return f"Identity of {self.enrolment.participant.code}"

    def save(self, *args, **kwargs):
        self.search_name = self.full_name.casefold()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)
