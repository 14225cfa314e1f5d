"""``{% public_pages_nav %}``: on a collaborative's public pages (landing, directory,
dashboard, quick wins), links between them, only those it has. base.html asks on every
page; it answers with nothing (and no query) anywhere else."""

from django import template

from reentry.site.landing import public_pages

register = template.Library()

#: URL namespaces and names of the public pages, and which link each one is.
PUBLIC_PAGES = {
    "public_landing": "landing",
    "directory": "directory",
    "public_indicators:dashboard": "dashboard",
    "public_quickwins": "quick_wins",
}


@register.inclusion_tag("includes/public_pages_nav.html", takes_context=True)
def public_pages_nav(context) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    current = PUBLIC_PAGES.get(match.view_name) or PUBLIC_PAGES.get(match.namespace)
    slug = match.kwargs.get("slug")
    if current is None or not slug:
        return {}
    return {"pages": public_pages(slug), "current": current}
