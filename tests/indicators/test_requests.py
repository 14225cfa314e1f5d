"""Data requests (indicators/services/requests.py, views/requests.py): ask, answer, the
sharing change (audited), emails, and who may do what."""

import pytest
from django.core import mail
from django.urls import reverse

from indicators.models import DataRequest
from indicators.selectors import requestable_datasets
from reentry.audit.models import AuditEvent
from reentry.sharing.services import share_targets
from stakeholders.models import Member
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year

pytestmark = pytest.mark.django_db


def url(name, cast, **kwargs):
    return reverse(f"indicators:{name}", kwargs={"slug": cast.collab.slug, **kwargs})


@pytest.fixture
def world(cast):
    cast.staff_c.role = Member.Role.ORG_ADMIN
    cast.staff_c.save(update_fields=["role"])
    indicator = indicator_of(cast, "HOUS-1", name="People housed")
    private = make_dataset(cast, cast.org_c, level="private", title="Court private figures")
    observe(private, indicator, year(2024), 4321)
    return indicator, private


def ask(client, cast, indicator, dataset, reason="To plan the housing pilot."):
    return client.post(
        url("data_request_new", cast, public_id=indicator.public_id),
        {"dataset": dataset.public_id, "reason": reason},
    )


class TestAsking:
    def test_the_indicator_page_offers_what_is_not_shared_without_its_figures(
        self, cast, login, world
    ):
        indicator, _private = world
        page = login(cast.staff_a).get(url("indicator", cast, public_id=indicator.public_id))
        text = page.content.decode()
        assert "Not shared with you" in text and "Org C, January 2022 to December 2025" in text
        assert "4,321" not in text and "Court private figures" not in text

    def test_a_member_asks_and_the_admins_hear_by_email(
        self, cast, login, world, django_capture_on_commit_callbacks
    ):
        indicator, private = world
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(login(cast.staff_a), cast, indicator, private)

        assert response.status_code == 302
        data_request = DataRequest.objects.get()
        assert data_request.requested_by == cast.staff_a
        assert data_request.requesting_organization == cast.org_a
        assert AuditEvent.objects.filter(action="data_request.created").exists()
        assert [m.to for m in mail.outbox] == [[cast.staff_c.user.email]]
        assert "To plan the housing pilot." in mail.outbox[0].body

    def test_asking_twice_is_refused_and_keeps_the_text(self, cast, login, world):
        indicator, private = world
        client = login(cast.staff_a)
        ask(client, cast, indicator, private)
        response = ask(client, cast, indicator, private, reason="Again please")
        assert response.status_code == 400
        assert "Again please" in response.content.decode()
        assert DataRequest.objects.count() == 1

    def test_an_empty_reason_is_refused(self, cast, login, world):
        indicator, private = world
        response = ask(login(cast.staff_a), cast, indicator, private, reason="  ")
        assert response.status_code == 400
        assert not DataRequest.objects.exists()

    def test_a_dataset_already_visible_cannot_be_asked_for(self, cast, login, world):
        indicator, _private = world
        shared = make_dataset(cast, cast.org_b, title="B shared")
        observe(shared, indicator, year(2024), 50)
        assert shared not in requestable_datasets(cast.staff_a.user, indicator)
        response = ask(login(cast.staff_a), cast, indicator, shared)
        assert response.status_code == 400

    def test_other_collaborative_gets_404(self, cast, login, world):
        indicator, private = world
        response = ask(login(cast.outsider), cast, indicator, private)
        assert response.status_code == 404
        assert not DataRequest.objects.exists()


class TestAnswering:
    def _request(self, cast, login, world):
        indicator, private = world
        ask(login(cast.staff_a), cast, indicator, private)
        mail.outbox.clear()
        return DataRequest.objects.get()

    def test_the_owner_admin_approves_and_the_dataset_is_shared_with_the_asker(
        self, cast, login, world, django_capture_on_commit_callbacks
    ):
        data_request = self._request(cast, login, world)
        _indicator, private = world
        with django_capture_on_commit_callbacks(execute=True):
            response = login(cast.staff_c).post(
                url("data_request_decide", cast, public_id=data_request.public_id),
                {"decision": "approve", "scope": "organization", "response": "Welcome"},
            )
        assert response.status_code == 302
        private.refresh_from_db()
        assert private.sharing_level == "shared"
        assert share_targets(private) == [cast.org_a]
        assert private.is_visible_to(cast.staff_a.user)
        assert not private.is_visible_to(cast.staff_b.user)
        data_request.refresh_from_db()
        assert data_request.status == DataRequest.Status.APPROVED
        assert AuditEvent.objects.filter(action="sharing.changed").exists()
        assert AuditEvent.objects.filter(action="data_request.approved").exists()
        assert mail.outbox[0].to == [cast.staff_a.user.email]

    def test_the_owner_admin_declines_and_nothing_is_shared(
        self, cast, login, world, django_capture_on_commit_callbacks
    ):
        data_request = self._request(cast, login, world)
        _indicator, private = world
        with django_capture_on_commit_callbacks(execute=True):
            login(cast.staff_c).post(
                url("data_request_decide", cast, public_id=data_request.public_id),
                {"decision": "decline", "response": "Not yet"},
            )
        private.refresh_from_db()
        assert private.sharing_level == "private"
        data_request.refresh_from_db()
        assert data_request.status == DataRequest.Status.DECLINED
        assert "declined" in mail.outbox[0].body

    @pytest.mark.parametrize("who", ["staff_a", "staff_b", "backbone"])
    def test_only_the_owner_admin_answers(self, cast, login, world, who):
        data_request = self._request(cast, login, world)
        response = login(getattr(cast, who)).post(
            url("data_request_decide", cast, public_id=data_request.public_id),
            {"decision": "approve", "scope": "organization"},
        )
        assert response.status_code in (403, 404)
        data_request.refresh_from_db()
        assert data_request.status == DataRequest.Status.PENDING

    def test_a_request_is_answered_once(self, cast, login, world):
        data_request = self._request(cast, login, world)
        client = login(cast.staff_c)
        target = url("data_request_decide", cast, public_id=data_request.public_id)
        client.post(target, {"decision": "decline"})
        client.post(target, {"decision": "approve", "scope": "collaborative"})
        data_request.refresh_from_db()
        assert data_request.status == DataRequest.Status.DECLINED

    def test_the_list_shows_each_side_its_requests(self, cast, login, world):
        data_request = self._request(cast, login, world)
        asker = login(cast.staff_a).get(url("data_requests", cast)).content.decode()
        assert "To plan the housing pilot." in asker and "Send the answer" not in asker
        owner = login(cast.staff_c).get(url("data_requests", cast)).content.decode()
        assert "Send the answer" in owner
        fetched = login(cast.staff_b).get(url("data_requests", cast))
        assert fetched.status_code == 200
        other = fetched.content.decode()
        assert "To plan the housing pilot." not in other
        assert str(data_request.public_id) not in other

    def test_other_collaborative_gets_404(self, cast, login, world):
        data_request = self._request(cast, login, world)
        client = login(cast.outsider)
        assert client.get(url("data_requests", cast)).status_code == 404
        response = client.post(
            url("data_request_decide", cast, public_id=data_request.public_id),
            {"decision": "approve"},
        )
        assert response.status_code == 404

    def test_list_query_count_is_the_same_with_one_and_many(
        self, cast, login, world, count_queries
    ):
        indicator, private = world
        self._request(cast, login, world)
        client = login(cast.staff_c)
        one = count_queries(client, url("data_requests", cast))
        for n in range(12):
            dataset = make_dataset(cast, cast.org_c, level="private", title=f"More {n}")
            observe(dataset, indicator, year(2024), 20)
            DataRequest.objects.create(dataset=dataset, requested_by=cast.staff_b, reason="Please")
        assert count_queries(client, url("data_requests", cast)) == one
