"""Claim before send: a notice goes to a person at most once per kind, object and day,
even when two workers run the same periodic job at the same moment.

Each app keeps its own ledger table (workgroups' ``SentReminder``, mentorship's
``SentAlert``) with a unique key (kind, object_key, member, on_date) and a ``claim``
column; this one function inserts the claims and answers whom *this* call claimed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Model


def claim_once(
    ledger: type[Model], *, kind: str, object_key: str, on_date: date, members: Iterable[Any]
) -> set[int]:
    """Insert one claim row per person; return the ids of the people this call claimed
    (a row that already existed was claimed by an earlier or concurrent call)."""
    claim = uuid.uuid4()
    ledger._default_manager.bulk_create(
        [
            ledger(kind=kind, object_key=object_key, member=m, on_date=on_date, claim=claim)
            for m in members
        ],
        ignore_conflicts=True,
    )
    return set(ledger._default_manager.filter(claim=claim).values_list("member_id", flat=True))
