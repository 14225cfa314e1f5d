"""A dataset's metadata: the pages and the API give every person the same answer.

A private dataset does not exist for people outside its owner (DESIGN.md rule 6), except
that backbone staff review what was handed to them (submitted or accepted once), on the
dataset page and in the API alike; a draft stays the owner's. The indicator page's "ask
for data" list names the organization and period that hold data, never the title."""

import pytest
from django.urls import reverse

from indicators.models import DatasetVersion
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year

pytestmark = pytest.mark.django_db

CAST = ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer", "outsider"]
V1 = "/api/v1/collaboratives/collab-a/datasets/"


def private_dataset(cast, status):
    dataset = make_dataset(cast, cast.org_a, level="private", accepted=status == "accepted")
    if status == "submitted":
        DatasetVersion.objects.filter(pk=dataset.current_version_id).update(
            status=DatasetVersion.Status.SUBMITTED
        )
    return dataset


EXPECTED = {
    # status: who sees the metadata (everyone else: 404 on both)
    "draft": {"admin_a", "staff_a"},
    "submitted": {"admin_a", "staff_a", "backbone"},
    "accepted": {"admin_a", "staff_a", "backbone"},
}


@pytest.mark.parametrize("status", sorted(EXPECTED))
@pytest.mark.parametrize("name", CAST)
def test_the_dataset_page_and_the_api_agree(cast, login, status, name):
    dataset = private_dataset(cast, status)
    client = login(getattr(cast, name))
    page = client.get(
        reverse("indicators:dataset", kwargs={"slug": "collab-a", "public_id": dataset.public_id})
    )
    api = client.get(f"{V1}{dataset.public_id}/")
    listed = {row["public_id"] for row in client.get(V1).json().get("results", [])}

    expected = 200 if name in EXPECTED[status] else 404
    assert (page.status_code, api.status_code) == (expected, expected)
    assert (str(dataset.public_id) in listed) == (expected == 200)


def test_the_ask_for_data_list_names_the_organization_not_the_title(cast, login):
    indicator = indicator_of(cast, "HOUS-1", name="People housed")
    dataset = make_dataset(cast, cast.org_a, level="private", title="Secret pilot figures")
    observe(dataset, indicator, year(2024), 333)

    page = login(cast.staff_b).get(indicator.get_absolute_url()).content.decode()

    assert "Ask for data" in page
    assert cast.org_a.name in page
    assert "Secret pilot figures" not in page
