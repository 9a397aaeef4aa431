"""The board at a laptop's 1366px and on a phone: every column in view, a
card opened from anywhere on it, its moves one primary and a menu."""

import re

import pytest
from playwright.sync_api import expect

from production.models import Task

LAPTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def first_todo(**filters) -> Task:
    return (
        Task.objects.filter(project__code="MORN", status=Task.Status.TODO, **filters)
        .order_by("number")
        .first()
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_column_fits_a_laptop_and_a_card_opens_its_task(person, shot, scheme):
    """At 1366x900 all seven column headers are on screen, Done unfolds on a
    click, and a click on a card's body (not its link) opens the task."""
    paula = person("producer", color_scheme=scheme, **LAPTOP)
    paula.goto("/projects/MORN/")
    headers = paula.locator(".column-title")
    expect(headers).to_have_count(len(Task.Status.values))
    for index in range(len(Task.Status.values)):
        box = headers.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, headers.nth(
            index
        ).inner_text()
    shot(paula, "board")

    done = paula.locator("section.status-done")
    expect(done.locator(".card").first).to_be_hidden()
    done.locator("summary").click()
    expect(done.locator(".card").first).to_be_visible()
    shot(paula, "done-unfolded")

    task = first_todo()
    card = paula.locator(f"#card-{task.key}")
    # A click by the card's right edge, beside its badges (no link there):
    # the title's link, stretched over the card, answers.
    box = card.bounding_box()
    card.click(position={"x": box["width"] - 6, "y": box["height"] * 0.4})
    expect(paula).to_have_url(re.compile(rf"/tasks/{task.key}/$"))
    expect(paula.get_by_role("heading", name=task.title)).to_be_visible()


def test_a_card_keeps_its_other_moves_in_a_menu(person):
    """A card in review shows Approve to the producer; Cancel waits in the
    card's More menu and still works from there, over the stretched link."""
    task = (
        Task.objects.filter(project__code="MORN", status=Task.Status.REVIEW)
        .order_by("number")
        .first()
    )
    paula = person("producer", **LAPTOP)
    paula.goto("/projects/MORN/")
    card = paula.locator(f"#card-{task.key}")
    expect(card.get_by_role("button", name=f"Approve: {task.key}")).to_be_visible()
    cancel = card.get_by_role("button", name=f"Cancel task: {task.key}")
    expect(cancel).to_be_hidden()
    card.locator("summary", has_text="More").click()
    cancel.click()
    cancelled = paula.locator("section.status-cancelled")
    expect(cancelled.locator(f"#card-{task.key}")).to_be_attached()
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_board_and_task_page_on_a_phone(person, shot, scheme):
    """On a 390px phone the board and a task page show, light and dark, and
    the task page's next step is its one filled button."""
    task = first_todo(assignee__username="ap")
    sam = person("ap", color_scheme=scheme, **PHONE)
    sam.goto("/projects/MORN/")
    expect(sam.get_by_role("heading", name="Board", exact=True)).to_be_visible()
    shot(sam, "board")
    sam.locator(f"#card-{task.key}").get_by_role("link", name=task.key).tap()
    start = sam.get_by_role("button", name=f"Start: {task.key}")
    expect(start).to_have_class(re.compile(r"\bprimary\b"))
    shot(sam, "task")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_cards_edge_is_its_kind_and_a_folded_count_one_line(person, shot, scheme):
    """At 1366px a card's coloured edge is its kind's colour, the colour of
    its kind badge (as in the calendar), whatever its priority; the folded
    Done and Cancelled columns keep their counter beside their title."""
    paula = person("producer", color_scheme=scheme, **LAPTOP)
    paula.goto("/projects/MORN/")
    cards = paula.locator(".card")
    kinds = set()
    for index in range(cards.count()):
        card = cards.nth(index)
        badge = card.locator("dd[class*='kind-']")
        kinds.add(badge.get_attribute("class"))
        edge = card.evaluate("card => getComputedStyle(card).borderLeftColor")
        assert edge == badge.evaluate("dd => getComputedStyle(dd).color"), (
            card.get_attribute("id")
        )
    assert len(kinds) > 3, "the demo board shows several kinds"
    for status in ("done", "cancelled"):
        title = paula.locator(f"section.status-{status} .column-title")
        # The bottom of the title's words: a counter below it has wrapped.
        words_bottom = title.evaluate(
            "h2 => { const words = document.createRange();"
            " words.selectNodeContents(h2.firstChild);"
            " return words.getBoundingClientRect().bottom; }"
        )
        count = title.locator(".count").bounding_box()
        assert count["y"] < words_bottom, f"{status}'s count wrapped under its title"
    shot(paula, "board-edges")
