from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from stakeholders.models import KeyArea, Member, Organization
from workgroups.models import ActionItem, AgendaItem, GroupMembership, Meeting, WorkingGroup

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _people(collaborative_id: int):
    return (
        Member.objects.filter(collaborative_id=collaborative_id, is_active=True)
        .select_related("user")
        .order_by("user__name")
    )


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


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    status = forms.ChoiceField(label=_("Status"), choices=Meeting.Status.choices)


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

    def __init__(self, *args, meeting: Meeting, agenda=(), decisions=(), people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self._decisions = {f"d:{d.public_id}": d for d in decisions}
        self._agenda = {f"a:{a.public_id}": a for a in agenda}
        cast(forms.ChoiceField, self.fields["source"]).choices = (
            [("", _("The gathering in general"))]
            + [(k, _("Decision: %(t)s") % {"t": d.text[:60]}) for k, d in self._decisions.items()]
            + [(k, _("Agenda: %(t)s") % {"t": a.title[:60]}) for k, a in self._agenda.items()]
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
