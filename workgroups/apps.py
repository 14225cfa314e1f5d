from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    name = "workgroups"
    verbose_name = _("Working groups")

    def ready(self) -> None:
        from reentry.sharing.groups import register_group_source
        from workgroups import signals  # noqa: F401 - connects receivers

        register_group_source(signals.working_group_ids)
