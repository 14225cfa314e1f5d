"""The home and public pages use the working-group world (tests/workgroups/conftest.py)."""

from tests.workgroups.conftest import build_wg, extra_member, wg  # noqa: F401
