"""Forms of the directory: the search filters, and the profile, service and location editors.

The editors only parse and validate; the writes are in ``stakeholders.directory.services``.
"""

from typing import Any, cast

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reentry.i18n import localized
from stakeholders.access import may_change_organization_sharing
from stakeholders.models import (
    Contact,
    Conviction,
    CriterionKind,
    Document,
    KeyArea,
    Location,
    Member,
    Organization,
    RegularSchedule,
    Sector,
    Service,
    ServiceCriterion,
    Supervision,
)

Rule = ServiceCriterion.Rule

# Eligibility filters, each a with/without criterion test on the service:
# slug -> (label, kind, value, rule). "Without" a rule that would turn the person away.
ELIGIBILITY_FLAGS: dict[str, tuple] = {
    "no-state-id": (_("No state ID needed"), CriterionKind.DOCUMENT, Document.STATE_ID),
    "no-social-security-card": (
        _("No Social Security card needed"),
        CriterionKind.DOCUMENT,
        Document.SOCIAL_SECURITY_CARD,
    ),
    "no-birth-certificate": (
        _("No birth certificate needed"),
        CriterionKind.DOCUMENT,
        Document.BIRTH_CERTIFICATE,
    ),
    "parole": (_("Open to people on parole"), CriterionKind.SUPERVISION, Supervision.PAROLE),
    "probation": (
        _("Open to people on probation"),
        CriterionKind.SUPERVISION,
        Supervision.PROBATION,
    ),
    "sex-offense": (
        _("Serves people with a sex-offense conviction"),
        CriterionKind.CONVICTION,
        Conviction.SEX_OFFENSE_REGISTRY,
    ),
    "violent": (
        _("Serves people with a violent conviction"),
        CriterionKind.CONVICTION,
        Conviction.VIOLENT,
    ),
    "arson": (
        _("Serves people with an arson conviction"),
        CriterionKind.CONVICTION,
        Conviction.ARSON,
    ),
    "felony": (
        _("Serves people with any felony conviction"),
        CriterionKind.CONVICTION,
        Conviction.ANY_FELONY,
    ),
}


def flag_rule(kind: str) -> str:
    """A document filter means "not required"; a history or supervision one "not excluded"."""
    return Rule.REQUIRES if kind == CriterionKind.DOCUMENT else Rule.EXCLUDES


class DirectorySearchForm(forms.Form):
    """The GET filters of the directory. Invalid values are ignored, never an error page."""

    SORTS = [("name", _("Name")), ("verified", _("Recently verified"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    key_area = forms.ChoiceField(label=_("Key area"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    eligibility = forms.MultipleChoiceField(
        label=_("Who it serves"),
        required=False,
        choices=[(slug, label) for slug, (label, *_rest) in ELIGIBILITY_FLAGS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    referrals = forms.BooleanField(label=_("Accepts referrals"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, data, *, key_areas, sectors, language_codes, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Name or what they do")}
        )
        key_area = cast(forms.ChoiceField, self.fields["key_area"])
        key_area.choices = [("", _("All key areas"))] + [
            (a.slug, localized(a, "name")) for a in key_areas
        ]
        sector = cast(forms.ChoiceField, self.fields["sector"])
        sector.choices = [("", _("All sectors"))] + [
            (s.slug, localized(s, "name")) for s in sectors
        ]
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [("", _("Any language"))] + sorted(
            ((code, language_name(code)) for code in language_codes), key=lambda c: str(c[1])
        )

    def filters(self) -> dict:
        """The valid filters (empty when nothing valid was asked for)."""
        if not self.is_valid():
            # Keep what is valid: drop the fields with errors, one by one.
            return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return self.cleaned_data


def language_name(code: str) -> str | Promise:
    info = LANG_INFO.get(code)
    return _(info["name"]) if info else code


class OrganizationProfileForm(forms.ModelForm):
    """Description, contact, logo and key areas; visibility for the admins only. Never the
    sector: only backbone staff set it (``organization_sector_set``).

    The logo is a plain file field, not the model's: ``organization_profile_update`` checks
    and re-encodes it (``stakeholders.directory.logos``) and stores it under a random name."""

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "A PNG, JPEG or WebP image, at most 2 MB. It is shown at most 512 pixels wide."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    field_order = [
        "description",
        "logo",
        "remove_logo",
        "email",
        "phone",
        "website",
        "key_areas",
        "sharing_level",
    ]

    class Meta:
        model = Organization
        fields = [
            "description",
            "email",
            "phone",
            "website",
            "key_areas",
            "sharing_level",
        ]
        widgets = {
            "key_areas": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, editor: Member, **kwargs):
        super().__init__(*args, **kwargs)
        collaborative_id = self.instance.collaborative_id
        key_areas = cast(forms.ModelMultipleChoiceField, self.fields["key_areas"])
        key_areas.queryset = KeyArea.objects.filter(collaborative_id=collaborative_id)
        if not may_change_organization_sharing(editor, self.instance.pk):
            del self.fields["sharing_level"]
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", _("Choose a new logo or remove it, not both."))
        return cleaned

    def profile_data(self) -> dict:
        """The keyword arguments of ``organization_profile_update``."""
        data = dict(self.cleaned_data)
        data["key_areas"] = list(data["key_areas"])
        data["logo"] = data.get("logo") or None
        data["remove_logo"] = bool(data.get("remove_logo"))
        return data


class ContactForm(forms.ModelForm):
    """A contact person: the whole organization's, or one service's."""

    prefix = "contact"  # it shares the profile page with the profile form's email and phone

    class Meta:
        model = Contact
        fields = ["name", "title", "department", "email", "phone", "service"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        service = cast(forms.ModelChoiceField, self.fields["service"])
        service.queryset = Service.objects.filter(organization=organization).order_by("name")
        service.empty_label = _("The whole organization")
        service.label = _("Contact for")
        service.help_text = _("Choose a service if this is the person to ask about that service.")

    def contact_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class WeekdayHoursWidget(forms.TimeInput):
    input_type = "time"


class ServiceForm(forms.ModelForm):
    """A listing: what it is, who it serves, how to get it, when and where."""

    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=300,
        help_text=_(
            "The languages staff speak with people, separated by commas: English, Spanish."
        ),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        help_text=_("The number people call for this service."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Where it is offered"),
        required=False,
        queryset=Location.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Add a location on your organization's page first if it is missing."),
    )
    requires_documents = forms.MultipleChoiceField(
        label=_("Documents people must bring"),
        required=False,
        choices=Document.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    requires_supervision = forms.MultipleChoiceField(
        label=_("Only for people who are"),
        required=False,
        choices=Supervision.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if supervision does not matter."),
    )
    excludes_supervision = forms.MultipleChoiceField(
        label=_("Cannot serve people who are"),
        required=False,
        choices=Supervision.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    requires_conviction = forms.MultipleChoiceField(
        label=_("Only for people with"),
        required=False,
        choices=Conviction.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For programs meant for one history, such as drug court graduates."),
    )
    excludes_conviction = forms.MultipleChoiceField(
        label=_("Cannot serve people with"),
        required=False,
        choices=Conviction.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick only what truly rules people out: every tick closes a door."),
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "alternate_name",
            "description",
            "name_es",
            "description_es",
            "key_areas",
            "status",
            "accepts_referrals",
            "serves_when",
            "eligibility_description",
            "application_process",
            "fees",
            "wait_time",
            "url",
            "email",
        ]
        widgets = {
            "key_areas": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_es": forms.Textarea(attrs={"rows": 4}),
            "eligibility_description": forms.Textarea(attrs={"rows": 3}),
            "application_process": forms.Textarea(attrs={"rows": 3}),
            "fees": forms.Textarea(attrs={"rows": 2}),
        }

    CRITERIA_FIELDS = {
        "requires_documents": (CriterionKind.DOCUMENT, Rule.REQUIRES),
        "requires_supervision": (CriterionKind.SUPERVISION, Rule.REQUIRES),
        "excludes_supervision": (CriterionKind.SUPERVISION, Rule.EXCLUDES),
        "requires_conviction": (CriterionKind.CONVICTION, Rule.REQUIRES),
        "excludes_conviction": (CriterionKind.CONVICTION, Rule.EXCLUDES),
    }
    WEEKDAYS = RegularSchedule.Weekday.choices

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        key_areas = cast(forms.ModelMultipleChoiceField, self.fields["key_areas"])
        key_areas.queryset = KeyArea.objects.filter(collaborative_id=organization.collaborative_id)
        locations = cast(forms.ModelMultipleChoiceField, self.fields["locations"])
        locations.queryset = Location.objects.filter(organization=organization).order_by("name")
        for day, label in self.WEEKDAYS:
            for end, end_label in (("opens", _("opens")), ("closes", _("closes"))):
                self.fields[f"day{day}_{end}"] = forms.TimeField(
                    label=f"{label} {end_label}", required=False, widget=WeekdayHoursWidget()
                )
        service = self.instance
        if service.pk and not self.is_bound:
            self._initial_from(service)

    def _initial_from(self, service: Service) -> None:
        self.initial["languages"] = ", ".join(
            service.languages.order_by("language").values_list("language", flat=True)
        )
        first = service.phones.filter(service_at_location=None).order_by("pk").first()
        self.initial["phone"] = first.number if first else ""
        self.initial["locations"] = list(service.at_locations.values_list("location_id", flat=True))
        criteria = list(service.criteria.values_list("kind", "value", "rule"))
        for name, (kind, rule) in self.CRITERIA_FIELDS.items():
            self.initial[name] = [v for k, v, r in criteria if k == kind and r == rule]
        for s in service.schedules.filter(service_at_location=None).order_by("weekday", "opens_at"):
            self.initial.setdefault(f"day{s.weekday}_opens", s.opens_at)
            self.initial.setdefault(f"day{s.weekday}_closes", s.closes_at)

    def day_rows(self):
        """(day label, opens field, closes field) for the hours table."""
        return [
            (label, self[f"day{day}_opens"], self[f"day{day}_closes"])
            for day, label in self.WEEKDAYS
        ]

    def criteria_fields(self):
        return [self[name] for name in self.CRITERIA_FIELDS]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for day, _label in self.WEEKDAYS:
            opens, closes = cleaned.get(f"day{day}_opens"), cleaned.get(f"day{day}_closes")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"day{day}_closes" if closes is None else f"day{day}_opens",
                    _("Give both the opening and the closing time, or neither."),
                )
        for kind, label in (
            ("supervision", _("supervision")),
            ("conviction", _("conviction history")),
        ):
            both = set(cleaned.get(f"requires_{kind}") or []) & set(
                cleaned.get(f"excludes_{kind}") or []
            )
            if both:
                self.add_error(
                    f"excludes_{kind}",
                    _("A %(what)s cannot be both required and ruled out.") % {"what": label},
                )
        return cleaned

    def service_data(self) -> dict:
        """The keyword arguments of service_create / service_update."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name != "key_areas"}
        return {
            **fields,
            "key_areas": list(data["key_areas"]),
            "languages": [n for n in data["languages"].split(",") if n.strip()],
            "phone": data["phone"],
            "locations": list(data["locations"]),
            "criteria": [
                (kind, value, rule)
                for name, (kind, rule) in self.CRITERIA_FIELDS.items()
                for value in data[name]
            ],
            "week": {
                day: (
                    (data[f"day{day}_opens"], data[f"day{day}_closes"])
                    if data.get(f"day{day}_opens") is not None
                    else None
                )
                for day, _label in self.WEEKDAYS
            },
        }


class LocationForm(forms.ModelForm):
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    class Meta:
        model = Location
        fields = [
            "name",
            "address_1",
            "address_2",
            "city",
            "state_province",
            "postal_code",
            "transportation",
            "accessibility",
            "description",
        ]
        widgets = {
            "transportation": forms.Textarea(attrs={"rows": 2}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        location = self.instance
        if location.pk and not self.is_bound:
            first = (
                location.phones.filter(service=None, service_at_location=None)
                .order_by("pk")
                .first()
            )
            self.initial["phone"] = first.number if first else ""

    def location_data(self) -> dict:
        return {
            **{name: self.cleaned_data[name] for name in self.Meta.fields},
            **{"phone": self.cleaned_data["phone"]},
        }


class OrganizationSectorForm(forms.Form):
    """Backbone staff move an organization to another sector of the collaborative."""

    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.none())

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        sector = cast(forms.ModelChoiceField, self.fields["sector"])
        sector.queryset = Sector.objects.filter(collaborative_id=organization.collaborative_id)
        sector.initial = organization.sector_id
        sector.empty_label = None
        sector.help_text = _(
            "The organization's people read what other organizations share with this sector."
        )
