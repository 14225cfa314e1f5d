"""Forms of the service log pages: the one-screen phone form, the same log for several
participants, the list's filters and the bulk upload. Choices are only the member's own
organization's participants and services and the collaborative's key areas."""

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import Enrolment, ServiceLog
from casework.selectors import logs as selectors
from stakeholders.models import Collaborative, KeyArea, Member, Service

LENGTHS = [
    (15, _("15 min")),
    (30, _("30 min")),
    (45, _("45 min")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
]
OTHER = 0


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return obj.name


def _chips() -> dict[str, str]:
    return {"class": "cw-chips"}


class _LogFields(forms.Form):
    """What every way of logging asks: which service, key area, day, length, outcome, notes."""

    service = ServiceChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("No particular service"),
    )
    key_area = forms.ModelChoiceField(
        label=_("Key area"),
        queryset=KeyArea.objects.none(),
        required=False,
        empty_label=_("The service’s own key area"),
    )
    delivered_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    minutes = forms.TypedChoiceField(
        label=_("How long"),
        choices=[*LENGTHS, (OTHER, _("Other"))],
        coerce=int,
        initial=30,
        widget=forms.RadioSelect(attrs=_chips()),
    )
    other_minutes = forms.IntegerField(
        label=_("Other length, in minutes"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ServiceLog.Outcome.choices,
        initial=ServiceLog.Outcome.COMPLETED,
        widget=forms.RadioSelect(attrs=_chips()),
    )
    notes = forms.CharField(
        label=_("Short notes"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Other organizations see these only if the person consents."),
    )

    def __init__(self, *args: Any, member: Member, collaborative: Collaborative, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.member = member
        self.today = collaborative.today()
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = selectors.own_services(
            member
        )
        cast(forms.ModelChoiceField, self.fields["key_area"]).queryset = KeyArea.objects.filter(
            collaborative=collaborative
        ).order_by("order", "name")
        self.fields["delivered_on"].initial = self.today

    def start_from(self, last: ServiceLog | None) -> None:
        """Defaults from the caseworker's last log: service, key area, length."""
        if last is None:
            return
        self.initial.setdefault("service", last.service_id)
        self.initial.setdefault("key_area", last.key_area_id)
        if last.duration_minutes in dict(LENGTHS):
            self.initial.setdefault("minutes", last.duration_minutes)
        elif last.duration_minutes:
            self.initial.setdefault("minutes", OTHER)
            self.initial.setdefault("other_minutes", last.duration_minutes)

    def clean_delivered_on(self) -> date:
        day = self.cleaned_data["delivered_on"]
        if day > self.today:
            raise forms.ValidationError(_("A service cannot be logged before the day it happens."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("minutes") == OTHER:
            if data.get("other_minutes") is None:
                self.add_error("other_minutes", _("Say how many minutes."))
            else:
                data["minutes"] = data["other_minutes"]
        if not data.get("key_area") and "key_area" not in self.errors:
            service = data.get("service")
            areas = list(service.key_areas.all()) if service is not None else []
            areas.sort(key=lambda area: (area.order, area.name))
            if areas:
                data["key_area"] = areas[0]
            else:
                self.add_error("key_area", _("Choose a key area (the service has none)."))
        return data

    def log_fields(self) -> dict[str, Any]:
        """The fields for ``services.logs.service_log`` / ``service_log_many``."""
        data = self.cleaned_data
        return {
            "service": data.get("service"),
            "key_area": data["key_area"],
            "delivered_on": data["delivered_on"],
            "duration_minutes": data["minutes"],
            "outcome": data["outcome"],
            "notes": data.get("notes", ""),
        }


class ServiceLogForm(_LogFields):
    """One service for one participant, found by code or name in one field. A full code,
    or the whole name of the only person so named, is enough; otherwise the form comes
    back with the matches to choose from (with JavaScript, they show as you type)."""

    who = forms.CharField(
        label=_("Participant"),
        max_length=120,
        required=False,
        help_text=_("Their code (P-…) or name."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    enrolment = forms.UUIDField(required=False, widget=forms.HiddenInput)

    field_order = ["who", "enrolment", "service", "key_area", "delivered_on", "minutes"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.matches: list[Enrolment] = []
        self.more = False
        self.chosen: Enrolment | None = None

    def choose(self, enrolment_id: Any) -> Enrolment | None:
        if not enrolment_id:
            return None
        return (
            selectors.with_names(selectors.own_enrolments(self.member))
            .filter(public_id=enrolment_id)
            .first()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = self.choose(data.get("enrolment"))
        who = data.get("who", "")
        if chosen is None and who:
            found = selectors.find_enrolments(self.member, who)
            self.more = len(found) > selectors.FIND_LIMIT
            self.matches = found[: selectors.FIND_LIMIT]
            chosen = selectors.decisive_match(who, self.matches)
            if chosen is None:
                if self.matches:
                    self.add_error("who", _("Choose the participant below."))
                else:
                    self.add_error(
                        "who",
                        _("No participant your organization serves matches “%(text)s”.")
                        % {"text": who},
                    )
        elif chosen is None:
            self.add_error("who", _("Type the participant’s code or name."))
        self.chosen = chosen
        return data


class ServiceLogManyForm(_LogFields):
    """The same service for several participants, after a group session."""

    q = forms.CharField(
        label=_("Find participants"),
        max_length=120,
        required=False,
        help_text=_("Code or name. The people you ticked stay ticked."),
    )
    enrolments = forms.TypedMultipleChoiceField(
        label=_("Participants"),
        required=True,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one participant.")},
    )

    field_order = ["q", "enrolments", "service", "key_area", "delivered_on", "minutes"]

    def __init__(self, *args: Any, offered: list[Enrolment], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.offered = offered
        field = cast(forms.TypedMultipleChoiceField, self.fields["enrolments"])
        field.choices = [(str(e.public_id), _enrolment_label(e)) for e in offered]

    def chosen(self) -> list[Enrolment]:
        wanted = set(self.cleaned_data.get("enrolments", []))
        return [e for e in self.offered if str(e.public_id) in wanted]


def _enrolment_label(enrolment: Enrolment) -> str:
    name = selectors.display_name(enrolment)
    return f"{enrolment.participant.code} · {name}" if name else enrolment.participant.code


class LogFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    key_area = forms.ModelChoiceField(
        label=_("Key area"),
        queryset=KeyArea.objects.none(),
        required=False,
        empty_label=_("All key areas"),
    )
    service = ServiceChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("All services"),
    )
    participant = forms.CharField(
        label=_("Participant code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "P-XXXX-XXXX", "autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, member: Member, collaborative: Collaborative, services: bool = True, **kw
    ):
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["key_area"]).queryset = KeyArea.objects.filter(
            collaborative=collaborative
        ).order_by("order", "name")
        if services:
            cast(forms.ModelChoiceField, self.fields["service"]).queryset = Service.objects.filter(
                organization_id=selectors.organization_id(member)
            ).order_by("name", "pk")
        else:
            del self.fields["service"]

    def clean_participant(self) -> str:
        text = self.cleaned_data["participant"].strip()
        if not text:
            return ""
        code = selectors.normalise_code(text)
        if code is None:
            raise forms.ValidationError(_("A participant code looks like P-7KM3-Q9XA."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end is before the start."))
        return data

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_bound and self.is_valid() else {}


class LogUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or Excel (.xlsx), with the column names in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
