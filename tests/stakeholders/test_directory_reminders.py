"""The quarterly "please verify your listings" email to organization admins (eager Celery)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from reentry.audit.models import AuditEvent
from stakeholders.models import Member, Service
from stakeholders.tasks import send_verification_reminders
from tests.factories import MemberFactory
from tests.stakeholders.directory_world import make_service

pytestmark = pytest.mark.django_db(transaction=True)  # emails are queued on commit


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def stale(cast):
    return {
        "old": make_service(cast.org_a, "Old listing", last_verified_at=days_ago(120)),
        "never": make_service(cast.org_a, "Never checked", last_verified_at=None),
        "fresh": make_service(cast.org_a, "Fresh listing", last_verified_at=days_ago(10)),
        "inactive": make_service(
            cast.org_a, "Closed program", last_verified_at=None, status="inactive"
        ),
        "b_old": make_service(cast.org_b, "B old listing", last_verified_at=days_ago(100)),
    }


def test_admins_get_one_email_listing_their_stale_services(cast, stale):
    MemberFactory(collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_b)

    sent = send_verification_reminders.delay().get()

    assert sent == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    a_mail = by_recipient[cast.admin_a.user.email]
    assert "Org A" in a_mail.subject
    assert "Old listing" in a_mail.body
    assert "Never checked" in a_mail.body
    assert "Fresh listing" not in a_mail.body
    assert "Closed program" not in a_mail.body
    assert "B old listing" not in a_mail.body
    assert f"{settings.SITE_URL}/c/collab-a/services/{stale['old'].public_id}/edit/" in a_mail.body
    # Staff are not emailed; admins are.
    assert cast.staff_a.user.email not in by_recipient
    assert AuditEvent.objects.filter(action="directory.verification_reminded").count() == 2


def test_running_twice_sends_nothing_the_second_time(cast, stale):
    send_verification_reminders.delay().get()
    first = len(mail.outbox)
    assert first == 1  # Org B has no admin

    assert send_verification_reminders.delay().get() == 0
    assert len(mail.outbox) == first


def test_a_service_is_reminded_again_after_another_quarter(cast, stale):
    send_verification_reminders.delay().get()
    Service.objects.filter(pk=stale["old"].pk).update(
        verification_reminded_at=timezone.now() - timedelta(days=91)
    )
    mail.outbox.clear()

    assert send_verification_reminders.delay().get() == 1
    assert "Old listing" in mail.outbox[0].body
    assert "Never checked" not in mail.outbox[0].body


def test_organization_without_admin_is_reminded_once_it_has_one(cast, stale):
    send_verification_reminders.delay().get()
    assert Service.objects.get(pk=stale["b_old"].pk).verification_reminded_at is None

    admin_b = MemberFactory(
        collaborative=cast.collab, role=Member.Role.ORG_ADMIN, organization=cast.org_b
    )
    mail.outbox.clear()
    send_verification_reminders.delay().get()
    assert [m.to for m in mail.outbox] == [[admin_b.user.email]]


def test_verified_services_are_not_reminded(cast, stale):
    Service.objects.filter(organization=cast.org_a).update(last_verified_at=timezone.localdate())
    assert send_verification_reminders.delay().get() == 0
    assert mail.outbox == []


def test_the_task_is_scheduled_daily_in_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["directory-verification-reminders"]
    assert entry["task"] == send_verification_reminders.name
