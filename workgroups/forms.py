"""Forms for working groups and their gatherings, action plans, the board and its list,
and partner initiatives. Every choice is limited to the collaborative (and the group)
at hand."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from stakeholders.models import KeyArea, Member, Organization
from workgroups.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    GroupMembership,
    Meeting,
    PartnerInitiative,
    Priority,
    WorkingGroup,
)

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people(collaborative_id: int):
    return (
        Member.objects.filter(collaborative_id=collaborative_id, is_active=True)
        .select_related("user")
        .order_by("user__name")
    )


def short_label(text: str, length: int = 60) -> str:
    """A choice label of at most ``length`` characters, cut between words with "…"
    (a single word longer than that is cut where it must be)."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    head = text[: length - 1]
    if text[length - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-") + "…"


class PriorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        return short_label(f"{obj.plan.period} · {obj.rank}. {obj.title}", 80)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.user.name or obj.user.email


class GroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = [
            "name",
            "key_area",
            "charter",
            "join_policy",
            "requires_community_cochair",
            "minutes_sharing",
        ]
        widgets = {
            "charter": forms.Textarea(attrs={"rows": 5}),
            "join_policy": forms.RadioSelect,
            "minutes_sharing": forms.RadioSelect,
        }

    def __init__(self, *args, collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        key_area = cast(forms.ModelChoiceField, self.fields["key_area"])
        key_area.queryset = KeyArea.objects.filter(collaborative=collaborative)
        key_area.empty_label = _("Across key areas")


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("A few words to the chairs (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AddMemberForm(forms.Form):
    member = PersonChoiceField(label=_("Person"), queryset=Member.objects.none())
    role = forms.ChoiceField(
        label=_("Role in the group"),
        choices=GroupMembership.Role.choices,
        initial=GroupMembership.Role.MEMBER,
    )

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        member = cast(PersonChoiceField, self.fields["member"])
        member.empty_label = _("Choose a person")
        member.queryset = _people(group.collaborative_id).exclude(
            group_memberships__group=group, group_memberships__is_active=True
        )
        if group.is_whole_collaborative:
            role = cast(forms.ChoiceField, self.fields["role"])
            role.choices = [
                (r.value, r.label)
                for r in (GroupMembership.Role.CHAIR, GroupMembership.Role.COCHAIR)
            ]
            role.initial = GroupMembership.Role.COCHAIR


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=GroupMembership.Role.choices)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "place", "video_link"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
            ),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        }
        help_texts = {
            "place": _("An address or a room. Give a video link too if people can join online."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("place") and not data.get("video_link"):
            raise forms.ValidationError(_("Give a place, a video link, or both."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("A gathering ends after it starts."))
        return data

    def _post_clean(self):
        # The service builds and validates the Meeting (owner, sharing level).
        pass


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "duration_minutes", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    presenter = PersonChoiceField(
        label=_("Presenter"), queryset=Member.objects.none(), required=False
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["presenter"]).queryset = _people(
            meeting.collaborative_id
        )

    def _post_clean(self):
        pass


class RescheduleForm(forms.Form):
    """A new time and place for a gathering that is still ahead, and a note for the
    people invited."""

    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("An address or a room. Give a video link too if people can join online."),
    )
    video_link = forms.URLField(label=_("Video link"), required=False)
    note = forms.CharField(
        label=_("A note for the people invited (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example why it moved. It goes in the email everyone gets."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("place") and not data.get("video_link"):
            raise forms.ValidationError(_("Give a place, a video link, or both."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("A gathering ends after it starts."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is cancelled"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone invited gets this in the email, with a calendar cancellation."),
        error_messages={"required": _("Say why, for the people who planned to come.")},
    )


class WalkInInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        help_text=_("They get an invitation to join as a community member."),
        error_messages={"required": _("Give their email address: the invitation goes there.")},
    )
    message = forms.CharField(
        label=_("A personal message (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    # Cancelling is its own step on the gathering's page (a reason and a notice).
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[c for c in Meeting.Status.choices if c[0] != Meeting.Status.CANCELLED],
    )

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None and meeting.is_cancelled:
            del self.fields["status"]  # a cancelled gathering stays cancelled


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("What was decided"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(self, *args, meeting: Meeting, agenda=None, **kwargs):
        super().__init__(*args, **kwargs)
        agenda_item = cast(forms.ModelChoiceField, self.fields["agenda_item"])
        agenda_item.queryset = meeting.agenda_items.all()
        if agenda is not None:
            agenda_item.choices = [("", "---------")] + [(a.pk, a.title) for a in agenda]


class FollowUpForm(forms.Form):
    """One step from a decision or agenda item to an owned action item."""

    source = forms.ChoiceField(label=_("From"), required=False)
    title = forms.CharField(label=_("What will be done"), max_length=200)
    owner_member = PersonChoiceField(
        label=_("Who owns it"), queryset=Member.objects.none(), required=False
    )
    owner_organization = forms.ModelChoiceField(
        label=_("Which organization"), queryset=Organization.objects.none(), required=False
    )
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    priority = PriorityChoiceField(
        label=_("Which priority of the action plan"),
        queryset=Priority.objects.none(),
        required=False,
        empty_label=_("Not under a priority"),
    )

    def __init__(self, *args, meeting: Meeting, agenda=(), decisions=(), people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self._decisions = {f"d:{d.public_id}": d for d in decisions}
        self._agenda = {f"a:{a.public_id}": a for a in agenda}
        cast(forms.ChoiceField, self.fields["source"]).choices = (
            [("", _("The gathering in general"))]
            + [
                (k, _("Decision: %(t)s") % {"t": short_label(d.text)})
                for k, d in self._decisions.items()
            ]
            + [
                (k, _("Agenda: %(t)s") % {"t": short_label(a.title)})
                for k, a in self._agenda.items()
            ]
        )
        priority = cast(forms.ModelChoiceField, self.fields["priority"])
        priority.queryset = (
            Priority.objects.filter(plan__group_id=meeting.owner_id)
            .select_related("plan")
            .order_by("-plan__period", "rank", "pk")
        )

        cast(PersonChoiceField, self.fields["owner_member"]).queryset = (
            people if people is not None else _people(meeting.collaborative_id)
        )
        owner_organization = cast(forms.ModelChoiceField, self.fields["owner_organization"])
        owner_organization.queryset = Organization.objects.filter(
            collaborative_id=meeting.collaborative_id
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("owner_member") and not data.get("owner_organization"):
            raise forms.ValidationError(
                _("Give the action item an owner: a person, an organization or both.")
            )
        source = data.get("source") or ""
        data["decision"] = self._decisions.get(source)
        data["agenda_item"] = self._agenda.get(source)
        return data


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
    text = forms.CharField(
        label=_("What changed (optional)"),
        required=False,
        max_length=4000,
        widget=forms.TextInput,
    )


__all__ = [
    "AddMemberForm",
    "AgendaItemForm",
    "DecisionForm",
    "FollowUpForm",
    "GroupForm",
    "ItemStatusForm",
    "JoinForm",
    "MeetingForm",
    "MinutesForm",
    "RoleForm",
]


# --- Action plans, the board and partner initiatives -----------------------------------


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        name = obj.user.name or obj.user.email
        return f"{name} · {obj.organization.name}" if obj.organization is not None else name


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.sector.name})"


class ActionPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_("For example “2025” or “Spring 2025”. One plan per period."),
    )
    summary = forms.CharField(
        label=_("What the group wants to achieve"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PriorityForm(forms.Form):
    title = forms.CharField(label=_("Priority"), max_length=200)


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("What will be done"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = PriorityChoiceField(
        label=_("Priority"), queryset=Priority.objects.none(), required=False
    )
    owner_member = OwnerChoiceField(
        label=_("Who owns it"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("Anyone in the collaborative, from any sector."),
    )
    owner_organization = OrganizationChoiceField(
        label=_("Which organization"), queryset=Organization.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)
    key_area = forms.ModelChoiceField(
        label=_("Key area"),
        queryset=KeyArea.objects.none(),
        required=False,
        help_text=_("Leave empty to use the group's key area."),
    )

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        collaborative_id = group.collaborative_id
        priority = cast(forms.ModelChoiceField, self.fields["priority"])
        priority.queryset = (
            Priority.objects.filter(plan__group=group)
            .select_related("plan")
            .order_by("-plan__period", "rank", "pk")
        )
        priority.empty_label = _("Not under a priority")
        owner_member = cast(forms.ModelChoiceField, self.fields["owner_member"])
        owner_member.queryset = (
            Member.objects.filter(collaborative_id=collaborative_id, is_active=True)
            .select_related("user", "organization")
            .order_by("user__name")
        )
        owner_member.empty_label = _("Nobody yet")
        owner_organization = cast(forms.ModelChoiceField, self.fields["owner_organization"])
        owner_organization.queryset = (
            Organization.objects.filter(collaborative_id=collaborative_id)
            .select_related("sector")
            .order_by("name")
        )
        owner_organization.empty_label = _("No organization")
        key_area = cast(forms.ModelChoiceField, self.fields["key_area"])
        key_area.queryset = KeyArea.objects.filter(collaborative_id=collaborative_id).order_by(
            "order", "name"
        )
        key_area.empty_label = _("The group's key area")

    @classmethod
    def initial_for(cls, item: ActionItem) -> dict:
        return {
            "title": item.title,
            "description": item.description,
            "priority": item.priority_id,
            "owner_member": item.owner_member_id,
            "owner_organization": item.owner_organization_id,
            "due_date": item.due_date,
            "key_area": item.key_area_id,
        }


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("What happened"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


OPEN, ALL = "open", "all"


class ItemFilterForm(forms.Form):
    """The list view's filters. Invalid values are ignored, not errors."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    plan = forms.ChoiceField(label=_("Plan"), required=False)
    owner = forms.ChoiceField(label=_("Owning organization"), required=False)
    due_before = forms.DateField(label=_("Due before"), required=False, widget=DATE)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, plans: list[ActionPlan], organizations: list[Organization], **kw):
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (OPEN, _("Open (not done)")),
            *ActionItem.Status.choices,
            (ALL, _("All")),
        ]
        cast(forms.ChoiceField, self.fields["plan"]).choices = [("", _("Every plan"))] + [
            (str(p.public_id), f"{p.title} ({p.period})") for p in plans
        ]
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", _("Any organization"))] + [
            (str(o.public_id), o.name) for o in organizations
        ]

    def value(self, name: str):
        """The cleaned value of one filter, or None when it is missing or malformed (the
        other filters still apply)."""
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return None
        return self.cleaned_data.get(name)


class PartnerInitiativeForm(forms.ModelForm):
    groups = forms.ModelMultipleChoiceField(
        label=_("Working groups that work alongside it"),
        queryset=WorkingGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priorities = forms.ModelMultipleChoiceField(
        label=_("Priorities it touches"),
        queryset=Priority.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    action_items = forms.ModelMultipleChoiceField(
        label=_("Action items it touches"),
        queryset=ActionItem.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose more than one."),
    )

    class Meta:
        model = PartnerInitiative
        fields = [
            "name",
            "focus",
            "description",
            "contact_name",
            "contact_email",
            "contact_phone",
            "website",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, collaborative, user, **kwargs):
        super().__init__(*args, **kwargs)
        groups = WorkingGroup.objects.visible_to(user).filter(collaborative=collaborative)
        cast(forms.ModelMultipleChoiceField, self.fields["groups"]).queryset = groups.filter(
            is_active=True
        ).order_by("name")
        priorities = cast(forms.ModelMultipleChoiceField, self.fields["priorities"])
        priorities.queryset = (
            Priority.objects.filter(plan__group__in=groups)
            .select_related("plan__group")
            .order_by("plan__group__name", "-plan__period", "rank")
        )
        # Django's per-instance override of the label; mypy reads it as replacing a method.
        priorities.label_from_instance = lambda p: f"{p.plan.group.name}: {p.title}"  # type: ignore[assignment]
        action_items = cast(forms.ModelMultipleChoiceField, self.fields["action_items"])
        action_items.queryset = (
            ActionItem.objects.visible_to(user)
            .filter(collaborative=collaborative)
            .select_related("group")
            .order_by("group__name", "title")
        )
        # Django's per-instance override of the label; mypy reads it as replacing a method.
        action_items.label_from_instance = lambda i: f"{i.group.name}: {i.title}"  # type: ignore[assignment]
        if self.instance.pk:
            self.initial.setdefault("groups", list(self.instance.groups.all()))
            self.initial.setdefault("priorities", list(self.instance.priorities.all()))
            self.initial.setdefault("action_items", list(self.instance.action_items.all()))

    def _post_clean(self):
        # The service builds, validates and saves the initiative and its links.
        pass
