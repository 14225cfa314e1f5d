"""A group's action plans: ranked priorities and the action items, owned by people and
organizations of any sector, with their dated progress updates."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Collaborative, KeyArea, Member, Organization
from workgroups.models.gatherings import AgendaItem, Decision, Meeting
from workgroups.models.groups import WorkingGroup, my_collaboratives


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
        return self.filter(collaborative_id__in=my_collaboratives(user)).filter(
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
        if member.works_for(member.organization_id):
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
