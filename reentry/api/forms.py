from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reentry.api.models import ApiToken

NEVER = "never"
LIFETIMES = {"30": timedelta(days=30), "90": timedelta(days=90), "365": timedelta(days=365)}


class ApiTokenForm(forms.ModelForm):
    expires_in = forms.ChoiceField(
        label=_("Stops working after"),
        choices=[
            ("30", _("30 days")),
            ("90", _("90 days")),
            ("365", _("1 year")),
            (NEVER, _("Never (revoke it yourself when it is no longer needed)")),
        ],
        initial="365",
        help_text=_("A token that expires limits the harm if it is ever copied by mistake."),
    )

    class Meta:
        model = ApiToken
        fields = ["name"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "off"})}

    def expires_at(self):
        choice = self.cleaned_data["expires_in"]
        return None if choice == NEVER else timezone.now() + LIFETIMES[choice]
