"""Grant pages, the burn-down and the funder report: who may open them, what they show."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from mentorship.models import Expense, Grant
from tests.mentorship.factories import BudgetLineFactory, GrantFactory

D = Decimal


def _url(name, w, **kw):
    return reverse(
        f"mentorship:{name}",
        kwargs={"slug": w.collab.slug, "program_id": w.program.public_id, **kw},
    )


@pytest.fixture
def grant(mworld):
    today = mworld.program.collaborative.today()
    g = GrantFactory(
        program=mworld.program,
        amount=D("12000"),
        starts_on=today.replace(day=1) - timedelta(days=120),
        ends_on=today + timedelta(days=240),
    )
    BudgetLineFactory(grant=g, category="stipends", amount=D("4000"))
    line = BudgetLineFactory(grant=g, category="coordinator", amount=D("6000"), label="Half time")
    Expense.objects.create(
        budget_line=line, date=today, amount=D("500"), description="November pay"
    )
    return g


class TestAccess:
    @pytest.mark.parametrize("who", ["backbone", "coordinator"])
    def test_managers_open_every_grant_page(self, mworld, grant, login, who):
        member = mworld.coordinator if who == "coordinator" else mworld.cast.backbone
        client = login(member)
        for url in (
            _url("grants", mworld),
            _url("grant_create", mworld),
            _url("grant", mworld, grant_id=grant.public_id),
            _url("grant_edit", mworld, grant_id=grant.public_id),
            _url("funder_report", mworld) + f"?grant={grant.public_id}",
            _url("funder_report_csv", mworld),
        ):
            assert client.get(url).status_code == 200, url

    @pytest.mark.parametrize("who", ["staff_a", "staff_c", "community", "observer"])
    def test_other_members_do_not_see_the_grant(self, mworld, grant, login, who):
        # A grant is an object they may not see: 404 (DESIGN rule 6); the managers'
        # tool pages without an id say 403.
        client = login(getattr(mworld.cast, who))
        lines = grant.budget_lines.count()
        for name in ("grant", "grant_edit"):
            assert client.get(_url(name, mworld, grant_id=grant.public_id)).status_code == 404
        for name in ("budget_line_add", "expense_add"):
            url = _url(name, mworld, grant_id=grant.public_id)
            assert client.post(url, {"amount": "1"}).status_code == 404
        assert client.get(_url("grants", mworld)).status_code == 403
        assert client.get(_url("funder_report", mworld)).status_code == 403
        assert grant.budget_lines.count() == lines

    @pytest.mark.parametrize("bad", ["nonsense", "-1", "99999999999999999999"])
    def test_a_malformed_grant_in_the_report_link_is_404_not_500(self, mworld, grant, login, bad):
        # Found by tests/security/test_crawl.py: the report's ?grant= is not a URL converter,
        # so a malformed id reached the UUID field and raised ValidationError (a 500).
        client = login(mworld.cast.backbone)
        for name in ("funder_report", "funder_report_csv"):
            assert client.get(_url(name, mworld), {"grant": bad}).status_code == 404, name

    def test_a_mentor_gets_403(self, mworld, grant, login):
        client = login(mworld.mentor_1.applicant.member)
        assert client.get(_url("grants", mworld)).status_code == 403

    def test_another_collaborative_gets_404(self, mworld, grant, login):
        client = login(mworld.cast.outsider)
        assert client.get(_url("grant", mworld, grant_id=grant.public_id)).status_code == 404
        assert client.get(_url("funder_report_csv", mworld)).status_code == 404
        response = client.post(_url("expense_add", mworld, grant_id=grant.public_id), {})
        assert response.status_code == 404

    def test_another_programs_grant_is_404_under_this_program(self, mworld, login):
        other = GrantFactory(program=mworld.other_program)
        response = login(mworld.coordinator).get(_url("grant", mworld, grant_id=other.public_id))
        assert response.status_code == 404


class TestPages:
    def test_grant_page_draws_the_burn_down_with_its_numbers(self, mworld, grant, login):
        response = login(mworld.coordinator).get(_url("grant", mworld, grant_id=grant.public_id))
        body = response.content.decode()
        assert "<svg" in body and "<polyline" in body and 'role="img"' in body
        assert "<desc" in body
        assert "$11,500.00" in body  # left: 12,000 − 500
        assert "The numbers, month by month" in body
        assert "style=" not in body and "<script>" not in body

    def test_create_a_grant_then_a_budget_line_and_an_expense(self, mworld, login):
        client = login(mworld.coordinator)
        today = mworld.program.collaborative.today()
        response = client.post(
            _url("grant_create", mworld),
            {
                "funder": "Lakeshore Fund",
                "amount": "9000",
                "starts_on": today.replace(day=1).isoformat(),
                "ends_on": (today + timedelta(days=300)).isoformat(),
                "name": "",
                "reference": "",
                "restrictions": "No food.",
            },
        )
        assert response.status_code == 302
        grant = Grant.objects.get(funder="Lakeshore Fund")
        client.post(
            _url("budget_line_add", mworld, grant_id=grant.public_id),
            {"category": "training", "label": "Trainers", "amount": "2000"},
        )
        line = grant.budget_lines.get()
        client.post(
            _url("expense_add", mworld, grant_id=grant.public_id),
            {
                "budget_line": line.pk,
                "date": today.isoformat(),
                "amount": "120.00",
                "description": "Curriculum",
            },
        )
        assert Expense.objects.get(budget_line=line).amount == D("120.00")

    def test_a_bad_grant_form_keeps_what_was_typed(self, mworld, login):
        response = login(mworld.coordinator).post(
            _url("grant_create", mworld), {"funder": "Kept Funder", "amount": "-5"}
        )
        assert response.status_code == 200
        assert b"Kept Funder" in response.content

    def test_funder_report_csv(self, mworld, grant, login):
        response = login(mworld.coordinator).get(
            _url("funder_report_csv", mworld) + f"?grant={grant.public_id}"
        )
        assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [
            "measure",
            "value",
            "unit",
            "numerator",
            "denominator",
            "hidden",
            "from",
            "to",
        ]
        measures = [r[0] for r in rows[1:]]
        assert "Matches made" in measures and "Matches lasting 12 months" in measures
        assert response["Content-Disposition"].startswith("attachment;")

    def test_report_page_is_printable(self, mworld, grant, login):
        response = login(mworld.coordinator).get(
            _url("funder_report", mworld) + f"?grant={grant.public_id}"
        )
        assert b"report to the funder" in response.content
        assert b"data-print" in response.content


class TestQueryCounts:
    def test_grant_list(self, mworld, login, count_queries):
        client = login(mworld.coordinator)
        GrantFactory(program=mworld.program)
        one = count_queries(client, _url("grants", mworld))
        for _ in range(10):
            BudgetLineFactory(grant=GrantFactory(program=mworld.program))
        assert count_queries(client, _url("grants", mworld)) == one

    def test_grant_page(self, mworld, grant, login, count_queries):
        client = login(mworld.coordinator)
        url = _url("grant", mworld, grant_id=grant.public_id)
        one = count_queries(client, url)
        line = grant.budget_lines.get(category="coordinator")
        today = mworld.program.collaborative.today()
        for k in range(20):
            Expense.objects.create(
                budget_line=line, date=today - timedelta(days=k), amount=D("10"), description="x"
            )
        assert count_queries(client, url) == one
