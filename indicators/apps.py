from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Shared indicators")

    def ready(self) -> None:
        from indicators import seeds  # noqa: F401 - declares its stored strings
        from indicators.polls import CandidateIndicators
        from workgroups.polls.forms import register_option_source

        register_option_source(CandidateIndicators())
