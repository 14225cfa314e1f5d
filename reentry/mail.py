"""Render an email from ``templates/email/<name>-subject.txt`` / ``-body.txt`` / ``-body.html``.

The subject is plain text in a mail header, so it is rendered with autoescape off here
(a template cannot forget it); the text body turns it off itself, and the HTML body
keeps it on. A bulk notice passes ``unsubscribe_url``: the message then carries
``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058 one-click).
"""

from django.template import Context, TemplateDoesNotExist, engines
from django.template.loader import render_to_string
from django.utils import translation

from reentry.queue import enqueue


def _subject(name: str, context: dict) -> str:
    template = engines["django"].engine.get_template(f"email/{name}-subject.txt")  # type: ignore[attr-defined]  # the Django backend's engine
    return " ".join(template.render(Context(context, autoescape=False)).split())


def unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_templated_email(
    name: str,
    *,
    to: str,
    context: dict,
    language: str = "en",
    unsubscribe_url: str = "",
    attachments: list[tuple[str, str, str]] | None = None,
) -> None:
    """``attachments``: (filename, text, MIME type) each, e.g. a calendar entry."""
    from reentry.tasks import send_email

    with translation.override(language):
        subject = _subject(name, context)
        body = render_to_string(f"email/{name}-body.txt", context)
        html: str
        try:
            html = render_to_string(f"email/{name}-body.html", {**context, "subject": subject})
        except TemplateDoesNotExist:
            html = ""
    headers = unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {}
    extra = {"attachments": [list(a) for a in attachments]} if attachments else {}
    enqueue(send_email, to=[to], subject=subject, body=body, html=html, headers=headers, **extra)
