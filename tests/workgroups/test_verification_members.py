"""Member verification (workgroups/verification/ and its page): backbone staff verify,
two verified members vouch, no ID anywhere; isolation and query counts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reentry.audit.models import AuditEvent
from stakeholders.models import Member
from tests.factories import MemberFactory
from workgroups.verification.models import MemberVerification, Vouch
from workgroups.verification.services import (
    is_verified,
    member_verification_revoke,
    member_verify,
    member_vouch,
)

pytestmark = pytest.mark.django_db


def page_url(cast) -> str:
    return reverse("polls:verification", args=[cast.collab.slug])


def test_backbone_verifies_and_withdraws(cast):
    member_verify(actor=cast.backbone, member=cast.community)
    assert is_verified(cast.community)
    assert AuditEvent.objects.filter(action="member.verified").count() == 1
    member_verification_revoke(actor=cast.backbone, member=cast.community)
    assert not is_verified(cast.community)
    assert AuditEvent.objects.filter(action="member.verification_withdrawn").count() == 1


def test_only_backbone_verifies(cast):
    with pytest.raises(PermissionDenied):
        member_verify(actor=cast.admin_a, member=cast.community)
    with pytest.raises(PermissionDenied):
        member_verify(actor=cast.outsider, member=cast.community)


def test_two_vouches_from_verified_members_verify(cast):
    member_verify(actor=cast.backbone, member=cast.staff_a)
    member_verify(actor=cast.backbone, member=cast.staff_b)

    member_vouch(actor=cast.staff_a, member=cast.community)
    assert not is_verified(cast.community)
    member_vouch(actor=cast.staff_b, member=cast.community)

    verification = MemberVerification.objects.get(member=cast.community, revoked_at__isnull=True)
    assert verification.method == MemberVerification.Method.VOUCHED


def test_vouch_rules(cast):
    with pytest.raises(PermissionDenied, match="Only verified members"):
        member_vouch(actor=cast.staff_a, member=cast.community)
    member_verify(actor=cast.backbone, member=cast.staff_a)
    with pytest.raises(ValidationError, match="yourself"):
        member_vouch(actor=cast.staff_a, member=cast.staff_a)
    member_vouch(actor=cast.staff_a, member=cast.community)
    with pytest.raises(ValidationError, match="already vouched"):
        member_vouch(actor=cast.staff_a, member=cast.community)
    with pytest.raises(PermissionDenied):
        member_vouch(actor=cast.staff_a, member=cast.outsider)
    assert Vouch.objects.count() == 1


def test_page_shows_own_status_and_asks_for_no_id(cast, login):
    page = login(cast.community).get(page_url(cast)).content.decode()
    assert "Not verified yet" in page and "No ID is ever needed" in page
    assert "Vouch for people you know" not in page  # not verified: no list


def test_backbone_verifies_from_the_page(cast, login):
    client = login(cast.backbone)
    response = client.post(
        page_url(cast), {"action": "verify", "member": str(cast.community.public_id)}
    )
    assert response.status_code == 302
    assert is_verified(cast.community)


def test_verified_member_vouches_from_the_page(cast, login):
    member_verify(actor=cast.backbone, member=cast.staff_a)
    client = login(cast.staff_a)
    assert "I know this person" in client.get(page_url(cast)).content.decode()
    client.post(page_url(cast), {"action": "vouch", "member": str(cast.community.public_id)})
    assert Vouch.objects.filter(voucher=cast.staff_a, vouchee=cast.community).exists()


def test_non_backbone_cannot_verify_from_the_page(cast, login):
    client = login(cast.staff_a)
    client.post(page_url(cast), {"action": "verify", "member": str(cast.community.public_id)})
    assert not is_verified(cast.community)


def test_member_of_another_collaborative_is_404(cast, login):
    client = login(cast.backbone)
    response = client.post(
        page_url(cast), {"action": "verify", "member": str(cast.outsider.public_id)}
    )
    assert response.status_code == 404
    assert not is_verified(cast.outsider)
    assert login(cast.outsider).get(page_url(cast)).status_code == 404


def test_bad_member_id_is_404(cast, login):
    response = login(cast.backbone).post(page_url(cast), {"action": "verify", "member": "nope"})
    assert response.status_code == 404


def test_page_query_count_does_not_grow(cast, login, count_queries):
    client = login(cast.backbone)
    one = count_queries(client, page_url(cast))
    for _ in range(25):
        person = MemberFactory(collaborative=cast.collab, role=Member.Role.COMMUNITY)
        member_verify(actor=cast.backbone, member=person)
    assert count_queries(client, page_url(cast)) == one
