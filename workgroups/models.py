"""Working groups, their gatherings (agenda, attendance, minutes, decisions) and the
action items that come out of them.

A ``WorkingGroup`` is an owner in the sharing mechanism, like an Organization: its
members form an auth.Group (kept in step by ``sync_user_groups``), and the minutes of
its gatherings (``Meeting``) are shareable containers owned by it. A gathering of the
whole collaborative is owned by the collaborative's one "Full collaborative" group,
whose members are implicitly every active member of the collaborative.
"""

import uuid
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reentry.sharing.groups import BackedByGroup
from reentry.sharing.levels import SharingLevel
from reentry.sharing.models import GroupGrant, Shareable, ShareableQuerySet
from stakeholders.models import Collaborative, KeyArea, Member, Organization


def _my_collaboratives(user) -> models.QuerySet:
    return Member.objects.collaborative_ids_of(user)


def _backbone_collaboratives(user) -> models.QuerySet:
    return Member.objects.filter(user_id=user.pk, is_active=True, role=Member.Role.BACKBONE).values(
        "collaborative_id"
    )


def _active_memberships(user) -> models.QuerySet:
    return GroupMembership.objects.filter(
        member__user_id=user.pk, member__is_active=True, is_active=True
    )


class WorkingGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkingGroupQuerySet":
        """Groups are browsable by every member of their collaborative (closed ones by
        their managers only)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=_my_collaboratives(user)).filter(
            Q(is_active=True) | Q(pk__in=WorkingGroup.editor_owner_ids(user))
        )

    def managed_by(self, user) -> "WorkingGroupQuerySet":
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=WorkingGroup.editor_owner_ids(user))


class WorkingGroup(BackedByGroup):
    """A standing group of providers and community members around a key area (or across
    areas). Owns the minutes of its gatherings and its action items."""

    group_kind = "workinggroup"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Anyone in the collaborative can join")
        REQUEST = "request", _("People ask to join; chairs say yes or no")
        INVITATION = "invitation", _("By invitation of the chairs")

    class MinutesSharing(models.TextChoices):
        PRIVATE = SharingLevel.PRIVATE.value, _("Group members only")
        COLLABORATIVE = SharingLevel.COLLABORATIVE.value, SharingLevel.COLLABORATIVE.label
        PUBLIC = SharingLevel.PUBLIC.value, SharingLevel.PUBLIC.label

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="working_groups"
    )
    key_area = models.ForeignKey(
        KeyArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="working_groups",
        verbose_name=_("key area"),
        help_text=_("Leave empty for a group that works across key areas."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("web address name"), max_length=80)
    charter = models.TextField(
        _("charter"), blank=True, help_text=_("What the group is for and how it works.")
    )
    join_policy = models.CharField(
        _("how people join"), max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    requires_community_cochair = models.BooleanField(
        _("needs a community co-chair"),
        default=True,
        help_text=_("A community member always shares the chair."),
    )
    minutes_sharing = models.CharField(
        _("who can read the minutes"),
        max_length=20,
        choices=MinutesSharing.choices,
        default=MinutesSharing.COLLABORATIVE,
    )
    is_whole_collaborative = models.BooleanField(
        _("the whole collaborative"),
        default=False,
        editable=False,
        help_text=_("Everyone in the collaborative belongs; owns collaborative-wide gatherings."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WorkingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative", "-is_whole_collaborative", "name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "slug"], name="workinggroup_unique_slug"
            ),
            models.UniqueConstraint(
                fields=["collaborative"],
                condition=Q(is_whole_collaborative=True),
                name="workinggroup_one_whole_collaborative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.collaborative_id
            and self.key_area is not None
            and self.key_area.collaborative_id != self.collaborative_id
        ):
            raise ValidationError({"key_area": _("Choose a key area of this collaborative.")})

    def get_absolute_url(self) -> str:
        return reverse(
            "workgroups:group",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )

    # Owner protocol used by reentry.sharing (see stakeholders.models.Organization).
    @staticmethod
    def viewer_owner_ids(user) -> models.QuerySet:
        """Groups whose private minutes this person reads: their groups, the whole
        collaborative's group, and every group of a collaborative they are backbone of."""
        return WorkingGroup.objects.filter(
            Q(pk__in=_active_memberships(user).values("group_id"))
            | Q(is_whole_collaborative=True, collaborative_id__in=_my_collaboratives(user))
            | Q(collaborative_id__in=_backbone_collaboratives(user))
        ).values("pk")

    @staticmethod
    def editor_owner_ids(user) -> models.QuerySet:
        """Groups this person manages: as chair or co-chair, or as backbone staff."""
        return WorkingGroup.objects.filter(
            Q(
                pk__in=_active_memberships(user)
                .filter(role__in=GroupMembership.CHAIR_ROLES)
                .values("group_id")
            )
            | Q(collaborative_id__in=_backbone_collaboratives(user))
        ).values("pk")

    def is_managed_by(self, member: Member | None) -> bool:
        if (
            member is None
            or not member.is_active
            or member.collaborative_id != self.collaborative_id
        ):
            return False
        if member.is_backbone:
            return True
        return self.memberships.filter(
            member=member, is_active=True, role__in=GroupMembership.CHAIR_ROLES
        ).exists()

    def has_member(self, member: Member | None) -> bool:
        if (
            member is None
            or not member.is_active
            or member.collaborative_id != self.collaborative_id
        ):
            return False
        if self.is_whole_collaborative:
            return True
        return self.memberships.filter(member=member, is_active=True).exists()

    def active_people(self) -> models.QuerySet:
        """The Members who belong: explicit members, or everyone for the whole collaborative."""
        if self.is_whole_collaborative:
            return Member.objects.filter(collaborative_id=self.collaborative_id, is_active=True)
        return Member.objects.filter(
            is_active=True, group_memberships__group=self, group_memberships__is_active=True
        )


class GroupMembership(models.Model):
    """A person's seat in a working group, with their role there."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        COCHAIR = "cochair", _("Co-chair")
        MEMBER = "member", _("Member")

    CHAIR_ROLES = (Role.CHAIR, Role.COCHAIR)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "role", "member__user__name"]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="groupmembership_unique")
        ]
        indexes = [
            models.Index(fields=["member", "is_active"], name="groupmembership_member_active")
        ]

    def __str__(self) -> str:
        return f"{self.member.user} – {self.group} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.group_id and self.member_id:
            if self.member.collaborative_id != self.group.collaborative_id:
                raise ValidationError({"member": _("Choose a member of this collaborative.")})
            if self.group.is_whole_collaborative and self.role == self.Role.MEMBER:
                raise ValidationError(
                    _("Everyone belongs to the whole collaborative; add chairs only.")
                )

    @property
    def is_chair(self) -> bool:
        return self.role in self.CHAIR_ROLES

    @property
    def is_community_chair(self) -> bool:
        return self.is_active and self.is_chair and self.member.role == Member.Role.COMMUNITY


class GroupJoinRequest(models.Model):
    """A person asks to join a group that takes requests; its chairs decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="join_requests")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="group_join_requests")
    message = models.TextField(_("a few words to the chairs"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request to join a group")
        verbose_name_plural = _("requests to join a group")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                condition=Q(status="pending"),
                name="groupjoinrequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.user} → {self.group}"


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


class CalendarFeed(models.Model):
    """A private calendar link of gatherings for one person: every group of theirs
    (``group`` empty) or one group. The secret in the link is an HMAC of the feed's id
    (workgroups.feeds), so nothing stored opens a feed; revoking stops the link for good
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


class SentReminder(models.Model):
    """What the reminder tasks sent, so a retry sends nothing twice: one row per kind,
    object, person and date, claimed (inserted) before the email is queued."""

    class Kind(models.TextChoices):
        GATHERING = "gathering", _("Gathering reminder")
        OVERDUE_DIGEST = "overdue_digest", _("Overdue action items")
        POLL_OPENED = "poll_opened", _("A poll opened")
        POLL_CLOSING = "poll_closing", _("A poll closes soon")
        POLL_RESULTS = "poll_results", _("A poll's results")

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


class ActionPlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActionPlanQuerySet":
        """A plan is the group's common agenda: seen wherever its group is."""
        return self.filter(group_id__in=WorkingGroup.objects.visible_to(user).values("pk"))

    def editable_by(self, user) -> "ActionPlanQuerySet":
        """The group's chairs and co-chairs, and backbone staff."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(group_id__in=WorkingGroup.editor_owner_ids(user))


class ActionPlan(models.Model):
    """A group's plan for a period: ranked priorities, each with action items."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="action_plans")
    period = models.CharField(
        _("period"), max_length=40, help_text=_("For example “2025” or “Spring 2025”.")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the group wants to achieve"), blank=True, max_length=4000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["group", "-period", "title"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(fields=["group", "period"], name="actionplan_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"


class Priority(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="priorities")
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["plan", "rank", "pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return f"{self.rank}. {self.title}"


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActionItemQuerySet":
        """Action items are the collaborative's common agenda: every member sees them,
        except one that came out of a gathering whose minutes they may not read (unless
        they own it)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=_my_collaboratives(user)).filter(
            Q(source_meeting__isnull=True)
            | Q(source_meeting_id__in=Meeting.objects.visible_to(user).values("pk"))
            | Q(owner_member__user_id=user.pk)
        )

    def editable_by(self, user) -> "ActionItemQuerySet":
        """The group's chairs and backbone staff, the person who owns it, and the staff
        of the organization that owns it."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(group_id__in=WorkingGroup.editor_owner_ids(user))
            | Q(owner_member__user_id=user.pk, owner_member__is_active=True)
            | Q(owner_organization_id__in=Organization.editor_owner_ids(user))
        )

    def owned_by(self, member: Member) -> "ActionItemQuerySet":
        """Items a person owns, directly or through their organization."""
        q = Q(owner_member=member)
        if member.organization_id and member.role in Member.EDITOR_ROLES:
            q |= Q(owner_organization_id=member.organization_id)
        return self.filter(q)


class ActionItem(models.Model):
    """One thing someone will do, owned by a person and/or an organization, possibly
    from another sector than the group's."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        DONE = "done", _("Done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="action_items", editable=False
    )
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="action_items")
    priority = models.ForeignKey(
        Priority,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("priority"),
    )
    title = models.CharField(_("what will be done"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    key_area = models.ForeignKey(
        KeyArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("key area"),
    )
    owner_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("owning organization"),
    )
    owner_member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    source_meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    source_decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    source_agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    created_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(fields=["group", "status"], name="actionitem_group_status"),
            models.Index(fields=["owner_member", "status"], name="actionitem_owner_status"),
            models.Index(fields=["owner_organization", "status"], name="actionitem_org_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.group_id and not self.collaborative_id:
            self.collaborative_id = self.group.collaborative_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.group_id:
            return
        self.collaborative_id = self.group.collaborative_id
        errors = {}
        for field in ("key_area", "owner_organization", "owner_member"):
            value = getattr(self, field)
            if value is not None and value.collaborative_id != self.collaborative_id:
                errors[field] = _("Choose one from this collaborative.")
        if self.priority is not None and self.priority.plan.group_id != self.group_id:
            errors["priority"] = _("Choose a priority of this group's plan.")
        if self.source_meeting is not None and self.source_meeting.owner_id != self.group_id:
            errors["source_meeting"] = _("Choose a gathering of this group.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.status != self.Status.DONE
            and self.due_date < timezone.localdate()
        )


class Update(models.Model):
    """A dated note of progress on an action item."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("progress"), max_length=4000)
    author = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        ordering = ["item", "-created_at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return self.text[:80]


class PartnerInitiativeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnerInitiativeQuerySet":
        """Every member of the collaborative sees the partner efforts it records."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=_my_collaboratives(user))

    def editable_by(self, user) -> "PartnerInitiativeQuerySet":
        """Backbone staff keep the list."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=_backbone_collaboratives(user))


class PartnerInitiative(models.Model):
    """Another collective impact effort in the community (on poverty, school achievement,
    youth employment…) that reentry work touches: the preventive approach. Linked to the
    groups, priorities and action items that work alongside it."""

    class Focus(models.TextChoices):
        POVERTY = "poverty", _("Poverty and economic mobility")
        EDUCATION = "education", _("School achievement")
        YOUTH_EMPLOYMENT = "youth_employment", _("Youth employment")
        EARLY_CHILDHOOD = "early_childhood", _("Early childhood")
        HEALTH = "health", _("Community health")
        HOUSING = "housing", _("Housing stability")
        SAFETY = "safety", _("Violence prevention and community safety")
        OTHER = "other", _("Something else")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="partner_initiatives"
    )
    name = models.CharField(_("name"), max_length=200)
    focus = models.CharField(_("focus"), max_length=20, choices=Focus.choices)
    description = models.TextField(_("what they do"), blank=True, max_length=4000)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    groups = models.ManyToManyField(
        WorkingGroup, blank=True, related_name="partner_initiatives", verbose_name=_("groups")
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="partner_initiatives", verbose_name=_("priorities")
    )
    action_items = models.ManyToManyField(
        ActionItem,
        blank=True,
        related_name="partner_initiatives",
        verbose_name=_("action items"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PartnerInitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative", "name"]
        verbose_name = _("partner initiative")
        verbose_name_plural = _("partner initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "name"], name="partnerinitiative_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "coordination:partner",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )


# Quick wins, polls, ballots and verification live in their own module (it is long);
# imported here so Django registers them and ``from workgroups.models import Poll`` works.
from workgroups.quickwins_models import (  # noqa: E402, F401
    Ballot,
    BallotContent,
    MemberVerification,
    Poll,
    PollOption,
    PollResult,
    PollVoter,
    QuickWin,
    QuickWinComment,
    QuickWinHelper,
    Vouch,
)
