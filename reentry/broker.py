"""Send a task to the broker now, or raise: one connection attempt, no retry loop.

The bottom of the queueing stack: ``reentry.queue.enqueue`` (on commit, keeping what
fails in the outbox) and ``reentry.outbox.services.outbox_flush`` (sending what was
kept) both publish through here, so neither imports the other's callers.
"""

from collections.abc import Sequence
from typing import Any

from celery import Celery, Task, current_app


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
    # The project's app (reentry/celery.py), current since reentry/__init__.py made it.
    return current_app._get_current_object()


def _registered(app: Celery, name: str) -> Task | None:
    """The task object for ``name`` (its routing options), importing tasks modules if needed."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks.get(name)
