"""Every operation of the OpenAPI schema, called on a seeded world: the answer is one the
operation documents, and its body validates against the documented schema (issue 17).

The walk is driven by the schema itself, so a new endpoint is covered without a line
here: each GET as a person allowed to read it (ids for details from the first row of the
list before it), each POST with a valid body where the world has one and with an empty
body (400), a record that does not exist (404), a collaborative that does not exist
(404), someone refused (403), no credentials (401), and an unknown query parameter on
every list (400, naming it).
"""

import uuid
from types import SimpleNamespace

import pytest
from django.test import Client

from casework.models import Referral
from reentry.api.services import api_token_create
from stakeholders.models import Location, Member, Service, ServiceAtLocation
from tests.api.openapi import assert_documented, operations
from tests.casework.conftest import casebook as casebook  # noqa: F401 - the casework world
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year
from tests.mentorship.conftest import mworld as mworld  # noqa: F401 - the mentoring world
from tests.workgroups.board_world import make_board_world
from tests.workgroups.conftest import wg as wg  # noqa: F401 - the working-group world
from tests.workgroups.polls_world import keys, make_poll
from tests.workgroups.quickwin_world import make_quickwin_world
from workgroups.polls import services as polls

pytestmark = pytest.mark.django_db

SLUG = "collab-a"
CASEWORK = ("/participants/", "/service-logs/", "/consents/", "/referrals/")
UNKNOWN = "surely_not_a_parameter"


def _token_client(member: Member) -> Client:
    member = Member.objects.select_related("organization", "collaborative").get(pk=member.pk)
    _token, plain = api_token_create(actor=member, name="Schema walk")
    return Client(headers={"Authorization": f"Token {plain}"})


def _session(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def world(cast, wg, mworld, casebook):  # noqa: F811 - the imported world fixtures
    """One of everything the API serves, and a client allowed to read each part."""
    make_board_world(cast, wg)
    make_quickwin_world(cast, wg)
    poll = make_poll(cast.backbone, wg.housing, is_secret=False, results_hidden_until_close=False)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["Bus passes"]])
    indicator = indicator_of(cast, "HOUS-1", name="People housed")
    observe(make_dataset(cast, cast.org_a, title="A figures"), indicator, year(2024), 1100)
    Referral.objects.create(
        collaborative=casebook.collab,
        participant=casebook.pat,
        from_organization=cast.org_a,
        from_enrolment=casebook.pat_a,
        to_organization=cast.org_b,
        key_area=casebook.housing,
        consent=casebook.to_b,
        reason="Needs a flat",
        sent_by=cast.staff_a.user,
    )
    service = Service.objects.create(organization=cast.org_a, name="Food bank")
    location = Location.objects.create(organization=cast.org_a, name="Main office", city="Ames")
    ServiceAtLocation.objects.create(service=service, location=location)
    return SimpleNamespace(
        cast=cast,
        casebook=casebook,
        poll=poll,
        indicator=indicator,
        backbone=_session(cast.backbone),
        caseworker=_token_client(cast.admin_a),
        voter=_session(cast.community),
        coordinator=_session(mworld.coordinator),
    )


def reader(world, template: str) -> Client:
    if any(part in template for part in CASEWORK):
        return world.caseworker
    if template.endswith("/ballot/"):
        return world.voter
    if "/mentoring/" in template:
        return world.coordinator
    return world.backbone


def list_params(world, template: str) -> dict[str, str]:
    """What a list needs to answer at all (observations are per indicator)."""
    return {"indicator": world.indicator.code} if template.endswith("/observations/") else {}


class Walk:
    """Fills a path template from the world: slugs, and ids read from the lists."""

    def __init__(self, world):
        self.world = world
        self.first_ids: dict[str, str] = {}

    def first_id(self, list_template: str) -> str:
        if list_template.endswith("/polls/"):  # the one whose results are shown already
            return str(self.world.poll.public_id)
        if list_template not in self.first_ids:
            path = self.fill(list_template)
            response = reader(self.world, list_template).get(
                path, list_params(self.world, list_template)
            )
            assert response.status_code == 200, (path, response.content[:300])
            rows = response.json()["results"]
            assert rows, f"The world has nothing at {path}: seed it in the world fixture."
            row = rows[0]
            self.first_ids[list_template] = str(row.get("public_id") or row.get("id"))
        return self.first_ids[list_template]

    def fill(self, template: str, *, record: str | None = None, slug: str = SLUG) -> str:
        path = template.replace("{collaborative_slug}", slug).replace("{slug}", slug)
        for name in ("{public_id}", "{id}"):
            if name in path:
                list_template = template[: template.index(name)]
                value = record or self.first_id(list_template)
                path = path.replace(name, value)
        return path


def gets() -> list[str]:
    return [path for method, path, _op in operations() if method == "GET"]


def posts() -> list[str]:
    return [path for method, path, _op in operations() if method == "POST"]


def is_list(template: str) -> bool:
    for method, path, operation in operations():
        if method == "GET" and path == template:
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            return bool(names & {"page", "page_size", "older"}) or template.endswith(
                "/observations/"
            )
    return False


def test_the_walk_covers_every_operation():
    assert len(gets()) + len(posts()) == len(operations())
    assert len(operations()) >= 50


def test_every_get_answers_200_as_documented(world):
    walk = Walk(world)
    answered = []
    for template in gets():
        path = walk.fill(template)
        params = list_params(world, template)
        response = reader(world, template).get(path, params)
        assert response.status_code == 200, (template, response.content[:300])
        assert_documented(response)
        if is_list(template):
            assert response.json()["results"], f"{template}: an empty list proves little"
        answered.append(template)
    assert answered == gets()


def test_every_post_answers_as_documented(world):
    casebook = world.casebook
    today = casebook.collab.today().isoformat()
    valid = {
        "/participants/": (
            {"needs": ["housing"], "identity": {"given_name": "Robin", "family_name": "Vale"}},
            201,
        ),
        "/service-logs/": (
            {
                "participant": str(casebook.pat.public_id),
                "key_area": "housing",
                "delivered_on": today,
                "duration_minutes": 30,
            },
            201,
        ),
        "/ballot/": ({"choices": list(keys(world.poll).values())[:1]}, 200),
    }
    walk = Walk(world)
    stated = set()
    for template in posts():
        client = reader(world, template)
        path = walk.fill(template)
        # Everything a participant has is optional: a need that does not exist is wrong.
        wrong = {"needs": ["flying"]} if template.endswith("/participants/") else {}
        empty = client.post(path, wrong, content_type="application/json")
        assert empty.status_code == 400, (template, empty.content[:300])
        assert_documented(empty)
        for suffix, (body, status) in valid.items():
            if template.endswith(suffix):
                response = client.post(
                    path,
                    body,
                    content_type="application/json",
                    headers={"Idempotency-Key": f"walk-{suffix}"},
                )
                assert response.status_code == status, (template, response.content[:300])
                assert_documented(response)
                stated.add(suffix)
    assert stated == set(valid)


def test_a_record_that_does_not_exist_is_a_documented_404(world):
    walk = Walk(world)
    missing = str(uuid.uuid4())
    checked = 0
    for method, template, _op in operations():
        if "{public_id}" not in template and "{id}" not in template:
            continue
        client = reader(world, template)
        path = walk.fill(template, record=missing)
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, {}, content_type="application/json")
        assert response.status_code == 404, (method, template, response.content[:300])
        assert_documented(response)
        checked += 1
    assert checked >= 20


def test_a_collaborative_that_does_not_exist_is_a_documented_404(world):
    walk = Walk(world)
    for method, template, _op in operations():
        if "{collaborative_slug}" not in template and "{slug}" not in template:
            continue
        path = walk.fill(template, record=str(uuid.uuid4()), slug="no-such-place")
        client = reader(world, template)
        if method == "GET":
            response = client.get(path, list_params(world, template))
        else:
            response = client.post(path, {}, content_type="application/json")
        assert response.status_code == 404, (method, template, response.content[:300])
        assert_documented(response)


def test_no_credentials_is_a_documented_401_everywhere_but_what_is_public(world, client):
    walk = Walk(world)
    for method, template, _op in operations():
        path = walk.fill(template)
        if method == "GET":
            response = client.get(path, list_params(world, template))
        else:
            response = client.post(path, {}, content_type="application/json")
        if response.status_code == 200:
            continue  # the API root answers anyone
        # The directory falls back to what a collaborative made public: with nothing
        # public, there is no such collaborative for an anonymous visitor.
        directory = ("/services/", "/locations/", "/organizations/")
        expected = 404 if any(part in template for part in directory) else 401
        assert response.status_code == expected, (method, template, response.content[:300])
        assert_documented(response)


def test_refusals_are_documented_403s(world):
    walk = Walk(world)
    community = world.voter  # a community member: no casework, no member list
    refused = [
        community.get(f"/api/v1/collaboratives/{SLUG}/members/"),
        community.get(
            walk.fill("/api/v1/collaboratives/{collaborative_slug}/members/{public_id}/")
        ),
        community.post(
            f"/api/v1/collaboratives/{SLUG}/service-logs/", {}, content_type="application/json"
        ),
        world.caseworker.post(
            walk.fill("/api/v1/collaboratives/{collaborative_slug}/polls/{public_id}/ballot/"),
            {"choices": list(keys(world.poll).values())[:1]},
            content_type="application/json",
        ),
    ]
    for response in refused:
        assert response.status_code == 403, response.content[:300]
        assert_documented(response)


# --- query parameters -----------------------------------------------------------------------


def test_an_unknown_query_parameter_on_any_list_is_a_400_naming_it(world):
    walk = Walk(world)
    lists = [t for t in gets() if is_list(t)]
    assert len(lists) >= 25
    for template in lists:
        response = reader(world, template).get(
            walk.fill(template), {**list_params(world, template), UNKNOWN: "1"}
        )
        assert response.status_code == 400, (template, response.content[:300])
        assert list(response.json()) == [UNKNOWN], template
        assert_documented(response)


def test_every_documented_query_parameter_is_known(world):
    """What the schema documents and what a list accepts are the same names: each
    documented parameter, sent empty, is never refused as unknown."""
    walk = Walk(world)
    for method, template, operation in operations():
        if method != "GET" or not is_list(template):
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            params = {**list_params(world, template), name: ""}
            if name == "indicator":
                continue
            response = reader(world, template).get(walk.fill(template), params)
            assert response.status_code in (200, 400), (template, name)
            if response.status_code == 400:
                assert "parameters are in /api/schema/" not in str(response.json()), (
                    template,
                    name,
                )


def test_drf_conventions_stay_allowed(world):
    response = world.backbone.get(f"/api/v1/collaboratives/{SLUG}/sectors/", {"format": "json"})
    assert response.status_code == 200
    paged = world.backbone.get(
        f"/api/v1/collaboratives/{SLUG}/sectors/", {"page": "1", "page_size": "5"}
    )
    assert paged.status_code == 200


def test_a_detail_ignores_query_parameters_as_drf_does(world):
    walk = Walk(world)
    path = walk.fill("/api/v1/collaboratives/{collaborative_slug}/sectors/{public_id}/")
    assert world.backbone.get(path, {UNKNOWN: "1"}).status_code == 200
