"""The crew's own rules in a real Chromium: a contact sheet with an Edit
panel a member, adding someone found as one types, bounded controls, and
leaving; on a desktop and a phone, light and dark."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from production.models import CrewRole, Membership, Task, User
from tests.browser.test_accessibility import violations
from tests.browser.test_phone import PHONE, assert_fits_the_screen

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SIZES = {"desktop": DESKTOP, "phone": PHONE}


def member(page, name):
    """One person's entry on the crew sheet, by the name it is headed with."""
    return page.locator(
        "li.member", has=page.get_by_role("heading", name=re.compile(f"^{name}"))
    )


def in_view(page, locator) -> bool:
    """The element lies within the screen's width: nothing to scroll sideways to."""
    box = locator.bounding_box()
    width = page.evaluate("() => Math.min(window.innerWidth, screen.width)")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_producer_edits_a_member_and_adds_someone_found_by_name(
    slate, person, shot, size, scheme
):
    """The producer reads the sheet (phones and e-mails as links), opens one
    member's Edit panel and changes their role, then finds Olive by typing
    part of her name and adds her: every control within the screen, and
    axe-core content with the panel open and the matches shown."""
    axe = Axe()
    User.objects.filter(username="ap").update(phone="+44 20 7946 0958")
    User.objects.filter(username="producer").update(display_name="Paula R.")
    paula = person("producer", color_scheme=scheme, **SIZES[size])
    paula.goto("/projects/MORN/crew/")
    sam = member(paula, "Sam Okafor")
    expect(
        sam.get_by_role("link", name=re.compile("Call Sam Okafor"))
    ).to_have_attribute("href", "tel:+442079460958")
    expect(
        sam.get_by_role("link", name=re.compile("E-mail Sam Okafor"))
    ).to_have_attribute("href", "mailto:ap@slate.example")
    expect(sam).to_contain_text("reports to Paula R.")
    expect(paula.get_by_role("combobox", name="Role")).to_have_count(
        1
    )  # the add form's
    shot(paula, f"sheet-{size}-{scheme}")
    if size == "phone":
        assert_fits_the_screen(paula)

    edit = sam.locator("summary", has_text="Edit")
    assert in_view(paula, edit)
    edit.click()
    sam.get_by_label("Role").select_option(label="Writer")
    save = sam.get_by_role("button", name="Save Sam Okafor")
    remove = sam.get_by_role("button", name=re.compile("Remove from the crew"))
    assert in_view(paula, save) and in_view(paula, remove)
    shot(paula, f"edit-open-{size}-{scheme}")
    assert violations(axe.run(paula)) == []
    save.click()
    expect(paula.locator("#messages")).to_contain_text(
        "Sam Okafor is now Writer, reporting to Paula R."
    )
    expect(member(paula, "Sam Okafor")).to_contain_text("Writer")

    paula.get_by_label("Find a person").press_sequentially("olive st", delay=30)
    olive = paula.get_by_role("radio", name=re.compile("Olive Stone"))
    expect(olive).to_be_visible()
    olive.check()
    paula.locator("form.add-member-form").get_by_label("Role").select_option(
        label="Editor"
    )
    shot(paula, f"search-{size}-{scheme}")
    assert violations(axe.run(paula)) == []
    add = paula.get_by_role("button", name="Add to crew")
    add.scroll_into_view_if_needed()
    assert in_view(paula, add)
    add.click()
    expect(paula.locator("#messages")).to_contain_text(
        "Olive Stone joined the crew as Editor."
    )
    expect(member(paula, "Olive Stone")).to_be_visible()
    if size == "phone":
        assert_fits_the_screen(paula)
    assert (
        Membership.objects.get(
            project__code="MORN", user__username="outsider"
        ).role.name
        == "Editor"
    )


def test_the_search_works_without_javascript(slate, person, shot):
    """With JavaScript off, Find lists the matches on the page; picking one and
    adding works."""
    paula = person("producer", java_script_enabled=False)
    paula.goto("/projects/MORN/crew/")
    paula.get_by_label("Find a person").fill("stone")
    paula.get_by_role("button", name="Find").click()
    expect(paula).to_have_url(re.compile(r"/crew/people/\?q=stone$"))
    paula.get_by_role("radio", name=re.compile("Olive Stone")).check()
    paula.locator("form.add-member-form").get_by_label("Role").select_option(
        label="Writer"
    )
    shot(paula, "found")
    paula.get_by_role("button", name="Add to crew").click()
    expect(paula).to_have_url(re.compile(r"/projects/MORN/crew/$"))
    expect(member(paula, "Olive Stone")).to_contain_text("Writer")


def test_a_line_producer_sees_only_what_they_may_change(slate, person, shot):
    """A line producer's crew page offers the roles within their rights and no
    controls on the producer's entry, on a desktop and on a phone."""
    Membership.objects.filter(project__code="MORN", user__username="editor").update(
        role=CrewRole.objects.get(project=None, name=CrewRole.LINE_PRODUCER)
    )
    for options in ({}, PHONE):
        eddie = person("editor", **options)
        eddie.goto("/projects/MORN/crew/")
        boss = member(eddie, "Paula Reyes")
        expect(boss.locator("details")).to_have_count(0)
        expect(boss.get_by_role("button")).to_have_count(0)
        add = eddie.locator("form.add-member-form")
        expect(add.get_by_label("Role").locator("option")).to_have_text(
            ["Choose a role", "Associate Producer", "Editor", "Line Producer", "Writer"]
        )
        expect(
            eddie.get_by_role("button", name="Leave this production")
        ).to_be_visible()
        shot(eddie, "phone" if options else "desktop")
        if options:
            assert_fits_the_screen(eddie)


def test_an_ap_leaves_a_production_after_confirming(slate, person, shot):
    """The AP is asked first; once they accept, they land on their productions
    without MORN, and their open MORN work is unassigned."""
    sam = person("ap")
    sam.goto("/projects/MORN/crew/")
    shot(sam, "crew")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    leave = sam.get_by_role("button", name="Leave this production")
    sam.once("dialog", lambda dialog: answer(dialog, False))
    leave.click()
    sam.wait_for_timeout(300)
    expect(sam).to_have_url(re.compile(r"/projects/MORN/crew/$"))
    sam.once("dialog", lambda dialog: answer(dialog, True))
    leave.click()
    expect(sam).to_have_url(re.compile(r"/projects/$"))
    expect(sam.locator("#messages")).to_contain_text(
        "You have left the crew of Morning Live"
    )
    expect(sam.get_by_role("link", name="Morning Live")).to_have_count(0)
    shot(sam, "left")
    assert questions[0].startswith("Leave the crew of Morning Live?")
    assert len(questions) == 2
    assert not Task.objects.filter(
        project__code="MORN", assignee__username="ap", status__in=Task.OPEN_STATUSES
    ).exists()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_person_keeps_their_profile(
    slate, person, shot, browser_errors, size, scheme
):
    """From their name in the top bar the AP reaches their profile, is told
    what is wrong with a bad phone (focus on the summary), saves a display
    name and phone, and the top bar and crew sheet show them."""
    # The refused phone is answered as such (400); the console says so.
    browser_errors.allow("status of 400")
    sam = person("ap", color_scheme=scheme, **SIZES[size])
    sam.locator(".topbar").get_by_role("link", name="Sam Okafor").click()
    expect(sam).to_have_url(re.compile(r"/profile/$"))
    sam.get_by_label("Display name").fill("Sammy O")
    sam.get_by_label("Phone").fill("call me")
    sam.get_by_role("button", name="Save").click()
    expect(sam.locator(".error-summary")).to_be_focused()
    expect(sam.locator(".error-summary")).to_contain_text("Enter a phone number")
    shot(sam, f"errors-{size}-{scheme}")
    sam.get_by_label("Phone").fill("+44 20 7946 0958")
    sam.get_by_role("button", name="Save").click()
    expect(sam.locator("#messages")).to_contain_text("Saved")
    expect(sam.locator(".topbar a.who")).to_have_text("Sammy O")
    shot(sam, f"saved-{size}-{scheme}")
    if size == "phone":
        assert_fits_the_screen(sam)
    sam.goto("/projects/MORN/crew/")
    expect(member(sam, "Sammy O")).to_contain_text("+44 20 7946 0958")
