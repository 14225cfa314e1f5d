import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")

# autodiscover_tasks() finds `tasks` modules of INSTALLED_APPS only; the project package
# is not an app, so its own tasks (reentry.tasks.send_email) are named here, and so are
# the feature packages inside apps that have tasks of their own (workgroups.polls).
app = Celery("reentry", include=["reentry.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["workgroups.polls"])


def _rowsecurity_prerun(**kwargs) -> None:
    from reentry import rowsecurity  # after Django is set up

    rowsecurity.task_prerun(**kwargs)


def _rowsecurity_postrun(**kwargs) -> None:
    from reentry import rowsecurity

    rowsecurity.task_postrun(**kwargs)


# Tasks run as "system" for row-level security (reentry/rowsecurity.py).
task_prerun.connect(_rowsecurity_prerun, weak=False)
task_postrun.connect(_rowsecurity_postrun, weak=False)
