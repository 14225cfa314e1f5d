from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top floor: pages that belong to no one app (home, health, errors, language)
    and the demo command, which builds every app's demo. It may import every app; no
    app imports it."""

    name = "reentry.site"
    label = "reentry_site"
    verbose_name = _("Site")
