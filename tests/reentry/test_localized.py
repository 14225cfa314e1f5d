"""Stored text in the reader's language (reentry/i18n.py): what the product wrote is
translated; what an organization wrote shows its Spanish version, when it gave one."""

import importlib

import pytest
from django.apps import apps
from django.template import Context, Template
from django.utils import translation

from reentry.i18n import localized, localized_text, written_by_product
from stakeholders.models import KeyArea
from workgroups.models import WHOLE_COLLABORATIVE_CHARTER, WHOLE_COLLABORATIVE_NAME, WorkingGroup


def in_spanish(obj, field):
    with translation.override("es"):
        return localized(obj, field)


def test_what_the_product_wrote_is_translated():
    assert in_spanish(WorkingGroup(name=WHOLE_COLLABORATIVE_NAME), "name") == "Toda la colaborativa"
    assert in_spanish(KeyArea(name="Housing"), "name") == "Vivienda"
    with translation.override("en"):
        assert localized(KeyArea(name="Housing"), "name") == "Housing"


def test_every_seeded_string_is_declared():
    from indicators.seeds import DEFAULT_DIMENSIONS
    from stakeholders.seeds import DEFAULT_KEY_AREAS, DEFAULT_SECTORS

    declared = written_by_product()
    assert {name for name, _d in DEFAULT_KEY_AREAS} <= declared
    assert {d for _n, d in DEFAULT_KEY_AREAS} <= declared
    assert set(DEFAULT_SECTORS) <= declared
    assert {name for _c, name, _v in DEFAULT_DIMENSIONS} <= declared
    assert {WHOLE_COLLABORATIVE_NAME, WHOLE_COLLABORATIVE_CHARTER} <= declared


def test_text_an_organization_edited_is_shown_as_written():
    assert in_spanish(KeyArea(name="Housing and shelter"), "name") == "Housing and shelter"


def test_stored_words_that_match_a_button_are_not_looked_up():
    # "Cancel" is in the catalogue (a button), but a group named so is the group's own name.
    with translation.override("es"):
        assert translation.gettext("Cancel") != "Cancel"
    assert in_spanish(WorkingGroup(name="Cancel"), "name") == "Cancel"
    assert localized_text("Cancel") == "Cancel"


def test_the_spanish_version_is_for_spanish_readers_when_given():
    group = WorkingGroup(name="Housing group", name_es="Grupo de vivienda", charter="Beds.")
    assert in_spanish(group, "name") == "Grupo de vivienda"
    assert in_spanish(group, "charter") == "Beds."  # no Spanish charter: the English
    with translation.override("en"):
        assert localized(group, "name") == "Housing group"
    assert str(group) == "Housing group"
    with translation.override("es"):
        assert str(group) == "Grupo de vivienda"


def test_an_organization_can_translate_what_the_product_wrote():
    group = WorkingGroup(name=WHOLE_COLLABORATIVE_NAME, name_es="Plenario")
    assert in_spanish(group, "name") == "Plenario"


def test_the_template_filter_needs_no_load_and_escapes():
    group = WorkingGroup(name="A & B", name_es="<b>A y B</b>")
    template = Template('{{ group|localized:"name" }} · {{ area|localized:"name" }}')
    context = Context({"group": group, "area": {"name": "Housing"}})
    with translation.override("es"):
        assert template.render(context) == "&lt;b&gt;A y B&lt;/b&gt; · Vivienda"
    with translation.override("en"):
        assert template.render(context) == "A &amp; B · Housing"


@pytest.mark.django_db
def test_a_whole_group_stored_in_spanish_goes_back_to_its_english_source(cast):
    migration = importlib.import_module("workgroups.migrations.0008_spanish_versions")
    made_in_spanish = WorkingGroup.objects.create(
        collaborative=cast.collab,
        name="Toda la colaborativa",
        slug="toda",
        charter="Reuniones de todas las personas de la colaborativa.",
        is_whole_collaborative=True,
    )
    renamed = WorkingGroup.objects.create(
        collaborative=cast.other_collab,
        name="Plenary",
        slug="plenary",
        is_whole_collaborative=True,
    )
    migration.store_whole_group_in_english(apps, None)
    made_in_spanish.refresh_from_db()
    renamed.refresh_from_db()
    assert made_in_spanish.name == WHOLE_COLLABORATIVE_NAME
    assert made_in_spanish.charter == WHOLE_COLLABORATIVE_CHARTER
    assert renamed.name == "Plenary"
