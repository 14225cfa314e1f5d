"""Mentor and mentee profiles: what matching reads, and the conflicts it must respect.

Availability is a list of weekly slots ``[weekday, "HH:MM", "HH:MM"]`` (weekday 0 =
Monday, times on the hour or half hour, "24:00" for midnight at the end), in the
collaborative's time zone. Languages are lower-case language codes
(``"en"``, ``"es"``…); interests are short free words, compared case-insensitively.
"""

import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorship.models.pipeline import Applicant
from mentorship.models.program import Program
from stakeholders.models import KeyArea, Member, Organization

# Times are on the hour or half hour (the forms offer those), so matching can compare
# weeks as 336 half-hour cells exactly.
_TIME = re.compile(r"^(([01]\d|2[0-3]):(00|30)|24:00)$")
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")

# Languages offered in the forms; the stored value is the code, so more can be added.
LANGUAGE_OPTIONS: list[tuple[str, Any]] = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("vi", _("Vietnamese")),
    ("so", _("Somali")),
    ("fr", _("French")),
    ("ht", _("Haitian Creole")),
    ("sw", _("Swahili")),
    ("ase", _("American Sign Language")),
]

WEEKDAYS: list[tuple[int, Any]] = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

# Age ranges in order; matching compares their positions.
AGE_RANGES: list[tuple[str, Any]] = [
    ("18-24", _("18 to 24")),
    ("25-34", _("25 to 34")),
    ("35-44", _("35 to 44")),
    ("45-54", _("45 to 54")),
    ("55-64", _("55 to 64")),
    ("65+", _("65 or older")),
]


class Gender(models.TextChoices):
    UNSAID = "", _("I’d rather not say")
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NONBINARY = "nonbinary", _("Non-binary")


class GenderPreference(models.TextChoices):
    ANY = "", _("No preference")
    WOMAN = "woman", _("A woman")
    MAN = "man", _("A man")
    NONBINARY = "nonbinary", _("A non-binary person")


class LivedExperience(models.TextChoices):
    UNSAID = "", _("I’d rather not say")
    YES = "yes", _("Yes, I have lived experience of incarceration or reentry")
    FAMILY = "family", _("Yes, through a family member")
    NO = "no", _("No")


def validate_languages(value: Any) -> None:
    if not isinstance(value, list) or not all(
        isinstance(code, str) and _LANG.match(code) for code in value
    ):
        raise ValidationError(_("Languages must be a list of language codes such as “en”."))


def validate_words(value: Any) -> None:
    if not isinstance(value, list) or not all(
        isinstance(word, str) and 0 < len(word) <= 60 for word in value
    ):
        raise ValidationError(_("Interests must be a list of short words."))


def validate_availability(value: Any) -> None:
    """A list of ``[weekday, "HH:MM", "HH:MM"]`` with the start before the end."""
    if not isinstance(value, list):
        raise ValidationError(_("Availability must be a list of weekly times."))
    for slot in value:
        if (
            not isinstance(slot, (list, tuple))
            or len(slot) != 3
            or not isinstance(slot[0], int)
            or isinstance(slot[0], bool)
            or not 0 <= slot[0] <= 6
            or not all(isinstance(t, str) and _TIME.match(t) for t in slot[1:])
        ):
            raise ValidationError(
                _("Each time must be a weekday and a start and end such as 18:00 or 18:30.")
            )
        if slot[1] >= slot[2]:
            raise ValidationError(_("Each time must start before it ends."))


def validate_age_range(value: str) -> None:
    if value and value not in dict(AGE_RANGES):
        raise ValidationError(_("Choose one of the age ranges."))


class MatchingFields(models.Model):
    """What mentors and mentees both tell us, for matching."""

    languages = models.JSONField(
        _("languages"), default=list, blank=True, validators=[validate_languages]
    )
    gender = models.CharField(
        _("gender"), max_length=20, choices=Gender.choices, blank=True, default=Gender.UNSAID
    )
    age_range = models.CharField(
        _("age range"),
        max_length=8,
        choices=AGE_RANGES,
        blank=True,
        validators=[validate_age_range],
    )
    neighbourhood = models.CharField(
        _("neighbourhood"),
        max_length=120,
        blank=True,
        help_text=_("Part of town. Never a street address."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Of the neighbourhood's centre, for distances. Optional."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    availability = models.JSONField(
        _("when they can meet"),
        default=list,
        blank=True,
        validators=[validate_availability],
        help_text=_("Weekly times: a weekday, a start and an end."),
    )
    interests = models.JSONField(
        _("interests"), default=list, blank=True, validators=[validate_words]
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def language_names(self) -> list[str]:
        names = dict(LANGUAGE_OPTIONS)
        return [str(names.get(code, code)) for code in self.languages]

    @property
    def availability_display(self) -> list[str]:
        days = dict(WEEKDAYS)
        return [f"{days[d]} {start}–{end}" for d, start, end in self.availability]


class MentorProfileQuerySet(models.QuerySet):
    def approved(self) -> "MentorProfileQuerySet":
        return self.filter(applicant__stage="approved")


class MentorProfile(MatchingFields):
    """A mentor's profile: what they bring and when they can meet. One per applicant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    applicant = models.OneToOneField(Applicant, on_delete=models.CASCADE, related_name="profile")
    # The applicant's program, kept here too so matching reads one table.
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentors")
    lived_experience = models.CharField(
        _("lived experience"),
        max_length=10,
        choices=LivedExperience.choices,
        blank=True,
        default=LivedExperience.UNSAID,
        help_text=_("Many of our best mentors have been there. Share only what you want."),
    )
    bio = models.TextField(
        _("about me"),
        blank=True,
        help_text=_("A few lines a mentee will read before meeting you."),
    )
    key_areas = models.ManyToManyField(
        KeyArea, blank=True, related_name="mentors", verbose_name=_("I can help with")
    )
    capacity = models.PositiveSmallIntegerField(
        _("how many mentees at once"),
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("Zero pauses new matches."),
    )
    mentee_gender_preference = models.CharField(
        _("I would prefer to mentor"),
        max_length=20,
        choices=GenderPreference.choices,
        blank=True,
        default=GenderPreference.ANY,
    )
    preferences = models.TextField(_("anything else about who you would mentor best"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MentorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["program", "applicant__name"]
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")
        indexes = [models.Index(fields=["program", "capacity"], name="mentor_program_capacity")]

    def __str__(self) -> str:
        return self.applicant.name if self.applicant_id else str(self.public_id)

    def clean(self) -> None:
        super().clean()
        if self.applicant_id and self.program_id and self.applicant.program_id != self.program_id:
            raise ValidationError(_("The profile must be in the applicant's program."))

    @property
    def name(self) -> str:
        return self.applicant.name


class MenteeProfile(MatchingFields):
    """A person coming home who wants a mentor: needs, goals and when they can meet.

    ``participant`` links the person's casework record (a pseudonymous code) when the
    organization that referred them serves them there; named by string, since mentorship
    and casework are independent apps that never import each other.
    """

    class Referral(models.TextChoices):
        PROVIDER = "provider", _("Referred by an organization")
        SELF = "self", _("Self-referred")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for a mentor")
        MATCHED = "matched", _("Matched")
        ON_HOLD = "on_hold", _("On hold")
        EXITED = "exited", _("Left the program")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentees")
    name = models.CharField(
        _("name"), max_length=150, help_text=_("The name the person wants to be called.")
    )
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentee_profiles",
        verbose_name=_("account in the collaborative"),
        help_text=_("Only if the person has an account; they can then accept a match."),
    )
    referral = models.CharField(
        _("how they came"), max_length=20, choices=Referral.choices, default=Referral.PROVIDER
    )
    referred_by = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentee_referrals",
        verbose_name=_("referred by"),
    )
    participant = models.ForeignKey(
        "casework.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentee_profiles",
        verbose_name=_("casework participant"),
        help_text=_("The person's participant code, when an organization serves them."),
    )
    release_date = models.DateField(
        _("release date"),
        null=True,
        blank=True,
        help_text=_("Matching can start before release."),
    )
    needs = models.ManyToManyField(
        KeyArea, blank=True, related_name="mentee_needs", verbose_name=_("needs help with")
    )
    goals = models.TextField(_("goals"), blank=True)
    gender_preference = models.CharField(
        _("would prefer a mentor who is"),
        max_length=20,
        choices=GenderPreference.choices,
        blank=True,
        default=GenderPreference.ANY,
    )
    prefers_lived_experience = models.BooleanField(
        _("would like a mentor with lived experience"), default=True
    )
    supervision_conditions = models.TextField(
        _("supervision conditions"),
        blank=True,
        help_text=_("Curfews, places or people to avoid: anything that limits meetings."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["program", "name"]
        verbose_name = _("mentee")
        verbose_name_plural = _("mentees")
        constraints = [
            models.CheckConstraint(
                condition=~Q(referral="self") | Q(referred_by__isnull=True),
                name="mentee_self_referral_has_no_referrer",
            )
        ]
        indexes = [models.Index(fields=["program", "status"], name="mentee_program_status")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        collab_id = self.program.collaborative_id if self.program_id else None
        if collab_id is not None:
            if self.referred_by is not None and self.referred_by.collaborative_id != collab_id:
                raise ValidationError(
                    {"referred_by": _("Choose an organization of this collaborative.")}
                )
            if self.member is not None and self.member.collaborative_id != collab_id:
                raise ValidationError({"member": _("Choose a member of this collaborative.")})
            participant = self.participant
            if participant is not None and participant.collaborative_id != collab_id:
                raise ValidationError(
                    {"participant": _("Choose a participant of this collaborative.")}
                )
        if self.referral == self.Referral.SELF and self.referred_by is not None:
            raise ValidationError(
                {"referred_by": _("A self-referral has no referring organization.")}
            )


class NoContact(models.Model):
    """A conflict the coordinator recorded: this mentor and this mentee must never meet."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="no_contacts")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="no_contacts")
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Coordinators only. Keep it short and factual.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("no-contact conflict")
        verbose_name_plural = _("no-contact conflicts")
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="nocontact_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ≠ {self.mentee}"

    def clean(self) -> None:
        if self.mentor_id and self.mentee_id and self.mentor.program_id != self.mentee.program_id:
            raise ValidationError(_("The mentor and the mentee must be in the same program."))
