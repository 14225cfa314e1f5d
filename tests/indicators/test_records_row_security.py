"""PostgreSQL's second lock on record-level rows (indicators/migrations/0009): under a
person's scope a raw ``Record.objects.all()`` holds only their own organization's rows,
exactly what ``Record.objects.visible_to`` admits."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from indicators.models import Dataset, DatasetVersion, Record
from reentry import rowsecurity
from reentry.middleware import RowSecurityMiddleware
from tests.casework.test_row_security import policed

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row-level security is PostgreSQL's; on SQLite only the code's lock holds.",
)


@pytest.fixture
def records(cast):
    ids = {}
    for organization in (cast.org_a, cast.org_b, cast.org_x):
        dataset = Dataset.objects.create(
            owner=organization,
            kind=Dataset.Kind.RECORDS,
            title=f"{organization.name} releases",
            period_start="2024-01-01",
            period_end="2024-12-31",
        )
        version = DatasetVersion.objects.create(dataset=dataset, number=1, columns=["Sex"])
        Record.objects.bulk_create(
            Record(dataset=dataset, version=version, row=n, cells=["Female"]) for n in range(3)
        )
        ids[organization.slug] = set(
            Record.objects.filter(dataset=dataset).values_list("pk", flat=True)
        )
    return ids


def test_a_raw_query_in_another_organizations_request_returns_none_of_the_rows(
    cast, records, rf: RequestFactory
):
    request = rf.get("/")
    request.user = cast.staff_b.user

    def view(request):
        return HttpResponse(",".join(str(pk) for pk in Record.objects.values_list("pk", flat=True)))

    with policed():
        response = RowSecurityMiddleware(view)(request)
    seen = {int(pk) for pk in response.content.decode().split(",") if pk}
    assert seen == records["org-b"]


def test_the_policy_admits_exactly_what_visible_to_admits(cast, records):
    everything = set(Record.objects.values_list("pk", flat=True))
    for member in (
        cast.staff_a,
        cast.admin_a,
        cast.staff_b,
        cast.staff_c,
        cast.backbone,
        cast.community,
        cast.observer,
        cast.outsider,
    ):
        visible = set(Record.objects.visible_to(member.user).values_list("pk", flat=True))
        with policed():
            rowsecurity.narrow_to(member.user)
            policed_rows = set(Record.objects.values_list("pk", flat=True))
        assert policed_rows == visible, member
        assert policed_rows <= everything
    with policed():
        rowsecurity.narrow_to(cast.backbone.user)
        assert not Record.objects.exists()
