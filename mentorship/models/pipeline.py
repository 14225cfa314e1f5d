"""Recruitment and screening of mentors: the application and its stages.

An ``Applicant`` is a person who applied to mentor in one program, from the public form
or entered by a coordinator. It moves through ``Stage`` (applied → interviewed →
references checked → background review → trained → approved), or ends declined (with a
reason) or withdrawn. Every move is a ``StageChange`` row (who, when, from, to).

A conviction history never declines anyone by itself: the background step records a
``BackgroundAssessment`` (what, how long ago, relevance to mentoring, the coordinator's
notes), read by the program's coordinators only. Lived experience is what the program
seeks.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorship.models.program import Program, TrainingModule
from stakeholders.models import Member


class Stage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    INTERVIEWED = "interviewed", _("Interviewed")
    REFERENCES = "references", _("References checked")
    BACKGROUND = "background", _("Background review")
    TRAINED = "trained", _("Trained")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def pipeline(cls) -> list["Stage"]:
        """The stages in order, from applied to approved (not the two ways out)."""
        return [
            cls.APPLIED,
            cls.INTERVIEWED,
            cls.REFERENCES,
            cls.BACKGROUND,
            cls.TRAINED,
            cls.APPROVED,
        ]

    @classmethod
    def open_stages(cls) -> list["Stage"]:
        """Still in screening: neither approved nor out."""
        return cls.pipeline()[:-1]


class ApplicantQuerySet(models.QuerySet):
    def in_screening(self) -> "ApplicantQuerySet":
        return self.filter(stage__in=Stage.open_stages())

    def approved(self) -> "ApplicantQuerySet":
        return self.filter(stage=Stage.APPROVED)


class Applicant(models.Model):
    """A person who applied to mentor in a program, and where their application stands."""

    class Source(models.TextChoices):
        PUBLIC_FORM = "public_form", _("Public application form")
        COORDINATOR = "coordinator", _("Entered by a coordinator")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applicants")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("language for us to use with you"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    answers = models.JSONField(
        _("answers"),
        default=dict,
        blank=True,
        help_text=_("What the person wrote on the application form, question by question."),
    )
    source = models.CharField(
        _("came from"), max_length=20, choices=Source.choices, default=Source.PUBLIC_FORM
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED
    )
    stage_changed_at = models.DateTimeField(_("stage since"), auto_now_add=True)
    decline_reason = models.TextField(
        _("why declined"),
        blank=True,
        help_text=_("Required when declining. The person may ask to see it."),
    )
    # The person's place in the collaborative, once they have an account: a mentor is paid
    # through the one stipend ledger, which pays Members, and signs in to log sessions.
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentor_applications",
        verbose_name=_("account in the collaborative"),
    )
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-created_at"]
        verbose_name = _("mentor applicant")
        verbose_name_plural = _("mentor applicants")
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="applicant_has_contact"
            ),
            models.CheckConstraint(
                condition=~Q(stage="declined") | ~Q(decline_reason=""),
                name="applicant_declined_has_reason",
            ),
            models.UniqueConstraint(
                fields=["program", "member"],
                condition=Q(member__isnull=False),
                name="applicant_one_per_member_and_program",
            ),
        ]
        indexes = [models.Index(fields=["program", "stage"], name="applicant_program_stage")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.email and not self.phone:
            raise ValidationError(_("Give an email address or a phone number, or both."))
        if self.stage == Stage.DECLINED and not self.decline_reason.strip():
            raise ValidationError({"decline_reason": _("Say why the application is declined.")})
        if (
            self.member is not None
            and self.program_id
            and self.member.collaborative_id != self.program.collaborative_id
        ):
            raise ValidationError({"member": _("Choose a member of this collaborative.")})

    @property
    def is_approved(self) -> bool:
        return self.stage == Stage.APPROVED

    @property
    def is_open(self) -> bool:
        return self.stage in Stage.open_stages()

    @property
    def next_stage(self) -> str | None:
        """The stage after this one on the way to approval, or None at the end or out."""
        order = Stage.pipeline()
        if self.stage not in order or self.stage == Stage.APPROVED:
            return None
        return order[order.index(Stage(self.stage)) + 1]


class StageChange(models.Model):
    """One move of an application from a stage to another: who, when, why."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["applicant", "changed_at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.applicant}: {self.from_stage or '—'} → {self.to_stage}"


class BackgroundAssessment(models.Model):
    """An individualized assessment of a conviction history. Coordinators only.

    It records what happened, how long ago, and how it bears on mentoring. It never
    declines anyone: declining is a separate decision, with its own reason."""

    class Relevance(models.TextChoices):
        NONE = "none", _("Not relevant to mentoring")
        SOME = "some", _("Somewhat relevant: talk it through, maybe conditions")
        SERIOUS = "serious", _("Directly relevant: needs a careful decision")

    class Outcome(models.TextChoices):
        PROCEED = "proceed", _("Go ahead")
        CONDITIONS = "conditions", _("Go ahead with conditions")
        HOLD = "hold", _("Wait and talk again")
        CONCERN = "concern", _("Serious concern: the coordinator decides")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="background_assessments"
    )
    has_history = models.BooleanField(
        _("there is a conviction history"),
        default=True,
        help_text=_("Leave this on when there is something to assess."),
    )
    what = models.TextField(
        _("what"), blank=True, help_text=_("What the history is, in plain words.")
    )
    years_since = models.PositiveSmallIntegerField(
        _("how long ago (years)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(80)],
        help_text=_("Years since the most recent conviction or release."),
    )
    relevance = models.CharField(
        _("relevance to mentoring"),
        max_length=20,
        choices=Relevance.choices,
        default=Relevance.NONE,
    )
    rehabilitation = models.TextField(
        _("what has happened since"),
        blank=True,
        help_text=_("Work, recovery, family, community: the person's own account counts."),
    )
    outcome = models.CharField(
        _("assessment"), max_length=20, choices=Outcome.choices, default=Outcome.PROCEED
    )
    conditions = models.TextField(
        _("conditions"), blank=True, help_text=_("E.g. meet only in public places at first.")
    )
    notes = models.TextField(_("decision notes"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), auto_now_add=True)

    class Meta:
        ordering = ["applicant", "-assessed_at", "-pk"]
        verbose_name = _("background assessment")
        verbose_name_plural = _("background assessments")

    def __str__(self) -> str:
        return f"{self.applicant} · {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.has_history and not self.what.strip():
            raise ValidationError({"what": _("Describe the history you assessed.")})
        if self.outcome == self.Outcome.CONDITIONS and not self.conditions.strip():
            raise ValidationError({"conditions": _("Write the conditions.")})


class TrainingCompletion(models.Model):
    """An applicant finished a training module, on a date."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="training_completions"
    )
    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("completed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["applicant", "module__order", "module__name"]
        verbose_name = _("training completion")
        verbose_name_plural = _("training completions")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "module"], name="trainingcompletion_once_per_module"
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.module} · {self.completed_on}"

    def clean(self) -> None:
        if (
            self.applicant_id
            and self.module_id
            and self.module.program_id != self.applicant.program_id
        ):
            raise ValidationError({"module": _("Choose a module of this program.")})
