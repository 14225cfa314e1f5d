"""The upload pages (indicators/views/datasets.py): file → columns → check → save, with the
progress endpoint; who may use them; size limit; mapping remembered per organization."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.importing import headers_key
from indicators.models import ColumnMapping, Dataset, ImportJob, Observation
from tests.indicators.upload_helpers import HEADER, make_indicator

pytestmark = pytest.mark.django_db

GOOD = (
    "indicator,period,race_ethnicity,sex,value\n"
    "HOUS-1,2025-Q1,,,30\n"
    "HOUS-1,2025-Q1,,female,12\n"
    "HOUS-1,2025-Q1,,male,18\n"
)
BAD = "indicator,period,race_ethnicity,sex,value\nHOUS-1,2025-Q1,,,30\nNOPE,2025-13,,,x\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def post_and_run(django_capture_on_commit_callbacks):
    """POST, then run the tasks the request queued on commit (as the worker would)."""

    def _post(client, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)

    return _post


def url(name, cast, obj=None):
    kwargs = {"slug": cast.collab.slug}
    if obj is not None:
        kwargs["public_id"] = obj.public_id
    return reverse(f"indicators:{name}", kwargs=kwargs)


def upload(client, cast, text=GOOD, name="housing.csv", **fields):
    data = {
        "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
        "title": "Housing 2025",
        "licence": "agreement",
        "sharing_level": "private",
        **fields,
    }
    return client.post(url("upload_new", cast), data)


def the_mapping():
    return {
        "col_0": "indicator",
        "col_1": "period",
        "col_2": "dim:race_ethnicity",
        "col_3": "dim:sex",
        "col_4": "value",
    }


class TestJourney:
    def test_upload_map_check_save(self, cast, login, post_and_run):
        make_indicator(cast)
        client = login(cast.staff_a)
        response = upload(client, cast)
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == url("upload_map", cast, job)
        assert job.headers == HEADER[:4] + ["value"]
        # The columns were guessed from their names.
        page = client.get(url("upload_map", cast, job)).content.decode()
        assert 'value="dim:sex" selected' in page
        response = post_and_run(client, url("upload_map", cast, job), the_mapping())
        assert response.status_code == 302
        job.refresh_from_db()
        assert job.status == ImportJob.Status.VALID and job.rows_total == 3
        page = client.get(url("upload", cast, job)).content.decode()
        assert "Save 3 rows" in page and "2025-Q1" in page
        assert post_and_run(client, url("upload_commit", cast, job)).status_code == 302
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.version.number == 1
        assert Observation.objects.filter(dataset=job.dataset).count() == 3
        assert job.dataset.title == "Housing 2025" and job.dataset.sharing_level == "private"
        assert not job.file  # the stored file is removed once saved
        page = client.get(url("upload", cast, job)).content.decode()
        assert "Open the dataset" in page and 'value="100"' in page

    def test_errors_are_reported_row_by_row_and_nothing_is_saved(self, cast, login, post_and_run):
        make_indicator(cast)
        client = login(cast.staff_a)
        upload(client, cast, BAD)
        job = ImportJob.objects.get()
        post_and_run(client, url("upload_map", cast, job), the_mapping())
        job.refresh_from_db()
        assert job.status == ImportJob.Status.INVALID and job.error_count == 3
        page = client.get(url("upload", cast, job)).content.decode()
        assert "Nothing was saved" in page and "is not an indicator" in page
        assert "There is no month 13" in page and "is not a number" in page
        response = post_and_run(client, url("upload_commit", cast, job))
        assert response.status_code == 302
        assert not Dataset.objects.exists() and not Observation.objects.exists()

    def test_new_version_needs_a_reason(self, cast, login, post_and_run):
        make_indicator(cast)
        client = login(cast.staff_a)
        upload(client, cast)
        job = ImportJob.objects.get()
        post_and_run(client, url("upload_map", cast, job), the_mapping())
        post_and_run(client, url("upload_commit", cast, job))
        dataset = Dataset.objects.get()
        response = upload(client, cast, dataset=str(dataset.public_id), title="")
        assert response.status_code == 200 and "Say why" in response.content.decode()
        response = upload(client, cast, dataset=str(dataset.public_id), reason="Fixed March")
        second = ImportJob.objects.exclude(pk=job.pk).get()
        assert second.dataset == dataset and second.reason == "Fixed March"
        # The same columns: the mapping was remembered, so the file is checked at once.
        assert second.mapping == {
            "indicator": "indicator",
            "period": "period",
            "race_ethnicity": "dim:race_ethnicity",
            "sex": "dim:sex",
            "value": "value",
        }
        assert ColumnMapping.objects.filter(
            organization=cast.org_a, headers_key=headers_key(second.headers)
        ).exists()

    def test_mapping_problems_are_shown(self, cast, login):
        make_indicator(cast)
        client = login(cast.staff_a)
        upload(client, cast)
        job = ImportJob.objects.get()
        response = client.post(url("upload_map", cast, job), {"col_0": "indicator"})
        page = response.content.decode()
        assert response.status_code == 200
        assert (
            "Choose the column with the period" in page
            and "Choose the column with the value" in page
        )

    def test_progress_endpoint(self, cast, login):
        make_indicator(cast)
        client = login(cast.staff_a)
        upload(client, cast)
        job = ImportJob.objects.get()
        data = client.get(url("upload_progress", cast, job)).json()
        assert data == {
            "status": "uploaded",
            "label": "Uploaded: map the columns",
            "percent": 0,
            "active": False,
            "url": url("upload", cast, job),
        }
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
        from django.core.cache import cache

        from indicators.importing import progress_key

        cache.set(progress_key(job.public_id), {"rows": 50, "percent": 42})
        data = client.get(url("upload_progress", cast, job)).json()
        assert data["active"] and data["percent"] == 42
        page = client.get(url("upload", cast, job)).content.decode()
        assert "indicators/progress" in page and 'value="42"' in page and "<noscript>" in page


class TestFileProblemsOnUpload:
    def test_duplicate_header_is_refused_and_nothing_kept(self, cast, login, settings):
        client = login(cast.staff_a)
        response = upload(client, cast, "indicator,period,value,Value\nHOUS-1,2025,1,2\n")
        page = response.content.decode()
        assert response.status_code == 200 and "appears twice (columns C and D)" in page
        assert not ImportJob.objects.exists()
        assert not list((settings.MEDIA_ROOT).rglob("*.csv"))

    def test_wrong_kind_of_file(self, cast, login):
        response = upload(login(cast.staff_a), cast, "x", name="data.xls")
        assert "old Excel file" in response.content.decode()

    def test_over_the_limit_by_content_length_is_refused_before_reading(
        self, cast, login, settings
    ):
        settings.INDICATOR_UPLOAD_MAX_BYTES = 1000
        client = login(cast.staff_a)
        response = client.post(
            url("upload_new", cast),
            data=b"x" * 10,
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH="5000000",
        )
        assert response.status_code == 413
        assert "This file is over the 1000\xa0bytes limit" in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_over_the_limit_without_content_length_is_stopped_while_reading(
        self, cast, login, settings
    ):
        settings.INDICATOR_UPLOAD_MAX_BYTES = 100
        client = login(cast.staff_a)
        response = upload(client, cast, GOOD * 10)
        assert response.status_code == 413
        assert "This file is over the 100\xa0bytes limit" in response.content.decode()
        assert not ImportJob.objects.exists()


class TestWhoMayUpload:
    @pytest.mark.parametrize("who", ["community", "observer", "backbone"])
    def test_people_without_an_organization_role_get_403(self, cast, login, who):
        assert login(getattr(cast, who)).get(url("upload_new", cast)).status_code == 403

    def test_outsider_gets_404(self, cast, login):
        assert login(cast.outsider).get(url("upload_new", cast)).status_code == 404

    def test_anonymous_post_is_sent_to_sign_in(self, cast, client):
        response = upload(client, cast)
        assert response.status_code in (302, 403)
        assert not ImportJob.objects.exists()

    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community", "outsider"])
    def test_an_upload_is_only_for_its_organization(self, cast, login, who):
        make_indicator(cast)
        upload(login(cast.staff_a), cast)
        job = ImportJob.objects.get()
        client = login(getattr(cast, who))
        for name in ("upload", "upload_map", "upload_progress"):
            assert client.get(url(name, cast, job)).status_code == 404, name
        assert client.post(url("upload_commit", cast, job)).status_code == 404
        assert client.post(url("upload_map", cast, job), the_mapping()).status_code == 404

    def test_the_organizations_admin_sees_its_staffs_upload(self, cast, login):
        make_indicator(cast)
        upload(login(cast.staff_a), cast)
        job = ImportJob.objects.get()
        assert login(cast.admin_a).get(url("upload", cast, job)).status_code == 200


def test_a_failure_while_saving_is_shown_and_nothing_is_saved(
    cast, login, post_and_run, monkeypatch
):
    from indicators.importing import jobs

    make_indicator(cast)
    client = login(cast.staff_a)
    upload(client, cast)
    job = ImportJob.objects.get()
    post_and_run(client, url("upload_map", cast, job), the_mapping())

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "import_file", broken)
    response = post_and_run(client, url("upload_commit", cast, job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(url("upload", cast, job)).content.decode()
    assert "nothing was saved" in page and not Dataset.objects.exists()
