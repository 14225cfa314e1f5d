"""Forms of the participants pages. Key areas come from the collaborative only."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from casework.models import Consent, Enrolment, Identity
from stakeholders.models import KeyArea


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


class FindForm(forms.Form):
    """Find someone another organization already serves, who agreed to be found."""

    code = forms.CharField(
        label=_("Participant code"),
        required=False,
        max_length=20,
        help_text=_("If the person has one, e.g. P-7KM3-Q9XA."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    given_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    date_of_birth = _date(_("Date of birth"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by_name = data.get("given_name") and data.get("family_name") and data.get("date_of_birth")
        if not data.get("code") and not by_name:
            raise forms.ValidationError(
                _("Enter a code, or a first name, last name and date of birth.")
            )
        return data


class EnrolmentForm(forms.Form):
    """An organization's own record of a person: facts, needs and (optional) identity."""

    enrolled_on = _date(_("First served on"))
    release_date = _date(_("Release date"), required=False)
    facility = forms.CharField(
        label=_("Released from"),
        required=False,
        max_length=200,
        help_text=_("Prison or jail, if known."),
    )
    supervision = forms.ChoiceField(
        label=_("Supervision"), choices=Enrolment.Supervision.choices, required=False
    )
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs help with"),
        queryset=KeyArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("", _("Not recorded")), *settings.LANGUAGES],
        required=False,
    )
    given_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    date_of_birth = _date(_("Date of birth"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    FACT_FIELDS = ("enrolled_on", "release_date", "facility", "supervision", "preferred_language")
    IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "phone", "address")

    def __init__(self, *args, collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelMultipleChoiceField, self.fields["needs"]
        ).queryset = KeyArea.objects.filter(collaborative=collaborative)

    @classmethod
    def initial_from(cls, enrolment: Enrolment, identity: Identity | None) -> dict:
        initial = {name: getattr(enrolment, name) for name in cls.FACT_FIELDS}
        initial["needs"] = list(enrolment.needs.all())
        if identity is not None:
            initial.update({name: getattr(identity, name) for name in cls.IDENTITY_FIELDS})
        return initial

    def facts(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FACT_FIELDS}

    def identity(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.IDENTITY_FIELDS}

    def fact_fields(self):
        return [self[name] for name in (*self.FACT_FIELDS, "needs")]

    def identity_fields(self):
        return [self[name] for name in self.IDENTITY_FIELDS]


class LinkForm(forms.Form):
    code = forms.CharField(
        label=_("Your link code"),
        max_length=60,
        help_text=_("The code the organization gave you, e.g. P-7KM3-Q9XA-2B3CD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class MergeFindForm(forms.Form):
    code = forms.CharField(
        label=_("Code of the other record"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Consent) -> str:
        return _("Recorded by %(org)s, in force until %(end)s") % {
            "org": obj.organization,
            "end": formats.date_format(obj.ends_on),
        }


class MergeForm(forms.Form):
    consent: forms.ModelChoiceField = ConsentChoiceField(
        label=_("The person's consent to be found"),
        queryset=Consent.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    confirm = forms.BooleanField(
        label=_("I have checked with the person that both records are them."),
    )

    def __init__(self, *args, consents, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["consent"])
        field.queryset = consents
