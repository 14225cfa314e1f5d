import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")

# autodiscover_tasks() finds `tasks` modules of INSTALLED_APPS only; the project package
# is not an app, so its own tasks (reentry.tasks.send_email) are named here, and so are
# the feature packages inside apps that have tasks of their own (workgroups.polls).
app = Celery("reentry", include=["reentry.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["workgroups.polls"])
