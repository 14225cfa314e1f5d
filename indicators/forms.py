"""Forms of the catalog, local definitions, uploads and dataset approval; and of the
dashboards: the story behind the curve, a comment, a data request."""

from typing import Any, cast

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from indicators.importing import target_choices
from indicators.importing.jobs import NEW_DATASET_LEVELS
from indicators.models import Dataset, DatasetVersion, Dimension, Indicator, Licence
from indicators.services.records import similar_names
from reentry.sharing.forms import SharingForm
from reentry.sharing.levels import SharingLevel
from stakeholders.models import Collaborative, KeyArea
from workgroups.models import WorkingGroup


class CatalogFilterForm(forms.Form):
    key_area = forms.ModelChoiceField(
        label=_("Key area"),
        queryset=KeyArea.objects.none(),
        required=False,
        empty_label=_("All key areas"),
        to_field_name="slug",
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Candidate and adopted")), *Indicator.Status.choices, ("all", _("All"))],
        required=False,
    )

    def __init__(self, *args, collaborative: Collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        key_area = cast(forms.ModelChoiceField, self.fields["key_area"])
        key_area.queryset = KeyArea.objects.filter(collaborative=collaborative)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_es",
            "question",
            "description",
            "key_area",
            "kind",
            "unit",
            "direction",
            "numerator_definition",
            "denominator_definition",
            "source",
            "frequency",
            "dimensions",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "status",
            "working_group",
            "is_headline",
            "is_public",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "numerator_definition": forms.Textarea(attrs={"rows": 2}),
            "denominator_definition": forms.Textarea(attrs={"rows": 2}),
            "dimensions": forms.CheckboxSelectMultiple,
            "kind": forms.RadioSelect,
            "direction": forms.RadioSelect,
            "baseline_date": forms.DateInput(attrs={"type": "date"}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }

    #: Asked only when the name nearly matches another indicator's (``similar``).
    different_indicator = forms.BooleanField(
        label=_("Yes, this is a different indicator"),
        required=False,
        help_text=_("Tick this if the indicator with the similar name measures something else."),
    )

    def __init__(self, *args, collaborative: Collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        self.collaborative = collaborative
        #: Catalog names that nearly match the name typed (set by ``clean``).
        self.similar: list[str] = []
        order = list(self.fields)
        order.remove("different_indicator")
        order.insert(order.index("name") + 1, "different_indicator")
        self.order_fields(order)
        key_area = cast(forms.ModelChoiceField, self.fields["key_area"])
        key_area.queryset = KeyArea.objects.filter(collaborative=collaborative)
        group = cast(forms.ModelChoiceField, self.fields["working_group"])
        group.queryset = WorkingGroup.objects.filter(
            collaborative=collaborative, is_active=True, is_whole_collaborative=False
        )
        group.empty_label = _("No working group")
        dims = cast(forms.ModelMultipleChoiceField, self.fields["dimensions"])
        dims.queryset = Dimension.objects.filter(collaborative=collaborative)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = Indicator.objects.filter(collaborative=self.collaborative, code__iexact=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another indicator already has this code."))
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = cleaned.get("name") or ""
        if name and (self.instance.pk is None or name != self.instance.name):
            self.similar = similar_names(self.collaborative.pk, name, exclude_pk=self.instance.pk)
        if self.similar and not cleaned.get("different_indicator"):
            names = "; ".join(f"“{n}”" for n in self.similar)
            self.add_error(
                "name",
                ngettext(
                    "The catalog already has an indicator with a nearly identical name: "
                    "%(names)s. If it measures the same thing, use it instead; if not, "
                    "tick “Yes, this is a different indicator” and save again.",
                    "The catalog already has indicators with nearly identical names: "
                    "%(names)s. If one measures the same thing, use it instead; if not, "
                    "tick “Yes, this is a different indicator” and save again.",
                    len(self.similar),
                )
                % {"names": names},
            )
        return cleaned


class LocalDefinitionForm(forms.Form):
    includes = forms.CharField(
        label=_("Our number includes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “everyone we housed, including people from county jail”."),
    )
    excludes = forms.CharField(
        label=_("Our number leaves out"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “people who left our program before 30 days”."),
    )


class OwnDatasetChoiceField(forms.ModelChoiceField):
    """One of the organization's datasets, saying which hold records."""

    def label_from_instance(self, obj: Any) -> str:
        if obj.is_records:
            return str(_("%(title)s (records: one row per person)") % {"title": obj.title})
        return str(obj.title)


class UploadForm(forms.Form):
    """A file, and either a new dataset's description or the dataset it is a new version of."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("A .csv (UTF-8) or .xlsx file, with the column names in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    kind = forms.ChoiceField(
        label=_("What is in the file"),
        choices=[
            (
                Dataset.Kind.FIGURES,
                _("Figures: one row per indicator, period and breakdown (counts and rates)"),
            ),
            (
                Dataset.Kind.RECORDS,
                _(
                    "Records: one row per person (for example, everyone released in a year). "
                    "They stay with your organization; only figures you derive from them "
                    "are shared."
                ),
            ),
        ],
        initial=Dataset.Kind.FIGURES,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("A new version of a dataset keeps the kind it has."),
    )
    dataset = OwnDatasetChoiceField(
        label=_("Add to"),
        queryset=Dataset.objects.none(),
        required=False,
        empty_label=_("A new dataset"),
        to_field_name="public_id",
        help_text=_("Choose one of your datasets to upload a corrected or updated version."),
    )
    reason = forms.CharField(
        label=_("Why a new version?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for a new version of a dataset: what changed, and why."),
    )
    title = forms.CharField(
        label=_("Title of the new dataset"),
        required=False,
        max_length=200,
        help_text=_("For example: “Housing placements, 2025”."),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=300,
        help_text=_("The system or report the numbers come from."),
    )
    methodology = forms.CharField(
        label=_("Methodology notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    licence = forms.ChoiceField(
        label=_("Licence"), choices=Licence.choices, initial=Licence.AGREEMENT
    )
    sharing_level = forms.ChoiceField(
        label=_("Who can see this data"),
        choices=[(v, label) for v, label in SharingLevel.choices if v in NEW_DATASET_LEVELS],
        initial=SharingLevel.PRIVATE,
        widget=forms.RadioSelect,
        help_text=_(
            "Beyond your organization, small numbers are always hidden. You can change this "
            "later, or share with chosen partners, on the dataset's page."
        ),
    )

    def __init__(self, *args, datasets, **kwargs):
        super().__init__(*args, **kwargs)
        dataset = cast(forms.ModelChoiceField, self.fields["dataset"])
        dataset.queryset = datasets

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("dataset") is None:
            if not cleaned.get("title", "").strip():
                self.add_error("title", _("Give the new dataset a title."))
            if (
                cleaned.get("sharing_level") == SharingLevel.PUBLIC
                and cleaned.get("licence") == Licence.AGREEMENT
            ):
                self.add_error(
                    "licence",
                    _(
                        "“Collaborative data-sharing agreement only” and “Anyone, including "
                        "the public” say different things. Which do you mean? Choose an open "
                        "licence to make it public, or choose “Everyone in the collaborative” "
                        "below to keep it shared within the collaborative."
                    ),
                )
        elif not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why this new version replaces the current one."))
        return cleaned

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Dataset.Kind.FIGURES

    def upload_kind(self) -> str:
        """What the upload holds: a new version keeps its dataset's kind."""
        dataset = self.cleaned_data.get("dataset")
        if dataset is not None:
            return dataset.kind
        return self.cleaned_data.get("kind") or Dataset.Kind.FIGURES

    def dataset_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data.get("title", "").strip(),
            "source": data.get("source", "").strip(),
            "methodology": data.get("methodology", "").strip(),
            "licence": data.get("licence"),
            "sharing_level": data.get("sharing_level") or SharingLevel.PRIVATE,
        }


OPEN_LICENCES = (Licence.CC_BY, Licence.CC0, Licence.ODBL)
KEEP_IN_COLLABORATIVE = "keep"


class DatasetSharingForm(SharingForm):
    """Who can see a dataset; and, when it is made public while its licence still says
    "Collaborative data-sharing agreement only", which of the two is meant: an open
    licence (then it becomes public under it), or keeping it within the collaborative."""

    public_licence = forms.ChoiceField(
        label=_("Public, or within the collaborative?"),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, obj: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, obj=obj, **kwargs)
        field = cast(forms.ChoiceField, self.fields["public_licence"])
        field.choices = [
            *(
                (
                    licence.value,
                    _("Make it public, and change its licence to “%(licence)s”")
                    % {"licence": licence.label},
                )
                for licence in OPEN_LICENCES
            ),
            (
                KEEP_IN_COLLABORATIVE,
                _(
                    "Keep it shared within the collaborative only, under the data-sharing "
                    "agreement (not public)"
                ),
            ),
        ]
        self.asks_licence = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        dataset = cast(Dataset, self.obj)
        if cleaned.get("level") == SharingLevel.PUBLIC and dataset.licence == Licence.AGREEMENT:
            self.asks_licence = True
            choice = cleaned.get("public_licence")
            if not choice:
                self.add_error(
                    "public_licence",
                    _(
                        "Its licence says “Collaborative data-sharing agreement only”, but "
                        "public means anyone can see it and its figures, signed in or not. "
                        "Choose which you mean."
                    ),
                )
            elif choice == KEEP_IN_COLLABORATIVE:
                cleaned["level"] = SharingLevel.COLLABORATIVE
        return cleaned

    def new_licence(self) -> str | None:
        """The open licence chosen for a public dataset, if one was asked for."""
        choice = self.cleaned_data.get("public_licence")
        if self.asks_licence and choice in OPEN_LICENCES:
            return str(choice)
        return None


class MappingForm(forms.Form):
    """One choice per column of the file: which upload field it is, or leave it out."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = target_choices(list(dimensions))
        for i, header in enumerate(headers):
            if not header:
                continue
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=mapping.get(header, "")
            )

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"col_{i}", "") or ""
            for i, header in enumerate(self.headers)
            if header
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VersionChoiceForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Version"), queryset=DatasetVersion.objects.none(), to_field_name="public_id"
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        version = cast(forms.ModelChoiceField, self.fields["version"])
        version.queryset = dataset.versions.all()


# --- dashboards and data requests -----------------------------------------------------


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


class _ReadOnceChoiceIterator(ModelChoiceIterator):
    """Choices from the field's queryset, read once and kept: a widget that reads its
    choices twice (the options, then whether there are any) runs one query, not two."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # fills the queryset's cache on the first read
            yield self.choice(obj)


class DatasetChoiceField(forms.ModelChoiceField):
    """A dataset named by its organization and period only (never its figures)."""

    iterator = _ReadOnceChoiceIterator

    def label_from_instance(self, obj) -> str:
        return _("%(organization)s, %(start)s to %(end)s") % {
            "organization": obj.owner.name,
            "start": formats.date_format(obj.period_start, "YEAR_MONTH_FORMAT"),
            "end": formats.date_format(obj.period_end, "YEAR_MONTH_FORMAT"),
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
        # Each choice is labelled with its owner's name: read with the datasets.
        cast(forms.ModelChoiceField, self.fields["dataset"]).queryset = datasets.select_related(
            "owner"
        )

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
