"""Quick wins, polls and ballots, and member verification.

Imported at the end of ``workgroups/models.py``, so ``from workgroups.models import Poll``
works like any other model of the app.

Quick wins
----------
A ``QuickWin`` is a small project people propose and start together. Its status moves
proposed → shortlisted → selected → in progress → done, or to dropped (with a reason)
from any open step; ``QuickWin.TRANSITIONS`` lists every allowed move, and each step
keeps its own timestamp for the journey page. The proposer can stay anonymous to
everyone but backbone staff: read the proposer only through
``QuickWin.proposer_shown_to(viewer)``, never ``quick_win.proposer`` in a page, export or
API.

Polls and secret ballots
------------------------
A ``Poll`` belongs to a working group (a collaborative-wide poll belongs to the
collaborative's "Full collaborative" group, as gatherings do). Who voted and what they
chose are kept in two tables:

* ``Ballot`` — *who* voted: one row per voter per poll, enforced by a unique
  constraint ``(poll, voter)``, with the times and how it was entered (paper ballots
  carry the staff member who entered them). It never holds choices.
* ``BallotContent`` — *what* was chosen (the choices as the counting functions in
  ``workgroups.voting`` take them, and whether the voter had disclosed lived
  experience). For an open poll it points at its ``Ballot``. For a secret poll it does
  not: it carries a ``seal`` instead, an HMAC (keyed with ``SECRET_KEY``) of the poll's
  ``ballot_key`` and the voter's id. Only the server, while the poll is open, can
  recompute a seal — so the voter can change their ballot — and nothing stored links a
  secret ``BallotContent`` to a person. It has no timestamps and a random id, so it
  cannot be lined up with the audit log's times either. When a secret poll closes its
  ``ballot_key`` is erased: from then on not even the server can link a ballot to a
  person, while results can still be recomputed from the stored contents.

For the same reason a secret poll always hides its results until it closes (watching a
running tally move after each "ballot cast" event would reveal each vote), its audit
events never record choices, and its admin shows counts only.

``PollResult`` keeps the stored result of a closed poll, so it can be recomputed from
the ballots and compared (``workgroups.polls.poll_result_verify``).

Verification
------------
No government ID is ever asked for. A member is verified by backbone staff, or when two
verified members vouch for them (``Vouch``). A poll can require verified voters.
"""

import secrets
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

from stakeholders.models import Collaborative, KeyArea, Member, Organization
from workgroups import voting
from workgroups.models import (
    Priority,
    WorkingGroup,
    _backbone_collaboratives,
    _my_collaboratives,
)


def _new_ballot_key() -> str:
    return secrets.token_hex(32)


# --- quick wins -------------------------------------------------------------------


class QuickWinQuerySet(models.QuerySet):
    def visible_to(self, user) -> "QuickWinQuerySet":
        """Every member of the collaborative sees its quick wins."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=_my_collaboratives(user))

    def editable_by(self, user) -> "QuickWinQuerySet":
        """Backbone staff, the chairs of the owning group, and the proposer while the
        proposal is still open for discussion."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(collaborative_id__in=_backbone_collaboratives(user))
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
        return self.title

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


# --- polls ------------------------------------------------------------------------


class PollQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PollQuerySet":
        """Every member of the collaborative sees its polls once they are scheduled;
        drafts only their group's chairs and backbone staff."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=_my_collaboratives(user)).filter(
            ~Q(status=Poll.Status.DRAFT) | Q(group_id__in=WorkingGroup.editor_owner_ids(user))
        )

    def editable_by(self, user) -> "PollQuerySet":
        """The owning group's chairs and co-chairs, and backbone staff."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(group_id__in=WorkingGroup.editor_owner_ids(user))


class Poll(models.Model):
    """A vote over a set of options, owned by a working group (or by the collaborative,
    through its "Full collaborative" group)."""

    class Method(models.TextChoices):
        APPROVAL = voting.APPROVAL, _("Approval: tick every option you support")
        DOTS = voting.DOTS, _("Dots: spread your dots over the options")
        IRV = voting.IRV, _("Ranked choice: put the options in order")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Electorate(models.TextChoices):
        GROUP = "group", _("The group's members when the poll opens")
        COLLABORATIVE = "collaborative", _("Every member of the collaborative")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="polls", editable=False
    )
    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="polls", verbose_name=_("group")
    )
    title = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("more about it"), blank=True, max_length=4000)
    method = models.CharField(_("how people vote"), max_length=10, choices=Method.choices)
    dots_per_voter = models.PositiveSmallIntegerField(
        _("dots per person"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Dot voting only."),
    )
    max_dots_per_option = models.PositiveSmallIntegerField(
        _("most dots on one option"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Dot voting only."),
    )
    seats = models.PositiveSmallIntegerField(
        _("how many to choose"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many winners are wanted. Ranked choice gives them in order."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("Empty when it closed on time by itself."),
    )
    electorate = models.CharField(
        _("who may vote"), max_length=15, choices=Electorate.choices, default=Electorate.GROUP
    )
    is_secret = models.BooleanField(
        _("secret ballot"),
        default=True,
        help_text=_("No one, staff included, can see who chose what."),
    )
    quorum = models.PositiveIntegerField(
        _("quorum"),
        default=0,
        help_text=_("The fewest ballots for the result to count. 0 for no quorum."),
    )
    results_hidden_until_close = models.BooleanField(
        _("hide results until the poll closes"),
        default=True,
        help_text=_("So early counts sway no one. Always on for a secret ballot."),
    )
    shuffle_options = models.BooleanField(
        _("show options in a shuffled order"),
        default=True,
        help_text=_("Each person sees their own order, so the first option has no advantage."),
    )
    double_majority = models.BooleanField(
        _("double majority"),
        default=False,
        help_text=_(
            "An option passes only with a majority both of people with lived experience "
            "and of everyone else."
        ),
    )
    verified_voters_only = models.BooleanField(
        _("verified voters only"),
        default=False,
        help_text=_("Only members verified by staff or vouched for by two verified members."),
    )
    ballot_key = models.CharField(
        max_length=64, blank=True, default=_new_ballot_key, editable=False
    )
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        indexes = [
            models.Index(fields=["collaborative", "status"], name="poll_collab_status"),
            models.Index(fields=["status", "closes_at"], name="poll_status_closes"),
            models.Index(fields=["status", "opens_at"], name="poll_status_opens"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="poll_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(method="dots") | Q(dots_per_voter__gte=1, max_dots_per_option__gte=1),
                name="poll_dots_need_numbers",
            ),
            models.CheckConstraint(
                condition=Q(is_secret=False) | Q(results_hidden_until_close=True),
                name="poll_secret_hides_results",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.group_id and not self.collaborative_id:
            self.collaborative_id = self.group.collaborative_id
        if self.is_secret:
            self.results_hidden_until_close = True
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "polls:detail", kwargs={"slug": self.collaborative.slug, "public_id": self.public_id}
        )

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.group_id:
            self.collaborative_id = self.group.collaborative_id
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The poll must close after it opens.")
        if self.method == self.Method.DOTS:
            if not self.dots_per_voter:
                errors["dots_per_voter"] = _("Say how many dots each person has.")
            if not self.max_dots_per_option:
                errors["max_dots_per_option"] = _("Say how many dots can go on one option.")
            elif self.dots_per_voter and self.max_dots_per_option > self.dots_per_voter:
                errors["max_dots_per_option"] = _(
                    "This cannot be more than the dots each person has."
                )
        if self.is_secret:
            self.results_hidden_until_close = True
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_collaborative_wide(self) -> bool:
        return self.electorate == self.Electorate.COLLABORATIVE


class PollOption(models.Model):
    """One option of a poll: a quick win, a candidate indicator or plain text (``key``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    description = models.TextField(_("more about it"), blank=True, max_length=2000)
    quick_win = models.ForeignKey(
        QuickWin,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="poll_options",
        verbose_name=_("quick win"),
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="poll_options",
        verbose_name=_("candidate indicator"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["poll", "position", "pk"]
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "quick_win"],
                condition=Q(quick_win__isnull=False),
                name="polloption_quick_win_once",
            ),
            models.UniqueConstraint(
                fields=["poll", "indicator"],
                condition=Q(indicator__isnull=False),
                name="polloption_indicator_once",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """The option's id in stored ballots and results."""
        return str(self.public_id)

    def clean(self) -> None:
        if (
            self.poll_id
            and self.quick_win is not None
            and self.quick_win.collaborative_id != self.poll.collaborative_id
        ):
            raise ValidationError({"quick_win": _("Choose a quick win of this collaborative.")})


class PollVoter(models.Model):
    """Who may vote in a group poll: the group's members, taken when the poll opens."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="voters")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("eligible voter")
        verbose_name_plural = _("eligible voters")
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="pollvoter_once")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.poll_id}"


class Ballot(models.Model):
    """That a person voted in a poll — never what they chose (see ``BallotContent``).
    One per person per poll, enforced by the database."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="ballots")
    is_paper = models.BooleanField(_("paper ballot"), default=False)
    entered_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        help_text=_("The staff member who typed in a paper ballot."),
    )
    created_at = models.DateTimeField(_("cast"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    changes = models.PositiveIntegerField(_("times changed"), default=0)

    class Meta:
        ordering = ["poll", "created_at", "pk"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="ballot_one_per_voter"),
            models.CheckConstraint(
                condition=Q(is_paper=False) | Q(entered_by__isnull=False),
                name="ballot_paper_has_enterer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} @ {self.poll_id}"


class BallotContent(models.Model):
    """What one ballot chose, in the form ``workgroups.voting`` counts:
    approval ``[key, …]``, dots ``{key: n}``, ranked ``[key, …]`` best first.

    Open poll: ``ballot`` is set. Secret poll: ``ballot`` is empty and ``seal`` is the
    HMAC that only the server can recompute while the poll is open (module docstring).
    No timestamps, a random id: nothing lines it up with who voted when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="contents")
    ballot = models.OneToOneField(
        Ballot, on_delete=models.CASCADE, null=True, blank=True, related_name="content"
    )
    seal = models.CharField(max_length=64, blank=True, default="", editable=False)
    choices = models.JSONField(default=list)
    lived_experience = models.BooleanField(
        default=False,
        help_text=_("The voter had said they have lived experience and let it be counted."),
    )

    class Meta:
        verbose_name = _("ballot contents")
        verbose_name_plural = _("ballot contents")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "seal"], condition=~Q(seal=""), name="ballotcontent_seal"
            ),
            models.CheckConstraint(
                condition=(Q(ballot__isnull=False) & Q(seal=""))
                | (Q(ballot__isnull=True) & ~Q(seal="")),
                name="ballotcontent_ballot_or_seal",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Ballot contents"))


class PollResult(models.Model):
    """The result stored when a poll closed: recomputing it from the ballots must give
    the same ``data``."""

    poll = models.OneToOneField(Poll, on_delete=models.CASCADE, related_name="result")
    data = models.JSONField()
    ballots_counted = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("poll result")
        verbose_name_plural = _("poll results")

    def __str__(self) -> str:
        return f"{self.poll} ({self.computed_at:%Y-%m-%d})"


# --- verification -------------------------------------------------------------------


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
