"""Stipend pages: who sees what (a person their own statement, backbone staff all,
nobody else: 404), the bulk approval, the payment file, and query counts."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reentry.audit.models import AuditEvent
from reentry.stipends import services
from reentry.stipends.models import StipendLine, StipendPayment, StipendRate
from tests.factories import MemberFactory
from tests.stipends.conftest import local

pytestmark = pytest.mark.django_db
MARCH = "2025-03"


def url(name, slug="collab-a", **kw):
    return reverse(f"stipends:{name}", kwargs={"slug": slug, **kw})


@pytest.fixture
def ledger(cast, pay, gathering):
    """March 2025: the community member attended two gatherings; one line approved."""
    pay(amount="25.00")
    gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
    gathering(local(2025, 3, 11, 18, 0), present=[cast.community])
    first = StipendLine.objects.order_by("date").first()
    services.stipend_lines_approve(actor=cast.backbone, line_ids=[first.public_id])
    return first


def statement_url(member, month=MARCH, slug="collab-a"):
    return url("statement", slug=slug, public_id=member.public_id, month=month)


class TestStatement:
    def test_a_person_sees_their_own_statement(self, cast, ledger, login):
        response = login(cast.community).get(statement_url(cast.community))
        assert response.status_code == 200
        body = response.content.decode()
        assert "$50.00" in body  # the month's total
        assert "$25.00" in body
        assert "Waiting for approval" in body

    def test_backbone_staff_see_anyones_statement(self, cast, ledger, login):
        assert login(cast.backbone).get(statement_url(cast.community)).status_code == 200

    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "staff_b", "staff_c", "observer"])
    def test_anyone_else_in_the_collaborative_gets_404(self, cast, ledger, login, who):
        response = login(getattr(cast, who)).get(statement_url(cast.community))
        assert response.status_code == 404
        assert AuditEvent.objects.filter(action="access.not_found").exists()

    def test_a_staff_member_of_the_persons_organization_gets_404(self, cast, ledger, login):
        worker = MemberFactory(collaborative=cast.collab, role="community", organization=cast.org_a)
        assert login(cast.admin_a).get(statement_url(worker)).status_code == 404

    def test_another_collaborative_gets_404(self, cast, ledger, login):
        assert login(cast.outsider).get(statement_url(cast.community)).status_code == 404
        # Asking inside their own collaborative for collab-a's person: 404 too.
        target = statement_url(cast.community, slug="collab-b")
        assert login(cast.outsider).get(target).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, cast, ledger, client):
        response = client.get(statement_url(cast.community))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    def test_a_bad_month_is_404(self, cast, ledger, login):
        assert (
            login(cast.community).get(statement_url(cast.community, "2025-14")).status_code == 404
        )

    def test_my_statements_opens_my_own(self, cast, login):
        response = login(cast.community).get(url("mine") + "?month=2025-03")
        assert response.status_code == 302
        assert response["Location"] == statement_url(cast.community)

    def test_an_empty_month_says_so(self, cast, login):
        response = login(cast.community).get(statement_url(cast.community, "2024-01"))
        assert "Nothing for this month" in response.content.decode()


BACKBONE_PAGES = [
    ("review", {}, "get"),
    ("settings", {}, "get"),
    ("month", {"month": MARCH}, "get"),
    ("decide", {}, "post"),
    ("pay", {"month": MARCH}, "post"),
]


class TestBackbonePages:
    @pytest.mark.parametrize(("name", "kw", "method"), BACKBONE_PAGES)
    def test_backbone_staff_get_the_page(self, cast, ledger, login, name, kw, method):
        response = getattr(login(cast.backbone), method)(url(name, **kw))
        assert response.status_code == (200 if method == "get" else 302)

    @pytest.mark.parametrize(("name", "kw", "method"), BACKBONE_PAGES)
    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "community", "observer"])
    def test_anyone_else_gets_404(self, cast, ledger, login, name, kw, method, who):
        response = getattr(login(getattr(cast, who)), method)(url(name, **kw))
        assert response.status_code == 404

    @pytest.mark.parametrize(("name", "kw", "method"), BACKBONE_PAGES)
    def test_another_collaborative_gets_404(self, cast, ledger, login, name, kw, method):
        response = getattr(login(cast.outsider), method)(url(name, **kw))
        assert response.status_code == 404

    def test_the_approval_page_lists_the_months_lines(self, cast, ledger, login):
        response = login(cast.backbone).get(url("review") + "?month=2025-03&status=all")
        body = response.content.decode()
        assert body.count('name="line"') == 1  # only the pending line can be ticked
        assert cast.community.user.name in body

    def test_bulk_approval_through_the_page(self, cast, ledger, login):
        pending = StipendLine.objects.get(status="pending")
        response = login(cast.backbone).post(
            url("decide"), {"line": [str(pending.public_id)], "action": "approve", "month": MARCH}
        )
        assert response.status_code == 302
        assert response["Location"].endswith("?month=2025-03")
        assert not StipendLine.objects.filter(status="pending").exists()

    def test_turning_down_through_the_page_needs_a_reason(self, cast, ledger, login):
        pending = StipendLine.objects.get(status="pending")
        client = login(cast.backbone)
        client.post(url("decide"), {"line": [str(pending.public_id)], "action": "reject"})
        assert StipendLine.objects.get(pk=pending.pk).status == "pending"
        client.post(
            url("decide"),
            {"line": [str(pending.public_id)], "action": "reject", "reason": "Was not there"},
        )
        assert StipendLine.objects.get(pk=pending.pk).status == "rejected"

    def test_setting_the_rate(self, cast, login):
        response = login(cast.backbone).post(
            url("settings"),
            {"is_active": "on", "unit": "per_hour", "amount": "18.50", "monthly_cap": "200"},
        )
        assert response.status_code == 302
        rate = StipendRate.objects.get(collaborative=cast.collab)
        assert (rate.is_active, rate.unit, rate.amount, rate.monthly_cap) == (
            True,
            "per_hour",
            Decimal("18.50"),
            Decimal("200.00"),
        )

    def test_a_cap_below_one_stipend_is_refused_next_to_the_field(self, cast, login):
        response = login(cast.backbone).post(
            url("settings"),
            {"is_active": "on", "unit": "each_time", "amount": "25", "monthly_cap": "10"},
        )
        assert response.status_code == 200
        assert "less than one stipend" in response.content.decode()


class TestPaymentFile:
    def test_paying_makes_a_csv_with_one_row_per_person(self, cast, ledger, login):
        client = login(cast.backbone)
        assert client.post(url("pay", month=MARCH), {"reference": "PR-77"}).status_code == 302
        payment = StipendPayment.objects.get()
        response = client.get(url("payment_csv", public_id=payment.public_id))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [
            "name",
            "email",
            "member_id",
            "month",
            "lines",
            "total",
            "currency",
            "reference",
            "gatherings_total",
            "mentoring_total",
        ]
        assert rows[1][1:] == [
            cast.community.user.email,
            str(cast.community.public_id),
            MARCH,
            "1",
            "25.00",
            "USD",
            "PR-77",
            "25.00",
            "0.00",
        ]
        assert StipendLine.objects.get(pk=ledger.pk).status == "paid"

    def test_a_paid_file_does_not_change_when_the_person_is_renamed(self, cast, ledger, login):
        """A paid statement is a record: the file shows who was paid what, as it stood
        when it was paid, whatever happens to the account afterwards."""
        client = login(cast.backbone)
        assert client.post(url("pay", month=MARCH), {"reference": "PR-78"}).status_code == 302
        payment = StipendPayment.objects.get()
        before = client.get(url("payment_csv", public_id=payment.public_id)).content
        user = cast.community.user
        paid_as = (user.name, user.email)
        user.name, user.email = "Someone Else", "someone.else@example.org"
        user.save()
        StipendLine.objects.filter(payment=payment).update(amount="99.00")
        after = client.get(url("payment_csv", public_id=payment.public_id)).content
        assert after == before
        rows = list(csv.reader(io.StringIO(after.decode("utf-8-sig"))))
        assert tuple(rows[1][:2]) == paid_as and rows[1][5] == "25.00"

    def test_a_name_is_never_a_spreadsheet_formula(self, cast, ledger, login):
        cast.community.user.name = '=HYPERLINK("http://evil")'
        cast.community.user.save()
        client = login(cast.backbone)
        client.post(url("pay", month=MARCH))
        payment = StipendPayment.objects.get()
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(url("payment_csv", public_id=payment.public_id)).content.decode(
                        "utf-8-sig"
                    )
                )
            )
        )
        assert rows[1][0].startswith("'=")

    def test_the_file_name_keeps_only_plain_characters_of_the_reference(self, cast, ledger, login):
        client = login(cast.backbone)
        reference = '=HYPERLINK("http://evil.example","ref")'
        assert client.post(url("pay", month=MARCH), {"reference": reference}).status_code == 302
        payment = StipendPayment.objects.get()
        response = client.get(url("payment_csv", public_id=payment.public_id))
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            'attachment; filename="stipends-collab-a-HYPERLINK-http-evil-example-ref.csv"'
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1][7] == "'" + reference  # the cell itself is quoted, not cleaned

    def test_another_collaboratives_payment_is_404(self, cast, ledger, login):
        services.stipend_payment_create(actor=cast.backbone, month=ledger.date.replace(day=1))
        payment = StipendPayment.objects.get()
        target = url("payment_csv", slug="collab-b", public_id=payment.public_id)
        assert login(cast.outsider).get(target).status_code == 404
        assert (
            login(cast.admin_a).get(url("payment_csv", public_id=payment.public_id)).status_code
            == 404
        )


class TestQueryCounts:
    def test_approval_page(self, cast, pay, gathering, extra_member, login, count_queries):
        pay()
        client = login(cast.backbone)
        gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
        target = url("review") + "?month=2025-03"
        few = count_queries(client, target)
        people = [extra_member() for _ in range(24)]
        gathering(local(2025, 3, 11, 18, 0), present=people)
        assert StipendLine.objects.count() == 25
        assert count_queries(client, target) == few <= 12

    def test_month_page(self, cast, pay, gathering, extra_member, login, count_queries):
        pay()
        client = login(cast.backbone)
        gathering(local(2025, 3, 4, 18, 0), present=[cast.community])
        target = url("month", month=MARCH)
        few = count_queries(client, target)
        gathering(local(2025, 3, 11, 18, 0), present=[extra_member() for _ in range(24)])
        services.stipend_lines_approve(
            actor=cast.backbone, line_ids=StipendLine.objects.values_list("public_id", flat=True)
        )
        services.stipend_payment_create(actor=cast.backbone, month=date(2025, 3, 1))
        assert count_queries(client, target) == few <= 12

    def test_statement(self, cast, pay, gathering, login, count_queries):
        pay()
        client = login(cast.community)
        gathering(local(2025, 3, 1, 18, 0), present=[cast.community])
        few = count_queries(client, statement_url(cast.community))
        for day in range(2, 26):
            gathering(local(2025, 3, day, 18, 0), present=[cast.community])
        assert count_queries(client, statement_url(cast.community)) == few <= 10
