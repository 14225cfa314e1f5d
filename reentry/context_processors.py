from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Site name, and the collaborative and membership that collaborative_view loaded,
    so the layout shows the collaborative's navigation on every page inside it."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "collaborative": getattr(request, "collaborative", None),
        "member": getattr(request, "member", None),
    }
