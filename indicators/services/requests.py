"""Data requests: a member asks an organization to share a dataset with them, and the
organization's admin approves (the sharing changes, through the sharing service, and
is audit-logged) or declines. Both sides hear by email.

What a member may ask for: a dataset of their collaborative that reports an indicator
they are looking at and that they cannot see. The indicator page names such datasets
by organization and period only, never their figures; that an organization reports an
indicator is what the collaborative's shared measurement is for.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.access import can_decide_request
from indicators.models import DataRequest, Dataset
from reentry.audit.log import record
from reentry.mail import send_templated_email
from reentry.sharing.levels import SharingLevel
from reentry.sharing.services import share_targets, sharing_set
from stakeholders.models import Member

ORGANIZATION = "organization"
COLLABORATIVE = "collaborative"


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def data_request_create(
    *, actor: Member, dataset: Dataset, reason: str, request=None
) -> DataRequest:
    if dataset.collaborative_id != actor.collaborative_id:
        raise PermissionDenied
    if dataset.is_visible_to(actor.user):
        raise ValidationError(_("You can already see this dataset."))
    if DataRequest.objects.filter(
        dataset=dataset, requested_by=actor, status=DataRequest.Status.PENDING
    ).exists():
        raise ValidationError(_("You already asked for this dataset; wait for the answer."))
    data_request = DataRequest(
        dataset=dataset,
        requested_by=actor,
        requesting_organization=actor.organization,
        reason=reason.strip(),
    )
    data_request.full_clean()
    data_request.save()
    record(
        "data_request.created",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=data_request,
        dataset=str(dataset.public_id),
    )
    review_url = _site(
        reverse("indicators:data_requests", kwargs={"slug": actor.collaborative.slug})
    )
    admins = Member.objects.filter(
        organization_id=dataset.owner_id, role=Member.Role.ORG_ADMIN, is_active=True
    ).select_related("user")
    for admin in admins:
        send_templated_email(
            "data-request-new",
            to=admin.user.email,
            language=admin.user.preferred_language,
            context={"data_request": data_request, "dataset": dataset, "review_url": review_url},
        )
    return data_request


def _new_sharing(dataset: Dataset, data_request: DataRequest, scope: str):
    """The sharing level and explicit targets that add the requester to the readers."""
    level = dataset.sharing_level
    if level in (SharingLevel.PUBLIC, SharingLevel.COLLABORATIVE):
        return level, []
    organization = data_request.requesting_organization
    if scope == COLLABORATIVE or organization is None:
        return SharingLevel.COLLABORATIVE, []
    targets: list = []
    if level == SharingLevel.SECTOR and dataset.owner.sector is not None:
        targets.append(dataset.owner.sector)
    elif level == SharingLevel.SHARED:
        targets += share_targets(dataset)
    if organization not in targets:
        targets.append(organization)
    return SharingLevel.SHARED, targets


@transaction.atomic
def data_request_decide(
    *,
    actor: Member,
    data_request: DataRequest,
    approve: bool,
    response: str = "",
    scope: str = ORGANIZATION,
    request=None,
) -> DataRequest:
    """Approve (and share) or decline a pending request; tell the person who asked."""
    locked = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    locked.dataset = data_request.dataset
    if not can_decide_request(actor, locked):
        raise PermissionDenied
    if locked.status != DataRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered."))
    if approve:
        level, targets = _new_sharing(locked.dataset, locked, scope)
        if level != locked.dataset.sharing_level or targets:
            sharing_set(
                actor=actor,
                obj=locked.dataset,
                level=level,
                share_with=targets,
                request=request,
            )
    locked.status = DataRequest.Status.APPROVED if approve else DataRequest.Status.DECLINED
    locked.response = response.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.full_clean()
    locked.save()
    record(
        "data_request.approved" if approve else "data_request.declined",
        actor=actor.user,
        request=request,
        collaborative=locked.collaborative,
        obj=locked,
        dataset=str(locked.dataset.public_id),
    )
    requester = locked.requested_by
    send_templated_email(
        "data-request-decided",
        to=requester.user.email,
        language=requester.user.preferred_language,
        context={
            "data_request": locked,
            "dataset": locked.dataset,
            "approved": approve,
            "requests_url": _site(
                reverse(
                    "indicators:data_requests",
                    kwargs={"slug": locked.dataset.collaborative.slug},
                )
            ),
        },
    )
    return locked
