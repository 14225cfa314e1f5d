"""Quick wins: small projects people propose and start together.

A ``QuickWin``'s status moves proposed → shortlisted → selected → in progress → done, or
to dropped (with a reason) from any open step; ``QuickWin.TRANSITIONS`` lists every
allowed move, and each step keeps its own timestamp for the journey page. The proposer
can stay anonymous to everyone but backbone staff: read the proposer only through
``QuickWin.proposer_shown_to(viewer)``, never ``quick_win.proposer`` in a page, export or
API.
"""

import uuid
from datetime import timedelta
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reentry.i18n import SPANISH_HELP, localized
from stakeholders.models import Collaborative, KeyArea, Member, Organization
from workgroups.models.groups import WorkingGroup, backbone_collaboratives, my_collaboratives
from workgroups.models.plans import Priority


class QuickWinQuerySet(models.QuerySet):
    def visible_to(self, user) -> "QuickWinQuerySet":
        """Every member of the collaborative sees its quick wins."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=my_collaboratives(user))

    def editable_by(self, user) -> "QuickWinQuerySet":
        """Backbone staff, the chairs of the owning group, and the proposer while the
        proposal is still open for discussion."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(collaborative_id__in=backbone_collaboratives(user))
            | Q(group_id__in=WorkingGroup.editor_owner_ids(user))
            | Q(
                proposer__user_id=user.pk,
                proposer__is_active=True,
                status__in=QuickWin.PROPOSER_EDITABLE,
            )
        )

    def public(self) -> "QuickWinQuerySet":
        """What the public page lists: quick wins that are done."""
        return self.filter(status=QuickWin.Status.DONE)


class QuickWin(models.Model):
    """A small project people propose and start together, to build trust and momentum."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        SELECTED = "selected", _("Chosen")
        IN_PROGRESS = "in_progress", _("Started")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    S = Status
    #: Every allowed move of the status. Dropped can be reopened as a proposal.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        S.PROPOSED: (S.SHORTLISTED, S.SELECTED, S.DROPPED),
        S.SHORTLISTED: (S.PROPOSED, S.SELECTED, S.DROPPED),
        S.SELECTED: (S.IN_PROGRESS, S.DROPPED),
        S.IN_PROGRESS: (S.DONE, S.DROPPED),
        S.DONE: (),
        S.DROPPED: (S.PROPOSED,),
    }
    #: The timestamp field each status sets when a quick win reaches it.
    STATUS_TIMESTAMP: ClassVar[dict[str, str]] = {
        S.PROPOSED: "proposed_at",
        S.SHORTLISTED: "shortlisted_at",
        S.SELECTED: "selected_at",
        S.IN_PROGRESS: "started_at",
        S.DONE: "done_at",
        S.DROPPED: "dropped_at",
    }
    PROPOSER_EDITABLE = (S.PROPOSED, S.SHORTLISTED)
    OPEN = (S.PROPOSED, S.SHORTLISTED, S.SELECTED, S.IN_PROGRESS)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="quick_wins", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(
        _("the problem"), max_length=4000, help_text=_("What is wrong, and who it affects.")
    )
    title_es = models.CharField(
        _("title in Spanish"), max_length=200, blank=True, help_text=SPANISH_HELP
    )
    problem_es = models.TextField(
        _("the problem in Spanish"), max_length=4000, blank=True, help_text=SPANISH_HELP
    )
    people_needed = models.PositiveSmallIntegerField(
        _("people needed"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10000)],
        help_text=_("About how many people it would take."),
    )
    money_needed = models.DecimalField(
        _("money needed"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("About how much money, in dollars. Leave empty if none."),
    )
    weeks_needed = models.PositiveSmallIntegerField(
        _("weeks needed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(520)],
        help_text=_("About how many weeks from start to done."),
    )
    key_areas = models.ManyToManyField(
        KeyArea, blank=True, related_name="quick_wins", verbose_name=_("key areas")
    )
    owner_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quick_wins",
        verbose_name=_("organization that could own it"),
    )
    group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quick_wins",
        verbose_name=_("working group"),
        help_text=_("The group that would own it. Its action plan gets the work once chosen."),
    )
    proposer = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quick_wins_proposed",
        verbose_name=_("proposed by"),
    )
    is_anonymous = models.BooleanField(
        _("keep my name private"),
        default=False,
        help_text=_("Only backbone staff will see that you proposed it."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    dropped_reason = models.TextField(_("why it was dropped"), blank=True, max_length=2000)
    priority = models.ForeignKey(
        Priority,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quick_wins",
        verbose_name=_("priority in the action plan"),
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    shortlisted_at = models.DateTimeField(_("shortlisted"), null=True, blank=True)
    selected_at = models.DateTimeField(_("chosen"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    dropped_at = models.DateTimeField(_("dropped"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuickWinQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("quick win")
        verbose_name_plural = _("quick wins")
        indexes = [
            models.Index(fields=["collaborative", "status"], name="quickwin_collab_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(dropped_reason=""),
                name="quickwin_dropped_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "title")

    def save(self, *args, **kwargs):
        if not self.collaborative_id and self.group is not None:
            self.collaborative_id = self.group.collaborative_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "quickwins:detail",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )

    def clean(self) -> None:
        errors = {}
        collab_id = self.collaborative_id
        if collab_id:
            for field in ("owner_organization", "group", "proposer"):
                value = getattr(self, field)
                if value is not None and value.collaborative_id != collab_id:
                    errors[field] = _("Choose one from this collaborative.")
            if self.priority is not None and self.priority.plan.group_id != self.group_id:
                errors["priority"] = _("Choose a priority of this group's plan.")
        if self.status == self.Status.DROPPED and not self.dropped_reason.strip():
            errors["dropped_reason"] = _("Say in a few words why it was dropped.")
        if errors:
            raise ValidationError(errors)

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    def proposer_shown_to(self, viewer: Member | None) -> Member | None:
        """The proposer as ``viewer`` may see them: hidden when anonymous, except to
        backbone staff of this collaborative and to the proposer themself."""
        if self.proposer is None:
            return None
        if not self.is_anonymous:
            return self.proposer
        if (
            viewer is None
            or not viewer.is_active
            or viewer.collaborative_id != self.collaborative_id
        ):
            return None
        if viewer.is_backbone or viewer.pk == self.proposer_id:
            return self.proposer
        return None

    @property
    def is_overdue(self) -> bool:
        """Chosen or started, and past the weeks it was meant to take."""
        if self.status not in (self.Status.SELECTED, self.Status.IN_PROGRESS):
            return False
        if self.selected_at is None or not self.weeks_needed:
            return False
        return timezone.now() > self.selected_at + timedelta(weeks=self.weeks_needed)


class QuickWinComment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    quick_win = models.ForeignKey(QuickWin, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        ordering = ["quick_win", "created_at", "pk"]
        verbose_name = _("comment on a quick win")
        verbose_name_plural = _("comments on quick wins")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_by_anonymous_proposer(self) -> bool:
        """Written by the proposer of a quick win proposed without their name."""
        quick_win = self.quick_win
        return (
            quick_win.is_anonymous
            and self.author_id is not None
            and self.author_id == quick_win.proposer_id
        )

    def author_shown_to(self, viewer: Member | None) -> Member | None:
        """The author as ``viewer`` may see them. On an anonymous proposal the proposer's
        own comments are as anonymous as the proposal (``QuickWin.proposer_shown_to``):
        named only to backbone staff and to the proposer."""
        if self.is_by_anonymous_proposer:
            return self.quick_win.proposer_shown_to(viewer)
        return self.author


class QuickWinHelper(models.Model):
    """“I’d help with this”: one sign-up per person per quick win."""

    quick_win = models.ForeignKey(QuickWin, on_delete=models.CASCADE, related_name="helpers")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="quick_wins_helping")
    note = models.CharField(
        _("how you could help"), max_length=300, blank=True, help_text=_("Optional.")
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    class Meta:
        ordering = ["quick_win", "created_at", "pk"]
        verbose_name = _("helper on a quick win")
        verbose_name_plural = _("helpers on quick wins")
        constraints = [
            models.UniqueConstraint(fields=["quick_win", "member"], name="quickwinhelper_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.quick_win_id}"
