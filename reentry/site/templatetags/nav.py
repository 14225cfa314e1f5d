"""``{% site_urls collaborative as nav_urls %}``: the addresses base.html's menus link to,
reversed once per collaborative rather than on every page (about twenty ``{% url %}``
tags a page, a good part of the layout's own time). The addresses depend only on the
collaborative's slug and the site's script prefix, never on the person or the language."""

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()

#: The site's own pages.
SITE = {
    "home": "home",
    "set_language": "set_language",
    "logout": "account_logout",
    "login": "account_login",
}

#: A collaborative's pages (each takes the slug).
COLLABORATIVE = {
    "home_c": "stakeholders:home",
    "overview": "stakeholders:overview",
    "directory": "stakeholders:directory",
    "organizations": "stakeholders:organizations",
    "members": "stakeholders:members",
    "groups": "workgroups:groups",
    "me": "stakeholders:profile",
    "invitations": "stakeholders:invitations",
    "join": "stakeholders:join_requests",
    "coverage": "stakeholders:coverage",
    "audit": "audit:events",
    "tokens": "api_tokens:list",
    "indicators": "indicators:catalog",
    "quickwins": "quickwins:list",
    "polls": "polls:list",
    "mentoring": "mentorship:programs",
    "casework": "casework:participants",
    "stipends": "stipends:review",
    "inclusion": "inclusion_report",
    "outcomes": "casework:referral_outcomes",
}

_MAX = 1000
_urls: dict[tuple[str, str], dict[str, str]] = {}


@register.simple_tag
def site_urls(collaborative=None) -> dict[str, str]:
    slug = collaborative.slug if collaborative else ""
    key = (get_script_prefix(), slug)
    urls = _urls.get(key)
    if urls is None:
        urls = {name: reverse(view) for name, view in SITE.items()}
        if slug:
            urls |= {name: reverse(view, args=[slug]) for name, view in COLLABORATIVE.items()}
        if len(_urls) >= _MAX:
            _urls.clear()
        _urls[key] = urls
    return urls
