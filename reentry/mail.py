"""Render an email from ``templates/email/<name>-subject.txt`` / ``-body.txt`` / ``-body.html``."""

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from reentry.queue import enqueue


def send_templated_email(name: str, *, to: str, context: dict, language: str = "en") -> None:
    from reentry.tasks import send_email

    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{name}-subject.txt", context).split())
        body = render_to_string(f"email/{name}-body.txt", context)
        html: str
        try:
            html = render_to_string(f"email/{name}-body.html", context)
        except TemplateDoesNotExist:
            html = ""
    enqueue(send_email, to=[to], subject=subject, body=body, html=html)
