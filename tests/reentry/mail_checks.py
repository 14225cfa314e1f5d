"""Checks every test of a bulk notice makes on the message it sent."""

from django.conf import settings
from django.core.mail import EmailMessage


def html_part(message: EmailMessage) -> str:
    parts = [a for a in getattr(message, "alternatives", []) if a[1] == "text/html"]
    assert len(parts) == 1, "the email has no HTML alternative"
    return str(parts[0][0])


def unsubscribe_link(message: EmailMessage) -> str:
    """The one-click link of a bulk notice (RFC 8058), checked for shape."""
    value = message.extra_headers.get("List-Unsubscribe", "")
    assert value.startswith(f"<{settings.SITE_URL}/c/") and value.endswith(">"), value
    assert "/unsubscribe/" in value
    assert message.extra_headers.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    return value[1:-1]


def assert_bulk_notice(message: EmailMessage) -> str:
    html_part(message)
    return unsubscribe_link(message)
