from django.apps import AppConfig


class SharingAppConfig(AppConfig):
    """A test-only shareable container, installed by tests/settings.py."""

    name = "tests.sharingapp"
    label = "sharingapp"
    default_auto_field = "django.db.models.BigAutoField"
