"""Casework in Spanish: the pages read in Spanish with the language cookie, the service
logs' "Minutes" is a duration (not a meeting's minutes), and the 42 CFR §2.32 notice
travels in Spanish too. The casebook world is described in tests/casework/conftest.py."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.casework.consent_helpers import consent_url

pytestmark = pytest.mark.django_db


def in_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def page(client, name, casebook):
    response = client.get(reverse(f"casework:{name}", kwargs={"slug": casebook.collab.slug}))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    return response.content.decode()


def test_service_logs_count_minutes_not_meeting_minutes(casebook, login):
    text = page(in_spanish(login(casebook.cast.staff_a)), "logs", casebook)
    assert "Servicios anotados" in text
    assert "Minutos" in text
    assert "Acta" not in text
    assert "Service logs" not in text


def test_participants_page_is_in_spanish(casebook, login):
    text = page(in_spanish(login(casebook.cast.staff_a)), "participants", casebook)
    assert "Personas a quienes atiende su organización" in text
    assert "People your organization serves" not in text


def test_the_part2_notice_is_in_spanish_for_a_recipient(casebook, login):
    text = page(in_spanish(login(casebook.cast.staff_c)), "logs_shared", casebook)
    assert casebook.rae_b.participant.code in text
    assert "protegido por las normas federales de confidencialidad (42 CFR parte 2)" in text
    assert "NO es suficiente" in text
    assert "prohibit you from making any other" not in text


def test_a_consent_reads_in_spanish_for_its_owner(casebook, login):
    client = in_spanish(login(casebook.cast.staff_a))
    response = client.get(consent_url(casebook, casebook.to_b))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Revocar este consentimiento" in text
    assert "Revoke this consent" not in text


def test_own_record_is_in_spanish(casebook, login):
    text = page(in_spanish(login(casebook.pat_member)), "my_record", casebook)
    assert "Quién ha consultado su registro" in text
    assert "Who has looked at your record" not in text
