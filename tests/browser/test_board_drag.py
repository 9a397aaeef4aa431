"""Dragging a card to another column on the board makes the move its buttons
offer; the columns a card may not go to refuse it; a move that needs a note
asks for it first. Then the board's compact density and a new production's
first steps, as a person sees them."""

import re

import pytest
from playwright.sync_api import expect

from production import services
from production.models import Activity, Task, User
from tests.browser.test_board_layout import LAPTOP, PHONE, first_todo


def moves_posted(page) -> list[str]:
    """The move requests the page sends from now on (their URLs)."""
    posted = []
    page.on(
        "request",
        lambda request: (
            posted.append(request.url) if request.url.endswith("/move/") else None
        ),
    )
    return posted


def pick_up(page, card):
    """Press on a card and move a little: the browser starts dragging it."""
    box = card.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 20, box["y"] + 40, steps=4)


def hold_over(page, column):
    """Carry the dragged card over a column's header, without letting go."""
    box = column.locator(".column-title").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40, steps=6)


def drop_on(card, column):
    """Drag a card and drop it by a column's header: a long column's middle
    may be below the window."""
    card.drag_to(column, target_position={"x": 40, "y": 24})


def in_review_of_ap() -> Task:
    return (
        Task.objects.filter(
            project__code="MORN", status=Task.Status.REVIEW, assignee__username="ap"
        )
        .order_by("number")
        .first()
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dragging_a_to_do_card_to_in_progress_starts_it(person, shot, scheme):
    """The assignee drags their to-do card onto In progress: while it is
    carried the columns it may go to are marked and the others fade; the drop
    posts the move, and the card lands in In progress, on the server too."""
    task = first_todo(assignee__username="ap")
    sam = person("ap", color_scheme=scheme, **LAPTOP)
    sam.goto("/projects/MORN/")
    posted = moves_posted(sam)
    card = sam.locator(f"#card-{task.key}")
    in_progress = sam.locator("section.status-in_progress")

    pick_up(sam, card)
    hold_over(sam, in_progress)
    expect(in_progress).to_have_class(re.compile(r"\bdrop-ok\b.*\bdrop-over\b"))
    expect(sam.locator("section.status-done")).to_have_class(re.compile(r"\bdrop-no\b"))
    expect(card).to_have_class(re.compile(r"\bdragged\b"))
    shot(sam, "dragging")
    sam.mouse.up()

    expect(in_progress.locator(f"#card-{task.key}")).to_be_attached()
    expect(sam.locator(".drop-ok, .drop-no, .dragged")).to_have_count(0)
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS
    assert len(posted) == 1
    shot(sam, "moved")


def test_a_column_the_rules_do_not_allow_refuses_the_drop(person):
    """The assignee may not approve their own to-do: dropped on Done, the
    card goes back where it was and nothing is posted."""
    task = first_todo(assignee__username="ap")
    sam = person("ap", **LAPTOP)
    sam.goto("/projects/MORN/")
    posted = moves_posted(sam)
    done = sam.locator("section.status-done")

    pick_up(sam, sam.locator(f"#card-{task.key}"))
    hold_over(sam, done)
    expect(done).to_have_class(re.compile(r"\bdrop-no\b"))
    expect(done).not_to_have_class(re.compile(r"\bdrop-(ok|over)\b"))
    sam.mouse.up()

    expect(
        sam.locator("section.status-todo").locator(f"#card-{task.key}")
    ).to_be_visible()
    # Room for a request that should not come.
    sam.wait_for_timeout(300)
    assert posted == []
    task.refresh_from_db()
    assert task.status == Task.Status.TODO


def test_a_move_from_a_cards_menu_drops_too(person):
    """Cancel waits in the card's closed More menu; dropped on the folded
    Cancelled column, the producer's card is cancelled all the same."""
    task = first_todo(assignee__username="ap")
    paula = person("producer", **LAPTOP)
    paula.goto("/projects/MORN/")
    cancelled = paula.locator("section.status-cancelled")
    drop_on(paula.locator(f"#card-{task.key}"), cancelled)
    expect(cancelled.locator(f"#card-{task.key}")).to_be_attached()
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED


def test_a_card_without_moves_does_not_drag(person):
    """Someone else's to-do offers the AP no move, so it is not draggable."""
    other = first_todo(assignee__username="editor") or first_todo(assignee=None)
    sam = person("ap", **LAPTOP)
    sam.goto("/projects/MORN/")
    card = sam.locator(f"#card-{other.key}")
    expect(card).not_to_have_attribute("draggable", "true")
    expect(
        sam.locator(f"#card-{first_todo(assignee__username='ap').key}")
    ).to_have_attribute("draggable", "true")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dragging_to_changes_requested_asks_for_the_note(person, shot, scheme):
    """The producer drops work in review on Changes requested: a dialog asks
    what needs to change. Back leaves the task as it was; sent, the note goes
    with the move and the card lands in Changes requested."""
    task = in_review_of_ap()
    paula = person("producer", color_scheme=scheme, **LAPTOP)
    paula.goto("/projects/MORN/")
    posted = moves_posted(paula)
    card = paula.locator(f"#card-{task.key}")
    changes = paula.locator("section.status-changes")
    dialog = paula.get_by_role("dialog", name=f"Request changes: {task.key}")

    drop_on(card, changes)
    expect(dialog).to_be_visible()
    note = dialog.get_by_label("What needs to change?")
    expect(note).to_be_focused()
    dialog.get_by_role("button", name="Back").click()
    expect(dialog).to_be_hidden()
    assert posted == []

    drop_on(card, changes)
    expect(note).to_have_value("")
    # An empty note is not sent: the browser asks for it.
    dialog.get_by_role("button", name="Send request").click()
    expect(dialog).to_be_visible()
    note.fill("Trim the second answer; it runs long.")
    shot(paula, "note")
    dialog.get_by_role("button", name="Send request").click()

    expect(dialog).to_be_hidden()
    expect(changes.locator(f"#card-{task.key}")).to_be_attached()
    task.refresh_from_db()
    assert task.status == Task.Status.CHANGES
    assert Activity.objects.filter(
        task=task, note="Trim the second answer; it runs long."
    ).exists()
    assert len(posted) == 1
    shot(paula, "sent")


def test_a_drop_refused_meanwhile_says_why(person, browser_errors):
    """A card moved by someone else since the page showed it: the drop gets
    the 409's sentence in the messages, as a button would, and the board
    shows the task where it is now."""
    # Chromium logs the 409 answer; the test provokes it.
    browser_errors.allow("the server responded with a status of 409")
    task = first_todo(assignee__username="ap")
    sam = person("ap", **LAPTOP)
    sam.goto("/projects/MORN/")
    services.task_move(task=task, to=Task.Status.IN_PROGRESS, by=task.assignee)

    drop_on(sam.locator(f"#card-{task.key}"), sam.locator("section.status-in_progress"))

    expect(sam.locator("#messages .message.error")).to_contain_text(task.key)
    expect(
        sam.locator("section.status-in_progress").locator(f"#card-{task.key}")
    ).to_be_attached()


@pytest.mark.parametrize(
    "scheme,size", [("light", "desktop"), ("dark", "desktop"), ("light", "phone")]
)
def test_compact_cards_are_one_line_and_remembered(person, shot, scheme, size):
    """Compact cards show one line each; the choice stays on the next visit
    (the browser remembers it) and Full cards brings the details back."""
    sam = person("ap", color_scheme=scheme, **(LAPTOP if size == "desktop" else PHONE))
    sam.goto("/projects/MORN/")
    card = sam.locator("section.status-todo .card").first
    full_height = card.bounding_box()["height"]
    sam.get_by_role("link", name="Compact cards").click()
    expect(card.locator("dl")).to_be_hidden()
    assert card.bounding_box()["height"] < full_height / 2
    assert sam.url.endswith("/projects/MORN/")  # flipped in place
    shot(sam, "compact")

    sam.goto("/projects/MORN/")
    expect(sam.locator("#board")).to_have_class(re.compile(r"\bcompact\b"))
    sam.get_by_role("link", name="Full cards").click()
    expect(sam.locator("section.status-todo .card dl").first).to_be_visible()
    sam.reload()
    expect(sam.locator("#board")).not_to_have_class(re.compile(r"\bcompact\b"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_new_productions_board_leads_to_the_crew_then_the_first_task(
    person, shot, scheme
):
    """A new production's board shows its first steps; the crew link opens
    the crew page, the first-task link the new task form."""
    services.project_create(
        by=User.objects.get(username="producer"), name="Night Desk", code="DESK"
    )
    paula = person("producer", color_scheme=scheme, **LAPTOP)
    paula.goto("/projects/DESK/")
    expect(paula.get_by_role("heading", name="Nothing here yet")).to_be_visible()
    shot(paula, "board")
    paula.get_by_role("link", name="Bring in the crew").click()
    expect(paula).to_have_url(re.compile(r"/projects/DESK/crew/$"))
    paula.go_back()
    paula.get_by_role("link", name="Add the first task").click()
    expect(paula).to_have_url(re.compile(r"/projects/DESK/tasks/new/$"))
