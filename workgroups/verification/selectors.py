"""Reads about verification: who is verified, and the people list of the verification
page (for backbone staff and verified members only)."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from stakeholders.models import Collaborative, Member
from workgroups.verification.models import MemberVerification, Vouch


def is_verified(member: Member) -> bool:
    return MemberVerification.objects.filter(member=member, revoked_at__isnull=True).exists()


def verified_ids(collaborative_id: int) -> QuerySet:
    """Ids of the verified members of a collaborative (a subquery)."""
    return MemberVerification.objects.filter(
        member__collaborative_id=collaborative_id, revoked_at__isnull=True
    ).values("member_id")


def current_verification(member: Member) -> MemberVerification | None:
    return (
        MemberVerification.objects.filter(member=member, revoked_at__isnull=True)
        .select_related("verified_by__user")
        .first()
    )


def people_to_verify(
    *, viewer: Member, collaborative: Collaborative, query: str = ""
) -> QuerySet[Member]:
    """The collaborative's voting members, unverified first, each with whether they are
    verified, whether ``viewer`` vouched for them, and how many verified members did."""
    people = (
        Member.objects.filter(collaborative=collaborative, is_active=True)
        .exclude(role=Member.Role.OBSERVER)
        .select_related("user", "organization")
        .annotate(
            verified=Exists(
                MemberVerification.objects.filter(member=OuterRef("pk"), revoked_at__isnull=True)
            ),
            vouched_by_me=Exists(Vouch.objects.filter(voucher=viewer, vouchee=OuterRef("pk"))),
            vouches=Count(
                "vouches_received",
                filter=Q(vouches_received__voucher_id__in=verified_ids(collaborative.pk)),
                distinct=True,
            ),
        )
        .order_by("verified", "user__name", "pk")
    )
    if query:
        people = people.filter(
            Q(user__name__icontains=query) | Q(organization__name__icontains=query)
        )
    return people
