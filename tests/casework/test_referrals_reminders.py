"""Reminders to receivers that have not answered, and the outcomes page for backbone staff."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casework.models import Referral, ReferralEvent
from casework.services import referrals as services
from casework.tasks import send_referral_reminders
from reentry.audit.models import AuditEvent
from reentry.suppression import Reason
from tests.casework.referrals_world import rw, send, url  # noqa: F401 - fixture

S = Referral.Status


def _age(referral, days):
    """Pretend every step of the referral happened ``days`` ago."""
    then = timezone.now() - timedelta(days=days)
    ReferralEvent.objects.filter(referral=referral).update(at=then)
    Referral.objects.filter(pk=referral.pk).update(sent_at=then)


def _run(capture, now=None):
    mail.outbox.clear()
    with capture(execute=True):
        count = services.referral_reminders_send(now=now)
    return count


def test_reminders_are_sent_once_per_period(rw, django_capture_on_commit_callbacks):  # noqa: F811
    capture = django_capture_on_commit_callbacks
    fresh = send(rw, reason="Fresh")
    old = send(rw, reason="Old")
    _age(old, 4)  # the collaborative's default is 3 days
    assert _run(capture) == 1
    assert [m.to for m in mail.outbox] == [[rw.c.staff_b.user.email]]
    body = mail.outbox[0].body
    assert old.participant.code in body and str(old.public_id) in body
    assert str(fresh.public_id) not in body
    assert "Old" not in body  # what the person needs never leaves the page
    assert AuditEvent.objects.filter(action="casework.referrals_reminded").count() == 1
    # The same run again, or the task: nothing more this period.
    assert _run(capture) == 0 and mail.outbox == []
    assert send_referral_reminders.apply().get() == 0
    # After another period without an answer: one more reminder.
    later = timezone.now() + timedelta(days=3, hours=1)
    assert _run(capture, now=later) == 1


def test_no_reminder_once_answered(rw, django_capture_on_commit_callbacks):  # noqa: F811
    referral = send(rw)
    _age(referral, 5)
    services.referral_ask(actor=rw.c.staff_b, referral=referral, note="Pets?")
    assert _run(django_capture_on_commit_callbacks) == 0
    # The sender's answer starts the clock again.
    services.referral_answer(actor=rw.c.staff_a, referral=referral, note="No")
    assert _run(django_capture_on_commit_callbacks) == 0
    later = timezone.now() + timedelta(days=4)
    assert _run(django_capture_on_commit_callbacks, now=later) == 1


def test_the_setting_decides_the_period(rw, django_capture_on_commit_callbacks):  # noqa: F811
    rw.c.collab.referral_reminder_days = 10
    rw.c.collab.save()
    _age(send(rw), 5)
    assert _run(django_capture_on_commit_callbacks) == 0


def test_no_reminder_once_withdrawn(rw, django_capture_on_commit_callbacks):  # noqa: F811
    referral = send(rw)
    _age(referral, 5)
    services.referral_withdraw(actor=rw.c.staff_a, referral=referral)
    assert _run(django_capture_on_commit_callbacks) == 0


def test_the_beat_schedule_runs_the_task(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "casework.tasks.send_referral_reminders" in tasks


def test_backbone_staff_edit_the_reminder_period(admin_client, rw):  # noqa: F811
    """Backbone staff's collaborative settings are the admin's collaborative form."""
    path = reverse("admin:stakeholders_collaborative_change", args=[rw.c.collab.pk])
    assert 'name="referral_reminder_days"' in admin_client.get(path).content.decode()


# --- Outcomes ---------------------------------------------------------------------------------


def test_outcomes_are_for_backbone_staff(rw, login, client):  # noqa: F811
    send(rw)
    assert login(rw.c.backbone).get(url("referral_outcomes", rw)).status_code == 200
    for who in ("staff_a", "staff_b", "community", "outsider"):
        assert login(getattr(rw.c, who)).get(url("referral_outcomes", rw)).status_code == 404
    client.logout()
    assert client.get(url("referral_outcomes", rw)).status_code == 302


def test_outcomes_hide_small_numbers(rw, login):  # noqa: F811
    send(rw)
    page = login(rw.c.backbone).get(url("referral_outcomes", rw)).content.decode()
    assert "Housing navigation" in page
    assert "fewer people than the small-number threshold" in page  # for screen readers
    assert ">1<" not in page


def test_outcomes_show_counts_above_the_threshold(rw, login):  # noqa: F811
    rw.c.collab.small_cell_threshold = 1
    rw.c.collab.save()
    for _ in range(3):
        send(rw)
    services.referral_decline(actor=rw.c.staff_b, referral=send(rw), reason="Full")
    from casework.selectors.referrals import ALL, outcomes_table

    table = outcomes_table(rw.c.collab)
    (row,) = table["rows"]
    values = dict(zip([*table["columns"], "total"], row["cells"], strict=True))
    assert values["sent"].value == 3
    # Zero cells are hidden (a shown zero is a disclosure); with the total shown, the
    # declined 1 would prove the hidden cells zero, so it is hidden too (complementary).
    assert values["accepted"].hidden and values["accepted"].reason == Reason.SMALL_COUNT
    assert values["declined"].hidden and values["declined"].reason == Reason.COMPLEMENTARY
    assert all(cell.key[0] in (row["key"], ALL) for cell in row["cells"])
    page = login(rw.c.backbone).get(url("referral_outcomes", rw)).content.decode()
    assert ">3<" in page


@pytest.mark.parametrize("threshold", [2, 11])
def test_outcomes_never_leave_a_single_small_cell_recoverable(rw, threshold):  # noqa: F811
    rw.c.collab.small_cell_threshold = threshold
    rw.c.collab.save()
    for _ in range(12):
        send(rw)
    services.referral_decline(actor=rw.c.staff_b, referral=send(rw), reason="Full")
    from casework.selectors.referrals import outcomes_table

    table = outcomes_table(rw.c.collab)
    (row,) = table["rows"]
    cells = dict(zip([*table["columns"], "total"], row["cells"], strict=True))
    assert cells["declined"].hidden
    # The declined 1 cannot be worked out from the row total and the shown parts.
    shown_parts = [c for name, c in cells.items() if name != "total" and not c.hidden]
    hidden_parts = [c for name, c in cells.items() if name != "total" and c.hidden]
    assert cells["total"].hidden or len(hidden_parts) >= 2 or not shown_parts
