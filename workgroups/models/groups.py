"""Working groups, their gatherings (agenda, attendance, minutes, decisions) and the
action items that come out of them.

A ``WorkingGroup`` is an owner in the sharing mechanism, like an Organization: its
members form an auth.Group (kept in step by ``sync_user_groups``), and the minutes of
its gatherings (``Meeting``) are shareable containers owned by it. A gathering of the
whole collaborative is owned by the collaborative's one "Full collaborative" group,
whose members are implicitly every active member of the collaborative.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from reentry.i18n import SPANISH_HELP, localized, product_written
from reentry.sharing.groups import BackedByGroup
from reentry.sharing.levels import SharingLevel
from stakeholders.models import Collaborative, KeyArea, Member

# The "Full collaborative" group is written by the product: its name and charter are stored
# in English and shown in the reader's language (reentry/i18n.py).
WHOLE_COLLABORATIVE_NAME = gettext_noop("Full collaborative")
WHOLE_COLLABORATIVE_CHARTER = gettext_noop("Gatherings of everyone in the collaborative.")
product_written(WHOLE_COLLABORATIVE_NAME, WHOLE_COLLABORATIVE_CHARTER)


def my_collaboratives(user) -> models.QuerySet:
    return Member.objects.collaborative_ids_of(user)


def backbone_collaboratives(user) -> models.QuerySet:
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
        return self.filter(collaborative_id__in=my_collaboratives(user)).filter(
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
    name_es = models.CharField(
        _("name in Spanish"), max_length=200, blank=True, help_text=SPANISH_HELP
    )
    charter_es = models.TextField(_("charter in Spanish"), blank=True, help_text=SPANISH_HELP)
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
        return localized(self, "name")

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
            | Q(is_whole_collaborative=True, collaborative_id__in=my_collaboratives(user))
            | Q(collaborative_id__in=backbone_collaboratives(user))
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
            | Q(collaborative_id__in=backbone_collaboratives(user))
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
