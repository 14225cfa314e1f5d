"""Reads of the indicators app, already scoped to the person (DESIGN.md rule 4)."""

from django.db.models import Q, QuerySet

from indicators.models import DataRequest, Dataset, Indicator
from stakeholders.models import Collaborative, Member, User


def adopted_indicators(user: User, collaborative: Collaborative) -> QuerySet[Indicator]:
    """The collaborative's adopted indicators this person sees, in dashboard order."""
    return (
        Indicator.objects.visible_to(user)
        .filter(collaborative=collaborative, status=Indicator.Status.ADOPTED)
        .select_related("key_area")
        .order_by("key_area__order", "key_area__name", "-is_headline", "code")
    )


def requestable_datasets(user: User, indicator: Indicator) -> QuerySet[Dataset]:
    """Datasets reporting ``indicator`` (in their current version) that ``user`` cannot see."""
    return (
        Dataset.objects.filter(
            collaborative_id=indicator.collaborative_id,
            current_version__observations__indicator=indicator,
        )
        .exclude(pk__in=Dataset.objects.visible_to(user).values("pk"))
        .select_related("owner")
        .distinct()
        .order_by("owner__name", "-period_end", "pk")
    )


def data_requests_for(member: Member) -> QuerySet[DataRequest]:
    """Requests this person made, and those to their organization if they are its admin."""
    mine = Q(requested_by=member)
    if member.role == member.Role.ORG_ADMIN and member.organization_id:
        mine |= Q(dataset__owner_id=member.organization_id)
    return DataRequest.objects.filter(mine, collaborative_id=member.collaborative_id)
