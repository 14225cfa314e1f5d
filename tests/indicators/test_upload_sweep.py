"""The daily sweep of upload files (indicators.importing.jobs.upload_files_sweep, run by
indicators.tasks.sweep_upload_files): files of uploads never saved go after the
retention period, files of saved uploads go at once; the row, its report and its page
stay."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from indicators.importing.jobs import upload_files_sweep
from indicators.models import ImportJob
from indicators.services.uploads import import_job_commit, import_job_map
from indicators.tasks import sweep_upload_files

pytestmark = pytest.mark.django_db

S = ImportJob.Status
CSV = b"indicator,period,value\nHOUS-1,2025-Q1,30\n"
REPORT = {"errors": [], "by_code": {}, "rows": 1}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INDICATOR_UPLOAD_RETENTION_DAYS = 7


def make_job(cast, *, days_old: float, status=S.UPLOADED, **fields) -> ImportJob:
    job = ImportJob(
        collaborative=cast.collab,
        organization=cast.org_a,
        original_filename="housing.csv",
        file_format="csv",
        headers=["indicator", "period", "value"],
        mapping={"indicator": "indicator", "period": "period", "value": "value"},
        status=status,
        report=REPORT,
        created_by=cast.staff_a.user,
        **fields,
    )
    job.file.save("upload.csv", ContentFile(CSV), save=False)
    job.save()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    job.refresh_from_db()
    return job


def stored(job: ImportJob) -> Path:
    return Path(job.file.path)


def url(name, cast, job):
    return reverse(
        f"indicators:{name}", kwargs={"slug": cast.collab.slug, "public_id": job.public_id}
    )


class TestSweep:
    @pytest.mark.parametrize("status", [S.UPLOADED, S.INVALID, S.VALID, S.FAILED])
    def test_old_upload_never_saved_loses_its_file_but_keeps_its_row(self, cast, status):
        job = make_job(cast, days_old=8, status=status)
        path = stored(job)
        assert path.exists()

        assert upload_files_sweep() == 1

        assert not path.exists()
        job.refresh_from_db()
        assert job.file.name == ""
        assert job.file_removed_at is not None
        assert job.status == status
        assert job.report == REPORT

    def test_recent_upload_keeps_its_file(self, cast):
        job = make_job(cast, days_old=6)
        assert upload_files_sweep() == 0
        job.refresh_from_db()
        assert stored(job).exists() and job.file_removed_at is None

    def test_retention_comes_from_the_setting(self, cast, settings):
        settings.INDICATOR_UPLOAD_RETENTION_DAYS = 30
        job = make_job(cast, days_old=8)
        assert upload_files_sweep() == 0
        settings.INDICATOR_UPLOAD_RETENTION_DAYS = 5
        assert upload_files_sweep() == 1
        job.refresh_from_db()
        assert job.file_removed_at is not None

    def test_saved_upload_loses_any_file_left_at_once(self, cast):
        # The commit deletes the file itself; the sweep removes any it left behind. Saved
        # rows are in the database (restoring a version copies rows, not the file).
        job = make_job(cast, days_old=0, status=S.DONE)
        path = stored(job)
        assert upload_files_sweep() == 1
        assert not path.exists()
        job.refresh_from_db()
        assert job.status == S.DONE and job.file.name == "" and job.file_removed_at

    def test_upload_stuck_checking_or_saving_is_marked_not_saved(self, cast):
        stuck = make_job(cast, days_old=9, status=S.RUNNING)
        recent = make_job(cast, days_old=7.5, status=S.CHECKING)  # could still be running
        assert upload_files_sweep() == 1
        stuck.refresh_from_db()
        recent.refresh_from_db()
        assert stuck.status == S.FAILED and stuck.file_removed_at and not stuck.file
        assert recent.status == S.CHECKING and stored(recent).exists()

    def test_a_file_already_missing_is_no_problem(self, cast):
        job = make_job(cast, days_old=8)
        stored(job).unlink()
        assert upload_files_sweep() == 1
        job.refresh_from_db()
        assert job.file.name == "" and job.file_removed_at is not None

    def test_running_twice_removes_nothing_more(self, cast):
        make_job(cast, days_old=8)
        make_job(cast, days_old=10, status=S.INVALID)
        assert upload_files_sweep() == 2
        first = set(ImportJob.objects.values_list("pk", "file_removed_at"))
        assert upload_files_sweep() == 0
        assert set(ImportJob.objects.values_list("pk", "file_removed_at")) == first

    def test_the_task_runs_the_sweep_and_logs_the_count(self, cast, caplog):
        make_job(cast, days_old=8)
        with caplog.at_level(logging.INFO, logger="indicators.importing.jobs"):
            assert sweep_upload_files.delay().get() == 1
        assert "Removed the stored files of 1 upload(s)." in caplog.text

    def test_the_sweep_is_scheduled_daily(self, settings):
        entries = [
            entry
            for entry in settings.CELERY_BEAT_SCHEDULE.values()
            if entry["task"] == "indicators.tasks.sweep_upload_files"
        ]
        assert len(entries) == 1
        schedule = entries[0]["schedule"]
        assert schedule.hour == {3} and schedule.minute == {40}


class TestAfterRemoval:
    def test_owner_sees_that_the_file_was_removed(self, cast, login):
        job = make_job(cast, days_old=8, status=S.VALID)
        upload_files_sweep()
        for who in (cast.staff_a, cast.admin_a):
            response = login(who).get(url("upload", cast, job))
            assert response.status_code == 200
            body = response.content.decode()
            assert "The file was removed after 7 days." in body
            assert "Nothing from it was saved" in body
            assert "housing.csv" in body
            assert url("upload_commit", cast, job) not in body  # no "Save rows" button

    def test_recent_uploads_list_says_the_file_was_removed(self, cast, login):
        make_job(cast, days_old=8, status=S.VALID)
        upload_files_sweep()
        new = reverse("indicators:upload_new", kwargs={"slug": cast.collab.slug})
        body = login(cast.staff_a).get(new).content.decode()
        assert "File removed" in body and "Checked: ready to save" not in body

    def test_page_before_removal_has_no_such_words(self, cast, login):
        job = make_job(cast, days_old=1, status=S.VALID)
        fetched = login(cast.staff_a).get(url("upload", cast, job))
        assert fetched.status_code == 200
        body = fetched.content.decode()
        assert "The file was removed" not in body
        assert url("upload_commit", cast, job) in body

    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community", "outsider"])
    def test_others_get_404(self, cast, login, who):
        job = make_job(cast, days_old=8)
        upload_files_sweep()
        client = login(getattr(cast, who))
        for name in ("upload", "upload_map", "upload_progress"):
            assert client.get(url(name, cast, job)).status_code == 404, name

    def test_another_collaboratives_address_gets_404(self, cast, login):
        job = make_job(cast, days_old=8)
        upload_files_sweep()
        other = reverse(
            "indicators:upload", kwargs={"slug": cast.other_collab.slug, "public_id": job.public_id}
        )
        assert login(cast.outsider).get(other).status_code == 404

    def test_the_columns_page_sends_back_to_the_upload(self, cast, login):
        job = make_job(cast, days_old=8)
        upload_files_sweep()
        response = login(cast.staff_a).get(url("upload_map", cast, job))
        assert response.status_code == 302 and response.url == url("upload", cast, job)

    def test_saving_is_refused_with_a_clear_message(self, cast, login):
        job = make_job(cast, days_old=8, status=S.VALID)
        upload_files_sweep()
        response = login(cast.staff_a).post(url("upload_commit", cast, job), follow=True)
        assert response.status_code == 200
        assert "This file was removed. Upload it again." in response.content.decode()
        job.refresh_from_db()
        assert job.status == S.VALID

    def test_an_upload_past_retention_cannot_go_on_before_the_sweep(self, cast):
        job = make_job(cast, days_old=8, status=S.VALID)
        with pytest.raises(ValidationError, match="more than 7 days old"):
            import_job_commit(actor=cast.staff_a, job=job)
        with pytest.raises(ValidationError, match="more than 7 days old"):
            import_job_map(actor=cast.staff_a, job=job, mapping=job.mapping)
        job.refresh_from_db()
        assert job.status == S.VALID and stored(job).exists()
