"""Celery queues split by kind (issue 18): the long jobs (imports, derivations, sweeps of
stored files) on "bulk", emails, reminders and notifications on "default", each queue
consumed by its own workers in docker-compose.yml."""

import json
import os
import subprocess
import sys
from functools import cache

import yaml
from django.conf import settings

OURS = ("reentry.", "stakeholders.", "workgroups.", "indicators.", "mentorship.", "casework.")
QUEUES = {"default", "bulk"}

# What a worker registers at start (tests/reentry/test_celery.py), and where each task of
# ours is sent: asked of a fresh process with the production settings.
ROUTES = (
    "import json; from reentry.celery import app; app.loader.import_default_modules(); "
    f"print(json.dumps({{n: app.amqp.router.route({{}}, n)['queue'].name for n in app.tasks "
    f"if n.startswith({OURS!r})}}))"
)


@cache
def _routes() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    env["DJANGO_SETTINGS_MODULE"] = "reentry.settings"
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", ROUTES],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _our_tasks() -> list[str]:
    return sorted(_routes())


def _queue(name: str) -> str:
    return _routes()[name]


def test_every_task_of_ours_goes_to_a_known_queue():
    tasks = _our_tasks()
    assert len(tasks) > 15
    assert {name: _queue(name) for name in tasks if _queue(name) not in QUEUES} == {}


def test_every_bulk_route_names_a_task_that_exists():
    """A renamed import task must not fall back to the mail queue unnoticed."""
    assert set(settings.CELERY_TASK_ROUTES) <= set(_our_tasks())


def test_imports_and_derivations_are_on_the_bulk_queue():
    for name in (
        "indicators.tasks.check_import",
        "indicators.tasks.commit_import",
        "casework.tasks.derive_casework_indicators",
    ):
        assert _queue(name) == "bulk", name


def test_mail_reminders_and_notifications_are_never_on_the_bulk_queue():
    tasks = _our_tasks()
    urgent = [
        name
        for name in tasks
        if name == "reentry.tasks.send_email"
        or "remind" in name
        or ".notifications." in name
        or "alerts" in name
        or name == "reentry.outbox.tasks.flush_outbox"
    ]
    assert "reentry.tasks.send_email" in urgent
    assert len(urgent) >= 8
    assert {name: _queue(name) for name in urgent} == dict.fromkeys(urgent, "default")


def _consumed_queues(command: list[str]) -> set[str]:
    flag = next(i for i, part in enumerate(command) if part in ("--queues", "-Q"))
    return set(command[flag + 1].split(","))


def test_docker_compose_runs_a_worker_for_each_queue_and_one_for_bulk_alone():
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    workers = {
        name: _consumed_queues(service["command"])
        for name, service in compose["services"].items()
        if "worker" in service.get("command", [])
    }
    assert set().union(*workers.values()) == QUEUES
    # The workers that send mail never also take imports (one long job would block them).
    assert all("bulk" not in queues for queues in workers.values() if "default" in queues)
