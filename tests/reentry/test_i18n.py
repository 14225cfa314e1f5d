"""Spanish from the first commit: pages follow the language cookie, and the switcher
remembers the choice on the signed-in person's account."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_sign_in_page_is_in_spanish_with_the_es_cookie(client):
    response = speak(client, "es").get(reverse("account_login"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    assert 'lang="es"' in response.text
    # The footer is ours (Django's own catalogs already have "Skip to main content").
    assert "software de código abierto para colaborativas de reingreso" in response.text
    assert "open-source software for reentry collaboratives" not in response.text


def test_sign_in_page_stays_in_english_without_a_cookie(client):
    response = client.get(reverse("account_login"))
    assert "open-source software for reentry collaboratives" in response.text
    assert "software de código abierto" not in response.text


def test_collaborative_home_is_in_spanish_with_the_es_cookie(cast, login):
    client = speak(login(cast.backbone), "es")
    response = client.get(reverse("stakeholders:overview", kwargs={"slug": cast.collab.slug}))
    assert response.status_code == 200
    for spanish in ("Áreas clave", "Actividad reciente", "Invitar a alguien", "Resumen"):
        assert spanish in response.text
    assert "Recent activity" not in response.text


def test_switching_language_is_remembered_on_the_account(cast, login):
    client = login(cast.staff_a)
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    cast.staff_a.user.refresh_from_db()
    assert cast.staff_a.user.preferred_language == "es"


def test_an_unknown_language_is_not_saved_on_the_account(cast, login):
    cast.staff_a.user.preferred_language = "en"
    cast.staff_a.user.save(update_fields=["preferred_language"])
    login(cast.staff_a).post(reverse("set_language"), {"language": "xx", "next": "/"})
    cast.staff_a.user.refresh_from_db()
    assert cast.staff_a.user.preferred_language == "en"


def test_anonymous_switch_sets_only_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


@pytest.mark.django_db
def test_saved_language_applies_on_a_new_device(client):
    from tests.factories import UserFactory

    user = UserFactory(preferred_language="es")
    client.force_login(user)
    response = client.get("/")
    assert response.cookies["django_language"].value == "es"
    assert response.headers["Content-Language"] == "es"


@pytest.mark.django_db
def test_browser_choice_wins_over_the_saved_language(client):
    from tests.factories import UserFactory

    user = UserFactory(preferred_language="es")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"


def test_directory_page_is_in_spanish_with_the_es_cookie(cast, login):
    client = speak(login(cast.staff_a), "es")
    response = client.get(reverse("stakeholders:directory", kwargs={"slug": cast.collab.slug}))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    for spanish in ("Buscar un servicio", "Mostrar servicios", "Hojas de recursos para imprimir"):
        assert spanish in response.text
    assert "Find a service" not in response.text
    assert "Printable resource sheets" not in response.text


def test_working_groups_page_is_in_spanish_with_the_es_cookie(cast, login):
    client = speak(login(cast.backbone), "es")
    response = client.get(reverse("workgroups:groups", kwargs={"slug": cast.collab.slug}))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    for spanish in ("Grupos de trabajo", "Mis tareas", "Todos los grupos", "Crear un grupo"):
        assert spanish in response.text
    assert "My action items" not in response.text
    assert "Start a group" not in response.text
