"""The task page in a real browser: the work beside a side panel at 1366px,
one column on a phone, archiving asked in a dialog and undone from the
archived tasks, and the focus on the next step after a move."""

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


def first(status, **filters) -> Task:
    return (
        Task.objects.filter(project__code="MORN", status=status, **filters)
        .order_by("number")
        .first()
    )


def box(page, selector):
    return page.locator(selector).bounding_box()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_work_and_side_panel_side_by_side_on_a_laptop(person, shot, scheme):
    """At 1366px the side panel (status, next step, details) sits right of the
    work (description, comments, history), both starting near the top, and
    the page uses most of the width."""
    task = first(Task.Status.REVIEW, assignee__username="ap")
    paula = person("producer", color_scheme=scheme, **LAPTOP)
    paula.goto(f"/tasks/{task.key}/")
    side, work = box(paula, ".task-side"), box(paula, ".task-work")
    assert side["x"] >= work["x"] + work["width"]
    assert side["x"] + side["width"] > 1366 * 0.85
    assert work["x"] < 1366 * 0.1
    header = box(paula, ".task-header")
    assert side["y"] <= header["y"] + header["height"]
    approve = paula.get_by_role("button", name=f"Approve: {task.key}")
    expect(approve).to_be_visible()
    assert approve.bounding_box()["y"] < 900, "the next step is in the first screen"
    shot(paula, "task-page")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_one_column_on_a_phone(person, shot, scheme):
    """On a 390px phone: title, then the side panel with the next step, then
    the work, one column as wide as the page, nothing off to the side."""
    task = first(Task.Status.REVIEW, assignee__username="ap")
    paula = person("producer", color_scheme=scheme, **PHONE)
    paula.goto(f"/tasks/{task.key}/")
    header = box(paula, ".task-header")
    side, work = box(paula, ".task-side"), box(paula, ".task-work")
    assert header["y"] < side["y"] < work["y"]
    assert abs(side["x"] - work["x"]) < 1 and abs(side["width"] - work["width"]) < 1
    assert paula.evaluate("document.documentElement.scrollWidth") <= 390
    expect(paula.get_by_role("button", name=f"Approve: {task.key}")).to_be_visible()
    shot(paula, "task-page-phone")


def test_archiving_asks_in_a_dialog_and_the_archive_restores(person, shot):
    """Archive opens a dialog; Cancel leaves the task as it was; Archive in
    the dialog archives it, and Restore on the archived tasks brings it back."""
    task = first(Task.Status.TODO, assignee__username="ap")
    paula = person("producer", **LAPTOP)
    paula.goto(f"/tasks/{task.key}/")
    paula.get_by_role("link", name="Archive").click()
    dialog = paula.get_by_role("dialog", name=re.compile(rf"Archive {task.key}"))
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    shot(paula, "archive-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(paula).to_have_url(re.compile(rf"/tasks/{task.key}/$"))
    task.refresh_from_db()
    assert not task.archived

    paula.get_by_role("link", name="Archive").click()
    dialog.get_by_role("button", name="Archive").click()
    expect(paula).to_have_url(re.compile(r"/projects/MORN/$"))
    expect(paula.get_by_text(f"{task.key} archived")).to_be_visible()
    task.refresh_from_db()
    assert task.archived

    paula.goto("/projects/MORN/tasks/")
    paula.get_by_role("link", name="Archived tasks").click()
    row = paula.locator(f"#archived-{task.key}")
    expect(row).to_contain_text("by Paula Reyes")
    shot(paula, "archived-tasks")
    row.get_by_role("button", name=f"Restore {task.key}").click()
    expect(paula.get_by_text(f"{task.key} restored")).to_be_visible()
    task.refresh_from_db()
    assert not task.archived


def test_after_a_move_the_focus_is_on_the_next_step(person, shot):
    """Sam starts a task from its page: the status says In progress and the
    keyboard focus is on the new next step, Submit for review; Enter then
    submits it."""
    task = first(Task.Status.TODO, assignee__username="ap")
    sam = person("ap", **LAPTOP)
    sam.goto(f"/tasks/{task.key}/")
    sam.get_by_role("button", name=f"Start: {task.key}").click()
    submit = sam.get_by_role("button", name=f"Submit for review: {task.key}")
    expect(submit).to_be_focused()
    expect(sam.locator("#task-state-title")).to_contain_text("In progress")
    shot(sam, "after-start")
    sam.keyboard.press("Enter")
    expect(sam.locator("#task-state-title")).to_contain_text("In review")
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW
    # Sam's next step is to withdraw it: the focus is there.
    expect(sam.get_by_role("button", name=f"Withdraw: {task.key}")).to_be_focused()


def test_with_no_next_step_left_the_focus_is_on_the_status(person):
    """Sam sends the writer's task up the line: it is no longer his to review,
    so no move is left for him and the focus lands on the status."""
    task = first(Task.Status.REVIEW, reviewer__username="ap")
    sam = person("ap", **LAPTOP)
    sam.goto(f"/tasks/{task.key}/")
    sam.get_by_role("button", name=f"Send up: {task.key}").click()
    expect(sam.locator("#task-state-title")).to_be_focused()
    expect(sam.locator("#task-state .moves")).to_have_count(0)
    task.refresh_from_db()
    assert task.reviewer.username != "ap"


def test_the_note_form_goes_back_and_cancel_task_sits_apart(person, shot):
    """With the note form open, Back closes it (the note dropped, the focus
    on its toggle); "Cancel task" sits below, apart from the form's buttons."""
    task = first(Task.Status.REVIEW, assignee__username="ap")
    paula = person("producer", **LAPTOP)
    paula.goto(f"/tasks/{task.key}/")
    toggle = paula.locator("details.move-with-note > summary")
    toggle.click()
    note = paula.get_by_label("What needs to change?")
    note.fill("Half a thought")
    send = paula.get_by_role("button", name=f"Send request: {task.key}")
    cancel = paula.get_by_role("button", name=f"Cancel task: {task.key}")
    back = paula.get_by_role("link", name="Back", exact=True)
    assert send.bounding_box()["y"] == back.bounding_box()["y"]
    gap = cancel.bounding_box()["y"] - (
        send.bounding_box()["y"] + send.bounding_box()["height"]
    )
    assert gap >= 12, "Cancel task is set apart from the note's buttons"
    shot(paula, "note-open")
    back.click()
    expect(note).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(paula).to_have_url(re.compile(rf"/tasks/{task.key}/$"))
    toggle.click()
    expect(note).to_have_value("")
    task.refresh_from_db()
    assert task.status == Task.Status.REVIEW
