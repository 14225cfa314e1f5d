"""Dataset pages and data approval (indicators/views/datasets.py, services/datasets.py):
draft → submitted by the organization's own admin → accepted (locked) by backbone staff;
versions; restore; who sees what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators.models import Dataset, DatasetVersion, Indicator, Observation
from indicators.services import datasets as services
from reentry.sharing.services import sharing_set
from tests.indicators.dashboard_world import make_dataset, observe, year
from tests.indicators.upload_helpers import make_indicator, run_import, write_csv

pytestmark = pytest.mark.django_db


def url(name, cast, obj=None):
    kwargs = {"slug": cast.collab.slug}
    if obj is not None:
        kwargs["public_id"] = obj.public_id
    return reverse(f"indicators:{name}", kwargs=kwargs)


@pytest.fixture
def dataset(cast, tmp_path):
    make_indicator(cast)
    path = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "17", "", ""]])
    _report, dataset, _version = run_import(cast, path)
    return dataset


def new_version(cast, tmp_path, dataset, value="19", reason="Late entries"):
    path = write_csv(tmp_path / f"v{value}.csv", [["HOUS-1", "2025", "", "", value, "", ""]])
    return run_import(cast, path, dataset=dataset, reason=reason)[2]


class TestApproval:
    def test_admin_submits_and_backbone_accepts_which_locks(self, cast, dataset, login):
        assert login(cast.staff_a).post(url("dataset_submit", cast, dataset)).status_code == 403
        assert login(cast.admin_a).post(url("dataset_submit", cast, dataset)).status_code == 302
        dataset.refresh_from_db()
        assert dataset.status == DatasetVersion.Status.SUBMITTED
        # Submitted: backbone staff now see it (description and status, not rows).
        page = login(cast.backbone).get(url("dataset", cast, dataset)).content.decode()
        assert "Accept and lock" in page and "Rows of version" not in page
        assert login(cast.backbone).post(url("dataset_accept", cast, dataset)).status_code == 302
        dataset.refresh_from_db()
        assert dataset.is_locked and dataset.accepted_version == dataset.current_version
        with pytest.raises(ValidationError):
            services.dataset_update(actor=cast.admin_a, dataset=dataset, changes={"title": "X"})

    def test_backbone_sends_back_with_a_note(self, cast, dataset, login):
        services.dataset_version_submit(actor=cast.admin_a, version=dataset.current_version)
        client = login(cast.backbone)
        client.post(url("dataset_return", cast, dataset), {"reason": ""})
        dataset.refresh_from_db()
        assert dataset.status == DatasetVersion.Status.SUBMITTED
        client.post(url("dataset_return", cast, dataset), {"reason": "March looks low"})
        dataset.refresh_from_db()
        assert dataset.status == DatasetVersion.Status.DRAFT

    def test_other_organizations_admin_cannot_submit(self, cast, dataset):
        with pytest.raises(PermissionDenied):
            services.dataset_version_submit(actor=cast.staff_b, version=dataset.current_version)

    def test_outsider_backbone_cannot_accept(self, cast, dataset):
        services.dataset_version_submit(actor=cast.admin_a, version=dataset.current_version)
        with pytest.raises(PermissionDenied):
            services.dataset_version_accept(actor=cast.outsider, version=dataset.current_version)

    def test_a_draft_is_not_accepted(self, cast, dataset):
        with pytest.raises(ValidationError):
            services.dataset_version_accept(actor=cast.backbone, version=dataset.current_version)

    def test_drafts_stay_hidden_from_backbone_when_private(self, cast, dataset, login):
        assert login(cast.backbone).get(url("dataset", cast, dataset)).status_code == 404
        assert login(cast.backbone).post(url("dataset_accept", cast, dataset)).status_code == 404


class TestVersions:
    def test_accepted_only_keeps_the_last_accepted_version_until_the_next_is_accepted(
        self, cast, dataset, tmp_path
    ):
        services.dataset_version_submit(actor=cast.admin_a, version=dataset.current_version)
        services.dataset_version_accept(actor=cast.backbone, version=dataset.current_version)
        v2 = new_version(cast, tmp_path, dataset)
        dataset.refresh_from_db()
        assert dataset.current_version == v2 and v2.status == DatasetVersion.Status.DRAFT
        assert Observation.objects.accepted().get().value == 17
        assert Observation.objects.current().get().value == 19

    def test_restore_copies_an_earlier_version_as_a_new_draft(self, cast, dataset, tmp_path, login):
        v1 = dataset.current_version
        new_version(cast, tmp_path, dataset)
        client = login(cast.staff_a)
        response = client.post(
            url("dataset_restore", cast, dataset),
            {"version": str(v1.public_id), "reason": "The fix was wrong"},
        )
        assert response.status_code == 302
        dataset.refresh_from_db()
        v3 = dataset.current_version
        assert v3.number == 3 and v3.restored_from == v1 and v3.reason == "The fix was wrong"
        assert Observation.objects.current().get().value == 17
        assert Observation.objects.count() == 3

    def test_restore_needs_a_reason(self, cast, dataset, tmp_path):
        v1 = dataset.current_version
        new_version(cast, tmp_path, dataset)
        with pytest.raises(ValidationError):
            services.dataset_version_restore(
                actor=cast.staff_a, dataset=dataset, version=v1, reason=" "
            )

    def test_owner_sees_rows_of_an_earlier_version(self, cast, dataset, tmp_path, login):
        new_version(cast, tmp_path, dataset)
        page = (
            login(cast.staff_a)
            .get(url("dataset", cast, dataset), {"version": "1"})
            .content.decode()
        )
        assert "Rows of version 1" in page and ">17<" in page


class TestWhoSees:
    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "community", "observer", "outsider"])
    def test_private_dataset_is_404_beyond_the_owner(self, cast, dataset, login, who):
        assert login(getattr(cast, who)).get(url("dataset", cast, dataset)).status_code == 404

    def test_sector_sharing_shows_description_but_never_rows(self, cast, dataset, login):
        sharing_set(actor=cast.admin_a, obj=dataset, level="sector")
        page = login(cast.staff_b).get(url("dataset", cast, dataset))
        assert page.status_code == 200 and "Rows of version" not in page.content.decode()
        assert login(cast.staff_c).get(url("dataset", cast, dataset)).status_code == 404
        assert (
            login(cast.staff_b).post(url("dataset_restore", cast, dataset), {}).status_code == 403
        )

    def test_list_shows_only_what_each_person_may_see(self, cast, dataset, login):
        assert dataset.title in login(cast.staff_a).get(url("datasets", cast)).content.decode()
        response = login(cast.staff_b).get(url("datasets", cast))
        assert response.status_code == 200
        assert dataset.title not in response.content.decode()
        assert login(cast.outsider).get(url("datasets", cast)).status_code == 404

    def test_list_query_count_does_not_grow(self, cast, login, count_queries, tmp_path):
        make_indicator(cast)
        client, backbone = login(cast.staff_a), login(cast.backbone)
        path = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "1", "", ""]])
        first = run_import(cast, path)[2]
        services.dataset_version_submit(actor=cast.admin_a, version=first)
        one = count_queries(client, url("datasets", cast))
        review_one = count_queries(backbone, url("datasets", cast), show="review")
        for i in range(24):
            version = run_import(cast, path, fields={"title": f"Set {i}"})[2]
            services.dataset_version_submit(actor=cast.admin_a, version=version)
        assert Dataset.objects.count() == 25
        assert count_queries(client, url("datasets", cast)) == one
        review = backbone.get(url("datasets", cast), {"show": "review"}).content.decode()
        assert "Set 23" in review
        assert count_queries(backbone, url("datasets", cast), show="review") == review_one


class TestRowsReadable:
    def test_owner_reads_breakdown_names_and_rounded_rates(self, cast, login):
        indicator = make_indicator(cast, "EMP-90", unit=Indicator.Unit.PERCENT)
        dataset = make_dataset(cast, cast.org_a, level="private")
        observe(
            dataset,
            indicator,
            year(2024),
            None,
            breakdown={"race_ethnicity": "black"},
            numerator=124,
            denominator=314,
        )
        page = login(cast.staff_a).get(url("dataset", cast, dataset)).content.decode()

        assert "Race and ethnicity: Black or African American" in page
        assert "39.49%" in page and "39.490" not in page
        assert ">124<" in page and ">314<" in page
        assert "race_ethnicity" not in page
