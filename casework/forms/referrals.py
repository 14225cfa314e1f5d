"""Forms of the referral pages. Choices come only from the actor's collaborative and, for
records, from the actor's own organization (rule 6: forms never offer others' objects)."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import Consent, ServiceLog
from stakeholders.models import KeyArea, Organization, Service

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Participant code or name"),
        required=False,
        max_length=100,
        help_text=_("Someone your organization serves: their code, or part of their name."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ReferralForm(forms.Form):
    """What the person needs, where to, and — when no consent in force covers it yet — the
    person's consent, recorded on the same screen (``services.consents.consent_record``)."""

    to_organization = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organization.objects.none(), required=False
    )
    key_area = forms.ModelChoiceField(label=_("Key area"), queryset=KeyArea.objects.none())
    reason = forms.CharField(
        label=_("What the person needs"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain words the receiving organization can act on. Only they will read it."),
    )
    record_consent = forms.BooleanField(
        label=_("The person agrees that the organization I refer them to may see this referral"),
        required=False,
    )
    method = forms.ChoiceField(
        label=_("How they agreed"),
        choices=[("", _("— choose —")), *Consent.Method.choices],
        required=False,
    )
    signed_name = forms.CharField(
        label=_("Their name, as they signed or said it"), max_length=200, required=False
    )
    witness_name = forms.CharField(
        label=_("Witness (for a verbal consent)"), max_length=150, required=False
    )
    scan = forms.FileField(label=_("Scan of the signed form"), required=False)
    ends_on = forms.DateField(
        label=_("Consent ends"),
        required=False,
        widget=DATE,
        help_text=_("The last day the receiver may see the referral. At most three years."),
    )
    amount_and_kind = forms.CharField(
        label=_("How much and what kind of information (42 CFR §2.31)"),
        max_length=300,
        required=False,
        help_text=_("Your program is a Part 2 program: name what the referral discloses."),
    )

    def __init__(
        self,
        *args: Any,
        collaborative,
        own_organization_id: int | None,
        service: Service | None,
        part2: bool,
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.part2 = part2
        self.today = today
        areas = KeyArea.objects.filter(collaborative=collaborative)
        if service is not None:
            own = service.key_areas.all()
            if own.exists():
                areas = own
            del self.fields["to_organization"]
        else:
            organizations = self.fields["to_organization"]
            assert isinstance(organizations, forms.ModelChoiceField)  # noqa: S101 - for the type
            organizations.queryset = (
                Organization.objects.filter(collaborative=collaborative)
                .exclude(pk__in=[own_organization_id] if own_organization_id else [])
                .order_by("name")
            )
            organizations.required = True
        key_area = self.fields["key_area"]
        assert isinstance(key_area, forms.ModelChoiceField)  # noqa: S101 - for the type
        key_area.queryset = areas.order_by("name")
        if key_area.queryset.count() == 1:
            key_area.initial = key_area.queryset.first()
        self.fields["ends_on"].initial = today + timedelta(days=365)
        if not part2:
            del self.fields["amount_and_kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("record_consent"):
            return data
        if not data.get("method"):
            self.add_error("method", _("Say how the person agreed."))
        if not (data.get("signed_name") or "").strip():
            self.add_error("signed_name", _("Write the person's name as they gave it."))
        if not data.get("ends_on"):
            self.add_error("ends_on", _("Say when the consent ends."))
        if self.part2 and data.get("method") == Consent.Method.VERBAL:
            self.add_error("method", _("A Part 2 consent must be signed, on paper or on screen."))
        return data

    def consent_fields(self, receiver: Organization, key_area: KeyArea) -> dict[str, Any]:
        """The consent to record, as ``services.consents.consent_record`` takes it."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "recipient_organizations": [receiver],
            "key_areas": [key_area],
            "shares_referrals": True,
            "purpose": str(_("A referral to %(org)s about %(area)s"))
            % {"org": receiver.name, "area": key_area.name},
            "starts_on": self.today,
            "ends_on": data["ends_on"],
            "method": data["method"],
            "signed_name": data["signed_name"].strip(),
            "signed_on": self.today,
            "witness_name": (data.get("witness_name") or "").strip(),
            "told_right_to_revoke": True,
        }
        if data.get("scan"):
            fields["scan"] = data["scan"]
        if self.part2:
            fields["shares_part2"] = True
            fields["amount_and_kind"] = (data.get("amount_and_kind") or "").strip()
        return fields


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DeliverForm(forms.Form):
    """Link the service delivered: one of the receiver's logs of the person, or log it now."""

    service_log = forms.ModelChoiceField(
        label=_("A service you already logged"),
        queryset=ServiceLog.objects.none(),
        required=False,
        empty_label=_("— log it now instead —"),
    )
    delivered_on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("— not one of our listed services —"),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ServiceLog.Outcome.choices, required=False
    )
    duration_minutes = forms.IntegerField(
        label=pgettext_lazy("duration", "Minutes"), min_value=1, max_value=24 * 60, required=False
    )
    notes = forms.CharField(label=_("Short notes"), max_length=500, required=False)

    def __init__(
        self, *args: Any, logs, services, today: date, default_service=None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        service_log = self.fields["service_log"]
        assert isinstance(service_log, forms.ModelChoiceField)  # noqa: S101 - for the type
        service_log.queryset = logs
        self.has_logs = logs.exists()
        service_log.label_from_instance = lambda log: (  # type: ignore[method-assign,assignment]
            f"{log.delivered_on:%d %b %Y} · {log.key_area.name}"
            + (f" · {log.service.name}" if log.service_id else "")
        )
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)  # noqa: S101 - for the type
        service.queryset = services
        service.initial = default_service
        self.fields["delivered_on"].initial = today
        self.fields["outcome"].initial = ServiceLog.Outcome.COMPLETED

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("service_log") and not data.get("delivered_on"):
            # Either field can be the one to fix; the date is always on the form.
            self.add_error("delivered_on", _("Choose a service you logged, or give the date."))
        return data


class SelfReferralForm(forms.Form):
    key_area = forms.ModelChoiceField(label=_("What it is about"), queryset=KeyArea.objects.none())
    reason = forms.CharField(
        label=_("What do you need?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few words are enough. Only this organization will read it."),
    )
    agree = forms.BooleanField(
        label=_(
            "I agree that this organization may see what I wrote here, to answer my request. "
            "I can take this back at any time."
        )
    )
    signed_name = forms.CharField(
        label=_("Type your name to sign"), max_length=200, help_text=_("Your consent, on screen.")
    )

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = service.key_areas.all()
        if not areas.exists():
            areas = KeyArea.objects.filter(collaborative_id=service.organization.collaborative_id)
        key_area = self.fields["key_area"]
        assert isinstance(key_area, forms.ModelChoiceField)  # noqa: S101 - for the type
        key_area.queryset = areas.order_by("name")
        if key_area.queryset.count() == 1:
            key_area.initial = key_area.queryset.first()
