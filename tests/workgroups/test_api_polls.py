"""/api/v1/collaboratives/<slug>/polls/: isolation, results only when the poll's rules
allow, secret ballots never linked to people, and casting a ballot as a signed-in person
(organization tokens are refused)."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reentry.api.services import api_token_create
from stakeholders.models import Member
from tests.api.openapi import assert_documented
from tests.workgroups.polls_world import keys, make_poll
from workgroups.polls import services as polls
from workgroups.polls.models import Ballot, Poll

pytestmark = pytest.mark.django_db

V1 = "/api/v1/collaboratives"


def _list(slug="collab-a"):
    return f"{V1}/{slug}/polls/"


def _one(poll, slug="collab-a", tail=""):
    return f"{V1}/{slug}/polls/{poll.public_id}/{tail}"


def _post(client, target, data):
    return client.post(target, json.dumps(data), content_type="application/json")


def _token_client(member) -> Client:
    member = Member.objects.select_related("organization", "collaborative").get(pk=member.pk)
    _, plain = api_token_create(actor=member, name="Case system")
    return Client(headers={"Authorization": f"Token {plain}"})


@pytest.fixture
def poll(cast, wg):
    return make_poll(cast.backbone, wg.housing)


@pytest.fixture
def other_poll(cast, wg):
    return make_poll(cast.outsider, wg.other_group)


class TestIsolation:
    @pytest.mark.parametrize("tail", ["", "results/", "ballot/"])
    def test_another_collaborative_gets_404(self, cast, poll, login, tail):
        assert login(cast.outsider).get(_one(poll, tail=tail)).status_code == 404
        assert login(cast.outsider).get(_one(poll, slug="collab-b", tail=tail)).status_code == 404

    def test_a_poll_of_another_collaborative_is_404_in_your_own(self, cast, other_poll, login):
        client = login(cast.backbone)
        assert client.get(_one(other_poll)).status_code == 404
        response = _post(client, _one(other_poll, tail="ballot/"), {"choices": []})
        assert response.status_code == 404

    def test_casting_in_another_collaborative_is_404(self, cast, poll, login):
        response = _post(
            login(cast.outsider), _one(poll, tail="ballot/"), {"choices": [keys(poll)["ID clinic"]]}
        )
        assert response.status_code == 404
        assert not Ballot.objects.filter(poll=poll).exists()

    @pytest.mark.parametrize("who", ["staff_c", "observer", "community"])
    def test_members_read_polls(self, cast, poll, login, who):
        rows = login(getattr(cast, who)).get(_list()).json()["results"]
        assert [r["title"] for r in rows] == [poll.title]
        assert {o["label"] for o in rows[0]["options"]} == set(keys(poll))

    def test_drafts_are_for_managers_only(self, cast, wg, login):
        draft = make_poll(cast.backbone, wg.housing, open_now=False, title="Draft question")
        assert login(cast.staff_c).get(_one(draft)).status_code == 404
        assert login(cast.staff_a).get(_one(draft)).status_code == 200


class TestResults:
    def test_hidden_while_open_then_shown(self, cast, poll, login):
        cast.collab.small_cell_threshold = 1  # a secret poll's one ballot may be shown
        cast.collab.save()
        client = login(cast.backbone)
        polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]])
        hidden = client.get(_one(poll, tail="results/"))
        assert hidden.status_code == 403
        assert client.get(_one(poll)).json()["ballot_count"] is None
        polls.poll_close(actor=cast.backbone, poll=poll)
        shown = client.get(_one(poll, tail="results/"))
        assert shown.status_code == 200
        data = shown.json()
        assert data["is_final"] and data["ballots"] == 1
        assert data["winners"] == [keys(poll)["ID clinic"]]
        assert {r["label"]: r["total"] for r in data["options"]}["ID clinic"] == 1

    def test_open_ballot_poll_with_visible_results(self, cast, wg, login):
        open_poll = make_poll(
            cast.backbone, wg.housing, is_secret=False, results_hidden_until_close=False
        )
        polls.ballot_cast(
            actor=cast.staff_b, poll=open_poll, choices=[keys(open_poll)["Bus passes"]]
        )
        data = login(cast.staff_c).get(_one(open_poll, tail="results/")).json()
        assert data["is_final"] is False and data["ballots"] == 1

    def test_irv_rounds_are_given(self, cast, wg, login):
        cast.collab.small_cell_threshold = 3  # a secret poll shows its count from 3 ballots
        cast.collab.save()
        irv = make_poll(cast.backbone, wg.housing, method=Poll.Method.IRV)
        k = keys(irv)
        ballots = {
            cast.staff_a: ["Bus passes", "ID clinic"],
            cast.staff_b: ["Storage lockers", "ID clinic"],
            cast.community: ["ID clinic", "Bus passes"],
        }
        for voter, ranking in ballots.items():
            polls.ballot_cast(actor=voter, poll=irv, choices=[k[label] for label in ranking])
        polls.poll_close(actor=cast.backbone, poll=irv)
        data = login(cast.observer).get(_one(irv, tail="results/")).json()
        rounds = data["irv_counts"][0]["rounds"]
        assert len(rounds) >= 2
        assert rounds[0]["tallies"] == {
            k["Bus passes"]: 1,
            k["Storage lockers"]: 1,
            k["ID clinic"]: 1,
        }

    def test_secret_results_never_name_a_voter(self, cast, poll, login):
        # Two ballots: lower the small-number threshold so a secret poll's totals show.
        cast.collab.small_cell_threshold = 2
        cast.collab.save(update_fields=["small_cell_threshold"])
        polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]])
        polls.ballot_cast(actor=cast.staff_a, poll=poll, choices=[keys(poll)["Bus passes"]])
        polls.poll_close(actor=cast.backbone, poll=poll)
        client = login(cast.backbone)
        for target in (_one(poll), _one(poll, tail="results/"), _list()):
            fetched = client.get(target)
            assert fetched.status_code == 200
            body = fetched.content.decode()
            for person in (cast.community, cast.staff_a):
                assert person.user.name not in body
                assert str(person.public_id) not in body
                assert person.user.email not in body


class TestBallot:
    def test_errors_come_in_one_shape_and_as_documented(self, cast, poll, login):
        """Issue 17: the same endpoint answered {"choices": "..."} and {"choices": [...]}."""
        client = login(cast.community)
        missing = _post(client, _one(poll, tail="ballot/"), {})
        assert missing.status_code == 400
        assert missing.json() == {"choices": ["Send your choices."]}
        unknown = _post(client, _one(poll, tail="ballot/"), {"choices": ["no-such-option"]})
        assert unknown.status_code == 400
        assert isinstance(unknown.json()["choices"], list)
        refused = _post(_token_client(cast.admin_a), _one(poll, tail="ballot/"), {"choices": []})
        assert refused.status_code == 403
        assert set(refused.json()) == {"detail"}
        for response in (missing, unknown, refused):
            assert_documented(response)

    def test_a_body_nested_5000_deep_is_a_400_with_a_json_error(self, cast, poll, login):
        body = '{"choices": ' + "[" * 5000 + "]" * 5000 + "}"
        response = login(cast.community).post(
            _one(poll, tail="ballot/"), body, content_type="application/json"
        )
        assert response.status_code == 400
        assert "nests more than" in response.json()["detail"]
        assert not Ballot.objects.filter(poll=poll).exists()

    def test_a_signed_in_member_votes_and_changes_the_vote(self, cast, poll, login):
        client = login(cast.community)
        k = keys(poll)
        first = _post(client, _one(poll, tail="ballot/"), {"choices": [k["Bus passes"]]})
        assert first.status_code == 200, first.content
        assert first.json()["voted"] is True
        assert first.json()["choices"] == [k["Bus passes"]]
        again = _post(client, _one(poll, tail="ballot/"), {"choices": [k["ID clinic"]]})
        assert again.json()["choices"] == [k["ID clinic"]]
        assert Ballot.objects.filter(poll=poll, voter=cast.community).count() == 1
        assert client.get(_one(poll, tail="ballot/")).json()["voted"] is True
        assert client.get(_one(poll)).json()["has_voted"] is True

    def test_the_session_needs_the_csrf_token(self, cast, poll):
        client = Client(enforce_csrf_checks=True)
        client.force_login(cast.community.user)
        response = _post(client, _one(poll, tail="ballot/"), {"choices": [keys(poll)["ID clinic"]]})
        assert response.status_code == 403
        assert not Ballot.objects.filter(poll=poll).exists()

    def test_an_organization_token_cannot_vote(self, cast, poll):
        client = _token_client(cast.admin_a)
        response = _post(client, _one(poll, tail="ballot/"), {"choices": [keys(poll)["ID clinic"]]})
        assert response.status_code == 403
        assert "people" in response.json()["detail"]
        assert not Ballot.objects.filter(poll=poll).exists()

    def test_not_eligible_is_403_with_the_reason(self, cast, poll, login):
        # staff_c is not in the Housing group.
        response = _post(
            login(cast.staff_c), _one(poll, tail="ballot/"), {"choices": [keys(poll)["ID clinic"]]}
        )
        assert response.status_code == 403
        assert "Housing Working Group" in response.json()["detail"]

    def test_bad_choices_are_400(self, cast, poll, login):
        client = login(cast.community)
        assert _post(client, _one(poll, tail="ballot/"), {"choices": ["nope"]}).status_code == 400
        assert _post(client, _one(poll, tail="ballot/"), {}).status_code == 400
        assert not Ballot.objects.filter(poll=poll).exists()

    def test_no_vote_after_close(self, cast, poll, login):
        polls.poll_close(actor=cast.backbone, poll=poll)
        response = _post(
            login(cast.community),
            _one(poll, tail="ballot/"),
            {"choices": [keys(poll)["ID clinic"]]},
        )
        assert response.status_code in (400, 403)
        assert not Ballot.objects.filter(poll=poll).exists()

    def test_you_only_ever_read_your_own_ballot(self, cast, poll, login):
        polls.ballot_cast(actor=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]])
        mine = login(cast.staff_a).get(_one(poll, tail="ballot/")).json()
        assert mine == {"voted": False, "changes": 0, "choices": None}


def test_the_same_queries_with_one_and_many(cast, wg, login):
    client = login(cast.community)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_list()).status_code == 200
        return len(ctx.captured_queries)

    make_poll(cast.backbone, wg.housing)
    one = count()
    for n in range(5):
        make_poll(cast.backbone, wg.housing, title=f"Question {n}")
    assert count() == one
