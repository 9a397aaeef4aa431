"""The AP's morning on a phone: my work, the board, a task, started by a tap."""

import re

from playwright.sync_api import expect

from production.models import Task

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def assert_fits_the_screen(page):
    """Nothing on the page makes it scroll sideways."""
    # A mobile browser widens its layout viewport (innerWidth) to fit a page
    # that is too wide, so the phone's own screen width is the real limit.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - Math.min(window.innerWidth, screen.width)"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone's screen"


def test_ap_starts_a_task_from_a_phone(person, shot):
    """On a 390px phone the AP reaches a task from the board and starts it by
    touch, and no page on the way scrolls sideways."""
    sam = person("ap", **PHONE)
    task = (
        Task.objects.filter(
            project__code="MORN", assignee__username="ap", status=Task.Status.TODO
        )
        .order_by("number")
        .first()
    )
    expect(sam.get_by_role("heading", name=re.compile(r"^My work"))).to_be_visible()
    expect(sam.get_by_role("link", name=re.compile(task.title))).to_be_visible()
    assert_fits_the_screen(sam)
    shot(sam, "my-work")

    sam.get_by_role("link", name="Productions").first.tap()
    expect(sam.get_by_role("heading", name="Productions", exact=True)).to_be_visible()
    assert_fits_the_screen(sam)
    shot(sam, "productions")
    sam.get_by_role("link", name="Morning Live").tap()
    expect(sam.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    # The columns scroll sideways inside the board; the page itself does not.
    assert_fits_the_screen(sam)
    shot(sam, "board")

    card = sam.locator(f"#card-{task.key}")
    card.get_by_role("link", name=task.key).tap()
    expect(sam.get_by_role("heading", name=task.title)).to_be_visible()
    assert_fits_the_screen(sam)
    shot(sam, "task")

    sam.get_by_role("button", name=re.compile(r"^Start\b")).tap()
    expect(sam.get_by_role("heading", name="Status: In progress")).to_be_visible()
    assert_fits_the_screen(sam)
    shot(sam, "started")
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS


def test_every_project_tab_is_in_view_on_a_phone(person, shot):
    """On a 390px phone the five tabs of a production are all on screen (on
    a second row if need be), the current one (Crew) too, without scrolling."""
    paula = person("producer", **PHONE)
    paula.goto("/projects/MORN/crew/")
    tabs = paula.locator(".project-nav .tabs a")
    expect(tabs).to_have_count(5)
    for index in range(5):
        box = tabs.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, tabs.nth(
            index
        ).inner_text()
    current = paula.locator('.tabs a[aria-current="page"]')
    expect(current).to_have_text("Crew")
    expect(current).to_be_in_viewport(ratio=1)
    shot(paula, "crew-tabs")
