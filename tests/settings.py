"""Test settings: the project's, plus the test-only shareable app (tests/sharingapp)."""

from reentry.settings import *  # noqa: F403
from reentry.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sharingapp"]
ROOT_URLCONF = "tests.urls"
