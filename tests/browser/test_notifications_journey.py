"""The bell, in a real Chromium: the producer assigns ap a task; ap sees the
count, opens the notifications page and clicks through to the task, on a
desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from production import services
from production.models import Task, User

TITLE = "Book the chef for Friday"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def bell(page):
    return page.locator("#bell")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_ap_hears_of_an_assignment_and_clicks_through(person, shot, size):
    """The count shows on every page, the page lists the assignment under
    Today, and opening it marks it read."""
    paula = person("producer", **DESKTOP)
    paula.get_by_role("link", name="Productions").first.click()
    paula.get_by_role("link", name=re.compile("Morning Live")).first.click()
    paula.get_by_role("link", name="New task").click()
    paula.get_by_label(re.compile(r"^Title")).fill(TITLE)
    paula.get_by_label(re.compile(r"^Assignee")).select_option(label="Sam Okafor")
    paula.get_by_role("button", name="Create the task").click()
    expect(paula.get_by_role("heading", name=TITLE)).to_be_visible()
    key = Task.objects.get(title=TITLE).key
    # The producer, who acted, hears nothing.
    expect(bell(paula).locator(".bell-count")).to_have_count(0)

    sam = person("ap", **(PHONE if size == "phone" else DESKTOP))
    expect(bell(sam)).to_have_accessible_name(re.compile(r"Notifications\s*1 unread"))
    shot(sam, f"{size}-my-work-with-bell")
    bell(sam).click()
    expect(sam.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(sam.get_by_role("heading", name="Today")).to_be_visible()
    item = sam.get_by_role("link", name=f"Paula Reyes assigned you {key} {TITLE}")
    expect(item).to_be_visible()
    shot(sam, f"{size}-notifications")
    item.click()
    expect(sam.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(bell(sam).locator(".bell-count")).to_have_count(0)
    shot(sam, f"{size}-task-opened")

    # Two more, marked read from the page with htmx: the bell follows.
    task = Task.objects.get(title=TITLE)
    producer = User.objects.get(username="producer")
    for body in ("@ap first thing", "@ap and then"):
        services.comment_add(task=task, by=producer, body=body)
    bell(sam).click()
    expect(bell(sam)).to_have_accessible_name(re.compile(r"2 unread"))
    sam.get_by_role("button", name=re.compile(r"^Mark read")).first.click()
    expect(bell(sam)).to_have_accessible_name(re.compile(r"1 unread"))
    shot(sam, f"{size}-one-marked-read")
    sam.get_by_role("button", name="Mark all read").click()
    expect(bell(sam).locator(".bell-count")).to_have_count(0)
    expect(sam.locator(".notification.unread")).to_have_count(0)
    shot(sam, f"{size}-all-read")
    sam.get_by_role("link", name="How I hear of them").click()
    expect(sam.get_by_role("group", name="Assigned to you")).to_be_visible()
    shot(sam, f"{size}-settings")
