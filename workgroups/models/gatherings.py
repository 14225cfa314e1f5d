"""Gatherings of a working group (or of the whole collaborative): the meeting, its
agenda, attendance, minutes and decisions; the calendar links that publish them and the
ledger of reminders sent about them."""

import re
import uuid
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from reentry.sharing.models import GroupGrant, Shareable, ShareableQuerySet
from stakeholders.models import Collaborative, Member
from workgroups.models.groups import WorkingGroup


class MeetingQuerySet(ShareableQuerySet):
    def upcoming(self) -> "MeetingQuerySet":
        return (
            self.filter(ends_at__gte=timezone.now())
            .exclude(status=Meeting.Status.CANCELLED)
            .order_by("starts_at", "pk")
        )

    def past(self) -> "MeetingQuerySet":
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-pk")


class Meeting(Shareable):
    """A gathering of a working group (or of the whole collaborative, through its
    "Full collaborative" group). Its minutes, agenda, attendance and decisions are
    one shareable container, shared at the group's minutes level."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    sharing_collaborative_path = "collaborative"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="meetings", editable=False
    )
    owner = models.ForeignKey(
        WorkingGroup,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("group"),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    #: The iCalendar SEQUENCE: goes up when a calendar must replace its copy (RFC 5546).
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    cancel_reason = models.TextField(_("why it was cancelled"), max_length=1000, blank=True)

    objects: ClassVar = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("gathering")
        verbose_name_plural = _("gatherings")
        indexes = [
            models.Index(fields=["owner", "starts_at"], name="meeting_owner_starts"),
            models.Index(fields=["collaborative", "starts_at"], name="meeting_collab_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.owner_id and not self.collaborative_id:
            self.collaborative_id = self.owner.collaborative_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.owner_id:
            self.collaborative_id = self.owner.collaborative_id
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A gathering ends after it starts.")})
        if not self.place and not self.video_link:
            raise ValidationError(_("Give a place, a video link, or both."))

    @property
    def group(self) -> WorkingGroup:
        return self.owner

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def is_over(self, now=None) -> bool:
        """It has ended (or was marked held): nothing to reschedule or cancel."""
        return self.status == self.Status.HELD or self.ends_at < (now or timezone.now())

    def can_change_time(self, now=None) -> bool:
        """Still ahead and not cancelled: it may be rescheduled or cancelled."""
        return not self.is_cancelled and not self.is_over(now)

    def get_absolute_url(self) -> str:
        return reverse(
            "workgroups:meeting",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )


class MeetingGroupObjectPermission(GroupGrant):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class MeetingPartQuerySet(models.QuerySet):
    def visible_to(self, user) -> models.QuerySet:
        """Agenda items, attendance and decisions are seen through their gathering."""
        return self.filter(meeting_id__in=Meeting.objects.visible_to(user).values("pk"))


class AgendaItem(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("topic"), max_length=200)
    presenter = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenter"),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("minutes allowed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (
            self.meeting_id
            and self.presenter is not None
            and self.presenter.collaborative_id != self.meeting.collaborative_id
        ):
            raise ValidationError({"presenter": _("Choose a member of this collaborative.")})


class Attendance(models.Model):
    """Who came: a member, or a walk-in who is not (yet) a member, by name."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, null=True, blank=True, related_name="attendance"
    )
    walk_in_name = models.CharField(_("name of a walk-in"), max_length=150, blank=True)
    status = models.CharField(
        _("attendance"), max_length=10, choices=Status.choices, default=Status.PRESENT
    )
    recorded_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)
    #: A walk-in invited to join: when the invitation is accepted, this row becomes the
    #: new member's (workgroups.services.walk_in_joined), so their stipend line is made.
    invitation = models.ForeignKey(
        "stakeholders.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="walk_in_attendance",
        verbose_name=_("invitation to join"),
    )

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "member__user__name", "walk_in_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="attendance_once_per_member",
            ),
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(walk_in_name=""))
                | (Q(member__isnull=True) & ~Q(walk_in_name="")),
                name="attendance_member_or_walk_in",
            ),
        ]

    def __str__(self) -> str:
        who = self.member.user if self.member is not None else self.walk_in_name
        return f"{who}: {self.get_status_display()}"


FEED_HMAC_SALT = "workgroups.calendar-feed"
FEED_MAC_LENGTH = 32
FEED_TOKEN_PATTERN = re.compile(f"[0-9a-f]{{{32 + FEED_MAC_LENGTH}}}")


def _feed_mac(public_id_hex: str, secret: str | bytes | None = None) -> str:
    mac = salted_hmac(FEED_HMAC_SALT, public_id_hex, secret=secret, algorithm="sha256")
    return mac.hexdigest()[:FEED_MAC_LENGTH]


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def opened_by(self, token: str) -> "CalendarFeed | None":
        """The live feed this token opens, or None (unknown, forged, revoked or inactive).

        The token is the feed's id and an HMAC of it keyed by SECRET_KEY (and its
        fallbacks, so rotating the key with SECRET_KEY_FALLBACKS keeps links working
        until the fallback is dropped)."""
        if not FEED_TOKEN_PATTERN.fullmatch(token or ""):
            return None
        public_id, mac = token[:32], token[32:]
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        if not any(constant_time_compare(mac, _feed_mac(public_id, secret)) for secret in secrets):
            return None
        return (
            self.filter(
                public_id=public_id,
                revoked_at__isnull=True,
                member__is_active=True,
                member__user__is_active=True,
            )
            .select_related("member__user", "member__collaborative", "group")
            .first()
        )


class CalendarFeed(models.Model):
    """A private calendar link of gatherings for one person: every group of theirs
    (``group`` empty) or one group. The secret in the link is an HMAC of the feed's id
    (``token()``), so nothing stored opens a feed; revoking stops the link for good
    and a new link is a new row."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="calendar_feeds")
    group = models.ForeignKey(
        "WorkingGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    # Not stored: the calendar links page sets the link itself for its template.
    url: str
    webcal: str

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["member", "group", "-created_at"]
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(group__isnull=True, revoked_at__isnull=True),
                name="calendarfeed_one_personal",
            ),
            models.UniqueConstraint(
                fields=["member", "group"],
                condition=Q(group__isnull=False, revoked_at__isnull=True),
                name="calendarfeed_one_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.user} · {self.group or _('all my groups')}"

    def token(self) -> str:
        """The secret part of the link: the feed's id and its HMAC."""
        return f"{self.public_id.hex}{_feed_mac(self.public_id.hex)}"

    def link(self) -> str:
        """The full address a calendar app subscribes to."""
        path = reverse(
            "workgroups:calendar_feed",
            kwargs={"slug": self.member.collaborative.slug, "token": self.token()},
        )
        return f"{settings.SITE_URL}{path}"


class SentReminder(models.Model):
    """What the reminder tasks sent, so a retry sends nothing twice: one row per kind,
    object, person and date, claimed (inserted) before the email is queued."""

    class Kind(models.TextChoices):
        GATHERING = "gathering", _("Gathering reminder")
        OVERDUE_DIGEST = "overdue_digest", _("Overdue action items")
        POLL_OPENED = "poll_opened", _("A poll opened")
        POLL_CLOSING = "poll_closing", _("A poll closes soon")
        POLL_RESULTS = "poll_results", _("A poll's results")
        GATHERING_CHANGED = "gathering_changed", _("A gathering moved or was cancelled")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_key = models.CharField(max_length=64, blank=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    on_date = models.DateField()
    claim = models.UUIDField(editable=False)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_key", "member", "on_date"], name="sentreminder_once"
            )
        ]
        indexes = [models.Index(fields=["claim"], name="sentreminder_claim")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.member_id} ({self.on_date})"


class Decision(models.Model):
    """Something the gathering decided, recorded as its own item."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("what was decided"), max_length=2000)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    recorded_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "decided_at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if self.agenda_item is not None and self.agenda_item.meeting_id != self.meeting_id:
            raise ValidationError({"agenda_item": _("Choose an item of this gathering's agenda.")})
