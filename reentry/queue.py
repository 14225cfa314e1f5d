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
from collections.abc import Sequence
from typing import Any

from celery import Celery, Task
from django.db import transaction

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
        from reentry.outbox.services import outbox_store

        message = outbox_store(task_name=task.name, args=args, kwargs=kwargs, error=exc)
        logger.warning(
            "The broker did not take task %s; kept in the outbox as #%s until it answers: %s",
            task.name,
            message.pk,
            exc,
        )


def publish(
    task: Task | str,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    *,
    app: Celery | None = None,
) -> str:
    """Send one task (or task name) to the broker now, or raise. Returns the task id.

    One connection attempt bounded by the broker connection timeout and no
    publish retries, so a dead broker costs about a second, never kombu's
    open-ended retry loop. With eager tasks (no broker), runs the task here.
    """
    if app is None:
        app = task.app if isinstance(task, Task) else _project_app()
    name = task if isinstance(task, str) else task.name
    found = _registered(app, name) if isinstance(task, str) else task
    if app.conf.task_always_eager:
        if found is None:
            raise LookupError(f"No task named {name!r} is registered.")
        return found.apply_async(args=args, kwargs=kwargs).id
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(
            max_retries=0, timeout=app.conf.broker_connection_timeout
        )
        if found is not None:
            result = found.apply_async(args=args, kwargs=kwargs, producer=producer, retry=False)
        else:
            result = app.send_task(name, args=args, kwargs=kwargs, producer=producer, retry=False)
    return result.id


def _project_app() -> Celery:
    from reentry.celery import app

    return app


def _registered(app: Celery, name: str) -> Task | None:
    """The task object for ``name`` (its routing options), importing tasks modules if needed."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks.get(name)
