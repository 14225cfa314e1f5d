"""Two app servers sharing only PostgreSQL, Redis and object storage (issue 18): two
gunicorn processes on two ports, over the test database, this worker's Redis database and
a bucket on a local S3 server (tests/objectstorage.py). A person signs in on one and is
signed in on the other with the same cookie; a data file uploaded through one is checked,
saved and shown through the other, and a logo uploaded through one is served by the
other. Nothing is shared through either process's memory or disk."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.urls import reverse

from indicators.models import ImportJob, Observation
from tests.factories import TEST_PASSWORD
from tests.indicators.test_upload_views import GOOD, the_mapping
from tests.indicators.upload_helpers import make_indicator
from tests.stakeholders.test_directory_profile import (
    edit_url,
    image_bytes,
    logo_url,
    profile_post,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the servers must see the rows
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "tests.postgresql",
        reason="two servers share a PostgreSQL database; the tests' SQLite one is in memory",
    ),
    pytest.mark.skipif(not settings.REDIS_URL, reason="two servers share Redis: set REDIS_URL"),
]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """The test database, as the tests connect to it (as TEST_DATABASE_APP_ROLE when set,
    so row-level security holds for the servers too)."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}"
        f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


@contextmanager
def _server(env: dict[str, str], logs: Path) -> Iterator[str]:
    port = _free_port()
    log = logs.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "reentry.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "120",
        ],  # fmt: skip
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server on {port} stopped:\n{logs.read_text()[-3000:]}")
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still loading
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server on {port} did not start:\n{logs.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def servers(s3, tmp_path) -> Iterator[tuple[str, str]]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "PYTEST"))
    }
    env.update(
        s3.environment(),
        DJANGO_SETTINGS_MODULE="reentry.settings",
        PYTHONPATH=str(settings.BASE_DIR),
        DATABASE_URL=_database_url(),
        DB_CONN_MAX_AGE="0",
        REDIS_URL=settings.REDIS_URL,
        # Nothing else runs the tasks: each server runs those it queues, itself.
        CELERY_TASK_ALWAYS_EAGER="true",
        SECRET_KEY="two-servers-share-one-secret-key-" + "x" * 20,
        DEBUG="true",
        MFA_ENFORCE="false",
        SESSION_IDLE_TIMEOUT="0",
        MEDIA_ROOT=str(tmp_path / "no-media-here"),
    )
    with (
        _server(env, tmp_path / "a.log") as a,
        _server(env, tmp_path / "b.log") as b,
    ):
        yield a, b


class Browser(requests.Session):
    """A session whose every request gives up after a minute."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", 60)
        return super().request(*args, **kwargs)


def _token(response: requests.Response) -> str:
    assert response.status_code == 200, response.status_code
    match = TOKEN.search(response.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_a_session_and_an_upload_cross_from_one_server_to_the_other(cast, s3, servers, tmp_path):
    a, b = servers
    make_indicator(cast)
    # The tests hash passwords with MD5 for speed (tests/conftest.py); the servers, as in
    # production, accept only their own hashers.
    user = cast.staff_a.user
    user.password = PBKDF2PasswordHasher().encode(TEST_PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    browser = Browser()  # one cookie jar: cookies do not depend on the port

    # Sign in on A through the real form.
    login = reverse("account_login")
    response = browser.post(
        a + login,
        {
            "login": cast.staff_a.user.email,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": _token(browser.get(a + login)),
        },
        headers={"Referer": a + login},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    session = browser.cookies["sessionid"]
    # Kept in the shared Redis (the tests' own cache is in memory: tests/conftest.py).
    shared = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "reentry"})
    assert shared.get(f"django.contrib.sessions.cached_db{session}") is not None

    # The same cookie on B: signed in (without it, B sends the visitor to sign in).
    organizations = reverse("stakeholders:organizations", kwargs={"slug": cast.collab.slug})
    assert requests.get(b + organizations, allow_redirects=False, timeout=60).status_code == 302
    assert browser.get(b + organizations, allow_redirects=False).status_code == 200

    # A data file uploaded through A...
    new = reverse("indicators:upload_new", kwargs={"slug": cast.collab.slug})
    response = browser.post(
        a + new,
        {
            "title": "Housing 2025",
            "licence": "agreement",
            "sharing_level": "private",
            "csrfmiddlewaretoken": _token(browser.get(a + new)),
        },
        files={"file": ("housing.csv", GOOD.encode(), "text/csv")},
        headers={"Referer": a + new},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    job = ImportJob.objects.get()
    assert s3.keys("indicator-imports/") == [job.file.name]

    # ...is checked through B (which reads the file A stored),
    columns = reverse(
        "indicators:upload_map", kwargs={"slug": cast.collab.slug, "public_id": job.public_id}
    )
    response = browser.post(
        b + columns,
        {**the_mapping(), "csrfmiddlewaretoken": _token(browser.get(b + columns))},
        headers={"Referer": b + columns},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID and job.rows_total == 3
    detail = reverse(
        "indicators:upload", kwargs={"slug": cast.collab.slug, "public_id": job.public_id}
    )
    assert "Save 3 rows" in browser.get(a + detail).text  # shown by either

    # ...and saved through B.
    save = reverse(
        "indicators:upload_commit", kwargs={"slug": cast.collab.slug, "public_id": job.public_id}
    )
    response = browser.post(
        b + save,
        {"csrfmiddlewaretoken": _token(browser.get(b + detail))},
        headers={"Referer": b + detail},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Observation.objects.filter(dataset=job.dataset).count() == 3
    assert "Open the dataset" in browser.get(a + detail).text

    # A logo uploaded through B is served by A.
    edit = edit_url(cast)
    fields = {k: str(v) for k, v in profile_post(cast).items()}
    response = browser.post(
        b + edit,
        {**fields, "csrfmiddlewaretoken": _token(browser.get(b + edit))},
        files={"logo": ("logo.png", image_bytes(), "image/png")},
        headers={"Referer": b + edit},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    cast.org_a.refresh_from_db()
    response = browser.get(a + logo_url(cast))
    assert response.status_code == 200
    assert response.content == s3.read(cast.org_a.logo.name)

    # Signed out on B, signed out on A too.
    logout = reverse("account_logout")
    response = browser.post(
        b + logout,
        {"csrfmiddlewaretoken": _token(browser.get(b + organizations))},
        headers={"Referer": b + organizations},
        allow_redirects=False,
    )
    assert response.status_code == 302
    browser.cookies.set("sessionid", session)  # the old cookie, kept by someone
    assert browser.get(a + organizations, allow_redirects=False).status_code == 302
    assert not (tmp_path / "no-media-here").exists()  # every file went to the bucket
