"""Forms for grants, budget lines and expenses."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.models import BudgetLine, Grant

LENGTHS = [
    (30, _("30 min")),
    (45, _("45 min")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
]


class GrantForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "funder",
            "name",
            "reference",
            "amount",
            "starts_on",
            "ends_on",
            "restrictions",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "restrictions": forms.Textarea(attrs={"rows": 3}),
        }


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "label", "amount"]


class ExpenseForm(forms.Form):
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.none(), empty_label=None
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount"), max_digits=11, decimal_places=2, min_value=0.01)
    description = forms.CharField(label=_("What for"), max_length=300)

    def __init__(self, *args: Any, grant: Grant, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["budget_line"])
        # Stipends come from the ledger, never typed in: no stipends line here.
        field.queryset = grant.budget_lines.exclude(category=BudgetLine.Category.STIPENDS)
        self.grant = grant

    def clean_date(self) -> "dt.date":
        day = self.cleaned_data["date"]
        if not self.grant.starts_on <= day <= self.grant.ends_on:
            raise forms.ValidationError(_("The date must be within the grant's period."))
        return day


class ExpenseRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why remove it?"),
        max_length=300,
        help_text=_("E.g. “Entered twice” or “Paid from another grant”. Kept in the record."),
    )
