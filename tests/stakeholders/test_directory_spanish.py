"""A service listed in Spanish too: saved from the listing form, shown to Spanish readers."""

import pytest
from django.conf import settings

from stakeholders.models import Service
from tests.stakeholders.directory_world import c_url, make_service

pytestmark = pytest.mark.django_db


def speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_staff_give_a_service_its_spanish_name_and_description(cast, login):
    service = make_service(cast.org_a, "Shelter beds", key_areas=[cast.key_area])
    edit = c_url("service_edit", cast.collab, public_id=service.public_id)
    response = login(cast.staff_a).post(
        edit,
        {
            "name": "Shelter beds",
            "description": "Beds the first night home.",
            "name_es": "Camas de albergue",
            "description_es": "Camas para la primera noche en casa.",
            "key_areas": [cast.key_area.pk],
            "status": "active",
            "serves_when": "after_release",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert (service.name_es, service.description_es) == (
        "Camas de albergue",
        "Camas para la primera noche en casa.",
    )
    page = c_url("service", cast.collab, public_id=service.public_id)
    spanish = speak(login(cast.staff_b), "es").get(page).content.decode()
    assert "Camas de albergue" in spanish and "Camas para la primera noche" in spanish
    english = speak(login(cast.staff_b), "en").get(page).content.decode()
    assert "Shelter beds" in english and "Camas de albergue" not in english
    assert Service.objects.filter(name_es="Camas de albergue").count() == 1
