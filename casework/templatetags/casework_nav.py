"""Template filters for casework's place in the navigation."""

from django import template

from casework import access

register = template.Library()


@register.filter
def keeps_casework(member) -> bool:
    """Show the Casework entry to an organization's admins and staff only."""
    return access.is_caseworker(member)
