from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self) -> None:
        from reentry.sharing.groups import register_group_source
        from stakeholders import seeds, signals  # noqa: F401 - seeds declares its stored strings

        register_group_source(signals.membership_group_ids)
