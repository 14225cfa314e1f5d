import os
import subprocess
import sys

from django.conf import settings

# What a Celery worker does at start: import the app, then every module it names or
# discovers. A task missing here is "unregistered" in production, where tasks don't run eagerly.
WORKER_IMPORTS = (
    "from reentry.celery import app; app.loader.import_default_modules(); "
    "print('\\n'.join(sorted(app.tasks)))"
)


def test_a_fresh_worker_registers_the_email_task():
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", WORKER_IMPORTS],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "reentry.tasks.send_email" in result.stdout.split()
