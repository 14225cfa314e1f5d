"""Match pages, lifecycle actions and the check-ins page: who sees what, and query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from mentorship.models import Match, MonitoringContact
from mentorship.services import lifecycle
from tests.mentorship.factories import MatchFactory, SessionFactory


def _url(name, w, match=None, **kw):
    kwargs = {"slug": w.collab.slug, "program_id": w.program.public_id, **kw}
    if match is not None:
        kwargs["match_id"] = match.public_id
    return reverse(f"mentorship:{name}", kwargs=kwargs)


def _mentor_member(match):
    return match.mentor.applicant.member


class TestMatchPage:
    def test_coordinator_sees_everything_including_private_notes(self, mworld, login):
        response = login(mworld.coordinator).get(_url("match", mworld, mworld.match_1))
        assert response.status_code == 200
        assert b"Private worry" in response.content
        assert b"Check-ins" in response.content

    def test_the_mentor_sees_their_match_without_private_notes(self, mworld, login):
        response = login(_mentor_member(mworld.match_1)).get(_url("match", mworld, mworld.match_1))
        assert response.status_code == 200
        assert b"Private worry" not in response.content
        assert b"Record a check-in" not in response.content

    def test_the_mentor_sees_shared_notes(self, mworld, login):
        response = login(_mentor_member(mworld.match_2)).get(_url("match", mworld, mworld.match_2))
        assert b"Shared note" in response.content

    def test_a_mentor_gets_404_for_another_mentors_match(self, mworld, login):
        response = login(_mentor_member(mworld.match_1)).get(_url("match", mworld, mworld.match_2))
        assert response.status_code == 404

    @pytest.mark.parametrize("who", ["backbone", "admin_a", "staff_a", "staff_c", "community"])
    def test_people_of_the_collaborative_who_are_not_in_it_get_404(self, mworld, login, who):
        response = login(getattr(mworld.cast, who)).get(_url("match", mworld, mworld.match_1))
        assert response.status_code == 404

    def test_another_collaborative_gets_404(self, mworld, login):
        assert (
            login(mworld.cast.outsider).get(_url("match", mworld, mworld.match_1)).status_code
            == 404
        )
        # Even for its own coordinator's match asked under this collaborative.
        url = reverse(
            "mentorship:match",
            kwargs={
                "slug": "collab-a",
                "program_id": mworld.program.public_id,
                "match_id": mworld.other_match.public_id,
            },
        )
        assert login(mworld.coordinator).get(url).status_code == 404

    def test_closure_conversation_is_for_coordinators(self, mworld, login):
        lifecycle.match_close(
            actor=mworld.coordinator,
            match=mworld.match_1,
            reason="completed",
            conversation="Secret goodbye words",
        )
        assert (
            b"Secret goodbye words"
            in login(mworld.coordinator).get(_url("match", mworld, mworld.match_1)).content
        )
        assert (
            b"Secret goodbye words"
            not in login(_mentor_member(mworld.match_1))
            .get(_url("match", mworld, mworld.match_1))
            .content
        )


class TestActions:
    def test_pause_resume_close_through_the_pages(self, mworld, login):
        client = login(mworld.coordinator)
        m = mworld.match_1
        response = client.post(_url("match_pause", mworld, m), {"reason": "Moving house"})
        assert response.status_code == 302
        assert Match.objects.get(pk=m.pk).status == "paused"
        client.post(_url("match_resume", mworld, m))
        assert Match.objects.get(pk=m.pk).status == "active"
        response = client.get(_url("match_close", mworld, m) + "?reason=poor_fit")
        assert response.status_code == 200
        assert b'value="poor_fit" selected' in response.content
        response = client.post(
            _url("match_close", mworld, m),
            {
                "reason": "poor_fit",
                "conversation": "We agreed to try someone else.",
                "find_another": "on",
            },
        )
        assert response.status_code == 302
        assert "/suggestions/" in response["Location"]
        assert Match.objects.get(pk=m.pk).status == "closed"

    def test_close_keeps_what_was_typed_when_something_is_missing(self, mworld, login):
        response = login(mworld.coordinator).post(
            _url("match_close", mworld, mworld.match_1),
            {"reason": "", "conversation": "Half a thought"},
        )
        assert response.status_code == 200
        assert b"Half a thought" in response.content
        assert Match.objects.get(pk=mworld.match_1.pk).status == "active"

    @pytest.mark.parametrize(
        "name", ["match_pause", "match_resume", "match_close", "fit_check", "contact_record"]
    )
    def test_the_mentor_cannot_manage_their_match(self, mworld, login, name):
        response = login(_mentor_member(mworld.match_1)).post(
            _url(name, mworld, mworld.match_1), {"reason": "x", "conversation": "x"}
        )
        assert response.status_code == 403
        assert Match.objects.get(pk=mworld.match_1.pk).status == "active"

    @pytest.mark.parametrize("name", ["match_pause", "match_close", "contact_record"])
    def test_another_collaborative_gets_404(self, mworld, login, name):
        response = login(mworld.cast.outsider).post(
            _url(name, mworld, mworld.match_1), {"reason": "x"}
        )
        assert response.status_code == 404

    def test_record_a_check_in_and_a_fit_check(self, mworld, login):
        m = mworld.match_1
        lifecycle.monitoring_schedule_extend(match=m)
        client = login(mworld.coordinator)
        today = mworld.program.collaborative.today()
        response = client.post(
            _url("contact_record", mworld, m),
            {"with_whom": "mentee", "on": today.isoformat(), "method": "phone", "notes": "Fine"},
        )
        assert response.status_code == 302
        assert MonitoringContact.objects.filter(
            match=m, with_whom="mentee", done_at__isnull=False
        ).exists()
        response = client.post(_url("fit_check", mworld, m), {"mentor_fit": "1", "mentee_fit": "3"})
        assert response.status_code == 302
        page = client.get(_url("match", mworld, m))
        assert b"Poor fit" in page.content
        assert b"?reason=poor_fit" in page.content


class TestCheckinsPage:
    def test_coordinator_sees_overdue_and_due_check_ins_not_missed_ones(self, mworld, login):
        m = mworld.match_1
        start = mworld.program.collaborative.today() - timedelta(days=20)
        MonitoringContact.objects.create(
            match=m, with_whom="mentor", kind="first", due_on=start + timedelta(days=2)
        )
        MonitoringContact.objects.create(
            match=m, with_whom="mentee", kind="first", due_on=start + timedelta(days=2)
        )
        later = MonitoringContact.objects.create(
            match=m, with_whom="mentee", kind="first_month", due_on=start + timedelta(days=15)
        )
        later.done_at = later.created_at
        later.save()
        response = login(mworld.coordinator).get(_url("checkins", mworld))
        assert response.status_code == 200
        rows = response.context["rows"]
        assert [(r["contact"].with_whom, r["state"]) for r in rows] == [("mentor", "overdue")]

    @pytest.mark.parametrize(
        ("who", "status"), [("backbone", 403), ("staff_a", 403), ("outsider", 404)]
    )
    def test_others_cannot_open_it(self, mworld, login, who, status):
        assert login(getattr(mworld.cast, who)).get(_url("checkins", mworld)).status_code == status

    def test_a_mentor_cannot_open_it(self, mworld, login):
        assert (
            login(_mentor_member(mworld.match_1)).get(_url("checkins", mworld)).status_code == 403
        )

    def test_same_queries_with_one_or_many_rows(self, mworld, login, count_queries):
        client = login(mworld.coordinator)
        today = mworld.program.collaborative.today()

        def add(match):
            MonitoringContact.objects.create(
                match=match, with_whom="mentor", kind="monthly", due_on=today
            )
            SessionFactory(match=match)

        add(mworld.match_1)
        one = count_queries(client, _url("checkins", mworld))
        for _ in range(10):
            add(MatchFactory(program=mworld.program))
        assert count_queries(client, _url("checkins", mworld)) == one


class TestMatchList:
    def test_coordinator_lists_the_programs_matches(self, mworld, login):
        response = login(mworld.coordinator).get(_url("matches", mworld))
        assert {m.pk for m in response.context["page"]} == {mworld.match_1.pk, mworld.match_2.pk}

    def test_a_mentor_lists_only_their_own(self, mworld, login):
        response = login(_mentor_member(mworld.match_1)).get(_url("matches", mworld))
        assert [m.pk for m in response.context["page"]] == [mworld.match_1.pk]
        assert mworld.match_2.mentee.name.encode() not in response.content

    def test_another_collaborative_gets_404(self, mworld, login):
        assert login(mworld.cast.outsider).get(_url("matches", mworld)).status_code == 404

    def test_same_queries_with_one_or_many_matches(self, mworld, login, count_queries):
        Match.objects.filter(pk=mworld.match_2.pk).update(
            status="closed", closed_at=mworld.match_2.started_at, closure_reason="other"
        )
        client = login(mworld.coordinator)
        one = count_queries(client, _url("matches", mworld), status="all")
        for _ in range(12):
            SessionFactory(match=MatchFactory(program=mworld.program))
        assert count_queries(client, _url("matches", mworld), status="all") == one
