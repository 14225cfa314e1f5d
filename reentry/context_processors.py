from django.conf import settings
from django.http import HttpRequest

from reentry import second_factor


def site(request: HttpRequest) -> dict:
    """Site name, and the collaborative and membership that collaborative_view loaded,
    so the layout shows the collaborative's navigation on every page inside it; and
    whether the person must use a second factor (the two-factor pages say so)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "collaborative": getattr(request, "collaborative", None),
        "member": getattr(request, "member", None),
        # A callable, so only the pages that ask run the query.
        "second_factor_required": lambda: second_factor.is_required(request),
    }
