"""The quarterly "please verify your listings" reminders to each organization's admins."""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from reentry.audit.log import record
from reentry.mail import send_templated_email
from stakeholders.models import VERIFY_EVERY, Member, Organization, Service


def verification_reminders_send(*, now: datetime | None = None) -> int:
    """Email each organization's admins the listings not verified in 90 days.

    Safe to run twice: each service is claimed (``verification_reminded_at``) in the same
    transaction that queues its email, so a retry or a second run sends nothing again;
    the next reminder for a service comes after another 90 days. Organizations without an
    active admin are left unclaimed, so their admins hear as soon as there is one.
    Returns the number of emails queued.
    """
    now = now or timezone.now()
    due = (
        Service.objects.active()
        .filter(
            Q(last_verified_at__isnull=True)
            | Q(last_verified_at__lt=timezone.localdate(now) - VERIFY_EVERY)
        )
        .filter(
            Q(verification_reminded_at__isnull=True)
            | Q(verification_reminded_at__lt=now - VERIFY_EVERY)
        )
    )
    admins: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.filter(
        role=Member.Role.ORG_ADMIN,
        is_active=True,
        organization_id__in=due.values("organization_id"),
    ).select_related("user"):
        if member.organization_id is not None:  # always, given the filter; for the type
            admins[member.organization_id].append(member)
    sent = 0
    for organization_id, people in admins.items():
        sent += _remind_organization(organization_id, people, due, now)
    return sent


@transaction.atomic
def _remind_organization(organization_id: int, people: list[Member], due, now: datetime) -> int:
    organization = Organization.objects.select_related("collaborative").get(pk=organization_id)
    # Claim first, atomically: another run that got here first leaves nothing to claim.
    claim = list(
        due.filter(organization_id=organization_id)
        .select_for_update(skip_locked=True)
        .order_by("name")
        .values_list("pk", flat=True)
    )
    claimed = (
        due.filter(pk__in=claim).update(verification_reminded_at=now) if claim else 0
    )  # still due: not verified or reminded between the two statements
    if not claimed:
        return 0
    services = list(
        Service.objects.filter(pk__in=claim, verification_reminded_at=now).order_by("name")
    )
    collaborative = organization.collaborative
    base = settings.SITE_URL
    rows = [
        {
            "name": s.name,
            "last_verified_at": s.last_verified_at,
            "url": base
            + reverse(
                "stakeholders:service_edit",
                kwargs={"slug": collaborative.slug, "public_id": s.public_id},
            ),
        }
        for s in services
    ]
    for member in people:
        send_templated_email(
            "directory-verify-reminder",
            to=member.user.email,
            language=member.user.preferred_language,
            context={
                "member": member,
                "organization": organization,
                "collaborative": collaborative,
                "services": rows,
                "organization_url": base + organization.get_absolute_url(),
            },
        )
    record(
        "directory.verification_reminded",
        collaborative=collaborative,
        obj=organization,
        services=len(rows),
        recipients=len(people),
    )
    return len(people)
