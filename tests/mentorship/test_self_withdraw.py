"""A person withdraws their own application to mentor, from their own account: the
button on their page, the confirmation page, who may (only them), what is recorded, who
is told, and that their page never shows what only coordinators read."""

import pytest
from django.core import mail
from django.urls import reverse

from mentorship.models import Applicant, BackgroundAssessment, Stage, StageChange
from reentry.audit.models import AuditEvent
from stakeholders.models import Member
from tests.factories import MemberFactory
from tests.mentorship.factories import ApplicantFactory, MentorProfileFactory
from tests.reentry.mail_checks import assert_bulk_notice

pytestmark = pytest.mark.django_db


def u(name, program, *args):
    return reverse(
        f"mentorship:{name}", args=[program.collaborative.slug, program.public_id, *args]
    )


@pytest.fixture
def person(mworld):
    """Someone in screening whose application is linked to their account, with what only
    coordinators read: a background assessment and a coordinator's note on a move."""
    member = MemberFactory(collaborative=mworld.collab, role=Member.Role.COMMUNITY)
    applicant = ApplicantFactory(
        program=mworld.program, name="Pat Person", stage=Stage.INTERVIEWED, member=member
    )
    MentorProfileFactory(program=mworld.program, applicant=applicant)
    StageChange.objects.create(
        applicant=applicant,
        from_stage=Stage.APPLIED,
        to_stage=Stage.INTERVIEWED,
        changed_by=mworld.coordinator.user,
        note="COORDINATOR-ONLY move note",
    )
    BackgroundAssessment.objects.create(
        applicant=applicant,
        what="COORDINATOR-ONLY history",
        notes="COORDINATOR-ONLY decision notes",
        conditions="COORDINATOR-ONLY conditions",
        assessed_by=mworld.coordinator.user,
    )
    return member, applicant


def _withdraw(client, mworld, applicant, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            u("applicant_withdraw_own", mworld.program, applicant.public_id), data, follow=True
        )


# The person can -------------------------------------------------------------------------


def test_the_person_sees_the_button_on_their_page(login, mworld, person):
    member, applicant = person
    response = login(member).get(u("applicant", mworld.program, applicant.public_id))
    assert response.status_code == 200
    assert "Withdraw my application" in response.text
    assert u("applicant_withdraw_own", mworld.program, applicant.public_id) in response.text


def test_the_program_page_links_to_the_persons_application(login, mworld, person):
    member, applicant = person
    response = login(member).get(u("program", mworld.program))
    assert "See my application" in response.text
    assert u("applicant", mworld.program, applicant.public_id) in response.text


def test_the_confirmation_page_asks_first_and_changes_nothing(login, mworld, person):
    member, applicant = person
    response = login(member).get(u("applicant_withdraw_own", mworld.program, applicant.public_id))
    assert response.status_code == 200
    assert "Yes, withdraw my application" in response.text
    assert 'name="note"' in response.text
    applicant.refresh_from_db()
    assert applicant.stage == Stage.INTERVIEWED


def test_the_person_withdraws_and_it_is_recorded_the_usual_way(
    login, mworld, person, django_capture_on_commit_callbacks
):
    member, applicant = person
    response = _withdraw(
        login(member),
        mworld,
        applicant,
        django_capture_on_commit_callbacks,
        note="Found a job with night shifts.",
    )
    assert response.status_code == 200
    assert "Your application is withdrawn" in response.text
    applicant.refresh_from_db()
    assert applicant.stage == Stage.WITHDRAWN
    change = applicant.stage_changes.last()
    assert (change.from_stage, change.to_stage) == (Stage.INTERVIEWED, Stage.WITHDRAWN)
    assert change.changed_by == member.user
    assert change.note == "Found a job with night shifts."
    event = AuditEvent.objects.get(action="mentorship.applicant_withdrew_own")
    assert event.actor == member.user
    assert event.collaborative == mworld.collab
    assert event.details["from_stage"] == Stage.INTERVIEWED
    # The note is for the coordinators, not the audit log.
    assert "night shifts" not in str(event.details)


def test_the_note_is_optional(login, mworld, person, django_capture_on_commit_callbacks):
    member, applicant = person
    _withdraw(login(member), mworld, applicant, django_capture_on_commit_callbacks)
    applicant.refresh_from_db()
    assert applicant.stage == Stage.WITHDRAWN
    assert applicant.stage_changes.last().note == ""


def test_a_too_long_note_is_a_clear_error_keeping_what_was_typed(login, mworld, person):
    member, applicant = person
    text = "word " * 250
    response = login(member).post(
        u("applicant_withdraw_own", mworld.program, applicant.public_id), {"note": text}
    )
    assert response.status_code == 400
    assert "at most 1000 characters" in response.text
    assert "word word word" in response.text
    applicant.refresh_from_db()
    assert applicant.stage == Stage.INTERVIEWED


def test_the_coordinators_are_told_by_email(
    login, mworld, person, django_capture_on_commit_callbacks
):
    member, applicant = person
    quiet = MemberFactory(collaborative=mworld.collab, contact_by_email=False)
    mworld.program.coordinators.add(quiet)
    mail.outbox.clear()
    _withdraw(login(member), mworld, applicant, django_capture_on_commit_callbacks, note="Private")
    to_coordinator = [m for m in mail.outbox if mworld.coordinator.user.email in m.to]
    assert len(to_coordinator) == 1
    message = to_coordinator[0]
    assert "Pat Person withdrew" in message.subject
    assert str(applicant.public_id) in message.body
    assert "left a note" in message.body
    assert "Private" not in message.body  # read on the page, not in an inbox
    assert_bulk_notice(message)
    assert [m for m in mail.outbox if quiet.user.email in m.to] == []  # chose no email
    assert [m for m in mail.outbox if member.user.email in m.to] == []


def test_the_coordinators_stage_history_shows_it(
    login, mworld, person, django_capture_on_commit_callbacks, client
):
    member, applicant = person
    _withdraw(login(member), mworld, applicant, django_capture_on_commit_callbacks, note="Moving")
    client.logout()
    response = login(mworld.coordinator).get(u("applicant", mworld.program, applicant.public_id))
    history = response.text.split("stage-history", 1)[1]
    assert "Withdrawn" in history
    assert member.user.name in history
    assert "Moving" in history


# Twice, and when it is not theirs to do ------------------------------------------------


def test_withdrawing_twice_is_a_clear_message(
    login, mworld, person, django_capture_on_commit_callbacks
):
    member, applicant = person
    client = login(member)
    _withdraw(client, mworld, applicant, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    response = _withdraw(client, mworld, applicant, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "You already withdrew this application" in response.text
    assert applicant.stage_changes.filter(to_stage=Stage.WITHDRAWN).count() == 1
    assert AuditEvent.objects.filter(action="mentorship.applicant_withdrew_own").count() == 1
    assert mail.outbox == []
    page = client.get(u("applicant_withdraw_own", mworld.program, applicant.public_id))
    assert page.status_code == 200
    assert "You already withdrew this application" in page.text
    assert "Yes, withdraw my application" not in page.text


def test_an_approved_mentor_is_sent_to_the_coordinator(
    login, mworld, django_capture_on_commit_callbacks
):
    """An approved mentor with an active match must not vanish: no button, and a POST
    is refused with what to do instead."""
    mentor = mworld.mentor_1.applicant
    client = login(mentor.member)
    page = client.get(u("applicant", mworld.program, mentor.public_id))
    assert "Withdraw my application" not in page.text
    assert "talk to your program" in page.text
    response = _withdraw(client, mworld, mentor, django_capture_on_commit_callbacks)
    assert "talk to your program" in response.text
    mentor.refresh_from_db()
    assert mentor.stage == Stage.APPROVED


def test_a_declined_application_stays_declined(login, mworld, django_capture_on_commit_callbacks):
    member = MemberFactory(collaborative=mworld.collab)
    applicant = ApplicantFactory(
        program=mworld.program, stage=Stage.DECLINED, decline_reason="Not now", member=member
    )
    response = _withdraw(login(member), mworld, applicant, django_capture_on_commit_callbacks)
    assert "already closed" in response.text
    applicant.refresh_from_db()
    assert applicant.stage == Stage.DECLINED


def _another_applicant(mworld):
    other = ApplicantFactory(
        program=mworld.program,
        member=MemberFactory(collaborative=mworld.collab),
        stage=Stage.APPLIED,
    )
    return other.member


@pytest.mark.parametrize(
    "who",
    [
        "another_member",
        "another_applicant",
        "mentor_same_program",
        "staff_other_org",
        "backbone",
        "coordinator",
        "other_collaborative",
    ],
)
def test_nobody_else_can_withdraw_it(
    login, mworld, person, who, django_capture_on_commit_callbacks
):
    _member, applicant = person
    actor = {
        "another_member": lambda: mworld.cast.community,
        "another_applicant": lambda: _another_applicant(mworld),
        "mentor_same_program": lambda: mworld.mentor_1.applicant.member,
        "staff_other_org": lambda: mworld.cast.staff_b,
        "backbone": lambda: mworld.cast.backbone,
        # The coordinator records a withdrawal with their own form, not this one.
        "coordinator": lambda: mworld.coordinator,
        "other_collaborative": lambda: mworld.cast.outsider,
    }[who]()
    client = login(actor)
    url = u("applicant_withdraw_own", mworld.program, applicant.public_id)
    changes = StageChange.objects.count()
    mail.outbox.clear()
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"note": "not mine"}).status_code == 404
    applicant.refresh_from_db()
    assert applicant.stage == Stage.INTERVIEWED
    assert StageChange.objects.count() == changes
    assert not AuditEvent.objects.filter(action="mentorship.applicant_withdrew_own").exists()
    assert mail.outbox == []


def test_other_collaborative_with_its_own_slug_gets_404(login, mworld, person):
    _member, applicant = person
    client = login(mworld.cast.outsider)
    url = reverse(
        "mentorship:applicant_withdraw_own",
        args=["collab-b", mworld.program.public_id, applicant.public_id],
    )
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_an_unlinked_or_inactive_account_gets_404(login, mworld, person):
    member, applicant = person
    member.is_active = False
    member.save(update_fields=["is_active"])
    client = login(member)
    url = u("applicant_withdraw_own", mworld.program, applicant.public_id)
    assert client.post(url).status_code in (403, 404)
    assert Applicant.objects.get(pk=applicant.pk).stage == Stage.INTERVIEWED


def test_anonymous_is_sent_to_sign_in(client, mworld, person):
    _member, applicant = person
    response = client.post(u("applicant_withdraw_own", mworld.program, applicant.public_id))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Applicant.objects.get(pk=applicant.pk).stage == Stage.INTERVIEWED


# The person's page shows only what is theirs to see --------------------------------------


@pytest.mark.parametrize("stage", [Stage.INTERVIEWED, Stage.WITHDRAWN])
def test_the_persons_page_never_shows_coordinator_only_things(login, mworld, person, stage):
    member, applicant = person
    Applicant.objects.filter(pk=applicant.pk).update(stage=stage)
    for page in (
        u("applicant", mworld.program, applicant.public_id),
        u("applicant_withdraw_own", mworld.program, applicant.public_id),
    ):
        fetched = login(member).get(page)
        assert fetched.status_code == 200
        text = fetched.text
        assert "COORDINATOR-ONLY" not in text
        assert "Background assessment" not in text
        assert "stage-history" not in text
        assert "Mark as withdrawn" not in text
        assert "Approve as a mentor" not in text
    # The same page, for the coordinator, does show them (so the check above can fail).
    text = login(mworld.coordinator).get(u("applicant", mworld.program, applicant.public_id)).text
    assert "COORDINATOR-ONLY history" in text
    assert "COORDINATOR-ONLY move note" in text


def test_the_person_sees_their_withdrawn_application_plainly(
    login, mworld, person, django_capture_on_commit_callbacks
):
    member, applicant = person
    response = _withdraw(login(member), mworld, applicant, django_capture_on_commit_callbacks)
    assert "This application was withdrawn on" in response.text
    assert "Withdraw my application" not in response.text.split("my-application", 1)[1]
