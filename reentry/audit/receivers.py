"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from reentry.audit.log import record
from reentry.audit.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    record("auth.sign_in", actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record("auth.sign_out", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record(
        "auth.sign_in_failed",
        request=request,
        outcome=AuditEvent.Outcome.FAILURE,
        actor_label=tried,
    )
