"""The mentor's session log (on a phone) and the coordinator's approval page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from mentorship.models import Program, Session
from reentry.stipends.models import StipendLine
from tests.mentorship.factories import MatchFactory, SessionFactory


def _mentor(match):
    return match.mentor.applicant.member


def _log_url(w):
    return reverse("mentorship:session_log", kwargs={"slug": w.collab.slug})


def _review_url(w, name="sessions"):
    return reverse(
        f"mentorship:{name}", kwargs={"slug": w.collab.slug, "program_id": w.program.public_id}
    )


class TestLogPage:
    def test_opens_with_today_an_hour_and_in_person_chosen(self, mworld, login):
        response = login(_mentor(mworld.match_1)).get(_log_url(mworld))
        assert response.status_code == 200
        form = response.context["form"]
        assert form["on"].value() == mworld.program.collaborative.today()
        assert form["minutes"].value() == 60
        assert form["mode"].value() == "in_person"
        assert response.context["single"]
        assert mworld.match_1.mentee.name.encode() in response.content

    def test_saving_with_the_defaults_logs_the_session(self, mworld, login):
        today = mworld.program.collaborative.today()
        response = login(_mentor(mworld.match_1)).post(
            _log_url(mworld),
            {
                "match": mworld.match_1.pk,
                "on": today.isoformat(),
                "minutes": "60",
                "mode": "in_person",
                "goals_progress": "some",
                "notes": "Bus pass sorted",
                "private": "on",
            },
        )
        assert response.status_code == 302
        session = Session.objects.get(match=mworld.match_1, notes="Bus pass sorted")
        assert (session.date, session.minutes, session.notes_private_to_coordinator) == (
            today,
            60,
            True,
        )

    def test_other_length(self, mworld, login):
        today = mworld.program.collaborative.today()
        client = login(_mentor(mworld.match_1))
        data = {
            "match": mworld.match_1.pk,
            "on": today.isoformat(),
            "minutes": "0",
            "mode": "phone",
            "goals_progress": "some",
        }
        response = client.post(_log_url(mworld), data)
        assert response.status_code == 200
        assert "other_minutes" in response.context["form"].errors
        response = client.post(_log_url(mworld), {**data, "other_minutes": "25"})
        assert response.status_code == 302
        assert Session.objects.filter(match=mworld.match_1, minutes=25).exists()

    def test_a_mentor_cannot_log_for_another_mentors_match(self, mworld, login):
        today = mworld.program.collaborative.today()
        response = login(_mentor(mworld.match_1)).post(
            _log_url(mworld),
            {
                "match": mworld.match_2.pk,
                "on": today.isoformat(),
                "minutes": "60",
                "mode": "phone",
                "goals_progress": "some",
            },
        )
        assert response.status_code == 200
        assert "match" in response.context["form"].errors
        assert (
            not Session.objects.filter(match=mworld.match_2)
            .exclude(pk=mworld.session_2.pk)
            .exists()
        )
        assert mworld.match_2.mentee.name.encode() not in response.content

    def test_a_future_day_is_refused_and_what_was_typed_stays(self, mworld, login):
        day = date(2099, 1, 1)  # not today.replace(year=2099): no 29 February in 2099
        response = login(_mentor(mworld.match_1)).post(
            _log_url(mworld),
            {
                "match": mworld.match_1.pk,
                "on": day.isoformat(),
                "minutes": "60",
                "mode": "phone",
                "goals_progress": "some",
                "notes": "Kept words",
            },
        )
        assert response.status_code == 200
        assert b"Kept words" in response.content

    def test_someone_with_no_match_sees_an_empty_state(self, mworld, login):
        response = login(mworld.cast.community).get(_log_url(mworld))
        assert response.status_code == 200
        assert response.context["form"] is None

    def test_another_collaborative_gets_404(self, mworld, login):
        assert login(mworld.cast.outsider).get(_log_url(mworld)).status_code == 404


class TestReviewPage:
    def test_coordinator_sees_waiting_sessions_without_private_note_text(self, mworld, login):
        response = login(mworld.coordinator).get(_review_url(mworld))
        assert response.status_code == 200
        assert {i["session"].pk for i in response.context["items"]} == {
            mworld.session_1.pk,
            mworld.session_2.pk,
        }
        assert b"Private worry" not in response.content  # only a badge on this list
        assert b"Private note" in response.content

    @pytest.mark.parametrize(
        ("who", "status"), [("backbone", 403), ("staff_b", 403), ("outsider", 404)]
    )
    def test_others_cannot_open_it(self, mworld, login, who, status):
        assert login(getattr(mworld.cast, who)).get(_review_url(mworld)).status_code == status

    def test_a_mentor_cannot_open_it_or_approve(self, mworld, login):
        client = login(_mentor(mworld.match_1))
        assert client.get(_review_url(mworld)).status_code == 403
        response = client.post(
            _review_url(mworld, "session_decide"),
            {"session": [mworld.session_1.public_id], "action": "approve"},
        )
        assert response.status_code == 403
        assert Session.objects.get(pk=mworld.session_1.pk).status == "logged"

    def test_approve_makes_stipend_lines(self, mworld, login):
        Program.objects.filter(pk=mworld.program.pk).update(stipend_per_session=Decimal("30"))
        response = login(mworld.coordinator).post(
            _review_url(mworld, "session_decide"),
            {
                "session": [mworld.session_1.public_id, mworld.session_2.public_id],
                "action": "approve",
            },
        )
        assert response.status_code == 302
        assert (
            StipendLine.objects.filter(session__in=[mworld.session_1, mworld.session_2]).count()
            == 2
        )

    def test_reject_without_a_reason_changes_nothing(self, mworld, login):
        login(mworld.coordinator).post(
            _review_url(mworld, "session_decide"),
            {"session": [mworld.session_1.public_id], "action": "reject", "reason": ""},
        )
        assert Session.objects.get(pk=mworld.session_1.pk).status == "logged"

    def test_another_programs_session_id_changes_nothing(self, mworld, login):
        other = SessionFactory(match=mworld.other_match)
        login(mworld.coordinator).post(
            _review_url(mworld, "session_decide"),
            {"session": [other.public_id, mworld.session_1.public_id], "action": "approve"},
        )
        assert Session.objects.get(pk=mworld.session_1.pk).status == "logged"
        assert Session.objects.get(pk=other.pk).status == "logged"

    def test_same_queries_with_one_or_many_sessions(self, mworld, login, count_queries):
        Session.objects.filter(pk=mworld.session_2.pk).delete()
        client = login(mworld.coordinator)
        one = count_queries(client, _review_url(mworld))
        for _ in range(12):
            SessionFactory(match=MatchFactory(program=mworld.program))
        assert count_queries(client, _review_url(mworld)) == one
