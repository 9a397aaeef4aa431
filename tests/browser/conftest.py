"""Real-browser fixtures: Chromium against a live Slate seeded with the demo.

Every page opened here is watched: a console error or an uncaught script
error (a CSP violation shows as a console error) fails the test. Each test
keeps full-page screenshots of its steps under
test-artifacts/screenshots/<test name>/ for a human to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from production.management.commands.seed_demo import PASSWORD, seed_base
from tests.chromium import CHROMIUM_ARGS, find_chromium

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is safe here. Read
# when a query runs, so setting it before any test is early enough.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser is a browser test (`-m "not browser"`)."""
    for item in items:
        if Path(item.path).is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The system's Chromium, headless, without first-run and network chatter."""
    path = find_chromium()
    if path is None:
        reason = (
            "No Chromium found for the browser tests: set CHROMIUM to its path or "
            "install one (`make test` does it through tools/ensure-chromium)."
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs (page.goto("/")) go to the live server."""
    return live_server.url


@pytest.fixture
def slate(live_server):
    """A live Slate with seed_demo's MORN and NITE; returns its base URL."""
    seed_base()
    return live_server.url


class BrowserErrors(list):
    """What the browser reported; `allow(text)` excuses errors a test provokes."""

    def __init__(self):
        super().__init__()
        self.allowed = []

    def allow(self, *fragments):
        self.allowed.extend(fragments)

    def unexpected(self):
        return [e for e in self if not any(f in e for f in self.allowed)]


@pytest.fixture
def browser_errors():
    """Console errors and uncaught exceptions of every page; none is allowed."""
    errors = BrowserErrors()
    yield errors
    unexpected = errors.unexpected()
    assert unexpected == [], "The browser reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def new_context(browser_errors, new_context):
    """pytest-playwright's context factory, with every page's errors recorded."""

    def watch(page):
        def on_console(message):
            if message.type == "error":
                source = message.location.get("url", "")
                errors.append(f"{page.url} ({source}): {message.text}")

        page.on("console", on_console)
        page.on(
            "pageerror",
            lambda error: errors.append(f"{page.url}: uncaught {error}"),
        )

    errors = browser_errors

    def make(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(10_000)
        context.on("page", watch)
        return context

    return make


@pytest.fixture
def login():
    """login(page, username): log in through the login form; lands on my work."""

    def log_in(page, username, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
        return page

    return log_in


@pytest.fixture
def person(slate, new_context, login):
    """person(username, **context options): a fresh browser, logged in, on my work.

    One context per person keeps their cookies, and so their sessions, apart.
    """

    def open_as(username, **options):
        page = new_context(**options).new_page()
        return login(page, username)

    return open_as


@pytest.fixture
def shot(request):
    """shot(page, name): a full-page screenshot, numbered in the order taken."""
    # The test's name, with its own parameters but not the browser's.
    params = getattr(request.node, "callspec", None)
    params = params.params if params else {}
    name = "-".join(
        [request.node.originalname]
        + [str(value) for key, value in params.items() if key != "browser_name"]
    )
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", name)
    shutil.rmtree(folder, ignore_errors=True)
    taken = 0

    def take(page, name):
        nonlocal taken
        taken += 1
        path = folder / f"{taken:02d}-{re.sub(r'[^\w.-]+', '-', name)}.png"
        # caret="hide" would leave style="" on the focused field, which htmx
        # then copies when it swaps that field: a false CSP violation.
        page.screenshot(path=path, full_page=True, caret="initial")
        return path

    return take
