"""Who may do what in the indicators app: one policy function per decision, asked by the
services (which refuse) and the views (which show or hide the button), and the
``access_*`` helpers that fetch one object for a person: 404 when it is missing or not
visible to them, 403 when visible but the action is not theirs."""

from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from indicators.models import DataRequest, Dataset, ImportJob, Indicator, IndicatorComment
from indicators.selectors import data_requests_for
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest
from stakeholders.models import Member

# --- the catalog ----------------------------------------------------------------------


def can_create_indicator(member: Member) -> bool:
    """Backbone staff add indicators to the catalog (chairs edit their group's ones)."""
    return member.is_active and member.is_backbone


def can_edit_indicator(member: Member, indicator: Indicator) -> bool:
    """Backbone staff, and the chairs of the indicator's working group: they change its
    definition and tell the story behind its curve."""
    return Indicator.objects.editable_by(member.user).filter(pk=indicator.pk).exists()


def can_define_locally(member: Member) -> bool:
    """An organization's admins and staff say what their own number includes."""
    return member.works_for(member.organization_id)


# --- datasets and uploads -------------------------------------------------------------


def can_upload_for(member: Member, organization_id: int | None) -> bool:
    """An organization's admins and staff upload its data."""
    return member.works_for(organization_id)


def can_change_upload(member: Member, job: ImportJob) -> bool:
    """The uploading organization's admins and staff map, check and save an upload."""
    return member.works_for(job.organization_id)


def can_change_dataset(member: Member, dataset: Dataset) -> bool:
    """The owner's admins and staff: see its rows, upload a version, restore one, or
    change its description."""
    return member.works_for(dataset.owner_id)


def can_submit_dataset(member: Member, dataset: Dataset) -> bool:
    """Only the owner's own admin submits its data for acceptance."""
    return (
        member.is_active
        and member.role == Member.Role.ORG_ADMIN
        and member.organization_id == dataset.owner_id
    )


def can_accept_dataset(member: Member, dataset: Dataset) -> bool:
    """Backbone staff of the dataset's collaborative accept submitted data, or send it
    back."""
    return (
        member.is_active
        and member.is_backbone
        and member.collaborative_id == dataset.collaborative_id
    )


# --- dashboards and data requests -----------------------------------------------------


def can_comment(member: Member) -> bool:
    """Every member but observers, who read only."""
    return member.is_active and member.role != Member.Role.OBSERVER


def can_moderate_comments(member: Member) -> bool:
    """Backbone staff see hidden comments, and hide or show them again."""
    return member.is_active and member.is_backbone


def can_hide_comment(member: Member, comment: IndicatorComment) -> bool:
    """Backbone staff of the comment's collaborative hide (or show again) a comment."""
    return (
        can_moderate_comments(member)
        and member.collaborative_id == comment.indicator.collaborative_id
    )


def can_decide_request(member: Member, data_request: DataRequest) -> bool:
    """The admins of the organization that owns the dataset asked for."""
    return (
        member.is_active
        and member.role == Member.Role.ORG_ADMIN
        and member.organization_id is not None
        and member.organization_id == data_request.dataset.owner_id
    )


# --- access_* -------------------------------------------------------------------------

IndicatorAction = Literal["view", "edit"]
DatasetAction = Literal["view", "review", "share", "submit", "accept", "change"]


def access_indicator(
    request: CollaborativeRequest, public_id: UUID, *, action: IndicatorAction = "view"
) -> Indicator:
    """An indicator of this collaborative the person may see; ``edit``: backbone staff or
    the owning group's chairs, else 403."""
    collaborative = request.collaborative
    indicator = get_visible_or_404(
        Indicator.objects.filter(collaborative=collaborative),
        Indicator.objects.visible_to(request.user)
        .filter(collaborative=collaborative)
        .select_related("key_area", "working_group", "collaborative"),
        request=request,
        public_id=public_id,
    )
    if action == "edit" and not can_edit_indicator(request.member, indicator):
        raise PermissionDenied
    return indicator


def access_dataset(
    request: CollaborativeRequest, public_id: UUID, *, action: DatasetAction = "view"
) -> Dataset:
    """A dataset of this collaborative that the person may see (DESIGN.md rule 4).

    - ``view``: ``visible_to``; ``review``: also the ones backbone staff review
      (``Dataset.objects.reviewable_by``).
    - ``share``: only those who may change its sharing (``editable_by``); anyone else
      gets a 404, even if they can see it (DESIGN.md rule 6).
    - ``submit``, ``accept`` (or send back), ``change`` (restore, describe): visible as
      above, then 403 unless the policy says yes.
    """
    collaborative = request.collaborative
    related: tuple[str, ...] = ("owner", "owner__sector", "current_version", "accepted_version")
    if action == "share":
        visible = Dataset.objects.editable_by(request.user)
        related = ("owner", "owner__sector", "collaborative")
    elif action in ("review", "accept"):
        visible = Dataset.objects.visible_or_reviewable(request.user)
    else:
        visible = Dataset.objects.visible_to(request.user)
    dataset = get_visible_or_404(
        Dataset.objects.filter(collaborative=collaborative),
        visible.filter(collaborative=collaborative).select_related(*related),
        request=request,
        public_id=public_id,
    )
    member = request.member
    allowed = {
        "submit": can_submit_dataset,
        "accept": can_accept_dataset,
        "change": can_change_dataset,
    }.get(action)
    if allowed is not None and not allowed(member, dataset):
        raise PermissionDenied
    return dataset


def access_import(request: CollaborativeRequest, public_id: UUID) -> ImportJob:
    """An upload of the person's own organization (its admins and staff only)."""
    collaborative = request.collaborative
    return get_visible_or_404(
        ImportJob.objects.filter(collaborative=collaborative),
        ImportJob.objects.visible_to(request.user)
        .filter(collaborative=collaborative)
        .select_related("organization", "dataset", "version"),
        request=request,
        public_id=public_id,
    )


def access_comment(
    request: CollaborativeRequest, indicator: Indicator, comment_id: UUID
) -> IndicatorComment:
    """A comment on an indicator the person sees, for hiding: 404 when it is not on this
    indicator, 403 unless the person may hide it."""
    comment = (
        IndicatorComment.objects.filter(indicator=indicator, public_id=comment_id)
        .select_related("indicator")
        .first()
    )
    if comment is None:
        raise Http404
    if not can_hide_comment(request.member, comment):
        raise PermissionDenied
    return comment


def access_data_request(request: CollaborativeRequest, public_id: UUID) -> DataRequest:
    """A request this person made or one to their organization, for an answer: 404 when
    it is neither, 403 unless they may decide it."""
    data_request = (
        data_requests_for(request.member)
        .select_related("dataset__owner")
        .filter(public_id=public_id)
        .first()
    )
    if data_request is None:
        raise Http404
    if not can_decide_request(request.member, data_request):
        raise PermissionDenied
    return data_request
