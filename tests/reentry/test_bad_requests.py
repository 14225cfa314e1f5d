"""A NUL byte in an address is a 400 with a plain page, on every database (found by
tests/security/test_crawl.py: on PostgreSQL ``?q=%00`` was a 500 on the member list, the
poll verification page and the audit export)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("name", ["stakeholders:members", "polls:verification", "audit:export"])
def test_a_nul_byte_in_the_query_is_a_400_not_a_500(cast, login, name):
    client = login(cast.backbone)
    url = reverse(name, args=[cast.collab.slug])
    assert client.get(url).status_code == 200
    response = client.get(url, {"q": "\x00"})
    assert response.status_code == 400
    assert b"This link does not work" in response.content


def test_a_nul_byte_in_a_parameter_name_or_for_anonymous_is_a_400(cast, client):
    assert client.get("/", {"a\x00": "1"}).status_code == 400
    assert (
        client.get(
            reverse("directory:directory", args=[cast.collab.slug]), {"q": "a\x00b"}
        ).status_code
        == 400
    )


def test_ordinary_queries_still_work(cast, login):
    client = login(cast.backbone)
    response = client.get(reverse("stakeholders:members", args=[cast.collab.slug]), {"q": "Org"})
    assert response.status_code == 200
