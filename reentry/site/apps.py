from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top floor: pages that belong to no one app (home, health, errors, language)
    and the demo command, which builds every app's demo. It may import every app; no
    app imports it."""

    name = "reentry.site"
    label = "reentry_site"
    verbose_name = _("Site")

    def ready(self) -> None:
        # Row-level security's signal handlers: a new connection starts at the process's
        # default scope, and each request ends back at it (reentry/rowsecurity.py).
        from reentry import rowsecurity  # noqa: F401
