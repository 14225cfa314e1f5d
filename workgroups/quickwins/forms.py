"""Forms for quick wins. Every choice is limited to the collaborative at hand."""

from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reentry.i18n import SPANISH_HELP, localized
from stakeholders.models import Collaborative, KeyArea, Member, Organization
from workgroups.forms import DATE, OrganizationChoiceField, OwnerChoiceField
from workgroups.models import ActionPlan, WorkingGroup
from workgroups.quickwins.models import QuickWin

Status = QuickWin.Status
MAX_STEPS = 10


class ProposeForm(forms.Form):
    title = forms.CharField(
        label=_("Your idea in a few words"),
        max_length=200,
        help_text=_("For example: “Bus passes for the first month home”."),
    )
    problem = forms.CharField(
        label=_("What problem would it fix?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is wrong today, and who it affects."),
    )
    title_es = forms.CharField(
        label=_("Your idea in Spanish"),
        max_length=200,
        required=False,
        help_text=SPANISH_HELP,
    )
    problem_es = forms.CharField(
        label=_("The problem in Spanish"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=SPANISH_HELP,
    )
    key_areas = forms.ModelMultipleChoiceField(
        label=_("Key areas"),
        queryset=KeyArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick any that fit. You can leave them all empty."),
    )
    people_needed = forms.IntegerField(
        label=_("About how many people would it take?"),
        required=False,
        min_value=1,
        max_value=10000,
    )
    money_needed = forms.DecimalField(
        label=_("About how much money, in dollars?"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Leave empty if it needs none, or if you are not sure."),
    )
    weeks_needed = forms.IntegerField(
        label=_("About how many weeks from start to done?"),
        required=False,
        min_value=1,
        max_value=520,
    )
    group = forms.ModelChoiceField(
        label=_("Which working group could own it?"),
        queryset=WorkingGroup.objects.none(),
        required=False,
    )
    owner_organization = OrganizationChoiceField(
        label=_("Which organization could help lead it?"),
        queryset=Organization.objects.none(),
        required=False,
    )
    is_anonymous = forms.BooleanField(
        label=_("Keep my name private"),
        required=False,
        help_text=_("Only backbone staff will see that it was you."),
    )

    def __init__(self, *args, collaborative: Collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        areas = cast(forms.ModelMultipleChoiceField, self.fields["key_areas"])
        areas.queryset = KeyArea.objects.filter(collaborative=collaborative).order_by(
            "order", "name"
        )
        # Seeded key-area names are translatable. Django's per-instance override of the
        # label; mypy reads it as replacing a method.
        areas.label_from_instance = lambda area: localized(area, "name")  # type: ignore[assignment]
        group = cast(forms.ModelChoiceField, self.fields["group"])
        group.queryset = WorkingGroup.objects.filter(
            collaborative=collaborative, is_active=True
        ).order_by("-is_whole_collaborative", "name")
        group.empty_label = _("Not sure")
        organization = cast(forms.ModelChoiceField, self.fields["owner_organization"])
        organization.queryset = (
            Organization.objects.filter(collaborative=collaborative)
            .select_related("sector")
            .order_by("name")
        )
        organization.empty_label = _("Not sure")


class FilterForm(forms.Form):
    """The list's filters. A bad value is ignored, not an error."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    key_area = forms.ChoiceField(label=_("Key area"), required=False)

    def __init__(self, *args, key_areas: list[KeyArea], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Every status")),
            *Status.choices,
        ]
        cast(forms.ChoiceField, self.fields["key_area"]).choices = [("", _("Every key area"))] + [
            (area.slug, localized(area, "name")) for area in key_areas
        ]

    def value(self, name: str) -> str:
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return ""
        return self.cleaned_data.get(name) or ""


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HelperForm(forms.Form):
    note = forms.CharField(
        label=_("How could you help? (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: “I have a van on Saturdays”."),
    )


class DropForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it dropped?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Everyone who reads the quick win will see this."),
        error_messages={"required": _("Say in a few words why it is dropped.")},
    )


class SelectForm(forms.Form):
    """Choose a quick win: where the work goes and who does it by when."""

    group = forms.ModelChoiceField(
        label=_("Working group that owns the work"), queryset=WorkingGroup.objects.none()
    )
    plan = forms.ModelChoiceField(
        label=_("Action plan"),
        queryset=ActionPlan.objects.none(),
        required=False,
        help_text=_("Leave empty to use this year's plan (we start one if there is none)."),
    )
    priority_title = forms.CharField(
        label=_("Priority in the plan"),
        max_length=200,
        help_text=_("How the quick win reads in the group's plan."),
    )
    first_step = forms.CharField(label=_("First action item"), max_length=200)
    more_steps = forms.CharField(
        label=_("More action items (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. They get the same owner and due date; change them later."),
    )
    owner_member = OwnerChoiceField(
        label=_("Person who owns it"), queryset=Member.objects.none(), required=False
    )
    owner_organization = OrganizationChoiceField(
        label=_("Organization that owns it"), queryset=Organization.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due"), widget=DATE)

    def __init__(self, *args, quick_win: QuickWin, groups, **kwargs):
        super().__init__(*args, **kwargs)
        collaborative_id = quick_win.collaborative_id
        group = cast(forms.ModelChoiceField, self.fields["group"])
        group.queryset = groups
        plan = cast(forms.ModelChoiceField, self.fields["plan"])
        plan.queryset = (
            ActionPlan.objects.filter(group__in=groups)
            .select_related("group")
            .order_by("group__name", "-period")
        )
        # Django's per-instance override of the label; mypy reads it as replacing a method.
        plan.label_from_instance = lambda p: f"{p.group.name}: {p.title} ({p.period})"  # type: ignore[assignment]
        plan.empty_label = _("This year's plan")
        owner = cast(forms.ModelChoiceField, self.fields["owner_member"])
        owner.queryset = (
            Member.objects.filter(collaborative_id=collaborative_id, is_active=True)
            .select_related("user", "organization")
            .order_by("user__name")
        )
        owner.empty_label = _("No one person")
        organization = cast(forms.ModelChoiceField, self.fields["owner_organization"])
        organization.queryset = (
            Organization.objects.filter(collaborative_id=collaborative_id)
            .select_related("sector")
            .order_by("name")
        )
        organization.empty_label = _("No organization")

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("Choose a date from today on."))
        return due

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("owner_member") and not data.get("owner_organization"):
            self.add_error("owner_member", _("Choose a person, an organization, or both."))
        group, plan = data.get("group"), data.get("plan")
        if group is not None and plan is not None and plan.group_id != group.pk:
            self.add_error("plan", _("Choose a plan of the group above, or leave it empty."))
        if len(self.step_titles()) > MAX_STEPS:
            self.add_error(
                "more_steps", _("At most %(n)s action items at once.") % {"n": MAX_STEPS}
            )
        return data

    def step_titles(self) -> list[str]:
        first = (self.cleaned_data.get("first_step") or "").strip()
        more = [
            line.strip()[:200]
            for line in (self.cleaned_data.get("more_steps") or "").splitlines()
            if line.strip()
        ]
        return [t for t in [first, *more] if t]
