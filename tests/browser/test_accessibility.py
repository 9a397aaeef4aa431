"""axe-core on every page and its main states: no violation of any impact.

As the producer and as the AP, on a 1366px desktop and a 390px phone, in the
light and the dark scheme: one browser context per combination, each page
loaded once, checked and photographed in the same pass. The screenshots land
in test-artifacts/screenshots/every-page/ as page--person--size--scheme.png,
so the eight looks of a page sort side by side.

axe-playwright-python carries axe-core's script in its wheel and injects it
through Playwright (no download at run time, nothing the page's CSP sees).
"""

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from production.management.commands.seed_demo import (
    add_demo_notifications,
    add_weekday_show,
)
from production.models import Episode, Project, RunOfShow, Task
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_phone import PHONE, assert_fits_the_screen

FOLDER = SCREENSHOTS / "every-page"
SIZES = {"desktop": {"viewport": {"width": 1366, "height": 900}}, "phone": PHONE}
SCHEMES = ["light", "dark"]


def open_a_cards_menu(page: Page) -> None:
    """The board with a card's "More" menu open."""
    page.locator(".card details.menu > summary").first.click()
    expect(page.locator(".card details.menu[open]")).to_have_count(1)


def open_the_note_form(page: Page) -> None:
    """The task page with the request-changes note form open."""
    page.locator("details.move-with-note > summary").first.click()
    expect(page.locator("details.move-with-note[open] textarea")).to_be_visible()


def open_the_archive_dialog(page: Page) -> None:
    """The task page asking, in its dialog, whether to archive the task."""
    page.get_by_role("link", name="Archive").click()
    expect(page.locator("#archive-dialog")).to_be_visible()


def open_the_finished_columns(page: Page) -> None:
    """The board's Done and Cancelled columns unfolded: every status's cards."""
    for fold in page.locator("details.fold > summary").all():
        fold.click()
    expect(page.locator("details.fold:not([open])")).to_have_count(0)


def select_a_row(page: Page) -> None:
    """The task list with a row ticked for a bulk action."""
    page.locator("input[name=tasks]").first.check()


def post_it_empty(page: Page) -> None:
    """The new-task form sent empty (past the browser's own checks): its errors."""
    page.locator("form.task-form").evaluate("form => { form.noValidate = true; }")
    page.locator("form.task-form [type=submit]").last.click()
    expect(page.locator(".error-summary")).to_be_focused()


def pages_of_the_demo(username: str) -> dict[str, tuple[str, Callable | None]]:
    """Every page `username` opens in the seeded MORN production, by name,
    with what to do there before the check (open a menu, send a form)."""
    morn = Project.objects.get(code="MORN")
    # What `make run` adds: an episode plan, and news under the bell.
    add_weekday_show(morn)
    add_demo_notifications(morn)
    tasks = Task.objects.filter(project=morn).order_by("number")
    # A task waiting for this person's review (the AP checks the writer's).
    to_review = tasks.filter(status=Task.Status.REVIEW, reviewer__username=username)
    # A task both may edit: the producer any, the AP their own.
    editable = tasks.filter(assignee__username="ap", status=Task.Status.TODO)
    booking = tasks.filter(kind=Task.Kind.BOOKING).first()
    episode = Episode.objects.filter(project=morn).order_by("number").first()
    run_of_show = RunOfShow.objects.get(project=morn)
    code = [morn.code]
    pages = {
        "my-work": (reverse("my-work"), None),
        "productions": (reverse("project-list"), None),
        # The AP may not start a production: this is the 403 page.
        "new-production": (reverse("project-create"), None),
        "board": (reverse("project-board", args=code), open_a_cards_menu),
        "board-compact": (
            reverse("project-board", args=code) + "?density=compact",
            open_the_finished_columns,
        ),
        # Only those who may assign have the bulk actions, and a row to tick.
        "task-list": (
            reverse("task-list", args=code),
            select_a_row if username == "producer" else None,
        ),
        "task": (reverse("task-detail", args=[to_review[0].key]), open_the_note_form),
        "booking": (reverse("task-detail", args=[booking.key]), None),
        "task-edit": (reverse("task-edit", args=[editable[0].key]), None),
        "new-task": (reverse("task-create", args=code), None),
        "new-task-errors": (reverse("task-create", args=code), post_it_empty),
        "crew": (reverse("project-crew", args=code), None),
        "calendar": (reverse("project-calendar", args=code), None),
        "my-calendar": (reverse("my-calendar"), None),
        "notifications": (reverse("notifications"), None),
        "notification-settings": (reverse("notification-settings"), None),
        "episodes": (reverse("episode-list", args=code), None),
        "episode": (reverse("episode-detail", args=[morn.code, episode.pk]), None),
        "run-of-show-list": (reverse("run-of-show-list", args=code), None),
        "run-of-show": (
            reverse("run-of-show-detail", args=[morn.code, run_of_show.pk]),
            None,
        ),
        "pitch": (reverse("task-create", args=code) + "?pitch", None),
        "archived-tasks": (reverse("archived-tasks", args=code), None),
        "profile": (reverse("profile"), None),
        "not-found": ("/tasks/NOPE-1/", None),
        "bad-request": ("/?q=%00", None),
        "server-error": ("/boom/", None),
    }
    if username == "producer":
        # Planning episodes is for those who may assign; the AP sees a 403.
        line = run_of_show.lines.order_by("pk").first()
        pages |= {
            "new-episode": (reverse("episode-create", args=code), None),
            # Archiving asks first: on a page without JavaScript, in a dialog with.
            "archive-question": (reverse("task-archive", args=[editable[0].key]), None),
            "archive-dialog": (
                reverse("task-detail", args=[editable[0].key]),
                open_the_archive_dialog,
            ),
            "episode-edit": (
                reverse("episode-edit", args=[morn.code, episode.pk]),
                None,
            ),
            "episode-apply": (
                reverse("episode-apply", args=[morn.code, episode.pk]),
                None,
            ),
            "run-of-show-line": (
                reverse("run-of-show-line", args=[morn.code, run_of_show.pk, line.pk]),
                None,
            ),
        }
    return pages


def violations(results) -> list[str]:
    """Each violation, whatever its impact: its rule and the elements it names."""
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


def check(axe: Axe, page: Page, name: str, found: dict[str, list[str]]) -> None:
    """axe-core on the page as it stands, and its screenshot; on a phone, the
    page reflows to its width (WCAG 1.4.10, which axe does not check)."""
    if problems := violations(axe.run(page)):
        found[name] = problems
    # caret="initial": see the shot fixture (conftest.py).
    page.screenshot(path=FOLDER / f"{name}.png", full_page=True, caret="initial")
    if page.viewport_size == PHONE["viewport"]:
        assert_fits_the_screen(page)


def forget_the_last_screenshots(look: str) -> None:
    """A page renamed or gone leaves no old screenshot behind."""
    for old in FOLDER.glob(f"*--{look}.png"):
        old.unlink()


# Slate's URLs and one that fails, for the 500 page.
@pytest.mark.urls("tests.test_errors")
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("username", ["producer", "ap"])
def test_every_page_passes_axe(
    username, size, scheme, person, new_context, browser_errors, settings
):
    """Every page and its main states, as the producer and the AP (and the
    pages seen logged out), on a desktop and a phone, light and dark, has no
    accessibility violation that axe-core finds."""
    # The 400, 403, 404 and 500 pages are answered as such; the console says so.
    browser_errors.allow("Failed to load resource")
    axe = Axe()
    found = {}
    look = f"{username}--{size}--{scheme}"
    page = person(username, color_scheme=scheme, **SIZES[size])
    forget_the_last_screenshots(look)
    for name, (url, state) in pages_of_the_demo(username).items():
        page.goto(url)
        if state:
            state(page)
        check(axe, page, f"{name}--{look}", found)
    if username == "producer":
        guest = new_context(color_scheme=scheme, **SIZES[size]).new_page()
        look = f"guest--{size}--{scheme}"
        forget_the_last_screenshots(look)
        check_the_login_pages(axe, guest, look, found, settings)
    assert found == {}, "\n".join(
        f"{name}: {problem}" for name, problems in found.items() for problem in problems
    )


def check_the_login_pages(axe, page, look, found, settings) -> None:
    """The login page, with a wrong password, with its token gone, locked."""

    def send(username: str) -> None:
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("wrong")
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()

    page.goto(reverse("login"))
    check(axe, page, f"login--{look}", found)
    send("nobody")
    expect(page.locator(".error-summary")).to_be_visible()
    check(axe, page, f"login-errors--{look}", found)
    page.context.clear_cookies()
    send("nobody")
    expect(page.locator("h1")).to_have_text("This form has expired")
    check(axe, page, f"form-expired--{look}", found)
    # One more wrong password locks the name, to reach that page at once.
    settings.USERNAME_FAILURE_LIMIT = 1
    page.goto(reverse("login"))
    send("nobody")
    expect(page.locator("h1")).to_have_text("Too many failed logins")
    check(axe, page, f"locked-out--{look}", found)
