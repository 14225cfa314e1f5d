"""/api/v1/…/mentoring/: programs, mentors, mentees, matches, sessions, by role."""

import pytest

from tests.api.conftest import make_token, token_client  # noqa: F401 - fixtures
from tests.mentorship.factories import MatchFactory, SessionFactory

BASE = "/api/v1/collaboratives/collab-a/mentoring"


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["public_id"] for row in response.json()["results"]}


def _mentor(match):
    return match.mentor.applicant.member


class TestRoles:
    def test_every_member_lists_the_programs(self, mworld, login):
        assert _ids(login(mworld.cast.staff_c).get(f"{BASE}/programs/")) == {
            str(mworld.program.public_id)
        }

    def test_coordinator_sees_every_match_and_mentee(self, mworld, login):
        client = login(mworld.coordinator)
        assert _ids(client.get(f"{BASE}/matches/")) == {
            str(mworld.match_1.public_id),
            str(mworld.match_2.public_id),
        }
        mentees = _ids(client.get(f"{BASE}/mentees/"))
        assert str(mworld.waiting.public_id) in mentees
        assert len(_ids(client.get(f"{BASE}/mentors/"))) == 2

    def test_a_mentor_sees_only_their_own_matches_and_sessions(self, mworld, login):
        client = login(_mentor(mworld.match_1))
        assert _ids(client.get(f"{BASE}/matches/")) == {str(mworld.match_1.public_id)}
        assert _ids(client.get(f"{BASE}/sessions/")) == {str(mworld.session_1.public_id)}
        assert _ids(client.get(f"{BASE}/mentors/")) == {str(mworld.mentor_1.public_id)}
        # Mentee details beyond the match are the coordinator's.
        assert _ids(client.get(f"{BASE}/mentees/")) == set()
        other = client.get(f"{BASE}/matches/{mworld.match_2.public_id}/")
        assert other.status_code == 404
        mentee = client.get(f"{BASE}/mentees/{mworld.match_1.mentee.public_id}/")
        assert mentee.status_code == 404

    def test_the_match_names_the_mentee_and_nothing_more(self, mworld, login):
        row = (
            login(_mentor(mworld.match_1)).get(f"{BASE}/matches/{mworld.match_1.public_id}/").json()
        )
        assert row["mentee"] == {
            "public_id": str(mworld.match_1.mentee.public_id),
            "name": mworld.match_1.mentee.name,
        }
        assert "closure_notes" not in row and "goals" not in row

    @pytest.mark.parametrize("who", ["backbone", "admin_a", "staff_a", "community"])
    def test_others_in_the_collaborative_see_no_person_level_record(self, mworld, login, who):
        client = login(getattr(mworld.cast, who))
        for endpoint in ("mentors", "mentees", "matches", "sessions"):
            assert _ids(client.get(f"{BASE}/{endpoint}/")) == set(), endpoint

    def test_another_collaborative_gets_404(self, mworld, login):
        client = login(mworld.cast.outsider)
        for endpoint in ("programs", "mentors", "mentees", "matches", "sessions"):
            assert client.get(f"{BASE}/{endpoint}/").status_code == 404
        response = client.get(f"{BASE}/matches/{mworld.match_1.public_id}/")
        assert response.status_code == 404

    def test_anonymous_gets_nothing(self, mworld, client):
        assert client.get(f"{BASE}/matches/").status_code in (401, 403, 404)


class TestPrivateNotes:
    def test_private_notes_never_leave_through_the_api_not_even_for_coordinators(
        self, mworld, login
    ):
        for member in (mworld.coordinator, _mentor(mworld.match_1)):
            fetched = login(member).get(f"{BASE}/sessions/")
            assert fetched.status_code == 200
            body = fetched.content.decode()
            assert "Private worry" not in body
        detail = (
            login(mworld.coordinator).get(f"{BASE}/sessions/{mworld.session_1.public_id}/").json()
        )
        assert detail["notes"] is None

    def test_shared_notes_are_sent(self, mworld, login):
        detail = (
            login(_mentor(mworld.match_2))
            .get(f"{BASE}/sessions/{mworld.session_2.public_id}/")
            .json()
        )
        assert detail["notes"] == "Shared note"


def test_a_token_lists_programs_but_no_person_level_record(mworld, make_token, token_client):  # noqa: F811
    from mentorship.models import Program

    Program.objects.get(pk=mworld.program.pk).coordinators.add(mworld.cast.admin_a)
    _token, plain = make_token(mworld.cast.admin_a)
    client = token_client(plain)
    assert _ids(client.get(f"{BASE}/programs/")) == {str(mworld.program.public_id)}
    for endpoint in ("mentors", "mentees", "matches", "sessions"):
        assert _ids(client.get(f"{BASE}/{endpoint}/")) == set()


def test_same_queries_with_one_or_many_sessions(mworld, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(mworld.coordinator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{BASE}/sessions/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(10):
        SessionFactory(match=MatchFactory(program=mworld.program))
    assert count() == one
