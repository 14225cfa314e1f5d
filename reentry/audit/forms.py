from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reentry.audit.actions import collaborative_action_choices
from reentry.audit.models import AuditEvent


def _action_choices() -> list[tuple[str, str | Promise]]:
    return [("", _("Anything")), *collaborative_action_choices()]


class AuditFilterForm(forms.Form):
    """The audit page's filters. Dates are days in the current (collaborative's) time zone."""

    action = forms.ChoiceField(label=_("What happened"), choices=_action_choices, required=False)
    person = forms.CharField(
        label=_("Person's email contains"), max_length=254, required=False, strip=True
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Any outcome")), *AuditEvent.Outcome.choices],
        required=False,
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Choose a day on or after the first day."))
        return cleaned

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """``events`` narrowed by the valid filters (an invalid one is left out)."""
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("person"):
            events = events.filter(actor_label__icontains=data["person"])
        if data.get("outcome"):
            events = events.filter(outcome=data["outcome"])
        if data.get("date_from"):
            events = events.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=_start_of(data["date_to"] + timedelta(days=1)))
        return events


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
