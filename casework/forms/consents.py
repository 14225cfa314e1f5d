"""The consent form a caseworker fills in with the person, and the revocation form.

Choices come from the enrolment's own collaborative only (rule 6). The rules a consent
must meet (Part 2 elements, a witness, a scan, dates) live in ``Consent.clean`` and
``casework.services.consents``; the view shows their errors here, next to each field.
"""

from datetime import date, timedelta
from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from casework.models import Consent, Enrolment
from casework.scans import MAX_BYTES
from stakeholders.models import KeyArea, Organization, Sector

KIND_FIELDS = dict(Consent.KIND_FIELDS)

# Plain descriptions of the kinds of record, for the caseworker reading them to the person.
KIND_CHOICES = [
    (Consent.Kind.ENROLMENT.value, _("When they started with us, release date and supervision")),
    (Consent.Kind.NEEDS.value, _("What they need help with")),
    (Consent.Kind.SERVICE_LOGS.value, _("Services they received from us")),
    (Consent.Kind.REFERRALS.value, _("Referrals we sent or received for them")),
    (Consent.Kind.IDENTITY.value, _("Their name, date of birth, phone and address")),
]


def one_year_on(day: date) -> date:
    """The same day next year (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConsentForm(forms.Form):
    recipient_organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Share with these organizations"),
    )
    recipient_sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Share with every organization in these sectors"),
        help_text=_("Also organizations that join the sector later."),
    )
    findable = forms.BooleanField(
        required=False,
        label=_("Other organizations may find this person"),
        help_text=Consent._meta.get_field("findable").help_text,
    )
    kinds = forms.MultipleChoiceField(
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What may be shared"),
    )
    all_key_areas = forms.BooleanField(
        required=False,
        label=_("All key areas"),
        help_text=_("Ticks every key area below when you save."),
    )
    key_areas = forms.ModelMultipleChoiceField(
        queryset=KeyArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("About these key areas"),
    )
    shares_part2 = forms.BooleanField(
        required=False,
        label=_("Include substance-use treatment records (42 CFR Part 2)"),
        help_text=_(
            "Your organization is a Part 2 program: its records are shared only when this "
            "is ticked and every item below is filled in."
        ),
    )
    amount_and_kind = forms.CharField(
        required=False,
        max_length=300,
        label=_("How much and what kind of treatment information"),
        help_text=Consent._meta.get_field("amount_and_kind").help_text,
    )
    purpose = forms.CharField(
        max_length=300,
        label=_("Why it is shared"),
        help_text=Consent._meta.get_field("purpose").help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    starts_on = forms.DateField(label=_("Starts"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends"),
        help_text=_("The last day it is in force. At most three years after the start."),
        widget=DateInput(),
    )
    method = forms.ChoiceField(
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        label=_("How the person gave consent"),
    )
    scan = forms.FileField(
        required=False,
        label=_("Scan or photo of the signed form"),
        help_text=_("Signed on paper only. A PDF, JPEG or PNG file of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    witness_name = forms.CharField(
        required=False,
        max_length=150,
        label=_("Name of the witness"),
        help_text=_("Said out loud only: who else heard the person agree."),
    )
    signed_name = forms.CharField(
        required=False,
        max_length=200,
        label=_("The person's name, as they signed or typed it"),
        help_text=_("Given on screen: hand the screen to the person to type their name."),
    )
    signed_on = forms.DateField(required=False, label=_("Signed on"), widget=DateInput())
    told_right_to_revoke = forms.BooleanField(
        required=False,
        label=_("I told the person they can take this back at any time"),
    )
    language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        label=_("Language of the form"),
        help_text=_("The printed form is in this language."),
    )

    def __init__(self, *args, enrolment: Enrolment, today: date, **kwargs):
        self.enrolment = enrolment
        self.is_part2 = hasattr(enrolment.organization, "part2_program")
        kwargs.setdefault(
            "initial",
            {
                "starts_on": today,
                "ends_on": one_year_on(today) - timedelta(days=1),
                "signed_on": today,
                "language": enrolment.preferred_language or "en",
            },
        )
        super().__init__(*args, **kwargs)
        collaborative_id = enrolment.collaborative_id
        self._choices("recipient_organizations").queryset = (
            Organization.objects.filter(collaborative_id=collaborative_id)
            .exclude(pk=enrolment.organization_id)
            .order_by("name")
        )
        self._choices("recipient_sectors").queryset = Sector.objects.filter(
            collaborative_id=collaborative_id
        ).order_by("order", "name")
        self._choices("key_areas").queryset = KeyArea.objects.filter(
            collaborative_id=collaborative_id
        ).order_by("order", "name")
        fields = self.fields
        if not self.is_part2:
            del fields["shares_part2"]
            del fields["amount_and_kind"]

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan and scan.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The scan is larger than 10 MB. Scan at a lower resolution and try again.")
            )
        return scan

    def _choices(self, name: str) -> forms.ModelMultipleChoiceField:
        return cast(forms.ModelMultipleChoiceField, self.fields[name])

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("all_key_areas"):
            cleaned["key_areas"] = list(self._choices("key_areas").queryset or ())
        return cleaned

    def service_arguments(self) -> dict:
        """The keyword arguments of ``services.consents.consent_record`` (as far as they
        are valid, for ``consent_problems`` when the form has other mistakes)."""
        data = getattr(self, "cleaned_data", {})
        kinds = set(data.get("kinds") or ())
        arguments = {
            "recipient_organizations": list(data.get("recipient_organizations") or ()),
            "recipient_sectors": list(data.get("recipient_sectors") or ()),
            "key_areas": list(data.get("key_areas") or ()),
            "findable": data.get("findable", False),
            "shares_part2": data.get("shares_part2", False),
            "amount_and_kind": data.get("amount_and_kind", ""),
            "purpose": data.get("purpose"),
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
            "method": data.get("method"),
            "scan": data.get("scan") or None,
            "witness_name": data.get("witness_name", ""),
            "signed_name": data.get("signed_name", ""),
            "signed_on": data.get("signed_on"),
            "told_right_to_revoke": data.get("told_right_to_revoke", False),
            "language": data.get("language"),
        }
        for kind, field_name in KIND_FIELDS.items():
            arguments[field_name] = kind in kinds
        return arguments


class RevokeForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=300,
        label=_("Why (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
