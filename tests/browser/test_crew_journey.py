"""The crew's own rules in a real Chromium: bounded controls, and leaving."""

import re

from playwright.sync_api import expect

from production.models import CrewRole, Membership, Task
from tests.browser.test_phone import PHONE, assert_fits_the_screen


def test_a_line_producer_sees_only_what_they_may_change(slate, person, shot):
    """A line producer's crew page offers the roles within their rights and no
    controls on the producer's row, on a desktop and on a phone."""
    Membership.objects.filter(project__code="MORN", user__username="editor").update(
        role=CrewRole.objects.get(project=None, name=CrewRole.LINE_PRODUCER)
    )
    for options in ({}, PHONE):
        eddie = person("editor", **options)
        eddie.goto("/projects/MORN/crew/")
        boss = eddie.locator(
            "tr", has=eddie.get_by_role("rowheader", name=re.compile("^Paula Reyes"))
        )
        expect(boss.get_by_role("combobox")).to_have_count(0)
        expect(boss.get_by_role("button")).to_have_count(0)
        add = eddie.locator("form.add-member")
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
