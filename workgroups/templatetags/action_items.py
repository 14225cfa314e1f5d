"""``{% organization_action_items organization %}``: the open action items an organization
owns across the collaborative, for its page (one query, through ``visible_to``)."""

from django import template

from workgroups.selectors import ORGANIZATION_ITEM_LIMIT, organization_items

register = template.Library()


@register.inclusion_tag("workgroups/coordination/_organization_items.html", takes_context=True)
def organization_action_items(context, organization) -> dict:
    request = context["request"]
    items = organization_items(user=request.user, organization=organization)
    return {
        "collaborative": context.get("collaborative"),
        "organization": organization,
        "items": items,
        "limit": ORGANIZATION_ITEM_LIMIT,
        "show_group": True,
    }
