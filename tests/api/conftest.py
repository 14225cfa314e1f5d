"""API test helpers: tokens made through the real service, clients that send them."""

import pytest
from django.test import Client

from reentry.api.services import api_token_create
from stakeholders.models import Member
from tests.factories import MemberFactory


@pytest.fixture
def admin_b(cast):
    """An admin of organization B (same collaborative and sector as A)."""
    return MemberFactory(
        collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_b
    )


@pytest.fixture
def make_token():
    """``make_token(member, **kw)`` -> (ApiToken, plain token)."""

    def _make(member, name="Case system", **kw):
        member = Member.objects.select_related("organization", "collaborative").get(pk=member.pk)
        return api_token_create(actor=member, name=name, **kw)

    return _make


@pytest.fixture
def token_client():
    """``token_client(plain, keyword="Token")``: a client that sends the token on every request."""

    def _client(plain: str, keyword: str = "Token") -> Client:
        return Client(headers={"Authorization": f"{keyword} {plain}"})

    return _client
