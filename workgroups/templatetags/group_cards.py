"""Cards that other slices add to the group page with one line each (issue 5)."""

from django import template

from workgroups.inclusion import group_inclusion

register = template.Library()


@register.inclusion_tag("workgroups/inclusion/_group_cards.html", takes_context=True)
def group_cards(context, group) -> dict:
    """The group's inclusion figures and its calendar link (three queries)."""
    request = context["request"]
    collaborative = context.get("collaborative")
    if collaborative is not None and collaborative.pk == group.collaborative_id:
        group.collaborative = collaborative  # already loaded for the page: no extra query
    return {
        "request": request,
        "collaborative": collaborative,
        "member": context.get("member"),
        "group": group,
        "inclusion": group_inclusion(group, request.user, getattr(request, "member", None)),
    }
