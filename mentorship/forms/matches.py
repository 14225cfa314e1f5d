"""Forms of the running program: sessions, monitoring, fit checks, pause and closure.
Choices are limited to the collaborative's own rows."""

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.models import FitCheck, Match, MonitoringContact, Session
from stakeholders.models import Collaborative, KeyArea

LENGTHS = [
    (30, _("30 min")),
    (45, _("45 min")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
]


class MatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.mentee.name} · {obj.program.name}"


class SessionLogForm(forms.Form):
    """One screen on a phone: the day (today unless changed), how long, how, what about."""

    match = MatchChoiceField(label=_("Who with"), queryset=Match.objects.none(), empty_label=None)
    on = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}), initial=date.today
    )
    minutes = forms.TypedChoiceField(
        label=_("How long"),
        choices=[*LENGTHS, (0, _("Other"))],
        coerce=int,
        initial=60,
        widget=forms.RadioSelect(attrs={"class": "ms-chips"}),
    )
    other_minutes = forms.IntegerField(
        label=_("Other length, in minutes"),
        required=False,
        min_value=5,
        max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    mode = forms.ChoiceField(
        label=_("How you met"),
        choices=Session.Mode.choices,
        initial=Session.Mode.IN_PERSON,
        widget=forms.RadioSelect(attrs={"class": "ms-chips"}),
    )
    key_areas = forms.ModelMultipleChoiceField(
        label=_("What you talked about"),
        queryset=KeyArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "ms-chips"}),
    )
    topics = forms.CharField(
        label=_("Anything else you talked about"), max_length=300, required=False
    )
    goals_progress = forms.ChoiceField(
        label=_("Progress on goals"),
        choices=Session.Progress.choices,
        initial=Session.Progress.SOME,
        widget=forms.RadioSelect(attrs={"class": "ms-chips"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    private = forms.BooleanField(
        label=_("Only the coordinator may read these notes"),
        required=False,
        help_text=_("The mentee never sees notes marked this way."),
    )

    def __init__(self, *args: Any, matches: Any, collaborative: Collaborative, **kwargs: Any):
        super().__init__(*args, **kwargs)
        match_field = cast(forms.ModelChoiceField, self.fields["match"])
        match_field.queryset = matches
        if len(match_field.queryset) == 1:
            match_field.widget = forms.HiddenInput()
            match_field.initial = match_field.queryset[0].pk
        cast(
            forms.ModelMultipleChoiceField, self.fields["key_areas"]
        ).queryset = KeyArea.objects.filter(collaborative=collaborative).order_by("order", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("minutes") == 0:
            other = data.get("other_minutes")
            if other is None:
                self.add_error("other_minutes", _("Say how many minutes."))
            else:
                data["minutes"] = other
        return data


class RejectSessionsForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not"),
        max_length=300,
        required=False,
        help_text=_("The mentor sees this."),
    )


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why pause"),
        max_length=300,
        help_text=_("A hospital stay, a move, a break both asked for…"),
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why it ended"),
        choices=[("", "—")]
        + [(v, label) for v, label in Match.ClosureReason.choices if v != "declined"],
    )
    conversation = forms.CharField(
        label=_("The closure conversation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What the mentor and the mentee each said: what went well, what they will take "
            "with them, how they said goodbye. Coordinators only."
        ),
    )
    find_another = forms.BooleanField(
        label=_("Find the mentee another mentor"),
        required=False,
        help_text=_("They go back on the waiting list. Otherwise they leave the program."),
    )


class ContactForm(forms.Form):
    with_whom = forms.ChoiceField(
        label=_("With"), choices=MonitoringContact.With.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}), initial=date.today
    )
    method = forms.ChoiceField(label=_("How"), choices=MonitoringContact.Method.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Coordinators only."),
    )


FIT_CHOICES = [("", _("Did not say"))] + [(str(v), label) for v, label in FitCheck.Fit.choices]


class FitCheckForm(forms.Form):
    mentor_fit = forms.TypedChoiceField(
        label=_("How the mentor feels it fits"),
        choices=FIT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    mentee_fit = forms.TypedChoiceField(
        label=_("How the mentee feels it fits"),
        choices=FIT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    concerns = forms.CharField(
        label=_("Concerns"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rematch_recommended = forms.BooleanField(
        label=_("Look for another mentor"),
        required=False,
        help_text=_("You can then close this match and re-match the mentee."),
    )
