"""Uploaded files on S3-compatible object storage (issue 18): a logo and a data upload go
through the real views into a bucket on a local S3 server (moto), are checked, saved and
served from it and stay behind the same permission checks; nothing lands on this
machine's disk. Consent scans: tests/casework/test_consents_object_storage.py; the
bucket: tests/objectstorage.py."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage

from indicators.models import ImportJob, Observation
from tests.indicators.test_upload_views import the_mapping
from tests.indicators.test_upload_views import upload as upload_data
from tests.indicators.test_upload_views import url as indicators_url
from tests.indicators.upload_helpers import make_indicator
from tests.stakeholders.test_directory_profile import (
    edit_url,
    image_bytes,
    logo_url,
    profile_post,
)
from tests.stakeholders.test_directory_profile import upload as logo_upload


def _nothing_on_disk() -> bool:
    media = settings.MEDIA_ROOT
    return not media.exists() or not any(media.rglob("*"))


def test_the_default_storage_is_the_bucket(s3):
    assert isinstance(default_storage, S3Storage)
    name = default_storage.save("probe/hello.txt", logo_upload(b"hello", name="hello.txt"))
    assert s3.read(name) == b"hello"
    with pytest.raises(NotImplementedError):
        default_storage.path(name)  # no local path: readers must go through local_path


def _give_logo(cast, login) -> None:
    response = login(cast.admin_a).post(
        edit_url(cast), profile_post(cast, logo=logo_upload(image_bytes()))
    )
    assert response.status_code == 302


class TestLogo:
    def test_uploaded_checked_saved_and_served_from_the_bucket(self, s3, cast, login):
        client = login(cast.admin_a)
        response = client.post(
            edit_url(cast), profile_post(cast, logo=logo_upload(image_bytes(), name="ours.png"))
        )
        assert response.status_code == 302
        cast.org_a.refresh_from_db()
        name = cast.org_a.logo.name
        assert s3.keys("logos/") == [name]
        stored = s3.read(name)
        assert stored.startswith(b"\x89PNG")  # re-encoded by the check, then stored

        response = login(cast.staff_b).get(logo_url(cast))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored
        assert _nothing_on_disk()

    def test_another_collaborative_gets_404(self, s3, cast, login):
        _give_logo(cast, login)
        assert login(cast.outsider).get(logo_url(cast)).status_code == 404

    def test_a_file_gone_from_the_bucket_is_a_404(self, s3, cast, login):
        _give_logo(cast, login)
        cast.org_a.refresh_from_db()
        s3.client.delete_object(Bucket=s3.name, Key=cast.org_a.logo.name)
        assert login(cast.staff_b).get(logo_url(cast)).status_code == 404

    def test_the_files_are_not_public(self, s3, cast, login):
        _give_logo(cast, login)
        (key,) = s3.keys("logos/")
        grants = s3.client.get_object_acl(Bucket=s3.name, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]


class TestDataUpload:
    def test_checked_and_saved_from_the_bucket(
        self, s3, cast, login, django_capture_on_commit_callbacks
    ):
        make_indicator(cast)
        client = login(cast.staff_a)
        response = upload_data(client, cast)
        assert response.status_code == 302
        job = ImportJob.objects.get()
        assert s3.keys("indicator-imports/") == [job.file.name]
        assert job.headers[:2] == ["indicator", "period"]  # read from the upload itself

        with django_capture_on_commit_callbacks(execute=True):  # the worker's check
            response = client.post(indicators_url("upload_map", cast, job), the_mapping())
        assert response.status_code == 302
        job.refresh_from_db()
        assert job.status == ImportJob.Status.VALID and job.rows_total == 3
        page = client.get(indicators_url("upload", cast, job)).content.decode()
        assert "Save 3 rows" in page

        with django_capture_on_commit_callbacks(execute=True):  # the worker's commit
            client.post(indicators_url("upload_commit", cast, job))
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE
        assert Observation.objects.filter(dataset=job.dataset).count() == 3
        assert s3.keys("indicator-imports/") == []  # the file goes once saved
        assert _nothing_on_disk()

    def test_another_organization_gets_404(self, s3, cast, login):
        make_indicator(cast)
        upload_data(login(cast.staff_a), cast)
        job = ImportJob.objects.get()
        for who in (cast.staff_b, cast.outsider):
            assert login(who).get(indicators_url("upload", cast, job)).status_code == 404


def test_abandoned_directory_uploads_are_swept_from_the_bucket(s3):
    """The bucket has no folders, only names under a prefix: the sweep still finds them."""
    from stakeholders.directory.hsds.uploads import UPLOAD_FOLDER, uploads_sweep

    name = default_storage.save(f"{UPLOAD_FOLDER}abandoned.zip", logo_upload(b"PK"))
    assert uploads_sweep() == 0  # too recent
    assert s3.keys(UPLOAD_FOLDER) == [name]
    assert uploads_sweep(keep_for=timedelta(seconds=-1)) == 1
    assert s3.keys(UPLOAD_FOLDER) == []


SHOW_STORAGE = (
    "from django.conf import settings; d = settings.STORAGES['default']; "
    "print(d['BACKEND'], d.get('OPTIONS', {}).get('bucket_name'), "
    "d.get('OPTIONS', {}).get('endpoint_url'))"
)


def _storage_from_environment(**variables: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(variables, DJANGO_SETTINGS_MODULE="reentry.settings")
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", f"import django; django.setup(); {SHOW_STORAGE}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_the_embedded_default_keeps_files_on_the_local_disk():
    assert _storage_from_environment() == ("django.core.files.storage.FileSystemStorage None None")


def test_a_bucket_name_switches_to_object_storage():
    shown = _storage_from_environment(
        AWS_STORAGE_BUCKET_NAME="uploads", AWS_S3_ENDPOINT_URL="http://minio:9000"
    )
    assert shown == "storages.backends.s3.S3Storage uploads http://minio:9000"
