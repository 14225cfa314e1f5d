"""stakeholders/adapters.py: allauth's emails name the site from SITE_NAME, not the host."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_account_emails_name_the_site_and_come_from_the_default_sender(cast, client):
    response = client.post(
        reverse("account_reset_password"), {"email": cast.staff_a.user.email}, HTTP_HOST="127.0.0.1"
    )
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert f"Hello from {settings.SITE_NAME}!" in message.body
    assert "127.0.0.1!" not in message.body and "testserver" not in message.body
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert settings.DEFAULT_FROM_EMAIL.startswith(f"{settings.SITE_NAME} <noreply@")
