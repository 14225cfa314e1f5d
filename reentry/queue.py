"""The one way app code queues a Celery task: after the transaction commits.

A page that queues work must not fail, hang or lose the work when the broker is
down. On commit, ``enqueue`` publishes once, without kombu's retry loop, with
the one-second connection timeout from settings (CELERY_BROKER_CONNECTION_TIMEOUT
and the transport's socket timeouts). If that fails, the task is written to the
database outbox (``reentry.outbox``) and a warning is logged; the ``flush_outbox``
beat task (every minute) or ``manage.py flush_outbox`` sends it once the broker
answers. With no broker configured, tasks run eagerly in process on commit.
"""

import logging
from typing import Any

from celery import Task
from django.db import transaction

from reentry.broker import publish

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue ``task`` once the current transaction commits (now, if there is none)."""
    transaction.on_commit(lambda: _send_or_keep(task, args, kwargs))


def _send_or_keep(task: Task, args: tuple, kwargs: dict) -> None:
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
        return
    try:
        publish(task, args, kwargs)
    except Exception as exc:  # noqa: BLE001 - any broker failure: keep the task, never a 500
        from reentry.outbox.services import outbox_store  # the outbox's models load late

        message = outbox_store(task_name=task.name, args=args, kwargs=kwargs, error=exc)
        logger.warning(
            "The broker did not take task %s; kept in the outbox as #%s until it answers: %s",
            task.name,
            message.pk,
            exc,
        )
