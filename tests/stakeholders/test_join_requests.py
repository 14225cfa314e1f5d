import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reentry.audit.models import AuditEvent
from stakeholders import services
from stakeholders.models import JoinRequest, Member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_collab(cast):
    cast.collab.accepts_join_requests = True
    cast.collab.save()
    return cast


def ask(cast, user=None, message="I want to help with housing."):
    return services.join_request_create(
        user=user or UserFactory(), collaborative=cast.collab, message=message
    )


class TestJoinRequestServices:
    def test_closed_collaborative_refuses_requests(self, cast):
        with pytest.raises(PermissionDenied):
            ask(cast)

    def test_request_tells_backbone_staff_by_email(
        self, open_collab, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            ask(open_collab)
        assert [m.to for m in mail.outbox] == [[open_collab.backbone.user.email]]

    def test_one_waiting_request_per_person(self, open_collab):
        person = UserFactory()
        ask(open_collab, person)
        with pytest.raises(ValidationError, match="already asked"):
            ask(open_collab, person)

    def test_members_cannot_ask(self, open_collab):
        with pytest.raises(ValidationError, match="already a member"):
            ask(open_collab, open_collab.staff_a.user)

    def test_approval_makes_a_member_with_the_chosen_role(self, open_collab):
        jr = ask(open_collab)
        member = services.join_request_approve(
            actor=open_collab.backbone,
            join_request=jr,
            role=Member.Role.PROVIDER_STAFF,
            organization=open_collab.org_b,
        )
        assert member.organization == open_collab.org_b
        jr.refresh_from_db()
        assert jr.status == JoinRequest.Status.APPROVED
        assert AuditEvent.objects.filter(action="join_request.approved").exists()
        with pytest.raises(ValidationError, match="already answered"):
            services.join_request_decline(actor=open_collab.backbone, join_request=jr)

    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "community", "outsider"])
    def test_only_backbone_staff_of_that_collaborative_decide(self, open_collab, who):
        jr = ask(open_collab)
        with pytest.raises(PermissionDenied):
            services.join_request_decline(actor=getattr(open_collab, who), join_request=jr)

    def test_approval_refuses_another_collaboratives_organization(self, open_collab):
        jr = ask(open_collab)
        with pytest.raises(ValidationError):
            services.join_request_approve(
                actor=open_collab.backbone,
                join_request=jr,
                role=Member.Role.PROVIDER_STAFF,
                organization=open_collab.org_x,
            )
        assert not Member.objects.filter(user=jr.user).exists()


class TestJoinPages:
    def test_closed_collaborative_join_page_is_404(self, cast, client):
        assert (
            client.get(reverse("stakeholders:join", kwargs={"slug": "collab-a"})).status_code == 404
        )

    def test_signed_in_person_asks_and_sees_it_waiting(self, open_collab, client):
        person = UserFactory()
        client.force_login(person)
        url = reverse("stakeholders:join", kwargs={"slug": "collab-a"})
        response = client.post(url, {"message": "Hello, I run a food pantry."})
        assert response.status_code == 302
        page = client.get(url)
        assert b"Backbone staff will answer by email" in page.content
        home = client.get(reverse("home"))
        assert b"Waiting for an answer" in home.content

    def test_empty_message_keeps_the_form_with_an_error(self, open_collab, client):
        client.force_login(UserFactory())
        url = reverse("stakeholders:join", kwargs={"slug": "collab-a"})
        response = client.post(url, {"message": "", "organization_name": "Typed Org"})
        assert response.status_code == 200
        assert b"Typed Org" in response.content
        assert not JoinRequest.objects.exists()

    def test_backbone_approves_from_the_list(self, open_collab, login):
        jr = ask(open_collab)
        client = login(open_collab.backbone)
        page = client.get(reverse("stakeholders:join_requests", kwargs={"slug": "collab-a"}))
        assert jr.message.encode() in page.content
        decide = reverse(
            "stakeholders:join_request_decide",
            kwargs={"slug": "collab-a", "public_id": jr.public_id},
        )
        client.post(decide, {"decision": "approve", f"{jr.public_id}-role": "community"})
        assert Member.objects.get(user=jr.user).role == Member.Role.COMMUNITY

    def test_approving_staff_role_without_organization_is_refused(self, open_collab, login):
        jr = ask(open_collab)
        decide = reverse(
            "stakeholders:join_request_decide",
            kwargs={"slug": "collab-a", "public_id": jr.public_id},
        )
        response = login(open_collab.backbone).post(
            decide, {"decision": "approve", f"{jr.public_id}-role": "provider_staff"}, follow=True
        )
        assert b"This role needs an organization" in response.content
        assert not Member.objects.filter(user=jr.user).exists()

    def test_other_collaboratives_backbone_gets_404(self, open_collab, login):
        jr = ask(open_collab)
        client = login(open_collab.outsider)
        assert (
            client.get(
                reverse("stakeholders:join_requests", kwargs={"slug": "collab-a"})
            ).status_code
            == 404
        )
        decide_own = reverse(
            "stakeholders:join_request_decide",
            kwargs={"slug": "collab-b", "public_id": jr.public_id},
        )
        assert client.post(decide_own, {"decision": "decline"}).status_code == 404
        jr.refresh_from_db()
        assert jr.status == JoinRequest.Status.PENDING

    def test_org_admin_gets_403(self, open_collab, login):
        url = reverse("stakeholders:join_requests", kwargs={"slug": "collab-a"})
        assert login(open_collab.admin_a).get(url).status_code == 403

    def test_someone_else_cannot_withdraw_a_request(self, open_collab, client):
        jr = ask(open_collab)
        client.force_login(UserFactory())
        url = reverse(
            "stakeholders:join_withdraw", kwargs={"slug": "collab-a", "public_id": jr.public_id}
        )
        assert client.post(url).status_code == 404

    def test_list_query_count_is_constant(self, open_collab, login, count_queries):
        client = login(open_collab.backbone)
        url = reverse("stakeholders:join_requests", kwargs={"slug": "collab-a"})
        ask(open_collab)
        few = count_queries(client, url)
        asking = [ask(open_collab) for _ in range(24)]
        assert count_queries(client, url) == few <= 12
        assert all(str(request.public_id) in count_queries.page for request in asking)
