"""My work at a laptop's 1366px: my tasks and the team's load in one column,
what awaits me (review, my crew's work, pitches) in another beside it, each
column as tall as its own content."""

import pytest

from tests.browser.test_board_layout import LAPTOP

# The gap between two panels of a column (1.25rem), with room for rounding.
PANEL_GAP = 24


def box(page, selector):
    return page.locator(selector).bounding_box()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_team_load_follows_my_tasks_whatever_stands_beside_them(
    person, shot, scheme
):
    """The producer has no task of their own and a long side column: the
    team's load starts right under "My tasks", not below the side column."""
    paula = person("producer", color_scheme=scheme, **LAPTOP)
    mine, team = box(paula, ".work-mine"), box(paula, ".work-team")
    side = box(paula, ".work-side")
    assert side["x"] >= mine["x"] + mine["width"]
    assert abs(side["y"] - mine["y"]) < 1
    assert side["height"] > mine["height"] + team["height"], "a long side column"
    assert abs(team["x"] - mine["x"]) < 1
    assert 0 < team["y"] - (mine["y"] + mine["height"]) <= PANEL_GAP
    shot(paula, "my-work")


def test_the_side_column_does_not_wait_for_a_long_list_of_mine(person, shot):
    """The AP's own list is long: "Awaiting my review" and "My crew's work"
    follow each other in the side column with no gap."""
    sam = person("ap", **LAPTOP)
    mine = box(sam, ".work-mine")
    review, crew = box(sam, ".work-review"), box(sam, ".work-crew")
    assert mine["height"] > review["height"] + crew["height"]
    assert 0 < crew["y"] - (review["y"] + review["height"]) <= PANEL_GAP
    shot(sam, "my-work-ap")
