"""Keep a task the broker could not take, and send kept tasks once it answers."""

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from reentry.broker import publish
from reentry.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

# A claim older than this belongs to a sender that died mid-way: take the row over.
# Sending one message takes about a second at worst, so a live sender is long done.
CLAIM_EXPIRES = timedelta(minutes=10)


def outbox_store(
    *, task_name: str, args: Sequence[Any], kwargs: dict[str, Any], error: BaseException
) -> OutboxMessage:
    """Keep one task that could not be published."""
    message = OutboxMessage(
        task_name=task_name,
        args=list(args),
        kwargs=dict(kwargs),
        last_error=_describe(error),
        last_attempt_at=timezone.now(),
    )
    message.full_clean()
    message.save()
    return message


def outbox_flush(*, limit: int = 500) -> int:
    """Publish kept tasks, oldest first; returns how many were sent.

    Rows are claimed with one UPDATE (a row already claimed by another sender is
    skipped), each is deleted right after its publish succeeds, and at the first
    failure the broker is taken to be down still: that row's attempt is counted,
    and every claim of this run is released for the next one. Not one transaction
    on purpose: a claim must be visible to other senders before publishing starts,
    and each sent row must be gone at once.
    """
    now = timezone.now()
    claim = uuid.uuid4()
    claimable = Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_EXPIRES)
    batch = OutboxMessage.objects.filter(claimable).order_by("id").values("id")[:limit]
    OutboxMessage.objects.filter(claimable, id__in=batch).update(claimed_at=now, claim=claim)
    sent = 0
    for message in OutboxMessage.objects.filter(claim=claim).order_by("id"):
        try:
            publish(message.task_name, message.args, message.kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure: keep the row for the next run
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1,
                last_error=_describe(exc),
                last_attempt_at=timezone.now(),
            )
            OutboxMessage.objects.filter(claim=claim).update(claimed_at=None, claim=None)
            logger.warning(
                "Outbox: the broker still does not answer; %s sent, the rest wait: %s", sent, exc
            )
            return sent
        OutboxMessage.objects.filter(pk=message.pk, claim=claim).delete()
        sent += 1
    if sent:
        logger.info("Outbox: sent %s waiting task(s) to the broker.", sent)
    return sent


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
