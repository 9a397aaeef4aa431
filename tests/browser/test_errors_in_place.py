"""Errors shown where they belong, in a real Chromium, with DEBUG on and off.

Under `make run` DEBUG is on, and django-htmx's debug helper replaced the
whole document with any 400, 403 or 404 answer to htmx: a typo on the crew
page left an unstyled fragment, a stale approve a whole-page 403. Each test
runs both ways: a form's errors come back in the form, with a summary that
takes the focus; a refusal or a conflict is a sentence in the messages, and
the page around it stays.
"""

import re

import pytest
from playwright.sync_api import expect

from production.models import CrewRole, Membership, Task

DEBUG = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
# Chromium logs every 4xx answer to a request, and htmx each one it treats
# as an error; the tests provoke them on purpose.
PROVOKED = ("the server responded with a status of 4", "Response Status Error Code 4")


@pytest.fixture
def debug_is(settings, browser_errors):
    """debug_is(flag): run the live server with DEBUG on or off from now on."""
    browser_errors.allow(*PROVOKED)

    def switch(flag):
        settings.DEBUG = flag

    return switch


def assert_page_kept(page, title):
    """The page is still Slate's: its stylesheet, top bar and own heading."""
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate(
        "getComputedStyle(document.body).fontFamily.includes('system-ui')"
    )


def second_approver():
    """Eddie, the editor, made a Producer: he may approve MORN's work too."""
    Membership.objects.filter(project__code="MORN", user__username="editor").update(
        role=CrewRole.objects.get(project=None, name=CrewRole.PRODUCER)
    )


def in_review(number=0):
    """A MORN task of Sam's waiting for a decision."""
    tasks = Task.objects.filter(
        project__code="MORN", status=Task.Status.REVIEW, assignee__username="ap"
    ).order_by("number")
    return tasks[number]


@DEBUG
def test_a_crew_typo_comes_back_in_the_add_form(debug, debug_is, person, shot):
    """A name that finds nobody, added anyway: the add form again with a
    summary (focused, linking to the search) and the search marked, on the
    crew page as it was."""
    debug_is(debug)
    page = person("producer")
    page.goto("/projects/MORN/crew/")
    add = page.locator(".add-member")
    field = add.get_by_label("Find a person")
    field.fill("nobody-at-all")
    expect(add.locator("#person-matches")).to_contain_text("Nobody off the crew")
    add.get_by_label("Role").select_option(label="Editor")
    add.get_by_role("button", name="Add to crew").click()

    summary = add.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        "Person Choose who to add: find them by name or e-mail, then pick them."
    )
    assert_page_kept(page, "Crew")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute(
        "aria-describedby", re.compile(r"\bid_user_search_error\b")
    )
    expect(page.locator("#id_user_search_error")).to_contain_text("Choose who to add")
    expect(page.locator("#messages .message")).to_have_count(0)
    shot(page, "typo")

    summary.get_by_role("link").click()
    expect(field).to_be_focused()
    field.fill("olive")
    add.get_by_role("radio", name=re.compile("Olive Stone")).check()
    add.get_by_role("button", name="Add to crew").click()
    expect(page.locator("#messages")).to_contain_text("Olive Stone joined the crew")
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("^Olive Stone"))).to_be_visible()


@DEBUG
def test_a_stale_approve_on_the_task_page_says_who_approved_it(
    debug, debug_is, person, shot
):
    """Paula approves; Eddie, on the page he had open, approves too: he reads
    who approved it, and the task's state and history catch up in place."""
    debug_is(debug)
    second_approver()
    task = in_review()
    paula, eddie = person("producer"), person("editor")
    for page in (paula, eddie):
        page.goto(f"/tasks/{task.key}/")
        expect(page.get_by_role("heading", name="Status: In review")).to_be_visible()

    paula.get_by_role("button", name=f"Approve: {task.key}").click()
    expect(paula.get_by_role("heading", name="Status: Done")).to_be_visible()
    eddie.get_by_role("button", name=f"Approve: {task.key}").click()

    # The regions catch up, and the sentence stays once they have.
    expect(eddie.get_by_role("heading", name="Status: Done")).to_be_visible()
    expect(eddie.get_by_role("button", name=f"Approve: {task.key}")).to_have_count(0)
    expect(eddie.locator("#task-history")).to_contain_text(
        "Paula Reyes moved it from In review to Done"
    )
    eddie.wait_for_load_state("networkidle")
    expect(eddie.locator("#messages .message.error")).to_have_text(
        f"{task.key} was approved by Paula Reyes just now."
    )
    assert_page_kept(eddie, task.title)
    shot(eddie, "stale-approve")
    assert Task.objects.get(pk=task.pk).activities.filter(verb="moved").count() == 1


@DEBUG
def test_a_stale_approve_on_the_board_moves_the_card(debug, debug_is, person, shot):
    """From a board loaded before Paula's approval, Eddie's Approve on the card
    says what happened and the card shows up in Done, with the focus on it."""
    debug_is(debug)
    second_approver()
    task = in_review()
    eddie = person("editor")
    eddie.goto("/projects/MORN/")
    card = eddie.locator(f"#card-{task.key}")
    expect(card).to_be_visible()
    paula = person("producer")
    paula.goto(f"/tasks/{task.key}/")
    paula.get_by_role("button", name=f"Approve: {task.key}").click()
    expect(paula.get_by_role("heading", name="Status: Done")).to_be_visible()

    card.get_by_role("button", name=f"Approve: {task.key}").click()
    done = eddie.locator(".column.status-done")
    expect(done.locator(f"#card-{task.key}")).to_be_visible()
    expect(done.locator(f"#card-{task.key} a.key")).to_be_focused()
    eddie.wait_for_load_state("networkidle")
    expect(eddie.locator("#messages .message.error")).to_have_text(
        f"{task.key} was approved by Paula Reyes just now."
    )
    assert_page_kept(eddie, "Board")
    shot(eddie, "stale-approve-on-the-board")


@DEBUG
def test_a_note_of_spaces_comes_back_in_the_note_form(debug, debug_is, person, shot):
    """Request changes with only spaces for a note: the note's form stays
    open with the summary (focused) and the note marked; then a real note."""
    debug_is(debug)
    task = in_review()
    paula = person("producer")
    paula.goto(f"/tasks/{task.key}/")
    paula.locator("summary", has_text="Request changes").click()
    note = paula.get_by_label("What needs to change?")
    note.fill("   ")
    paula.get_by_role("button", name=f"Send request: {task.key}").click()

    form = paula.locator("form#move-changes")
    summary = form.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        "What needs to change? Say what needs to change."
    )
    note = paula.get_by_label("What needs to change?")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_have_attribute(
        "aria-describedby", re.compile(rf"\bmove-{task.key}-note_error\b")
    )
    assert_page_kept(paula, task.title)
    shot(paula, "note-of-spaces")

    summary.get_by_role("link").click()
    expect(note).to_be_focused()
    note.fill("Trim the intro.")
    paula.get_by_role("button", name=f"Send request: {task.key}").click()
    expect(
        paula.get_by_role("heading", name="Status: Changes requested")
    ).to_be_visible()
    expect(paula.locator(".error-summary")).to_have_count(0)


@DEBUG
def test_a_refusal_is_a_sentence_in_the_messages(debug, debug_is, person, shot):
    """Removing someone another manager has just removed: the 404's sentence in
    the messages, the crew page kept; what is done next replaces it."""
    debug_is(debug)
    paula = person("producer")
    paula.goto("/projects/MORN/crew/")
    Membership.objects.filter(project__code="MORN", user__username="ap2").delete()
    paula.once("dialog", lambda dialog: dialog.accept())
    row = paula.locator(
        "li.member", has=paula.get_by_role("heading", name=re.compile("^Jo Lindqvist"))
    )
    row.locator("summary", has_text="Edit").click()
    row.get_by_role("button", name=re.compile("^Remove")).click()

    error = paula.locator("#messages .message.error")
    expect(error).to_have_text(
        "This page does not exist, or you are not on the production it belongs to."
    )
    assert_page_kept(paula, "Crew")
    shot(paula, "refused")
    add = paula.locator(".add-member")
    add.get_by_label("Find a person").fill("outsider")
    add.get_by_role("radio", name=re.compile("Olive Stone")).check()
    add.get_by_label("Role").select_option(label="Writer")
    add.get_by_role("button", name="Add to crew").click()
    expect(paula.locator("#messages")).to_contain_text("Olive Stone joined the crew")
    expect(error).to_have_count(0)


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_a_page_with_errors_puts_the_focus_on_its_summary(
    viewport, person, shot, browser_errors
):
    """A plain form posted with an error (a code already taken) reloads the
    page with the summary focused; its link takes the focus to the field."""
    browser_errors.allow(*PROVOKED)
    page = person("producer", viewport=viewport)
    page.goto("/projects/new/")
    page.get_by_label(re.compile(r"^Name")).fill("Morning Two")
    code = page.get_by_label(re.compile(r"^Code"))
    code.fill("MORN")
    page.get_by_role("button", name="Create production").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        "Code That code is taken; choose another."
    )
    expect(code).to_have_attribute("aria-invalid", "true")
    shot(page, "taken-code")
    summary.get_by_role("link").click()
    expect(code).to_be_focused()
