from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "reentry.sharing"
    label = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete

        from reentry.sharing.groups import BackedByGroup, delete_backing_group

        for model in apps.get_models():
            if issubclass(model, BackedByGroup):
                post_delete.connect(delete_backing_group, sender=model, weak=False)
