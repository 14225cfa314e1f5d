"""reentry/sharing/forms.py on a shareable other than a dataset (the test app's Folder):
the levels in plain words, targets of the object's own collaborative only, pre-filling
from the current grants, and the checks before ``sharing_set``."""

import pytest

from reentry.sharing.forms import SharingForm, describe_audience, target_names
from reentry.sharing.services import sharing_set
from tests.sharingapp.models import Folder
from workgroups.models import WorkingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(cast):
    return Folder.objects.create(owner=cast.org_a, title="Case notes")


def data(level, **targets):
    return {"level": level, **{k: [str(t.public_id) for t in v] for k, v in targets.items()}}


def test_levels_are_explained_for_this_object(cast, folder):
    form = SharingForm(obj=folder)
    assert form.explanations["private"] == "Only the people of Org A."
    assert form.explanations["sector"] == "Every organization in the Housing sector."
    assert "Collaborative A" in form.explanations["collaborative"]
    assert [value for value, _label in form.fields["level"].choices] == [
        "private",
        "sector",
        "shared",
        "collaborative",
        "public",
    ]
    assert describe_audience(folder) == "Only the people of Org A."


def test_levels_can_be_narrowed_but_the_current_one_stays(cast, folder):
    sharing_set(actor=cast.admin_a, obj=folder, level="public")
    form = SharingForm(obj=folder, levels=["private", "collaborative"])
    choices = [value for value, _label in form.fields["level"].choices]
    assert choices == ["private", "collaborative", "public"]


def test_targets_are_this_collaboratives_only_and_never_the_owner(cast, folder):
    WorkingGroup.objects.create(collaborative=cast.collab, name="Table", slug="t")
    WorkingGroup.objects.create(collaborative=cast.other_collab, name="Elsewhere", slug="e")
    form = SharingForm(obj=folder)
    assert set(form.fields["organizations"].queryset) == {cast.org_b, cast.org_c}
    assert set(form.fields["sectors"].queryset) == {cast.sector1, cast.sector2}
    assert [g.name for g in form.fields["groups"].queryset] == ["Table"]


def test_prefilled_from_the_current_grants(cast, folder):
    sharing_set(
        actor=cast.admin_a, obj=folder, level="shared", share_with=[cast.org_c, cast.sector1]
    )
    form = SharingForm(obj=folder)
    assert form["level"].value() == "shared"
    assert [str(v) for v in form["organizations"].value()] == [str(cast.org_c.public_id)]
    assert [str(v) for v in form["sectors"].value()] == [str(cast.sector1.public_id)]
    assert target_names(form.current_targets) == ["Org C", "the Housing sector"]


def test_shared_needs_a_target_and_foreign_ones_are_refused(cast, folder):
    assert not SharingForm(data("shared"), obj=folder).is_valid()
    foreign = SharingForm(data("shared", organizations=[cast.org_x]), obj=folder)
    assert not foreign.is_valid() and "organizations" in foreign.errors
    ok = SharingForm(data("shared", organizations=[cast.org_b]), obj=folder)
    assert ok.is_valid() and ok.share_with() == [cast.org_b] and ok.has_sharing_changed()


def test_other_levels_ignore_ticked_targets(cast, folder):
    form = SharingForm(data("collaborative", organizations=[cast.org_b]), obj=folder)
    assert form.is_valid() and form.share_with() == []
    same = SharingForm(data("private"), obj=folder)
    assert same.is_valid() and not same.has_sharing_changed()
