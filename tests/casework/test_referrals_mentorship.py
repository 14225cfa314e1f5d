"""A mentee referral is a referral: Org A refers Pat to Org B, whose staff coordinate the
mentoring program; once accepted, the coordinator adds the mentee linked to Pat's
participant code (``MenteeProfile.participant``, a real link to casework's Participant)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.services import referrals as services
from mentorship.forms.pipeline import MenteeProfileForm
from mentorship.models import MenteeProfile
from mentorship.services import profiles
from tests.casework.referrals_world import rw, send  # noqa: F401 - fixture
from tests.mentorship.factories import ProgramFactory


@pytest.fixture
def program(rw):  # noqa: F811
    return ProgramFactory(collaborative=rw.c.collab, coordinators=[rw.c.staff_b])


def _choices(form) -> set:
    return set(form.fields["participant"].queryset)


def test_the_form_offers_only_participants_the_coordinator_may_see(rw, program):  # noqa: F811
    form = MenteeProfileForm(collaborative=rw.c.collab, viewer=rw.c.staff_b.user)
    # Org B sees Rae (its own) and Pat (through the consent to Org B), never Quinn or Xavier.
    assert rw.cb.rae_b.participant in _choices(form)
    assert rw.cb.quinn_c.participant not in _choices(form)
    assert rw.cb.xavier_x.participant not in _choices(form)
    nobody = MenteeProfileForm(collaborative=rw.c.collab, viewer=rw.c.community.user)
    assert _choices(nobody) == set()


def test_accepted_mentee_referral_links_the_mentee(rw, program, login):  # noqa: F811
    referral = services.referral_accept(actor=rw.c.staff_b, referral=send(rw))
    pat = referral.participant
    client = login(rw.c.staff_b)
    # The referral page points the coordinator to the program; the form preselects Pat
    # when linked with ?participant=.
    base = reverse("mentorship:mentee_create", args=[rw.c.collab.slug, program.public_id])
    page = client.get(f"{base}?participant={pat.public_id}").content.decode()
    assert f'<option value="{pat.pk}" selected>{pat.code}</option>' in page
    mentee = profiles.mentee_create(
        actor=rw.c.staff_b,
        program=program,
        name="Pat",
        languages=["en"],
        referral=MenteeProfile.Referral.PROVIDER,
        referred_by=rw.c.org_a,
        participant=pat,
    )
    assert mentee.participant == pat
    assert list(pat.mentee_profiles.all()) == [mentee]


def test_a_participant_of_another_collaborative_cannot_be_linked(rw, program):  # noqa: F811
    with pytest.raises(ValidationError):
        profiles.mentee_create(
            actor=rw.c.staff_b,
            program=program,
            name="X",
            languages=["en"],
            participant=rw.cb.xavier_x.participant,
        )


def test_the_referral_page_of_a_mentorship_referral_points_to_mentoring(rw, login):  # noqa: F811
    mentoring = rw.cb.housing.__class__.objects.create(
        collaborative=rw.c.collab,
        name="Mentorship and Self-Actualization",
        slug="mentorship-and-self-actualization",
    )
    rw.cb.to_b.key_areas.add(mentoring)
    rw.service_b.key_areas.add(mentoring)
    referral = send(rw, key_area=mentoring)
    services.referral_accept(actor=rw.c.staff_b, referral=referral)
    path = reverse("casework:referral", args=[rw.c.collab.slug, referral.public_id])
    page = login(rw.c.staff_b).get(path).content.decode()
    assert reverse("mentorship:programs", args=[rw.c.collab.slug]) in page
    assert "A mentee referral" in page
    sender = login(rw.c.staff_a).get(path).content.decode()
    assert "A mentee referral" not in sender
