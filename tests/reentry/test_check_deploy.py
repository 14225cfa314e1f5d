"""``manage.py check --deploy`` under production settings: no warning that README.md's
"check --deploy" section does not explain, and none at all once a deployment that owns
its whole domain turns on the two HSTS options."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Warnings a production deployment may see on purpose, each explained in README.md.
EXPLAINED = {"security.W005", "security.W021"}


def check_deploy(**extra: str) -> tuple[int, set[str], str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "EMAIL_", "DEBUG", "SECRET_KEY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="reentry.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="reentry.example.org",
        SITE_URL="https://reentry.example.org",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    env.update(extra)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = done.stdout + done.stderr
    return done.returncode, set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", output)), output


def test_production_settings_raise_only_explained_warnings():
    code, issues, output = check_deploy()
    assert code == 0, output
    assert issues <= EXPLAINED, output
    readme = (ROOT / "README.md").read_text()
    for issue in issues:
        assert issue in readme, f"{issue} is not explained in README.md"


def test_a_deployment_owning_its_domain_gets_no_warning():
    code, issues, output = check_deploy(
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true"
    )
    assert code == 0, output
    assert issues == set(), output
    assert "no issues" in output


def test_console_email_in_production_is_an_error():
    code, issues, output = check_deploy(
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
    )
    assert code != 0
    assert "mail.E001" in issues, output
