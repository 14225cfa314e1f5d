"""The browser harness: Playwright drives Debian's Chromium against pytest-django's live_server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium
(``bin/ensure-chromium`` installs it). Without Chromium the tests here are skipped with
a reason, unless REQUIRE_BROWSER is set (CI sets it), when they fail instead.

Every test in this folder is marked ``e2e``; ``-m "not e2e"`` leaves them out.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread; the test's own database
# work (factories, reading the outbox) happens there too, which Django would refuse.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
E2E_DIR = Path(__file__).parent

# The machine may have no network: keep Chromium from phoning home on start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    ours = [item for item in items if E2E_DIR in Path(item.path).parents]
    for item in ours:
        item.add_marker(pytest.mark.e2e)
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(
            f"REQUIRE_BROWSER is set but {CHROMIUM} does not exist: "
            "install it with `apt-get install chromium` (or run bin/ensure-chromium)."
        )
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is not installed (apt-get install chromium); "
        "set REQUIRE_BROWSER=1 to make this an error"
    )
    for item in ours:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative addresses in page.goto() go to the live server."""
    return live_server.url


@pytest.fixture
def url(live_server):
    """``url("/c/slug/")``: the absolute address of a path on the live server."""

    def _url(path: str) -> str:
        return f"{live_server.url}{path}"

    return _url


@pytest.fixture
def sign_in(url):
    """``sign_in(page, email, password)``: signs in through the real sign-in form."""

    def _sign_in(page, email: str, password: str) -> None:
        page.goto(url("/accounts/login/"))
        main = page.get_by_role("main")
        main.get_by_label("Email").fill(email)
        main.get_by_label("Password").fill(password)
        main.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in
