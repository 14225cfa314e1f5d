"""Matches and what happens in them: monitoring contacts, fit checks, sessions.

Match status: proposed → active → (paused ⇄ active) → closed. A proposed match becomes
active only when both the mentor and the mentee have accepted. A closed match keeps its
history; re-matching after a poor fit creates a new match whose ``rematch_of`` points at
the closed one. A mentor–mentee pair has at most one open (proposed, active or paused)
match, and so has a mentee (one mentor at a time).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorship.models.profiles import MenteeProfile, MentorProfile
from mentorship.models.program import Program
from stakeholders.models import KeyArea

OPEN_MATCH_STATUSES = ("proposed", "active", "paused")


class MatchQuerySet(models.QuerySet):
    def open(self) -> "MatchQuerySet":
        return self.filter(status__in=OPEN_MATCH_STATUSES)

    def active(self) -> "MatchQuerySet":
        return self.filter(status=Match.Status.ACTIVE)


class Match(models.Model):
    """A mentor and a mentee, from proposal to closure."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    class ClosureReason(models.TextChoices):
        COMPLETED = "completed", _("Reached the planned end")
        GOALS_MET = "goals_met", _("Goals met")
        POOR_FIT = "poor_fit", _("Not a good fit")
        MENTOR_LEFT = "mentor_left", _("Mentor could not continue")
        MENTEE_LEFT = "mentee_left", _("Mentee chose to stop")
        LOST_CONTACT = "lost_contact", _("Lost contact")
        DECLINED = "declined", _("Proposal not accepted")
        SAFETY = "safety", _("Safety concern")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="matches")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="matches")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    score = models.FloatField(
        _("fit score"), null=True, blank=True, help_text=_("From 0 to 100, when proposed.")
    )
    explanation = models.JSONField(
        _("why this match"),
        default=list,
        blank=True,
        help_text=_("The fit, term by term, as matching explained it when proposed."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    mentor_accepted_at = models.DateTimeField(_("mentor accepted"), null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(_("mentee accepted"), null=True, blank=True)
    mentee_acceptance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who recorded the mentee's yes: the mentee, or the coordinator for them."),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    pause_reason = models.CharField(_("why paused"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closure_reason = models.CharField(
        _("why it ended"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_notes = models.TextField(
        _("closure conversation"),
        blank=True,
        help_text=_("What the mentor and mentee said when it ended. Coordinators only."),
    )
    rematch_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rematches",
        verbose_name=_("re-match of"),
    )

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-proposed_at", "-pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=Q(status__in=OPEN_MATCH_STATUSES),
                name="match_one_open_per_pair",
            ),
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=OPEN_MATCH_STATUSES),
                name="match_one_open_per_mentee",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(started_at__isnull=False),
                name="match_active_has_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(closed_at__isnull=False) & ~Q(closure_reason="")),
                name="match_closed_has_date_and_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"], name="match_program_status"),
            models.Index(fields=["mentor", "status"], name="match_mentor_status"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} · {self.mentee}"

    def clean(self) -> None:
        if self.mentor_id and self.mentee_id:
            if self.mentor.program_id != self.mentee.program_id:
                raise ValidationError(_("The mentor and the mentee must be in the same program."))
            if self.program_id and self.mentor.program_id != self.program_id:
                raise ValidationError(_("The match must be in the mentor's program."))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MATCH_STATUSES

    @property
    def both_accepted(self) -> bool:
        return self.mentor_accepted_at is not None and self.mentee_accepted_at is not None


class MonitoringContact(models.Model):
    """A check-in the coordinator owes one side of a match, scheduled and then done."""

    class With(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    class Kind(models.TextChoices):
        FIRST = "first", _("First check-in after the start")
        FIRST_MONTH = "first_month", _("First-month check-in")
        MONTHLY = "monthly", _("Monthly check-in")
        EXTRA = "extra", _("Extra check-in")

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        TEXT = "text", _("Text or email")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="monitoring_contacts")
    with_whom = models.CharField(_("with"), max_length=10, choices=With.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MONTHLY)
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(_("how"), max_length=20, choices=Method.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Coordinators only."))
    created_at = models.DateTimeField(_("scheduled"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("monitoring contact")
        verbose_name_plural = _("monitoring contacts")
        indexes = [models.Index(fields=["due_on", "done_at"], name="monitoring_due")]

    def __str__(self) -> str:
        return f"{self.match} · {self.get_with_whom_display()} · {self.due_on}"


class Session(models.Model):
    """One meeting of a match, logged by the mentor, approved by the coordinator."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")

    class Progress(models.TextChoices):
        NONE = "none", _("No progress this time")
        SOME = "some", _("Some progress")
        GOOD = "good", _("Good progress")
        MET = "met", _("A goal was met")

    class Status(models.TextChoices):
        LOGGED = "logged", _("Waiting for the coordinator")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("how long (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    mode = models.CharField(_("how"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    key_areas = models.ManyToManyField(
        KeyArea, blank=True, related_name="mentoring_sessions", verbose_name=_("topics")
    )
    topics = models.CharField(_("other topics"), max_length=300, blank=True)
    goals_progress = models.CharField(
        _("progress on goals"), max_length=10, choices=Progress.choices, default=Progress.SOME
    )
    notes = models.TextField(_("notes"), blank=True)
    notes_private_to_coordinator = models.BooleanField(
        _("only the coordinator may read these notes"), default=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.LOGGED
    )
    rejection_reason = models.CharField(_("why not approved"), max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["match", "-date", "-pk"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=5) & Q(minutes__lte=600), name="session_minutes_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="session_rejected_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["match", "date"], name="session_match_date"),
            models.Index(fields=["status", "date"], name="session_status_date"),
        ]

    def __str__(self) -> str:
        return f"{self.match} · {self.date}"

    @property
    def hours(self) -> float:
        return self.minutes / 60


class FitCheck(models.Model):
    """After the first session: does the match fit? A poor fit can lead to re-matching."""

    class Fit(models.IntegerChoices):
        POOR = 1, _("Poor")
        UNSURE = 2, _("Not sure yet")
        GOOD = 3, _("Good")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="fit_checks")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="fit_checks"
    )
    mentor_fit = models.PositiveSmallIntegerField(
        _("how the mentor feels it fits"), choices=Fit.choices, null=True, blank=True
    )
    mentee_fit = models.PositiveSmallIntegerField(
        _("how the mentee feels it fits"), choices=Fit.choices, null=True, blank=True
    )
    concerns = models.TextField(_("concerns"), blank=True)
    rematch_recommended = models.BooleanField(_("look for another mentor"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["match", "-recorded_at"]
        verbose_name = _("fit check")
        verbose_name_plural = _("fit checks")

    def __str__(self) -> str:
        return f"{self.match} · {self.recorded_at:%Y-%m-%d}"

    @property
    def is_poor(self) -> bool:
        return self.rematch_recommended or self.Fit.POOR in (self.mentor_fit, self.mentee_fit)
