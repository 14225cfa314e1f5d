"""Programs: backbone staff start them and choose coordinators; coordinators change the
rules and training modules; other members see that a program exists; other
collaboratives see nothing."""

import pytest
from django.urls import reverse

from mentorship.models import Program

pytestmark = pytest.mark.django_db


def form_data(**extra):
    data = {
        "name": "Walking Home",
        "slug": "walking-home",
        "description": "Mentors for people coming home.",
        "accepts_applications": "on",
        "is_active": "on",
        "stipend_per_session": "25.00",
        "stipend_per_hour": "",
        "monthly_cap": "200.00",
        "first_contact_hours": "48",
        "first_month_contacts": "2",
        "contact_every_days": "30",
        "quiet_alert_days": "21",
        "release_alert_days": "14",
        "distance_scale_km": "25",
        "weight_key_areas": "3",
        "weight_lived_experience": "2",
        "weight_distance": "2",
        "weight_interests": "1",
        "weight_age": "0",
    }
    data.update(extra)
    return data


def test_backbone_starts_a_program_with_coordinators(login, cast):
    client = login(cast.backbone)
    url = reverse("mentorship:program_create", args=["collab-a"])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(coordinators=[cast.community.pk]))
    assert response.status_code == 302
    program = Program.objects.get(slug="walking-home")
    assert list(program.coordinators.all()) == [cast.community]
    assert program.effective_weights["age"] == 0
    assert program.weights["key_areas"] == 3


def test_all_weights_zero_is_refused(login, cast):
    client = login(cast.backbone)
    response = client.post(
        reverse("mentorship:program_create", args=["collab-a"]),
        form_data(
            weight_key_areas="0",
            weight_lived_experience="0",
            weight_distance="0",
            weight_interests="0",
        ),
    )
    assert response.status_code == 200
    assert "At least one part of the fit must count." in response.text
    assert not Program.objects.exists()


def test_coordinators_cannot_be_from_another_collaborative(login, cast):
    client = login(cast.backbone)
    response = client.post(
        reverse("mentorship:program_create", args=["collab-a"]),
        form_data(coordinators=[cast.outsider.pk]),
    )
    assert response.status_code == 200
    assert not Program.objects.exists()


@pytest.mark.parametrize("who", ["admin_a", "staff_a", "community", "observer"])
def test_only_backbone_starts_programs(login, cast, who):
    assert (
        login(getattr(cast, who))
        .get(reverse("mentorship:program_create", args=["collab-a"]))
        .status_code
        == 403
    )


def test_coordinator_changes_rules_but_not_coordinators(login, mworld):
    client = login(mworld.coordinator)
    url = reverse("mentorship:program_edit", args=["collab-a", mworld.program.public_id])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="coordinators"' not in response.text
    client.post(url, form_data(slug=mworld.program.slug, name="Renamed", monthly_cap="150.00"))
    mworld.program.refresh_from_db()
    assert mworld.program.name == "Renamed"
    assert list(mworld.program.coordinators.all()) == [mworld.coordinator]


def test_members_see_the_program_but_not_its_settings(login, mworld):
    client = login(mworld.cast.staff_c)
    assert (
        client.get(
            reverse("mentorship:program", args=["collab-a", mworld.program.public_id])
        ).status_code
        == 200
    )
    edit = reverse("mentorship:program_edit", args=["collab-a", mworld.program.public_id])
    assert client.get(edit).status_code == 403
    listing = client.get(reverse("mentorship:programs", args=["collab-a"]))
    assert mworld.program.name in listing.text
    assert mworld.other_program.name not in listing.text


def test_other_collaborative_sees_nothing(login, mworld):
    client = login(mworld.cast.outsider)
    assert (
        client.get(
            reverse("mentorship:program", args=["collab-a", mworld.program.public_id])
        ).status_code
        == 404
    )
    assert client.get(reverse("mentorship:programs", args=["collab-a"])).status_code == 404
    url = reverse("mentorship:program_edit", args=["collab-b", mworld.program.public_id])
    assert client.get(url).status_code == 404


def test_coordinator_adds_a_training_module(login, mworld):
    client = login(mworld.coordinator)
    client.post(
        reverse("mentorship:module_add", args=["collab-a", mworld.program.public_id]),
        {"name": "Boundaries", "description": "", "hours": "2", "is_required": "on", "order": "1"},
    )
    assert mworld.program.modules.get().name == "Boundaries"
    # A member who does not manage the program cannot.
    response = login(mworld.cast.staff_a).post(
        reverse("mentorship:module_add", args=["collab-a", mworld.program.public_id]),
        {"name": "Sneaky", "hours": "1"},
    )
    assert response.status_code == 403
    assert mworld.program.modules.count() == 1


def test_program_page_shows_coordinator_figures(login, mworld):
    response = login(mworld.coordinator).get(
        reverse("mentorship:program", args=["collab-a", mworld.program.public_id])
    )
    assert response.status_code == 200
    assert "Active matches" in response.text
    other = login(mworld.cast.staff_a).get(
        reverse("mentorship:program", args=["collab-a", mworld.program.public_id])
    )
    assert "Active matches" not in other.text
