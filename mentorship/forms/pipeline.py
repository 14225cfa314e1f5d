"""Forms of recruitment, screening, profiles and matching. Choices are limited to the
program's own collaborative; availability is chosen as parts of the day on a phone."""

import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mentorship.models import (
    AGE_RANGES,
    DEFAULT_WEIGHTS,
    BackgroundAssessment,
    Gender,
    LivedExperience,
    MenteeProfile,
    MentorProfile,
    Program,
    Stage,
    TrainingModule,
)
from mentorship.models.profiles import LANGUAGE_OPTIONS, WEEKDAYS
from stakeholders.models import Collaborative, KeyArea, Member, Organization

# Parts of the day offered for availability, and the times they stand for.
PARTS_OF_DAY: list[tuple[str, Any, str, str]] = [
    ("morning", _("Morning (9–12)"), "09:00", "12:00"),
    ("afternoon", _("Afternoon (12–5)"), "12:00", "17:00"),
    ("evening", _("Evening (5–9)"), "17:00", "21:00"),
]
_PART_TIMES = {key: (start, end) for key, _label, start, end in PARTS_OF_DAY}


def availability_choices() -> list[tuple[str, str]]:
    return [
        (f"{day}-{key}", f"{day_label} · {label}")
        for day, day_label in WEEKDAYS
        for key, label, _start, _end in PARTS_OF_DAY
    ]


def slots_from_choices(values: list[str]) -> list[list]:
    slots = []
    for value in values:
        day, key = value.split("-", 1)
        start, end = _PART_TIMES[key]
        slots.append([int(day), start, end])
    return sorted(slots)


def choices_from_slots(slots: list) -> list[str]:
    """The parts of the day a stored availability covers (a slot that overlaps a part of
    the day ticks it), for the form's initial value."""
    chosen = []
    for day, start, end in slots or []:
        for key, (p_start, p_end) in _PART_TIMES.items():
            if start < p_end and p_start < end:
                chosen.append(f"{day}-{key}")
    return sorted(set(chosen))


class AvailabilityField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("When can you meet?"))
        kwargs.setdefault("help_text", _("Tick every time that usually works for you."))
        super().__init__(choices=availability_choices, **kwargs)


class WordsField(forms.CharField):
    """Comma-separated short words (interests), as a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault(
            "help_text", _("A few words, separated by commas. E.g. cooking, basketball, music.")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        words = [w.strip() for w in re.split(r"[,;\n]", text) if w.strip()]
        for word in words:
            if len(word) > 60:
                raise forms.ValidationError(_("Keep each interest under 60 letters."))
        seen: dict[str, str] = {}
        for word in words:
            seen.setdefault(word.lower(), word)
        return list(seen.values())[:20]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.name)


class MemberEmailChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.name} <{obj.user.email}>"


class MembersChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.name)


class MentorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.applicant.name)


class KeyAreasField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _languages_field(**kwargs: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=LANGUAGE_OPTIONS,
        widget=forms.CheckboxSelectMultiple,
        label=kwargs.pop("label", _("Languages you speak")),
        **kwargs,
    )


def _key_areas(collaborative: Collaborative) -> QuerySet[KeyArea]:
    return KeyArea.objects.filter(collaborative=collaborative).order_by("order", "name")


# The public application -------------------------------------------------------------


class ApplicationForm(forms.Form):
    """Plain words, few required fields, one column: it is filled in on a phone."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Give an email or a phone number, or both."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Which language should we use with you?"), choices=settings.LANGUAGES
    )
    languages = _languages_field(required=True)
    why = forms.CharField(
        label=_("Why would you like to be a mentor?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
    )
    lived_experience = forms.ChoiceField(
        label=_("Have you been through incarceration or reentry yourself?"),
        choices=LivedExperience.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Many of our best mentors have. It never counts against you."),
    )
    key_areas = forms.ModelMultipleChoiceField(
        queryset=KeyArea.objects.none(),
        label=_("What could you help with?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = AvailabilityField(required=False)
    neighbourhood = forms.CharField(
        label=_("Which part of town do you live in?"), max_length=120, required=False
    )
    interests = WordsField(label=_("What do you like to do?"))
    capacity = forms.TypedChoiceField(
        label=_("How many people could you mentor at once?"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        initial=1,
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    age_range = forms.ChoiceField(
        label=_("Age"), choices=[("", _("I’d rather not say")), *AGE_RANGES], required=False
    )
    # A field people never see (hidden by CSS, skipped by screen readers and the keyboard):
    # bots fill it in, and their application is dropped.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    consent = forms.BooleanField(
        label=_("You may contact me about mentoring."),
        required=True,
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["key_areas"]).queryset = _key_areas(
            program.collaborative
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not (data.get("phone") or "").strip():
            self.add_error("phone", _("Give an email or a phone number so we can reach you."))
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


# Screening ----------------------------------------------------------------------------


class MoveForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Move to"), choices=[(s.value, s.label) for s in Stage.open_stages()]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the application declined?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Say what the decision rests on. A conviction history alone is never the reason."
        ),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class WithdrawOwnForm(forms.Form):
    """The person withdrawing their own application: an optional word for the team."""

    note = forms.CharField(
        label=_("Anything you would like us to know? (optional)"),
        help_text=_("Only the program's coordinators read this."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class BackgroundAssessmentForm(forms.ModelForm):
    class Meta:
        model = BackgroundAssessment
        fields = [
            "has_history",
            "what",
            "years_since",
            "relevance",
            "rehabilitation",
            "outcome",
            "conditions",
            "notes",
        ]
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "rehabilitation": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "relevance": forms.RadioSelect,
            "outcome": forms.RadioSelect,
        }


class TrainingForm(forms.Form):
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.none(), label=_("Module"))
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["module"]).queryset = program.modules.filter(
            is_active=True
        )


class LinkMemberForm(forms.Form):
    member = MemberEmailChoiceField(
        queryset=Member.objects.none(),
        label=_("Their account in the collaborative"),
        required=False,
        help_text=_("Invite them first if they have no account. Leave empty to disconnect."),
    )

    def __init__(self, *args: Any, collaborative: Collaborative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["member"])
        field.queryset = (
            Member.objects.filter(collaborative=collaborative, is_active=True)
            .select_related("user")
            .order_by("user__name")
        )


# Profiles -----------------------------------------------------------------------------


class _ProfileForm(forms.ModelForm):
    languages = _languages_field(required=True)
    availability = AvailabilityField(required=False)
    interests = WordsField(label=_("Interests"))

    def __init__(self, *args: Any, collaborative: Collaborative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["availability"] = choices_from_slots(self.instance.availability)
        for name in ("key_areas", "needs"):
            if name in self.fields:
                field = cast(forms.ModelMultipleChoiceField, self.fields[name])
                field.queryset = _key_areas(collaborative)

    def clean_availability(self) -> list[list]:
        return slots_from_choices(self.cleaned_data.get("availability") or [])


class MentorProfileForm(_ProfileForm):
    class Meta:
        model = MentorProfile
        field_classes = {"key_areas": KeyAreasField}
        fields = [
            "bio",
            "lived_experience",
            "languages",
            "key_areas",
            "availability",
            "neighbourhood",
            "latitude",
            "longitude",
            "interests",
            "capacity",
            "gender",
            "age_range",
            "mentee_gender_preference",
            "preferences",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 3}),
            "preferences": forms.Textarea(attrs={"rows": 2}),
            "lived_experience": forms.RadioSelect,
        }


class MenteeProfileForm(_ProfileForm):
    languages = _languages_field(required=True, label=_("Languages"))
    availability = AvailabilityField(required=False, label=_("When can they meet?"))

    class Meta:
        model = MenteeProfile
        field_classes = {"needs": KeyAreasField, "member": MemberChoiceField}
        fields = [
            "name",
            "phone",
            "email",
            "referral",
            "referred_by",
            "participant",
            "release_date",
            "needs",
            "goals",
            "languages",
            "availability",
            "supervision_conditions",
            "neighbourhood",
            "latitude",
            "longitude",
            "interests",
            "gender",
            "age_range",
            "gender_preference",
            "prefers_lived_experience",
            "member",
            "status",
        ]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "supervision_conditions": forms.Textarea(attrs={"rows": 2}),
            "release_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "referral": forms.RadioSelect,
        }

    def __init__(
        self,
        *args: Any,
        collaborative: Collaborative,
        viewer=None,
        participant_public_id: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, collaborative=collaborative, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["referred_by"]
        ).queryset = Organization.objects.filter(collaborative=collaborative).order_by("name")
        self._participant_choices(collaborative, viewer, participant_public_id)
        member = cast(forms.ModelChoiceField, self.fields["member"])
        member.queryset = (
            Member.objects.filter(collaborative=collaborative, is_active=True)
            .select_related("user")
            .order_by("user__name")
        )
        member.help_text = _(
            "Only if they have an account here: they can then accept a match themselves."
        )

    def _participant_choices(self, collaborative, viewer, participant_public_id: str) -> None:
        """The casework participants the coordinator may see (casework's own
        ``visible_to``, reached through the link, never imported: the apps are
        independent), by code only; and the one a referral's page linked here with."""
        field = cast(forms.ModelChoiceField, self.fields["participant"])
        # casework's ParticipantQuerySet, which mentorship knows only by duck typing.
        participants: Any = MenteeProfile._meta.get_field("participant").related_model
        choices = participants.objects.none()
        if viewer is not None:
            choices = participants.objects.visible_to(viewer).filter(collaborative=collaborative)
        current = self.instance.participant_id if self.instance.pk else None
        if current is not None:
            choices = choices | participants.objects.filter(pk=current)
        field.queryset = choices.order_by("code")
        field.help_text = _(
            "The person's participant code, if your organization serves them. Only the code "
            "is linked: their record stays with the organizations that keep it."
        )
        if participant_public_id and not self.is_bound:
            try:
                chosen = field.queryset.filter(public_id=participant_public_id).first()
            except (ValueError, forms.ValidationError):
                chosen = None
            if chosen is not None:
                self.initial["participant"] = chosen.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("referral") == MenteeProfile.Referral.SELF:
            data["referred_by"] = None
        return data


class NoContactForm(forms.Form):
    mentor = MentorChoiceField(queryset=MentorProfile.objects.none(), label=_("Mentor"))
    reason = forms.CharField(label=_("Reason (coordinators only)"), required=False, max_length=1000)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["mentor"])
        field.queryset = program.mentors.select_related("applicant").order_by("applicant__name")


# Programs -----------------------------------------------------------------------------


class ProgramForm(forms.ModelForm):
    """A program's settings. Weights are five numbers from 0 to 10."""

    weight_key_areas = forms.FloatField(label=_("Help with their needs"), min_value=0, max_value=10)
    weight_lived_experience = forms.FloatField(
        label=_("Lived experience, when wanted"), min_value=0, max_value=10
    )
    weight_distance = forms.FloatField(label=_("Living close by"), min_value=0, max_value=10)
    weight_interests = forms.FloatField(label=_("Shared interests"), min_value=0, max_value=10)
    weight_age = forms.FloatField(label=_("Similar age"), min_value=0, max_value=10)

    class Meta:
        model = Program
        field_classes = {"coordinators": MembersChoiceField}
        fields = [
            "name",
            "slug",
            "description",
            "accepts_applications",
            "is_active",
            "coordinators",
            "stipend_per_session",
            "stipend_per_hour",
            "monthly_cap",
            "first_contact_hours",
            "first_month_contacts",
            "contact_every_days",
            "quiet_alert_days",
            "release_alert_days",
            "distance_scale_km",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, collaborative: Collaborative, can_set_coordinators: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        weights = self.instance.effective_weights if self.instance.pk else dict(DEFAULT_WEIGHTS)
        for name, value in weights.items():
            self.initial.setdefault(f"weight_{name}", value)
        if can_set_coordinators:
            field = cast(forms.ModelMultipleChoiceField, self.fields["coordinators"])
            field.queryset = (
                Member.objects.filter(collaborative=collaborative, is_active=True)
                .select_related("user")
                .order_by("user__name")
            )
        else:
            del self.fields["coordinators"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["weights"] = {
            name: data[f"weight_{name}"] for name in DEFAULT_WEIGHTS if f"weight_{name}" in data
        }
        if len(data["weights"]) == len(DEFAULT_WEIGHTS) and not any(data["weights"].values()):
            self.add_error(None, _("At least one part of the fit must count."))
        return data


class TrainingModuleForm(forms.ModelForm):
    class Meta:
        model = TrainingModule
        fields = ["name", "description", "hours", "is_required", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
