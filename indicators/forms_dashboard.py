"""Forms of the dashboards: the story behind the curve, a comment, a data request."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Dataset


class StoryForm(forms.Form):
    body = forms.CharField(
        label=_("The story behind the curve"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What is driving these numbers? Who are the partners with a role to play, and "
            "what works to do better? Plain words; no names of people."
        ),
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the story before saving it."))
        return body


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by every member of the collaborative. No names of participants."),
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write your comment before posting it."))
        return body


class DatasetChoiceField(forms.ModelChoiceField):
    """A dataset named by its organization and period only (never its figures)."""

    def label_from_instance(self, obj) -> str:
        return _("%(organization)s, %(start)s to %(end)s") % {
            "organization": obj.owner.name,
            "start": obj.period_start.strftime("%Y-%m"),
            "end": obj.period_end.strftime("%Y-%m"),
        }


class DataRequestForm(forms.Form):
    dataset = DatasetChoiceField(
        label=_("Dataset"),
        queryset=Dataset.objects.none(),
        to_field_name="public_id",
        empty_label=None,
        help_text=_("Datasets that report this indicator but are not shared with you."),
    )
    reason = forms.CharField(
        label=_("Why you need it"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organization reads this before it decides."),
    )

    def __init__(self, *args, datasets, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["dataset"]).queryset = datasets

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why you need the data."))
        return reason


class DataRequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("approve", _("Share it")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label=_("Share with"),
        choices=[
            ("organization", _("Their organization only")),
            ("collaborative", _("Everyone in the collaborative")),
        ],
        initial="organization",
        widget=forms.RadioSelect,
        required=False,
    )
    response = forms.CharField(
        label=_("A note for them"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
