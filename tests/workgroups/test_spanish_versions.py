"""Groups, polls and quick wins in Spanish: the product's own "Full collaborative" group is
translated when shown; an organization's Spanish version of its own words is saved from the
forms and shown to Spanish readers only."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from tests.workgroups.polls_world import make_poll
from workgroups import services
from workgroups.models import WHOLE_COLLABORATIVE_NAME
from workgroups.polls import services as polls
from workgroups.quickwins.models import QuickWin

pytestmark = pytest.mark.django_db


def speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def in_spanish(client):
    return speak(client, "es")


def in_english(client):
    return speak(client, "en")


def group_url(group, name="group"):
    return reverse(f"workgroups:{name}", kwargs={"slug": "collab-a", "public_id": group.public_id})


def test_the_whole_group_is_stored_in_english_whoever_makes_it(cast, login):
    with translation.override("es"):
        group = services.whole_collaborative_group(collaborative=cast.collab)
    assert group.name == WHOLE_COLLABORATIVE_NAME
    page = in_spanish(login(cast.community)).get(group_url(group)).content.decode()
    assert "Toda la colaborativa" in page
    assert "Reuniones de todas las personas de la colaborativa." in page
    assert "Full collaborative" not in page


def test_a_chair_gives_the_group_a_spanish_name_and_charter(cast, wg, login):
    group = wg.housing
    data = {
        "name": group.name,
        "key_area": group.key_area_id or "",
        "charter": "Beds for everyone coming home.",
        "name_es": "Grupo de vivienda",
        "charter_es": "Camas para todas las personas que regresan.",
        "join_policy": group.join_policy,
        "requires_community_cochair": "on",
        "minutes_sharing": group.minutes_sharing,
    }
    client = login(cast.staff_a)
    form = client.get(group_url(group, "group_edit")).content.decode()
    assert "Shown to people reading in Spanish. Leave empty to show the English." in form
    response = client.post(group_url(group, "group_edit"), {k: v for k, v in data.items() if v})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name_es, group.charter_es) == (data["name_es"], data["charter_es"])

    spanish = in_spanish(login(cast.community)).get(group_url(group)).content.decode()
    assert "Grupo de vivienda" in spanish and "Camas para todas" in spanish
    assert "Beds for everyone coming home." not in spanish
    english = in_english(login(cast.community)).get(group_url(group)).content.decode()
    assert "Beds for everyone coming home." in english and "Grupo de vivienda" not in english


def test_an_empty_spanish_version_shows_the_english(cast, wg, login):
    page = in_spanish(login(cast.community)).get(group_url(wg.housing)).content.decode()
    assert wg.housing.name in page


def _at_six_pm(day: date) -> str:
    return f"{day.isoformat()}T18:00"


def poll_data(wg, **changes):
    data = {
        "group": wg.housing.pk,
        "title": "What first?",
        "method": "approval",
        "seats": "1",
        "opens_at": _at_six_pm(timezone.localdate() + timedelta(days=1)),
        "closes_at": _at_six_pm(timezone.localdate() + timedelta(days=8)),
        "electorate": "group",
        "quorum": "0",
        "options_text": "Lockers\nClinic",
    }
    data.update(changes)
    return data


def test_poll_options_take_their_spanish_line_by_line(cast, wg, login):
    draft = make_poll(cast.staff_a, wg.housing, open_now=False)
    edit = reverse("polls:edit", args=["collab-a", draft.public_id])
    client = login(cast.staff_a)
    response = client.post(edit, poll_data(wg, options_text_es="Casilleros\nClínica"))
    assert response.status_code == 302
    options = list(draft.options.all())
    assert [(o.label, o.label_es) for o in options] == [
        ("Lockers", "Casilleros"),
        ("Clinic", "Clínica"),
    ]
    assert "Casilleros\nClínica" in client.get(edit).content.decode()  # kept for editing
    polls.poll_open(actor=cast.staff_a, poll=draft)
    detail = reverse("polls:detail", args=["collab-a", draft.public_id])
    assert "Casilleros" in in_spanish(login(cast.staff_b)).get(detail).content.decode()
    assert "Casilleros" not in in_english(login(cast.staff_b)).get(detail).content.decode()


def test_poll_options_in_spanish_must_match_line_for_line(cast, wg, login):
    draft = make_poll(cast.staff_a, wg.housing, open_now=False)
    edit = reverse("polls:edit", args=["collab-a", draft.public_id])
    response = login(cast.staff_a).post(edit, poll_data(wg, options_text_es="Solo una"))
    assert response.status_code == 200
    assert "Give one line in Spanish for each option" in response.content.decode()
    assert "Solo una" in response.content.decode()  # what was typed stays
    assert [o.label_es for o in draft.options.all()] == ["", "", ""]


def test_a_quick_win_proposed_in_both_languages(cast, wg, login):
    response = login(cast.community).post(
        reverse("quickwins:propose", kwargs={"slug": "collab-a"}),
        {
            "title": "Phones for release day",
            "problem": "No phone, no job call-backs.",
            "title_es": "Teléfonos para el día de salida",
            "problem_es": "Sin teléfono no hay llamadas de trabajo.",
        },
    )
    assert response.status_code == 302
    quick_win = QuickWin.objects.get(title="Phones for release day")
    assert quick_win.title_es == "Teléfonos para el día de salida"
    page = in_spanish(login(cast.staff_b)).get(response["Location"]).content.decode()
    assert "Teléfonos para el día de salida" in page
    assert "Sin teléfono no hay llamadas de trabajo." in page
    # An option made from it carries its Spanish title.
    poll = make_poll(cast.staff_a, wg.housing, open_now=False, options=("Other idea",))
    polls.poll_set_options(
        actor=cast.staff_a, poll=poll, labels=["Other idea"], quick_wins=[quick_win]
    )
    assert poll.options.get(quick_win=quick_win).label_es == "Teléfonos para el día de salida"
