"""``access_*``: fetch one object of the indicators app for a person, 404 if missing or not
theirs (and 403 when visible but the action is not allowed)."""

from django.core.exceptions import PermissionDenied

from indicators.models import Dataset, ImportJob, Indicator
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest


def access_indicator(request: CollaborativeRequest, public_id, *, edit: bool = False) -> Indicator:
    """An indicator of this collaborative; ``edit``: backbone staff or the owning group's
    chairs, else 403."""
    collaborative = request.collaborative
    indicator = get_visible_or_404(
        Indicator.objects.filter(collaborative=collaborative),
        Indicator.objects.visible_to(request.user)
        .filter(collaborative=collaborative)
        .select_related("key_area", "working_group", "collaborative"),
        request=request,
        public_id=public_id,
    )
    if edit and not Indicator.objects.editable_by(request.user).filter(pk=indicator.pk).exists():
        raise PermissionDenied
    return indicator


def access_dataset(request: CollaborativeRequest, public_id, *, review: bool = False) -> Dataset:
    """A dataset of this collaborative that the person may see (DESIGN.md rule 4);
    ``review``: also one backbone staff review (``Dataset.objects.reviewable_by``)."""
    collaborative = request.collaborative
    visible = (
        Dataset.objects.visible_or_reviewable(request.user)
        if review
        else Dataset.objects.visible_to(request.user)
    )
    return get_visible_or_404(
        Dataset.objects.filter(collaborative=collaborative),
        visible.filter(collaborative=collaborative).select_related(
            "owner", "owner__sector", "current_version", "accepted_version"
        ),
        request=request,
        public_id=public_id,
    )


def access_import(request: CollaborativeRequest, public_id) -> ImportJob:
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
