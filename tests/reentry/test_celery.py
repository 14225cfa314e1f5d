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


# What an eager task does before it runs: take a producer from the pool (Celery 5.7).
EAGER_PRODUCER = (
    "import django; django.setup(); from reentry.celery import app; "
    "assert app.conf.task_always_eager; "
    "ctx = app.producer_or_acquire(); ctx.__enter__(); ctx.__exit__(None, None, None)"
)


def test_no_broker_configured_means_eager_tasks_and_no_kombu_warning():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", EAGER_PRODUCER],
        cwd=settings.BASE_DIR,
        env={
            **env,
            "PYTHONPATH": str(settings.BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "reentry.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "No hostname" not in result.stderr + result.stdout
