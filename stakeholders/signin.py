"""allauth's sign-in form with our words (settings.ACCOUNT_FORMS["login"]).

Apart from stakeholders/forms.py because allauth's own forms import that module
(ACCOUNT_SIGNUP_FORM_CLASS), so importing allauth's forms there would be circular.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")
