"""Every query parameter of the API parses strictly: a value that does not parse is a 400
naming the parameter (in the error shape the schema documents), never a filter silently
ignored; observations are found by indicator code as well as UUID."""

import pytest

from indicators.models import Indicator
from tests.api.openapi import assert_documented

pytestmark = pytest.mark.django_db

BAD = [
    ("services", "open_now", "maybe"),
    ("services", "accepts_referrals", "yes please"),
    ("services", "key_area", "no-such-area"),
    ("services", "sector", "no-such-sector"),
    ("services", "organization", "not-a-uuid"),
    ("services", "requires", "document:passport"),
    ("locations", "organization", "not-a-uuid"),
    ("organizations", "sector", "no-such-sector"),
    ("organizations", "page", "two"),
    ("organizations", "page_size", "-5"),
    ("indicators", "status", "dreaming"),
    ("indicators", "key_area", "no-such-area"),
    ("datasets", "organization", "nope"),
    ("meetings", "upcoming", "soon"),
    ("meetings", "group", "nope"),
    ("action-plans", "group", "nope"),
    ("action-items", "status", "half-done"),
    ("action-items", "due_before", "tomorrow"),
    ("action-items", "overdue", "very"),
    ("quick-wins", "status", "maybe"),
    ("quick-wins", "key_area", "no-such-area"),
    ("polls", "status", "maybe"),
    ("participants", "ours", "maybe"),
    ("service-logs", "delivered_from", "2024-13-01"),
    ("service-logs", "key_area", "no-such-area"),
    ("service-logs", "ours", "maybe"),
    ("consents", "in_force", "perhaps"),
    ("referrals", "status", "lost"),
    ("referrals", "direction", "sideways"),
]


@pytest.mark.parametrize(("resource", "param", "value"), BAD)
def test_an_invalid_filter_is_a_400_naming_the_parameter(cast, login, resource, param, value):
    url = f"/api/v1/collaboratives/{cast.collab.slug}/{resource}/"
    response = login(cast.admin_a).get(url, {param: value})
    assert response.status_code == 400, (resource, param, response.status_code)
    body = response.json()
    assert list(body) == [param]
    assert isinstance(body[param], list) and all(isinstance(m, str) for m in body[param])
    assert_documented(response)


@pytest.mark.parametrize("value", ["true", "1", "false", "0", "TRUE", ""])
def test_valid_flags_are_accepted(cast, login, value):
    url = f"/api/v1/collaboratives/{cast.collab.slug}/services/"
    assert login(cast.admin_a).get(url, {"open_now": value}).status_code == 200


def test_a_valid_key_area_filters(cast, login):
    url = f"/api/v1/collaboratives/{cast.collab.slug}/indicators/"
    response = login(cast.admin_a).get(url, {"key_area": cast.key_area.slug})
    assert response.status_code == 200


def test_a_key_area_of_another_collaborative_is_refused(cast, login):
    from tests.factories import KeyAreaFactory

    theirs = KeyAreaFactory(collaborative=cast.other_collab, slug="only-theirs")
    url = f"/api/v1/collaboratives/{cast.collab.slug}/indicators/"
    response = login(cast.admin_a).get(url, {"key_area": theirs.slug})
    assert response.status_code == 400
    assert "key_area" in response.json()


def test_observations_by_indicator_code_or_uuid_are_the_same(cast, login):
    indicator = Indicator.objects.create(
        collaborative=cast.collab,
        key_area=cast.key_area,
        code="housed-90",
        name="Housed at 90 days",
    )
    client = login(cast.admin_a)
    url = f"/api/v1/collaboratives/{cast.collab.slug}/observations/"
    by_code = client.get(url, {"indicator": "housed-90"})
    by_uuid = client.get(url, {"indicator": str(indicator.public_id)})
    assert by_code.status_code == by_uuid.status_code == 200
    assert by_code.json() == by_uuid.json()
    unknown = client.get(url, {"indicator": "no-such-code"})
    assert unknown.status_code == 404
    assert_documented(unknown)


def test_observations_refuse_a_malformed_flag_or_date(cast, login):
    Indicator.objects.create(collaborative=cast.collab, key_area=cast.key_area, code="x1", name="X")
    url = f"/api/v1/collaboratives/{cast.collab.slug}/observations/"
    client = login(cast.admin_a)
    for param, value in (("accepted", "maybe"), ("period_from", "last year")):
        response = client.get(url, {"indicator": "x1", param: value})
        assert response.status_code == 400
        assert list(response.json()) == [param]
