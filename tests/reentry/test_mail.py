"""reentry/mail.py: subjects are plain text, every email has its HTML twin, bulk notices
carry the one-click unsubscribe headers."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from reentry.mail import send_templated_email
from tests.reentry.mail_checks import html_part

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "email"
pytestmark = pytest.mark.django_db


def _poll_context(title: str) -> dict:
    person = SimpleNamespace(user=SimpleNamespace(get_short_name="Sam & Co"))
    return {
        "member": person,
        "poll": SimpleNamespace(title=title, closes_at=timezone.now(), is_secret=True),
        "group": SimpleNamespace(name="Housing & Jobs"),
        "collaborative": SimpleNamespace(name="Polk <County>"),
        "url": "https://example.org/c/polk/polls/1/?a=1&b=2",
        "settings_url": "https://example.org/c/polk/me/",
    }


def _send(django_capture_on_commit_callbacks, name="poll-opened", **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(name, to="sam@example.org", **kwargs)
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_the_subject_is_not_html_escaped(django_capture_on_commit_callbacks):
    message = _send(django_capture_on_commit_callbacks, context=_poll_context("Beds & <IDs>"))
    assert message.subject == "Your vote, please: Beds & <IDs>"


def test_the_html_part_says_the_same_escaped_and_the_text_part_plainly(
    django_capture_on_commit_callbacks,
):
    message = _send(django_capture_on_commit_callbacks, context=_poll_context("Beds & <IDs>"))
    assert "Beds & <IDs>" in message.body
    html = html_part(message)
    assert "Beds &amp; &lt;IDs&gt;" in html and "<IDs>" not in html
    assert '<html lang="en">' in html
    assert "<title>Your vote, please: Beds &amp; &lt;IDs&gt;</title>" in html
    assert 'href="https://example.org/c/polk/polls/1/?a=1&amp;b=2"' in html
    assert "secret ballot" in html and "secret ballot" in message.body
    assert "How we reach you" in html


def test_a_plain_email_has_no_unsubscribe_headers(django_capture_on_commit_callbacks):
    message = _send(django_capture_on_commit_callbacks, context=_poll_context("Beds"))
    assert "List-Unsubscribe" not in message.extra_headers


def test_a_bulk_notice_carries_the_one_click_headers(django_capture_on_commit_callbacks):
    url = "https://example.org/c/polk/unsubscribe/abc/"
    message = _send(
        django_capture_on_commit_callbacks, context=_poll_context("Beds"), unsubscribe_url=url
    )
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()


def _names() -> list[str]:
    return sorted(p.name.removesuffix("-body.txt") for p in EMAIL_TEMPLATES.glob("*-body.txt"))


def test_there_are_email_templates():
    assert len(_names()) >= 15


@pytest.mark.parametrize("name", _names())
def test_every_email_has_its_html_twin(name):
    html = EMAIL_TEMPLATES / f"{name}-body.html"
    assert html.exists(), f"{html.name} is missing"
    text = html.read_text()
    assert text.startswith('{% extends "email/base.html" %}')
    assert not re.search(r"<img|<script|<style|<link|url\(", text, re.I)  # no remote content


@pytest.mark.parametrize("name", _names())
def test_every_subject_turns_autoescape_off_itself(name):
    text = (EMAIL_TEMPLATES / f"{name}-subject.txt").read_text()
    assert "{% autoescape off %}" in text and "{% endautoescape %}" in text
