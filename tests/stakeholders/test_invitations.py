from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reentry.audit.models import AuditEvent
from stakeholders import services
from stakeholders.models import Invitation, Member, User

pytestmark = pytest.mark.django_db


def invite(actor, email="new.person@example.org", role=Member.Role.COMMUNITY, organization=None):
    return services.invitation_create(
        actor=actor, email=email, role=role, organization=organization
    )


def token_from_email(message) -> str:
    return message.body.split("/invitations/")[1].split("/")[0]


class TestInvitationCreate:
    def test_backbone_invites_and_an_email_with_the_link_is_sent(
        self, cast, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            invitation, token = invite(cast.backbone, email="New.Person@Example.org")
            assert mail.outbox == []  # queued on commit, never inside the transaction
        assert len(callbacks) == 1
        assert invitation.email == "new.person@example.org"
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["new.person@example.org"]
        assert token_from_email(mail.outbox[0]) == token
        assert token not in invitation.token_hash  # only the hash is stored
        assert AuditEvent.objects.filter(action="invitation.sent").count() == 1

    def test_org_admin_invites_to_own_organization_only(self, cast):
        invite(cast.admin_a, role=Member.Role.PROVIDER_STAFF, organization=cast.org_a)
        with pytest.raises(PermissionDenied):
            invite(cast.admin_a, "x@example.org", Member.Role.PROVIDER_STAFF, cast.org_b)
        with pytest.raises(PermissionDenied):
            invite(cast.admin_a, "y@example.org", Member.Role.BACKBONE, cast.org_a)

    @pytest.mark.parametrize("who", ["staff_a", "community", "observer"])
    def test_others_cannot_invite(self, cast, who):
        with pytest.raises(PermissionDenied):
            invite(getattr(cast, who))

    def test_organization_of_another_collaborative_is_refused(self, cast):
        with pytest.raises(ValidationError):
            invite(cast.backbone, role=Member.Role.PROVIDER_STAFF, organization=cast.org_x)

    def test_existing_member_is_refused(self, cast):
        with pytest.raises(ValidationError, match="already a member"):
            invite(cast.backbone, email=cast.staff_b.user.email)

    def test_second_open_invitation_is_refused(self, cast):
        invite(cast.backbone)
        with pytest.raises(ValidationError, match="already has an invitation"):
            invite(cast.backbone)

    def test_expired_invitation_does_not_block_a_new_one(self, cast):
        old, _ = invite(cast.backbone)
        Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(1))
        new, _ = invite(cast.backbone)
        assert new.pk != old.pk
        old.refresh_from_db()
        assert old.revoked_at is not None


class TestInvitationAccept:
    def test_accept_creates_the_membership_once(self, cast):
        invitation, token = invite(
            cast.backbone, role=Member.Role.PROVIDER_STAFF, organization=cast.org_b
        )
        user = User.objects.create_user("new.person@example.org", "pw-123456789", name="New")
        member = services.invitation_accept(user=user, token=token)
        assert (member.role, member.organization) == (Member.Role.PROVIDER_STAFF, cast.org_b)
        assert user.groups.filter(pk=cast.org_b.group_id).exists()
        with pytest.raises(ValidationError):
            services.invitation_accept(user=user, token=token)

    def test_resend_replaces_the_link(self, cast):
        invitation, old_token = invite(cast.backbone)
        new_token = services.invitation_resend(actor=cast.backbone, invitation=invitation)
        assert new_token != old_token
        user = User.objects.create_user("new.person@example.org", "pw-123456789", name="New")
        with pytest.raises(ValidationError):
            services.invitation_accept(user=user, token=old_token)
        services.invitation_accept(user=user, token=new_token)

    def test_revoked_and_expired_links_do_not_work(self, cast):
        user = User.objects.create_user("new.person@example.org", "pw-123456789", name="New")
        invitation, token = invite(cast.backbone)
        services.invitation_revoke(actor=cast.backbone, invitation=invitation)
        with pytest.raises(ValidationError):
            services.invitation_accept(user=user, token=token)
        invitation2, token2 = invite(cast.backbone, email="other@example.org")
        Invitation.objects.filter(pk=invitation2.pk).update(expires_at=timezone.now())
        with pytest.raises(ValidationError):
            services.invitation_accept(user=user, token=token2)


class TestInvitationPages:
    def test_invited_person_signs_up_through_the_link_and_joins(self, cast, client):
        _invitation, token = invite(cast.backbone)
        accept_url = reverse("invitation_accept", kwargs={"token": token})
        page = client.get(accept_url)
        assert page.status_code == 200
        assert b"Join Collaborative A" in page.content
        signup = client.get(reverse("account_signup"))
        assert b'value="new.person@example.org"' in signup.content  # prefilled, verified
        response = client.post(
            reverse("account_signup"),
            {
                "name": "Nia Person",
                "email": "new.person@example.org",
                "password1": "a-long-new-password-7",
                "password2": "a-long-new-password-7",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == accept_url  # no verification step: the link proved it
        joined = client.post(accept_url)
        assert joined["Location"] == reverse("stakeholders:home", kwargs={"slug": "collab-a"})
        member = Member.objects.get(user__email="new.person@example.org")
        assert member.collaborative == cast.collab
        assert client.get(joined["Location"]).status_code == 200

    def test_bad_token_shows_a_clear_page(self, client, db):
        response = client.get(reverse("invitation_accept", kwargs={"token": "nope"}))
        assert response.status_code == 404
        assert b"This invitation link does not work" in response.content

    def test_invitation_page_lists_and_form_keeps_input(self, cast, login):
        client = login(cast.backbone)
        url = reverse("stakeholders:invitations", kwargs={"slug": "collab-a"})
        response = client.post(
            url, {"email": cast.staff_b.user.email, "name": "Typed Name", "role": "community"}
        )
        assert response.status_code == 200
        assert b"already a member" in response.content
        assert b"Typed Name" in response.content

    def test_org_admin_cannot_withdraw_another_organizations_invitation(self, cast, login):
        invitation, _ = invite(
            cast.backbone, role=Member.Role.PROVIDER_STAFF, organization=cast.org_b
        )
        response = login(cast.admin_a).post(
            reverse(
                "stakeholders:invitation_revoke",
                kwargs={"slug": "collab-a", "public_id": invitation.public_id},
            )
        )
        assert response.status_code == 404
        invitation.refresh_from_db()
        assert invitation.revoked_at is None

    def test_outsider_gets_404_on_invitations(self, cast, login):
        url = reverse("stakeholders:invitations", kwargs={"slug": "collab-a"})
        assert login(cast.outsider).get(url).status_code == 404

    def test_staff_get_403_on_invitations(self, cast, login):
        url = reverse("stakeholders:invitations", kwargs={"slug": "collab-a"})
        assert login(cast.staff_a).get(url).status_code == 403

    def test_invitation_list_query_count_is_constant(self, cast, login, count_queries):
        client = login(cast.backbone)
        url = reverse("stakeholders:invitations", kwargs={"slug": "collab-a"})
        invite(cast.backbone)
        few = count_queries(client, url, status="all")
        for i in range(24):
            invite(
                cast.backbone,
                email=f"p{i}@example.org",
                role=Member.Role.PROVIDER_STAFF,
                organization=cast.org_a,
            )
        assert count_queries(client, url, status="all") == few <= 12
        assert all(f"p{i}@example.org" in count_queries.page for i in range(24))


class TestPrivilegedInvitationIsBoundToItsAddress:
    """A backbone-staff or organization invitation only for the address it was sent to."""

    @pytest.fixture
    def someone_else(self, db):
        return User.objects.create_user("someone.else@example.org", "pw-123456789", name="Else")

    @pytest.mark.parametrize(
        ("role", "org"),
        [
            (Member.Role.BACKBONE, None),
            (Member.Role.ORG_ADMIN, "org_a"),
            (Member.Role.PROVIDER_STAFF, "org_a"),
        ],
    )
    def test_another_address_is_refused_with_a_clear_page(
        self, cast, client, someone_else, role, org
    ):
        organization = getattr(cast, org) if org else None
        _invitation, token = invite(cast.backbone, role=role, organization=organization)
        client.force_login(someone_else)
        url = reverse("invitation_accept", kwargs={"token": token})
        page = client.get(url)
        assert page.status_code == 403
        text = page.content.decode()
        assert "This invitation is for another address" in text
        assert "Sign out" in text and "new.person@example.org" in text
        assert "you can still accept it" not in text
        assert client.post(url).status_code == 403
        assert not Member.objects.filter(user=someone_else).exists()
        event = AuditEvent.objects.get(action="invitation.refused_other_address")
        assert event.actor == someone_else and event.outcome == AuditEvent.Outcome.DENIED

    def test_the_service_refuses_too(self, cast, someone_else):
        _invitation, token = invite(cast.backbone, role=Member.Role.BACKBONE)
        with pytest.raises(PermissionDenied):
            services.invitation_accept(user=someone_else, token=token)
        assert not Member.objects.filter(user=someone_else).exists()

    def test_the_invited_address_accepts_whatever_its_case(self, cast, client):
        _invitation, token = invite(cast.backbone, role=Member.Role.BACKBONE)
        user = User.objects.create_user("New.Person@Example.org", "pw-123456789", name="New")
        client.force_login(user)
        response = client.post(reverse("invitation_accept", kwargs={"token": token}))
        assert response.status_code == 302
        assert Member.objects.get(user=user).role == Member.Role.BACKBONE

    def test_a_verified_second_address_counts(self, cast, someone_else):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=someone_else, email="new.person@example.org", verified=True, primary=False
        )
        _invitation, token = invite(
            cast.backbone, role=Member.Role.ORG_ADMIN, organization=cast.org_a
        )
        member = services.invitation_accept(user=someone_else, token=token)
        assert member.role == Member.Role.ORG_ADMIN

    def test_a_community_invitation_keeps_working_for_whoever_holds_it(
        self, cast, client, someone_else
    ):
        _invitation, token = invite(cast.backbone, role=Member.Role.COMMUNITY)
        client.force_login(someone_else)
        url = reverse("invitation_accept", kwargs={"token": token})
        assert "you can still accept it" in client.get(url).content.decode()
        assert client.post(url).status_code == 302
        assert Member.objects.get(user=someone_else).role == Member.Role.COMMUNITY
