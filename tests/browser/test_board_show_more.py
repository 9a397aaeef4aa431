"""The board's Show more: the next cards come in place, the keyboard follows."""

import re

from playwright.sync_api import expect

from production.models import Project, Task
from production.views.board import CARDS_PER_COLUMN, MORE_CARDS
from tests.factories import add_tasks


def test_show_more_brings_the_next_cards_in_place(person, shot):
    """Paula's Show more under To do brings that column's next cards into the
    board without leaving it, and the first new card's link takes the focus."""
    morn = Project.objects.get(code="MORN")
    add_tasks(morn, MORE_CARDS + 10, status=Task.Status.TODO, priority=1)
    paula = person("producer")
    paula.goto("/projects/MORN/")
    todo = paula.locator("section.status-todo")
    expect(todo.locator("li.card")).to_have_count(CARDS_PER_COLUMN)
    board_url = paula.url

    todo.get_by_role("link", name=re.compile(r"^Show more")).click()
    expect(todo.locator("li.card")).to_have_count(CARDS_PER_COLUMN + MORE_CARDS)
    assert paula.url == board_url
    first_new = todo.locator("li.card").nth(CARDS_PER_COLUMN).locator("a.key")
    expect(first_new).to_be_focused()
    expect(todo.get_by_role("link", name=re.compile(r"^Show more"))).to_be_visible()
    shot(paula, "more-cards")
