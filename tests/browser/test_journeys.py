"""The producer-and-AP journey of the issue, in a real Chromium.

A producer starts a production, brings in an AP, hands them a script; the AP
does it and submits it; the producer sends it back with a note; the AP fixes
it and resubmits; the producer approves. Along the way the AP can neither see
nor forge an approval. Each person has their own browser context (their own
session); one stretch runs with JavaScript off to prove the plain forms work.
"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from production.models import Activity, Comment, Membership, Task, User

TITLE = "Script the opening headlines"
NOTE = "Lead with the flood warning, not the football."
REPLY = "Flood warning first now; the football moved to the end."


def status_heading(page, label):
    return page.get_by_role("heading", name=f"Status: {label}")


def move(page, label):
    """Press one of the task page's move buttons ("Start: EVE-1" and so on)."""
    page.get_by_role("button", name=re.compile(rf"^{label}\b")).click()


def forge_move(page, key, to):
    """POST a move from this browser's session, as a hand-made request would."""
    token = next(
        cookie["value"]
        for cookie in page.context.cookies()
        if cookie["name"] == "csrftoken"
    )
    return page.request.post(
        f"/tasks/{key}/move/",
        form={"to": to, "csrfmiddlewaretoken": token},
        headers={"X-CSRFToken": token},
        max_redirects=0,
    )


def test_producer_assigns_reviews_and_approves_an_ap_script(person, shot):
    """A script goes from the producer to the AP, back with a note, and is approved;
    the AP never gets, nor can forge, the approval."""
    due = timezone.localdate() + dt.timedelta(days=2)
    ap = User.objects.get(username="ap")

    # (1) The producer starts a production, brings in the AP, assigns a script.
    producer = person("producer")
    shot(producer, "producer-my-work")
    producer.get_by_role("link", name="Productions").first.click()
    expect(
        producer.get_by_role("heading", name="Productions", exact=True)
    ).to_be_visible()
    shot(producer, "productions")
    producer.get_by_role("link", name="New production").click()
    producer.get_by_label(re.compile(r"^Name")).fill("Evening Bulletin")
    producer.get_by_label(re.compile(r"^Code")).fill("eve")
    producer.get_by_label(re.compile(r"^Kind")).select_option(label="News show")
    shot(producer, "new-production-filled")
    producer.get_by_role("button", name="Create production").click()
    expect(producer).to_have_url(re.compile(r"/projects/EVE/$"))
    expect(producer.get_by_text("Evening Bulletin").first).to_be_visible()
    shot(producer, "production-created")

    producer.get_by_role("link", name="Crew", exact=True).click()
    add = producer.locator(".add-member")
    add.get_by_label("Find a person").fill("Sam Okafor")
    add.get_by_role("radio", name=re.compile("Sam Okafor")).check()
    add.get_by_label(re.compile(r"^Role")).select_option(label="Associate Producer")
    add.get_by_label(re.compile(r"^Reports to")).select_option(label="Paula Reyes")
    shot(producer, "crew-add-filled")
    add.get_by_role("button", name="Add to crew").click()
    expect(
        producer.get_by_role("heading", name=re.compile("^Sam Okafor"))
    ).to_be_visible()
    shot(producer, "crew-with-ap")
    assert Membership.objects.filter(
        project__code="EVE", user=ap, reports_to__username="producer"
    ).exists()

    producer.get_by_role("link", name="New task").click()
    producer.get_by_label(re.compile(r"^Title")).fill(TITLE)
    producer.get_by_label(re.compile(r"^Kind")).select_option(label="Script")
    producer.get_by_label(re.compile(r"^Assignee")).select_option(label="Sam Okafor")
    producer.get_by_label(re.compile(r"^Due date")).fill(due.isoformat())
    shot(producer, "new-task-filled")
    producer.get_by_role("button", name="Create the task").click()
    expect(producer.get_by_role("heading", name=TITLE)).to_be_visible()
    shot(producer, "task-created")
    task = Task.objects.get(project__code="EVE", title=TITLE)
    key = task.key
    assert (task.assignee, task.due_date, task.status) == (ap, due, Task.Status.TODO)
    assert task.reviewer.username == "producer"

    # (2) The AP finds it in my work, starts it and submits it (with htmx).
    sam = person("ap")
    mine = sam.get_by_role("region", name=re.compile(r"^My tasks"))
    expect(mine.get_by_role("link", name=re.compile(TITLE))).to_be_visible()
    shot(sam, "ap-my-work")
    mine.get_by_role("link", name=re.compile(TITLE)).click()
    expect(status_heading(sam, "To do")).to_be_visible()
    shot(sam, "ap-task")
    move(sam, "Start")
    expect(status_heading(sam, "In progress")).to_be_visible()
    shot(sam, "ap-started")
    move(sam, "Submit for review")
    expect(status_heading(sam, "In review")).to_be_visible()
    shot(sam, "ap-submitted")
    assert Task.objects.get(key=key).status == Task.Status.REVIEW

    # (3) The producer finds it awaiting review and asks for changes.
    producer.goto("/")
    review = producer.get_by_role("region", name=re.compile(r"^Awaiting my review"))
    expect(review.get_by_role("link", name=re.compile(TITLE))).to_be_visible()
    shot(producer, "awaiting-review")
    review.get_by_role("link", name=re.compile(TITLE)).click()
    # The note's form opens from a <details>, so it works without JavaScript.
    producer.locator("summary", has_text="Request changes").click()
    producer.get_by_label("What needs to change?").fill(NOTE)
    shot(producer, "changes-note")
    move(producer, "Send request")
    expect(status_heading(producer, "Changes requested")).to_be_visible()
    shot(producer, "changes-requested")
    assert Task.objects.get(key=key).status == Task.Status.CHANGES

    # (4) With JavaScript off, the AP reads the note, replies, resumes and
    # resubmits: every step is a plain form and a redirect.
    plain = person("ap", java_script_enabled=False)
    plain.goto(f"/tasks/{key}/")
    expect(plain.get_by_role("note", name="Changes requested")).to_contain_text(NOTE)
    shot(plain, "ap-sees-note-no-js")
    plain.get_by_label("Add a comment").fill(REPLY)
    plain.get_by_role("button", name="Comment").click()
    expect(plain.get_by_text(REPLY)).to_be_visible()
    shot(plain, "ap-commented-no-js")
    move(plain, "Resume")
    expect(status_heading(plain, "In progress")).to_be_visible()
    shot(plain, "ap-resumed-no-js")
    move(plain, "Submit for review")
    expect(status_heading(plain, "In review")).to_be_visible()
    shot(plain, "ap-resubmitted-no-js")
    assert Comment.objects.filter(task__key=key, author=ap, body=REPLY).exists()
    assert Task.objects.get(key=key).status == Task.Status.REVIEW

    # (6, while it waits) The AP's page offers no approval, and a forged one
    # from the AP's own session is refused, leaving the task in review.
    sam.reload()
    expect(status_heading(sam, "In review")).to_be_visible()
    expect(sam.get_by_role("button", name=re.compile(r"^Approve"))).to_have_count(0)
    shot(sam, "ap-no-approve")
    forged = forge_move(sam, key, "done")
    assert forged.status == 403
    assert "may approve this task" in forged.text()
    assert Task.objects.get(key=key).status == Task.Status.REVIEW

    # (5) The producer approves.
    producer.reload()
    expect(status_heading(producer, "In review")).to_be_visible()
    shot(producer, "resubmitted")
    move(producer, "Approve")
    expect(status_heading(producer, "Done")).to_be_visible()
    shot(producer, "approved")
    assert Task.objects.get(key=key).status == Task.Status.DONE

    # (6) Done is final for the AP: no reopening, by button or by hand.
    sam.reload()
    expect(status_heading(sam, "Done")).to_be_visible()
    expect(
        sam.get_by_role("button", name=re.compile(r"^(Approve|Reopen)"))
    ).to_have_count(0)
    shot(sam, "ap-sees-done")
    reopen = forge_move(sam, key, "in_progress")
    assert reopen.status == 403
    assert "may reopen this task" in reopen.text()
    assert forge_move(sam, key, "done").status == 403
    assert Task.objects.get(key=key).status == Task.Status.DONE
    moves = Activity.objects.filter(task__key=key, verb=Activity.Verb.MOVED)
    assert [(a.actor.username, a.new_value) for a in moves.order_by("pk")] == [
        ("ap", "in_progress"),
        ("ap", "review"),
        ("producer", "changes"),
        ("ap", "in_progress"),
        ("ap", "review"),
        ("producer", "done"),
    ]
