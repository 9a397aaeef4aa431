"""The task list's bulk bar in a real Chromium: out of the way until a row is
ticked, then it counts them; the header's box ticks the whole page."""

import re

import pytest
from playwright.sync_api import expect

from production.models import Task
from tests.browser.test_board_layout import LAPTOP, PHONE


@pytest.mark.parametrize(
    "scheme,size",
    [("light", "desktop"), ("dark", "desktop"), ("light", "phone"), ("dark", "phone")],
)
def test_the_bulk_bar_shows_once_something_is_selected(person, shot, scheme, size):
    """No bar before a tick; one row ticked shows it with "1 selected"; the
    header's box ticks every row of the page, and clears them again."""
    paula = person(
        "producer", color_scheme=scheme, **(LAPTOP if size == "desktop" else PHONE)
    )
    paula.goto("/projects/MORN/tasks/")
    bar = paula.get_by_role("group", name="With the selected tasks")
    expect(bar).to_be_hidden()
    shot(paula, "nothing-selected")

    paula.get_by_label("Select MORN-3", exact=True).check()
    expect(bar).to_be_visible()
    expect(bar.get_by_role("status")).to_have_text("1 selected")
    select_all = paula.get_by_label("Select all on this page")
    expect(select_all).to_have_js_property("indeterminate", True)
    shot(paula, "one-selected")

    rows = paula.locator('input[name="tasks"]')
    select_all.check()
    expect(bar.get_by_role("status")).to_have_text(f"{rows.count()} selected")
    for index in range(rows.count()):
        expect(rows.nth(index)).to_be_checked()
    shot(paula, "all-selected")

    select_all.uncheck()
    expect(bar).to_be_hidden()
    expect(paula.locator('input[name="tasks"]:checked')).to_have_count(0)


def test_the_bar_acts_on_the_ticked_rows_and_shows_what_is_left(person):
    """Ticked rows moved in bulk: the table comes back, the summary says so,
    and the bar goes away with nothing left ticked."""
    todo = list(
        Task.objects.filter(project__code="MORN", status=Task.Status.TODO)
        .order_by("number")
        .values_list("key", flat=True)[:2]
    )
    paula = person("producer", **LAPTOP)
    paula.goto("/projects/MORN/tasks/")
    for key in todo:
        paula.get_by_label(f"Select {key}", exact=True).check()
    bar = paula.get_by_role("group", name="With the selected tasks")
    expect(bar.get_by_role("status")).to_have_text("2 selected")
    bar.get_by_label("Move to").select_option(label="Cancelled")
    bar.get_by_role("button", name="Move").click()

    expect(paula.locator("#messages")).to_contain_text("2 tasks updated.")
    expect(bar).to_be_hidden()
    for key in todo:
        expect(paula.locator(f"#row-{key}")).to_contain_text("Cancelled")
    assert set(Task.objects.filter(key__in=todo).values_list("status", flat=True)) == {
        Task.Status.CANCELLED
    }
    expect(paula.get_by_label("Select all on this page")).not_to_be_checked()
    assert re.search(r"/projects/MORN/tasks/$", paula.url)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_bulk_bars_buttons_are_secondary_in_a_marked_bar(person, shot, scheme):
    """The bar's Assign, Set due date and Move look like the filter's button
    (secondary: the page keeps one primary), and the bar itself is framed in
    the accent colour so it stands out over the table."""
    paula = person("producer", color_scheme=scheme, **LAPTOP)
    paula.goto("/projects/MORN/tasks/")
    paula.get_by_label("Select MORN-3", exact=True).check()
    bar = paula.get_by_role("group", name="With the selected tasks")
    expect(bar).to_be_visible()

    def style(locator, name):
        return locator.evaluate(f"element => getComputedStyle(element).{name}")

    filter_button = paula.locator(".filter-actions button")
    for name in ("Assign", "Set due date", "Move"):
        button = bar.get_by_role("button", name=name, exact=True)
        assert style(button, "backgroundColor") == style(
            filter_button, "backgroundColor"
        ), name
        assert style(button, "color") == style(filter_button, "color"), name
    accent = paula.get_by_role("link", name="Download CSV")
    assert style(bar, "borderTopColor") == style(accent, "color")
    shot(paula, "bulk-bar")
