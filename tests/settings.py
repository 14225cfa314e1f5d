"""Test settings: the project's, plus the test-only shareable app (tests/sharingapp)."""

from reentry.settings import *  # noqa: F403
from reentry.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sharingapp"]
ROOT_URLCONF = "tests.urls"

# Most tests sign backbone staff and admins in with force_login: tests that are about the
# second factor or the idle timeout turn these on themselves.
MFA_ENFORCE = False
SESSION_IDLE_TIMEOUT = 0
