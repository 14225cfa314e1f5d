"""The screening pipeline: the board, moving applications, training, approval, declining,
withdrawal, background assessments (coordinators only), and who may see what."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship.models import Applicant, BackgroundAssessment, Stage, StageChange
from reentry.audit.models import AuditEvent
from tests.factories import MemberFactory
from tests.mentorship.factories import (
    ApplicantFactory,
    MentorProfileFactory,
    TrainingModuleFactory,
)

pytestmark = pytest.mark.django_db


def u(name, program, *args):
    return reverse(
        f"mentorship:{name}", args=[program.collaborative.slug, program.public_id, *args]
    )


@pytest.fixture
def applicant(mworld):
    a = ApplicantFactory(program=mworld.program, name="Alex Applicant", stage=Stage.APPLIED)
    MentorProfileFactory(program=mworld.program, applicant=a)
    return a


def as_coordinator(login, mworld):
    return login(mworld.coordinator)


# The board ------------------------------------------------------------------------------


def test_coordinator_sees_the_board_with_columns(login, mworld, applicant):
    response = as_coordinator(login, mworld).get(u("pipeline", mworld.program))
    assert response.status_code == 200
    for label in [
        "Applied",
        "Interviewed",
        "References checked",
        "Background review",
        "Trained",
        "Approved",
    ]:
        assert label in response.text
    assert "Alex Applicant" in response.text


@pytest.mark.parametrize(
    "who", ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community"]
)
def test_members_who_do_not_coordinate_get_403(login, mworld, who):
    client = login(getattr(mworld.cast, who))
    assert client.get(u("pipeline", mworld.program)).status_code == 403
    assert client.get(u("applicants", mworld.program)).status_code == 403


def test_other_collaborative_gets_404(login, mworld):
    client = login(mworld.cast.outsider)
    assert client.get(u("pipeline", mworld.program)).status_code == 404
    assert client.get(u("program", mworld.program)).status_code == 404
    # Even with their own collaborative's slug, the program is not found.
    url = reverse("mentorship:pipeline", args=["collab-b", mworld.program.public_id])
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, mworld):
    response = client.get(u("pipeline", mworld.program))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_board_query_count_does_not_grow_with_applicants(login, mworld, count_queries):
    client = as_coordinator(login, mworld)
    ApplicantFactory(program=mworld.program)
    one = count_queries(client, u("pipeline", mworld.program))
    for i in range(25):
        ApplicantFactory(program=mworld.program, stage=Stage.pipeline()[i % 5])
    assert count_queries(client, u("pipeline", mworld.program)) == one


def _bulk_applicants(program, per_stage, start=0):
    now = timezone.now()
    stages = [*Stage.open_stages(), Stage.APPROVED]
    made = Applicant.objects.bulk_create(
        Applicant(
            program=program,
            name=f"Person {stage.value} {start + i}",
            email=f"p-{stage.value}-{start + i}@example.org",
            stage=stage,
        )
        for stage in stages
        for i in range(per_stage)
    )
    for n, a in enumerate(made):  # stage_changed_at is set on creation: date them after
        hours = start + n % per_stage
        Applicant.objects.filter(pk=a.pk).update(
            stage_changed_at=now - datetime.timedelta(hours=hours)
        )


def test_board_shows_the_same_cards_and_queries_at_1x_and_10x(login, mworld, count_queries):
    from mentorship.views.pipeline import APPROVED_ON_BOARD, BOARD_LIMIT

    client = as_coordinator(login, mworld)
    board = u("pipeline", mworld.program)
    _bulk_applicants(mworld.program, BOARD_LIMIT + 3)
    one = count_queries(client, board)
    cards_1x = count_queries.page.count('<li class="board-card')
    forms_1x = count_queries.page.count("<form")
    _bulk_applicants(mworld.program, 9 * (BOARD_LIMIT + 3), start=1000)
    assert count_queries(client, board) == one
    page = count_queries.page
    open_columns = len(Stage.open_stages())
    assert page.count('<li class="board-card') == cards_1x
    assert cards_1x == open_columns * BOARD_LIMIT + APPROVED_ON_BOARD
    assert page.count("<form") == forms_1x < BOARD_LIMIT  # one form, not one per card
    total = 10 * (BOARD_LIMIT + 3)
    assert f"See all {total}" in page
    # The newest of each column, shown oldest first.
    columns = {c["stage"]: c for c in client.get(board).context["columns"]}
    applied = [a.name for a in columns["applied"]["cards"]]
    assert applied[-1] == "Person applied 0"
    assert applied[0] == f"Person applied {BOARD_LIMIT - 1}"
    listing = client.get(u("applicants", mworld.program), {"stage": "applied"})
    assert listing.context["page"].paginator.count == total
    second = client.get(u("applicants", mworld.program), {"stage": "applied", "page": 2})
    assert second.context["page"].number == 2


def test_the_board_form_moves_and_approves_the_named_card(login, mworld, applicant):
    client = as_coordinator(login, mworld)
    target = u("pipeline_move", mworld.program)
    response = client.post(target, {"move": f"{applicant.public_id} interviewed", "from": "board"})
    assert response.status_code == 302
    assert f"moved={applicant.public_id}" in response["Location"]
    applicant.refresh_from_db()
    assert applicant.stage == "interviewed"
    trained = ApplicantFactory(program=mworld.program, name="Tia Trained", stage=Stage.TRAINED)
    client.post(target, {"approve": str(trained.public_id), "from": "board"})
    trained.refresh_from_db()
    assert trained.stage == Stage.APPROVED
    client.post(target, {"move": f"{applicant.public_id} approved", "from": "board"})
    applicant.refresh_from_db()
    assert applicant.stage == "interviewed"  # approval only through its own button


def test_the_board_form_refuses_others_and_other_collaboratives(login, mworld, applicant):
    target = u("pipeline_move", mworld.program)
    outsider = login(mworld.cast.outsider)
    assert outsider.post(target, {"move": f"{applicant.public_id} interviewed"}).status_code == 404
    assert outsider.post(target, {"approve": str(applicant.public_id)}).status_code == 404
    staff = login(mworld.cast.staff_a)
    # Not a coordinator: the application is not theirs to see, as on its own page.
    assert staff.post(target, {"move": f"{applicant.public_id} interviewed"}).status_code == 404
    coordinator = as_coordinator(login, mworld)
    assert coordinator.post(target, {"move": "nonsense interviewed"}).status_code == 404
    applicant.refresh_from_db()
    assert applicant.stage == "applied"


def test_applicant_list_query_count(login, mworld, count_queries):
    client = as_coordinator(login, mworld)
    ApplicantFactory(program=mworld.program)
    one = count_queries(client, u("applicants", mworld.program))
    ApplicantFactory.create_batch(25, program=mworld.program)
    assert count_queries(client, u("applicants", mworld.program)) == one


def test_applicant_list_filters_by_stage(login, mworld, applicant):
    ApplicantFactory(
        program=mworld.program, name="Dee Declined", stage=Stage.DECLINED, decline_reason="x"
    )
    client = as_coordinator(login, mworld)
    response = client.get(u("applicants", mworld.program), {"stage": "declined"})
    assert "Dee Declined" in response.text
    assert "Alex Applicant" not in response.text


# Moving along ---------------------------------------------------------------------------


def test_move_to_the_next_stage_records_history(login, mworld, applicant):
    client = as_coordinator(login, mworld)
    response = client.post(
        u("applicant_move", mworld.program, applicant.public_id),
        {"stage": "interviewed", "from": "board"},
    )
    assert response.status_code == 302
    assert f"moved={applicant.public_id}" in response["Location"]
    applicant.refresh_from_db()
    assert applicant.stage == "interviewed"
    change = StageChange.objects.get(applicant=applicant)
    assert (change.from_stage, change.to_stage) == ("applied", "interviewed")
    assert change.changed_by == mworld.coordinator.user
    assert AuditEvent.objects.filter(action="mentorship.applicant_moved").exists()
    detail = client.get(u("applicant", mworld.program, applicant.public_id))
    assert "Interviewed" in detail.text


def test_cannot_move_straight_to_approved(login, mworld, applicant):
    client = as_coordinator(login, mworld)
    client.post(u("applicant_move", mworld.program, applicant.public_id), {"stage": "approved"})
    applicant.refresh_from_db()
    assert applicant.stage == "applied"


def test_approval_waits_for_required_training(login, mworld, applicant):
    module = TrainingModuleFactory(program=mworld.program, name="Boundaries and safety")
    TrainingModuleFactory(program=mworld.program, name="Optional extra", is_required=False)
    client = as_coordinator(login, mworld)
    response = client.post(u("applicant_approve", mworld.program, applicant.public_id), follow=True)
    assert "still needs this training: Boundaries and safety" in response.text
    applicant.refresh_from_db()
    assert applicant.stage == "applied"

    response = client.post(
        u("training_record", mworld.program, applicant.public_id),
        {"module": module.pk, "completed_on": "2026-11-20"},
    )
    assert response.status_code == 302
    client.post(u("applicant_approve", mworld.program, applicant.public_id))
    applicant.refresh_from_db()
    assert applicant.stage == "approved"


def test_training_date_cannot_be_in_the_future(login, mworld, applicant):
    module = TrainingModuleFactory(program=mworld.program)
    response = as_coordinator(login, mworld).post(
        u("training_record", mworld.program, applicant.public_id),
        {
            "module": module.pk,
            "completed_on": (timezone.localdate() + datetime.timedelta(days=9)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.text


def test_decline_needs_a_reason(login, mworld, applicant):
    client = as_coordinator(login, mworld)
    response = client.post(
        u("applicant_decline", mworld.program, applicant.public_id), {"reason": ""}
    )
    assert response.status_code == 400
    applicant.refresh_from_db()
    assert applicant.stage == "applied"
    client.post(
        u("applicant_decline", mworld.program, applicant.public_id),
        {"reason": "Could not commit to weekly meetings."},
    )
    applicant.refresh_from_db()
    assert applicant.stage == "declined"
    assert applicant.decline_reason == "Could not commit to weekly meetings."


def test_withdraw(login, mworld, applicant):
    as_coordinator(login, mworld).post(
        u("applicant_withdraw", mworld.program, applicant.public_id), {"note": "Moved away"}
    )
    applicant.refresh_from_db()
    assert applicant.stage == "withdrawn"
    assert StageChange.objects.get(applicant=applicant).note == "Moved away"


def test_a_mentor_with_open_matches_cannot_be_declined(login, mworld):
    applicant = mworld.mentor_1.applicant
    as_coordinator(login, mworld).post(
        u("applicant_decline", mworld.program, applicant.public_id), {"reason": "x"}
    )
    applicant.refresh_from_db()
    assert applicant.stage == "approved"


def test_connect_an_account(login, mworld, applicant):
    person = MemberFactory(collaborative=mworld.collab)
    as_coordinator(login, mworld).post(
        u("applicant_link", mworld.program, applicant.public_id), {"member": person.pk}
    )
    applicant.refresh_from_db()
    assert applicant.member == person


def test_cannot_connect_another_collaboratives_member(login, mworld, applicant):
    as_coordinator(login, mworld).post(
        u("applicant_link", mworld.program, applicant.public_id),
        {"member": mworld.cast.outsider.pk},
    )
    applicant.refresh_from_db()
    assert applicant.member is None


@pytest.mark.parametrize("action", ["applicant_move", "applicant_approve", "applicant_withdraw"])
def test_non_coordinators_cannot_act(login, mworld, applicant, action):
    client = login(mworld.cast.backbone)
    response = client.post(u(action, mworld.program, applicant.public_id), {"stage": "interviewed"})
    assert response.status_code == 404  # the applicant is not visible to them at all
    applicant.refresh_from_db()
    assert applicant.stage == "applied"


def test_other_collaborative_cannot_act(login, mworld, applicant):
    client = login(mworld.cast.outsider)
    response = client.post(
        u("applicant_move", mworld.program, applicant.public_id), {"stage": "interviewed"}
    )
    assert response.status_code == 404


# Background assessment -----------------------------------------------------------------


def test_background_assessment_never_declines(login, mworld, applicant):
    client = as_coordinator(login, mworld)
    response = client.post(
        u("background", mworld.program, applicant.public_id),
        {
            "has_history": "on",
            "what": "Drug possession conviction",
            "years_since": "12",
            "relevance": "none",
            "rehabilitation": "Eight years in recovery, sponsor in NA.",
            "outcome": "concern",
            "conditions": "",
            "notes": "Talked it through at interview.",
        },
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.stage == "applied"  # even a "serious concern" does not decline
    assessment = BackgroundAssessment.objects.get(applicant=applicant)
    assert assessment.assessed_by == mworld.coordinator.user
    event = AuditEvent.objects.get(action="mentorship.background_assessed")
    assert "Drug" not in str(event.details)


def test_background_assessment_conditions_required_when_chosen(login, mworld, applicant):
    response = as_coordinator(login, mworld).post(
        u("background", mworld.program, applicant.public_id),
        {
            "has_history": "on",
            "what": "x",
            "relevance": "some",
            "outcome": "conditions",
            "conditions": "",
        },
    )
    assert response.status_code == 200
    assert "Write the conditions." in response.text
    assert not BackgroundAssessment.objects.exists()


def test_background_notes_are_coordinator_only(login, mworld, applicant):
    BackgroundAssessment.objects.create(
        applicant=applicant, what="SECRET-HISTORY", notes="SECRET-NOTE", outcome="proceed"
    )
    coordinator = as_coordinator(login, mworld)
    assert (
        "SECRET-HISTORY"
        in coordinator.get(u("applicant", mworld.program, applicant.public_id)).text
    )

    # The applicant, once connected to an account, sees their application, not the notes.
    person = MemberFactory(collaborative=mworld.collab)
    Applicant.objects.filter(pk=applicant.pk).update(member=person)
    response = login(person).get(u("applicant", mworld.program, applicant.public_id))
    assert response.status_code == 200
    assert "SECRET" not in response.text
    assert (
        login(person).get(u("background", mworld.program, applicant.public_id)).status_code == 403
    )

    # Backbone staff manage the program but do not read person-level records.
    backbone = login(mworld.cast.backbone)
    assert backbone.get(u("applicant", mworld.program, applicant.public_id)).status_code == 404
    assert backbone.get(u("background", mworld.program, applicant.public_id)).status_code == 404

    # A mentor of the same program cannot open someone else's application.
    mentor = login(mworld.mentor_1.applicant.member)
    assert mentor.get(u("applicant", mworld.program, applicant.public_id)).status_code == 404

    # Another collaborative: 404.
    assert (
        login(mworld.cast.outsider)
        .get(u("applicant", mworld.program, applicant.public_id))
        .status_code
        == 404
    )


# Profiles -------------------------------------------------------------------------------


def test_mentor_edits_their_own_profile(login, mworld):
    profile = mworld.mentor_1
    client = login(profile.applicant.member)
    url = u("mentor_edit", mworld.program, profile.public_id)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "bio": "Came home in 2015. Love to cook.",
            "lived_experience": "yes",
            "languages": ["en", "es"],
            "availability": ["2-evening"],
            "neighbourhood": "Downtown",
            "interests": "cooking",
            "capacity": "2",
            "gender": "man",
            "age_range": "45-54",
            "mentee_gender_preference": "",
            "preferences": "",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.availability == [[2, "17:00", "21:00"]]
    assert profile.capacity == 2


def test_a_mentor_cannot_open_another_mentors_profile(login, mworld):
    client = login(mworld.mentor_1.applicant.member)
    assert (
        client.get(u("mentor_edit", mworld.program, mworld.mentor_2.public_id)).status_code == 404
    )


def test_mentee_pages_are_coordinator_only(login, mworld):
    mentor = login(mworld.mentor_1.applicant.member)
    assert mentor.get(u("mentees", mworld.program)).status_code == 403
    assert (
        mentor.get(u("mentee_edit", mworld.program, mworld.match_1.mentee.public_id)).status_code
        == 403
    )
    assert login(mworld.cast.outsider).get(u("mentees", mworld.program)).status_code == 404


def test_coordinator_adds_a_mentee(login, mworld, cast):
    client = as_coordinator(login, mworld)
    response = client.post(
        u("mentee_create", mworld.program),
        {
            "name": "Jordan",
            "phone": "",
            "email": "",
            "referral": "provider",
            "referred_by": cast.org_a.pk,
            "release_date": "2027-01-15",
            "needs": [cast.key_area.pk],
            "goals": "A job and my own place.",
            "languages": ["en"],
            "availability": ["0-evening"],
            "supervision_conditions": "Curfew 9 pm.",
            "neighbourhood": "Northside",
            "interests": "",
            "gender": "",
            "age_range": "",
            "gender_preference": "",
            "prefers_lived_experience": "on",
            "member": "",
            "status": "waiting",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    mentee = mworld.program.mentees.get(name="Jordan")
    assert mentee.referred_by == cast.org_a
    assert list(mentee.needs.all()) == [cast.key_area]


def test_mentee_list_query_count(login, mworld, count_queries):
    from tests.mentorship.factories import MenteeProfileFactory

    client = as_coordinator(login, mworld)
    one = count_queries(client, u("mentees", mworld.program))
    for _ in range(25):
        MenteeProfileFactory(program=mworld.program, needs=[mworld.cast.key_area])
    assert count_queries(client, u("mentees", mworld.program)) == one


def test_program_list_query_count(login, mworld, count_queries):
    from tests.mentorship.factories import ProgramFactory

    client = as_coordinator(login, mworld)
    url = reverse("mentorship:programs", args=["collab-a"])
    one = count_queries(client, url)
    for _ in range(25):
        ProgramFactory(collaborative=mworld.collab, coordinators=[mworld.coordinator])
    assert count_queries(client, url) == one
