from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reentry.stipends.models import StipendRate


class RateForm(forms.ModelForm):
    class Meta:
        model = StipendRate
        fields = ["is_active", "unit", "amount", "monthly_cap"]
        widgets = {"unit": forms.RadioSelect}
        # The page says what "on" means; a checkbox's help beside it reads poorly on a phone.
        help_texts = {"is_active": ""}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        amount, cap = data.get("amount"), data.get("monthly_cap")
        if amount is not None and cap is not None and cap < amount:
            self.add_error("monthly_cap", _("The monthly limit is less than one stipend."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not"),
        max_length=300,
        required=False,
        help_text=_("The person sees this on their statement."),
    )


class PaymentForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=60,
        required=False,
        help_text=_("Your payroll batch number, if it has one. Leave empty for one of ours."),
    )
