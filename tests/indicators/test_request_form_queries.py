"""The data-request form on the indicator page: its choices (datasets named by their
owner) are read in one query however many there are (issue 18)."""

import pytest

from indicators.forms import DataRequestForm
from indicators.models import Dataset
from tests.indicators.dashboard_world import make_dataset

pytestmark = pytest.mark.django_db


def test_the_choices_cost_one_query_whatever_their_number(cast, django_assert_num_queries):
    datasets = [
        make_dataset(cast, org, level="private", title=f"Figures of {org.name}")
        for org in (cast.org_a, cast.org_b, cast.org_c)
    ]
    form = DataRequestForm(datasets=Dataset.objects.filter(pk__in=[d.pk for d in datasets]))
    with django_assert_num_queries(1):
        html = str(form)
    for org in (cast.org_a, cast.org_b, cast.org_c):
        assert f"{org.name}, " in html


def test_a_posted_choice_is_still_checked_against_the_datasets(cast):
    mine = make_dataset(cast, cast.org_a, level="private", title="Ours")
    other = make_dataset(cast, cast.org_b, level="private", title="Theirs")
    form = DataRequestForm(
        {"dataset": other.public_id, "reason": "To plan."},
        datasets=Dataset.objects.filter(pk=mine.pk),
    )
    assert not form.is_valid()
    assert "dataset" in form.errors
