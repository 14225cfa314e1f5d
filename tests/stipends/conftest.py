"""Stipend fixtures on top of the fixed cast and the working-group fixtures.

``pay`` turns stipends on for collaborative A (``pay(unit=..., amount=..., cap=...)``)
and ``gathering`` makes a held gathering of the Housing group at a given local time,
with the given people marked present through the attendance service.
"""

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from reentry.stipends import services as stipend_services
from reentry.stipends.models import Unit
from tests.workgroups.conftest import extra_member, wg  # noqa: F401 - fixtures
from workgroups import services as wg_services
from workgroups.models import Meeting

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def local(*args: int) -> datetime:
    """A wall-clock time in collaborative A's time zone (America/Chicago)."""
    return datetime(*args, tzinfo=CHICAGO)


@pytest.fixture
def pay(cast):
    def _pay(unit=Unit.EACH_TIME, amount="25.00", cap=None, on=True):
        return stipend_services.stipend_rate_set(
            actor=cast.backbone,
            is_active=on,
            unit=unit,
            amount=Decimal(amount),
            monthly_cap=Decimal(cap) if cap is not None else None,
        )

    return _pay


@pytest.fixture
def gathering(cast, wg):  # noqa: F811 - the wg fixture
    """``gathering(local_start, minutes=90, present=[...], absent=[...])``."""

    def _gathering(starts: datetime, minutes: int = 90, present=(), absent=(), group=None):
        starts = starts.replace(tzinfo=CHICAGO) if starts.tzinfo is None else starts
        meeting = Meeting.objects.create(
            owner=group or wg.housing,
            title=f"Gathering {starts:%Y-%m-%d %H:%M}",
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            place="Library",
            sharing_level=(group or wg.housing).minutes_sharing,
        )
        statuses = {str(m.public_id): "present" for m in present}
        statuses |= {str(m.public_id): "absent" for m in absent}
        wg_services.attendance_record(actor=cast.backbone, meeting=meeting, statuses=statuses)
        return meeting

    return _gathering
