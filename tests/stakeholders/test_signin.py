"""The sign-in pages (allauth's, overridden in templates/account/) speak our words:
sentence case, and no "please sign up first" in a product people join by invitation."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def page(client, name, language="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.text


def test_sign_in_is_in_sentence_case_and_explains_invitations(client):
    text = page(client, "account_login")
    assert "Sign in" in text and "Remember me" in text
    assert "Sign In" not in text and "Remember Me" not in text
    assert "sign up" not in text.lower()
    assert "by invitation" in text
    assert f'href="{reverse("home")}"' in text  # where to find a collaborative to ask


def test_sign_in_in_spanish(client):
    text = page(client, "account_login", "es")
    assert "Iniciar sesión" in text and "Recordarme" in text
    assert "por invitación" in text
    assert "Remember" not in text and "Sign in" not in text


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("account_signup", "Create an account"),
        ("account_request_login_code", "Email me a sign-in code"),
    ],
)
def test_the_other_entrance_pages_are_in_sentence_case(client, name, title):
    text = page(client, name)
    assert title in text
    assert "Sign In" not in text and "Sign Up" not in text and "Request Code" not in text
