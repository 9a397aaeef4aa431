"""An AP hands work to their crew, checks it and sends it up, in a real Chromium.

On MORN the editor reports to `ap`. The AP gives the editor an editing task;
the editor starts and submits it; the AP asks for changes; the editor
resubmits; the AP, who may not approve, sends it up and the producer
approves. Then the AP confirms and moves the slot of their own booking.
Each person has their own browser context (their own session).
"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from production.models import Activity, Task

TITLE = "Cut the mayor interview to 2:30"
NOTE = "Open on the protest, then the mayor; lose the second answer."
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def status_heading(page, label):
    return page.get_by_role("heading", name=f"Status: {label}")


def move(page, label):
    """Press one of the task page's move buttons ("Start: MORN-20" and so on)."""
    page.get_by_role("button", name=re.compile(rf"^{label}:")).click()


def open_from(page, region, title):
    """Open a task from one of my work's regions."""
    area = page.get_by_role("region", name=re.compile(rf"^{region}"))
    expect(area.get_by_role("link", name=re.compile(re.escape(title)))).to_be_visible()
    area.get_by_role("link", name=re.compile(re.escape(title))).click()


def test_ap_hands_editing_to_the_editor_and_sends_it_up(person, shot):
    """ap assigns the editor an edit, asks for changes, sends the resubmitted
    cut up; the producer approves it. ap is never offered the approval."""
    # (1) The AP creates the task for the editor, who reports to them.
    sam = person("ap")
    sam.get_by_role("link", name="Productions").first.click()
    sam.get_by_role("link", name=re.compile("Morning Live")).first.click()
    shot(sam, "ap-board")
    sam.get_by_role("link", name="New task").click()
    expect(sam.get_by_role("heading", name="New task in Morning Live")).to_be_visible()
    sam.get_by_label(re.compile(r"^Title")).fill(TITLE)
    sam.get_by_label(re.compile(r"^Kind")).select_option(label="Editing")
    assignee = sam.get_by_label(re.compile(r"^Assignee"))
    # Only the people who report to the AP are offered.
    expect(assignee.locator("option")).to_have_text(
        ["Unassigned", "Eddie Marsh", "Wren Adeyemi"]
    )
    assignee.select_option(label="Eddie Marsh")
    shot(sam, "ap-new-task-filled")
    sam.get_by_role("button", name="Create the task").click()
    expect(sam.get_by_role("heading", name=TITLE)).to_be_visible()
    shot(sam, "ap-task-created")
    task = Task.objects.get(project__code="MORN", title=TITLE)
    key = task.key
    assert (task.status, task.assignee.username, task.reviewer.username) == (
        Task.Status.TODO,
        "editor",
        "ap",
    )

    # (2) The editor starts it and submits it.
    eddie = person("editor")
    open_from(eddie, "My tasks", TITLE)
    expect(status_heading(eddie, "To do")).to_be_visible()
    move(eddie, "Start")
    expect(status_heading(eddie, "In progress")).to_be_visible()
    move(eddie, "Submit for review")
    expect(status_heading(eddie, "In review")).to_be_visible()
    shot(eddie, "editor-submitted")

    # (3) The AP finds it awaiting their review and asks for changes; they
    # are offered no approval.
    sam.goto("/")
    shot(sam, "ap-my-work")
    crew = sam.get_by_role("region", name=re.compile(r"^My crew's work"))
    expect(crew.get_by_role("link", name=re.compile(re.escape(TITLE)))).to_be_visible()
    open_from(sam, "Awaiting my review", TITLE)
    expect(status_heading(sam, "In review")).to_be_visible()
    expect(sam.get_by_role("button", name=re.compile(r"^Approve"))).to_have_count(0)
    sam.locator("summary", has_text="Request changes").click()
    sam.get_by_label("What needs to change?").fill(NOTE)
    shot(sam, "ap-changes-note")
    move(sam, "Send request")
    expect(status_heading(sam, "Changes requested")).to_be_visible()

    # (4) The editor reads the note and resubmits straight to review.
    eddie.reload()
    expect(eddie.get_by_role("note", name="Changes requested")).to_contain_text(NOTE)
    shot(eddie, "editor-sees-note")
    move(eddie, "Resubmit")
    expect(status_heading(eddie, "In review")).to_be_visible()

    # (5) The AP sends it up to the producer they report to.
    sam.reload()
    expect(status_heading(sam, "In review")).to_be_visible()
    shot(sam, "ap-before-send-up")
    move(sam, "Send up")
    history = sam.locator("#task-history")
    expect(history).to_contain_text("Sam Okafor sent it up to Paula Reyes")
    expect(sam.locator("#task-details")).to_contain_text("Paula Reyes")
    expect(sam.get_by_role("button", name=re.compile(r"^Send up"))).to_have_count(0)
    shot(sam, "ap-sent-up")
    assert Task.objects.get(key=key).reviewer.username == "producer"

    # (6) The producer approves it from their review queue.
    paula = person("producer")
    open_from(paula, "Awaiting my review", TITLE)
    shot(paula, "producer-review")
    move(paula, "Approve")
    expect(status_heading(paula, "Done")).to_be_visible()
    shot(paula, "producer-approved")
    moves = Activity.objects.filter(task__key=key, verb=Activity.Verb.MOVED)
    assert [(a.actor.username, a.field, a.new_value) for a in moves.order_by("pk")] == [
        ("editor", "status", "in_progress"),
        ("editor", "status", "review"),
        ("ap", "status", "changes"),
        ("editor", "status", "review"),
        ("ap", "reviewer", "Paula Reyes"),
        ("producer", "status", "done"),
    ]


def test_ap_confirms_and_moves_the_slot_of_their_booking(person, shot):
    """On a phone, the AP opens their booking, moves its slot half an hour
    later and confirms it; the edit form offers them nothing else."""
    booking = Task.objects.get(project__code="MORN", title="Book the marathon winner")
    Task.objects.filter(pk=booking.pk).update(confirmed=False)
    zone = booking.project.tzinfo
    starts = timezone.localtime(booking.starts_at, zone) + dt.timedelta(minutes=30)
    ends = starts + dt.timedelta(minutes=30)

    sam = person("ap", **PHONE)
    sam.goto(f"/tasks/{booking.key}/")
    expect(sam.get_by_role("heading", name=booking.title)).to_be_visible()
    shot(sam, "booking-before")
    sam.get_by_role("link", name="Edit", exact=True).click()
    expect(sam.get_by_label(re.compile(r"^Title"))).to_have_count(0)
    expect(sam.get_by_label(re.compile(r"^Due date"))).to_have_count(0)
    sam.get_by_label(re.compile(r"^Slot starts")).fill(
        starts.strftime("%Y-%m-%dT%H:%M")
    )
    sam.get_by_label(re.compile(r"^Slot ends")).fill(ends.strftime("%Y-%m-%dT%H:%M"))
    sam.get_by_label(re.compile(r"^Confirmed")).check()
    shot(sam, "booking-edit-filled")
    sam.get_by_role("button", name=f"Save {booking.key}").click()
    expect(sam.get_by_text(f"{booking.key} saved.")).to_be_visible()
    booking_details = sam.get_by_role("region", name="Booking")
    expect(booking_details).to_contain_text(starts.strftime("%H:%M"))
    expect(booking_details.get_by_text("Yes", exact=True)).to_be_visible()
    shot(sam, "booking-after")
    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at, booking.confirmed) == (
        starts,
        ends,
        True,
    )
