"""Polls and secret ballots.

A ``Poll`` belongs to a working group (a collaborative-wide poll belongs to the
collaborative's "Full collaborative" group, as gatherings do). Who voted and what they
chose are kept in two tables:

* ``Ballot`` — *who* voted: one row per voter per poll, enforced by a unique
  constraint ``(poll, voter)``, with the times and how it was entered (paper ballots
  carry the staff member who entered them). It never holds choices.
* ``BallotContent`` — *what* was chosen (the choices as the counting functions in
  ``workgroups.polls.voting`` take them, and whether the voter had disclosed lived
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
the ballots and compared (``workgroups.polls.results.poll_result_verify``).

An option can stand for a quick win or a candidate indicator; the indicator is named by
its app label only (``"indicators.Indicator"``): the indicators app sits above
workgroups and offers its candidates to polls itself (``indicators/polls.py``).
"""

import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reentry.i18n import SPANISH_HELP, localized
from stakeholders.models import Collaborative, Member
from workgroups.models.groups import WorkingGroup, my_collaboratives
from workgroups.polls import voting
from workgroups.quickwins.models import QuickWin


def _new_ballot_key() -> str:
    return secrets.token_hex(32)


class PollQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PollQuerySet":
        """Every member of the collaborative sees its polls once they are scheduled;
        drafts only their group's chairs and backbone staff."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=my_collaboratives(user)).filter(
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

    def seal_for(self, member: Member) -> str:
        """The secret-ballot link to ``member`` that only the server can compute, and
        only while the poll is open (its ``ballot_key`` is erased at close)."""
        if not self.ballot_key:
            raise ValidationError(_("This poll has closed."))
        message = f"ballot:{self.public_id}:{self.ballot_key}:{member.pk}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


class PollOption(models.Model):
    """One option of a poll: a quick win, a candidate indicator or plain text (``key``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    label_es = models.CharField(
        _("option in Spanish"), max_length=200, blank=True, help_text=SPANISH_HELP
    )
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
        return localized(self, "label")

    @property
    def key(self) -> str:
        """The option's id in stored ballots and results."""
        return str(self.public_id)

    @property
    def is_plain_text(self) -> bool:
        """Typed in, rather than standing for a quick win or a candidate indicator."""
        return self.quick_win_id is None and self.indicator_id is None

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
    """What one ballot chose, in the form ``workgroups.polls.voting`` counts:
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
