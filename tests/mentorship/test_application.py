"""The public application form: no sign-in, phone-first, any language, spam-proofed."""

import pytest
from django.urls import reverse

from mentorship.models import Applicant, MentorProfile, StageChange
from mentorship.views.public import APPLY_LIMIT
from reentry.audit.models import AuditEvent
from tests.mentorship.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(cast):
    return ProgramFactory(collaborative=cast.collab, slug="second-chances", name="Second Chances")


def url(program):
    return reverse("mentorship_apply", args=[program.collaborative.slug, program.slug])


def answers(**extra):
    data = {
        "name": "Dana Rivers",
        "phone": "319-555-0101",
        "email": "",
        "preferred_language": "es",
        "languages": ["en", "es"],
        "why": "I came home in 2019 and someone helped me.",
        "lived_experience": "yes",
        "availability": ["0-evening", "5-morning"],
        "neighbourhood": "Northside",
        "interests": "cooking, Music, cooking",
        "capacity": "2",
        "gender": "woman",
        "age_range": "35-44",
        "website": "",
        "consent": "on",
    }
    data.update(extra)
    return data


def test_anyone_sees_the_form(client, program):
    response = client.get(url(program))
    assert response.status_code == 200
    assert "Become a mentor with Second Chances" in response.text
    assert 'name="website"' in response.text  # the honeypot is there, hidden by CSS


def test_the_form_speaks_spanish(client, program):
    response = client.get(url(program), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "es"
    assert 'value="es" selected' in response.text.replace('selected=""', "selected")


def test_an_application_creates_the_applicant_their_profile_and_history(client, program, cast):
    response = client.post(url(program), answers(key_areas=[cast.key_area.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/")
    applicant = Applicant.objects.get()
    assert applicant.program == program
    assert applicant.stage == "applied"
    assert applicant.preferred_language == "es"
    assert applicant.answers == {"why": "I came home in 2019 and someone helped me."}
    profile = MentorProfile.objects.get(applicant=applicant)
    assert profile.languages == ["en", "es"]
    assert profile.availability == [[0, "17:00", "21:00"], [5, "09:00", "12:00"]]
    assert profile.interests == ["cooking", "Music"]
    assert profile.capacity == 2
    assert list(profile.key_areas.all()) == [cast.key_area]
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", "applied", None)
    assert AuditEvent.objects.filter(action="mentorship.applicant_submitted").count() == 1


def test_mistakes_are_shown_and_what_was_typed_is_kept(client, program):
    response = client.post(url(program), answers(phone="", email="", why=""))
    assert response.status_code == 400
    assert "Give an email or a phone number" in response.text
    assert "Dana Rivers" in response.text
    assert Applicant.objects.count() == 0


def test_another_collaboratives_key_area_is_refused(client, program, cast):
    from tests.factories import KeyAreaFactory

    foreign = KeyAreaFactory(collaborative=cast.other_collab)
    response = client.post(url(program), answers(key_areas=[foreign.pk]))
    assert response.status_code == 400
    assert Applicant.objects.count() == 0


def test_the_honeypot_drops_bots_quietly(client, program):
    response = client.post(url(program), answers(website="http://spam.example"))
    assert response.status_code == 302
    assert Applicant.objects.count() == 0


def test_too_many_applications_from_one_address_are_refused(client, program):
    for i in range(APPLY_LIMIT):
        assert client.post(url(program), answers(name=f"Person {i}")).status_code == 302
    response = client.post(url(program), answers(name="One too many"))
    assert response.status_code == 429
    assert "try again in an hour" in response.text
    assert Applicant.objects.count() == APPLY_LIMIT


def test_the_limit_holds_when_redis_is_down(client, program, settings):
    """With Redis down the resilient cache answers every read with a miss; the form
    counts in the database instead and still refuses the sixth application."""
    from reentry.ratelimit.models import RateCounter

    settings.CACHES = {
        "default": {
            "BACKEND": "reentry.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    for i in range(APPLY_LIMIT):
        assert client.post(url(program), answers(name=f"Person {i}")).status_code == 302
    response = client.post(url(program), answers(name="One too many"))
    assert response.status_code == 429
    assert Applicant.objects.count() == APPLY_LIMIT
    assert RateCounter.objects.get().count == APPLY_LIMIT + 1


def test_a_program_not_taking_applications_says_so(client, program):
    program.accepts_applications = False
    program.save()
    response = client.get(url(program))
    assert "not taking new mentors" in response.text
    client.post(url(program), answers())
    assert Applicant.objects.count() == 0


def test_unknown_or_stopped_program_is_404(client, program):
    assert client.get("/apply/collab-a/nope/").status_code == 404
    assert client.get(f"/apply/collab-b/{program.slug}/").status_code == 404
    program.is_active = False
    program.save()
    assert client.get(url(program)).status_code == 404


def test_thanks_page(client, program):
    response = client.get(reverse("mentorship_apply_thanks", args=["collab-a", program.slug]))
    assert response.status_code == 200
    assert "Thank you for applying" in response.text
