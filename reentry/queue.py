"""The one way app code queues a Celery task: after the transaction commits."""

from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Queue ``task`` once the current transaction commits (now, if there is none)."""
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs))
