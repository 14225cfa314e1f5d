"""Reads for the people side, already scoped to the person looking (``viewer``: their
membership in this collaborative)."""

from django.db.models import Count, Q

from stakeholders.models import Member, MemberQuerySet, Organization, OrganizationQuerySet


def collaborative_organizations(viewer: Member) -> OrganizationQuerySet:
    """The organizations of the viewer's collaborative whose profiles they may see."""
    return (
        Organization.objects.visible_to(viewer.user)
        .filter(collaborative_id=viewer.collaborative_id)
        .select_related("sector", "collaborative")
        .order_by("name")
    )


def organization_directory(viewer: Member, *, sector: str = "") -> OrganizationQuerySet:
    """The organization list: each with its number of active members, in one sector if
    asked (by the sector's slug)."""
    organizations = collaborative_organizations(viewer).annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    )
    if sector:
        organizations = organizations.filter(sector__slug=sector)
    return organizations


def organization_staff(viewer: Member, organization: Organization) -> MemberQuerySet:
    """An organization's active people, for staff only (backbone, admins and staff)."""
    if not viewer.is_staff_role:
        return Member.objects.none()
    return organization.members.filter(is_active=True).select_related("user").order_by("user__name")


def member_search(
    viewer: Member, *, query: str = "", role: str = "", inactive: bool = False
) -> MemberQuerySet:
    """The member list: by name or organization (staff also by email address, since only
    they see addresses), by role, active people only unless asked."""
    members = (
        Member.objects.visible_to(viewer.user)
        .filter(collaborative_id=viewer.collaborative_id)
        .select_related("user", "organization", "organization__collaborative")
        .order_by("user__name")
    )
    if query:
        found = Q(user__name__icontains=query) | Q(organization__name__icontains=query)
        if viewer.is_staff_role:
            found |= Q(user__email__icontains=query)
        members = members.filter(found)
    if role in Member.Role.values:
        members = members.filter(role=role)
    if not inactive:
        members = members.filter(is_active=True)
    return members
