"""What the board keeps or writes itself to be fast shows what a fresh
render would: a card kept once rendered (views/board.py's CARD) shows an
edit on the very next board, and the filter bar's search box is Django's own."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from production import services, workflow
from production.filters import TaskFilterForm
from production.models import Membership, Task
from production.views.board import CARDS_PER_COLUMN
from tests.bench import plans
from tests.factories import add_tasks
from tests.pages import HTMX
from tests.test_views_board import BOARD, MORE, cards, column_keys


def moves_offered(card: str) -> list[str]:
    """The statuses a card's moves go to: its buttons' and its note links'."""
    found = re.findall(
        r'name="to" value="([a-z_]+)"|href="[^"#]*#move-([a-z_]+)(?:-send-up)?"', card
    )
    return [button or link for button, link in found]


def moves_allowed(task, user) -> list[str]:
    role = Membership.objects.get(project=task.project, user=user).role
    return [move.target for move in workflow.move_actions(task, user, role)]


def test_an_edited_title_and_a_renamed_assignee_show_on_the_next_board(
    client_for, producer, morn
):
    """Editing a task's title or its assignee's name changes its card at once."""
    client = client_for(producer)
    task = Task.objects.get(project=morn, key="MORN-10")
    before = cards(client.get(BOARD))[task.key]
    assert "Select shots for the mayor interview" in before
    assert "Eddie Marsh" in before
    services.task_update(
        task=task, by=producer, version=task.version, title="Pick the mayor shots"
    )
    task.assignee.display_name = "Ed M."
    task.assignee.save()
    after = cards(client.get(BOARD))[task.key]
    assert "Pick the mayor shots" in after
    assert "Select shots for the mayor interview" not in after
    assert "<dd>Ed M.</dd>" in after and "Eddie Marsh" not in after
    # The new version goes with the card's moves, so they are not refused as stale.
    task.refresh_from_db()
    assert f'name="version" value="{task.version}"' in after


def test_a_move_made_shows_its_card_in_the_new_column_with_the_new_moves(
    client_for, ap, task_of
):
    """After a move, the card sits in its new column offering the moves from there."""
    client = client_for(ap)
    task = task_of(ap, "todo")
    first = cards(client.get(BOARD))[task.key]
    services.task_move(task=task, to="in_progress", by=ap)
    board = client.get(BOARD)
    assert task.key in column_keys(board, "in_progress")
    assert task.key not in column_keys(board, "todo")
    task.refresh_from_db()
    card = cards(board)[task.key]
    assert card != first
    assert moves_offered(card) == moves_allowed(task, ap) != []


def test_each_viewer_sees_their_own_moves_and_token(client_for, producer, ap, morn):
    """One card seen by two people: each gets the moves they may make and
    their own CSRF token, never the other's."""
    task = next(
        task
        for task in Task.objects.filter(project=morn).order_by("number")
        if moves_allowed(task, producer) != moves_allowed(task, ap)
    )
    for viewer in (producer, ap, producer):
        response = client_for(viewer).get(BOARD)
        card = cards(response)[task.key]
        assert moves_offered(card) == moves_allowed(task, viewer)
        if moves_offered(card):
            token = re.search(r'csrfmiddlewaretoken" value="([^"]+)"', card)[1]
            # The form's token is this client's cookie secret, masked.
            secret = response.cookies["csrftoken"].value
            assert _unmask_cipher_token(token) == secret


def test_archiving_the_production_takes_the_moves_off_its_cards(
    client_for, producer, morn
):
    """An archived production's cards offer no moves on the next board."""
    client = client_for(producer)
    assert any("<form" in card for card in cards(client.get(BOARD)).values())
    services.project_archive(project=morn, by=producer)
    assert not any("<form" in card for card in cards(client.get(BOARD)).values())


def test_a_new_clash_shows_on_the_booking_it_clashes_with(client_for, producer, morn):
    """A booking made over another's slot flags the first's card on the next board."""
    client = client_for(producer)
    starts = timezone.now() + dt.timedelta(days=3)

    def book(title):
        return services.task_create(
            project=morn,
            by=producer,
            title=title,
            kind="booking",
            priority=Task.Priority.URGENT,
            guest="Ines Okafor",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
        )

    first = book("Ines on the morning couch")
    board = BOARD + "?kind=booking"
    assert "Clashes with" not in cards(client.get(board))[first.key]
    second = book("Ines again, by mistake")
    card = cards(client.get(board))[first.key]
    assert "<strong>Clashes with</strong>" in card
    assert f'<a href="/tasks/{second.key}/">{second.key}</a>' in card


def test_the_first_card_of_show_more_alone_takes_the_focus(client_for, producer, morn):
    """The same card is focused as Show more's first and not on the board."""
    add_tasks(morn, CARDS_PER_COLUMN + 1, status="done")
    client = client_for(producer)
    more = client.get(MORE + "?status=done&page=2", **HTMX)
    first = next(iter(cards(more)))
    assert "autofocus" in cards(more)[first]
    whole = client.get(BOARD + "?status=done&page=2")
    assert "autofocus" not in cards(whole)[first]


@pytest.mark.parametrize(
    "data",
    [None, {}, {"q": ""}, {"q": ' a&b "c" '}, {"q": "x" * 201}],
    ids=["unbound", "empty", "blank", "text", "too long"],
)
def test_the_search_box_is_djangos_own_input(client_for, producer, data):
    """The filter bar writes the search box as Django's widget would, errors
    included: the same attributes in the same order with the same values
    (markupsafe spells an escaped quote &#34;, Django &quot;)."""
    form = TaskFilterForm(data, crew=[], episodes=[])
    form.cleaned()
    html = client_for(producer).get(BOARD, data or {}).content.decode()
    assert input_named(html, "q") == input_named(str(form["q"]), "q")


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.found.append(attrs)


def input_named(html: str, name: str) -> list[tuple[str, str | None]]:
    """The attributes of the page's input named `name`, as a browser reads them."""
    parser = _Inputs()
    parser.feed(html)
    (attrs,) = [attrs for attrs in parser.found if ("name", name) in attrs]
    return attrs


def test_overdue_is_judged_on_the_day_the_board_is_shown(client_for, producer, morn):
    """A card kept from the day before is shown overdue once its day has passed."""
    client = client_for(producer)
    task = Task.objects.get(project=morn, key="MORN-10")
    noon = dt.datetime.combine(task.due_date, dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(noon, tick=False):
        assert "overdue" not in cards(client.get(BOARD))[task.key]
    with time_machine.travel(noon + dt.timedelta(days=1), tick=False):
        assert timezone.localdate() > task.due_date
        assert "overdue-flag" in cards(client.get(BOARD))[task.key]


def column_count(response, status) -> int:
    html = response.content.decode()
    start = html.index(f'id="column-{status}"')
    return int(re.search(r'<span class="count">(\d+)<', html[start:])[1])


def _counts_tasks(captured) -> bool:
    """Whether a query counted the task rows themselves (by status)."""
    return any('COUNT("production_task"' in query["sql"] for query in captured)


def test_the_whole_and_one_persons_board_count_from_the_tallies(
    client_for, producer, ap, morn
):
    """The columns' counts of the whole board and of one person's come from
    the production's tallies, not from its tasks, and a new task counts on
    the next board; other filters count the tasks they find."""
    client = client_for(producer)
    mine = f"{BOARD}?assignee={ap.pk}"
    before = {url: column_count(client.get(url), "todo") for url in (BOARD, mine)}
    services.task_create(project=morn, by=producer, title="Count me", assignee=ap)
    assert Task.objects.get(title="Count me").status == "todo"
    for url in (BOARD, mine):
        with CaptureQueriesContext(connection) as captured:
            board = client.get(url)
        assert column_count(board, "todo") == before[url] + 1
        assert not _counts_tasks(captured)
        assert any('"production_tasktally"' in query["sql"] for query in captured)
    with CaptureQueriesContext(connection) as captured:
        board = client.get(BOARD, {"kind": "script"})
    assert _counts_tasks(captured)
    scripts = Task.objects.filter(project=morn, kind="script", status="todo")
    assert column_count(board, "todo") == scripts.count()


@pytest.mark.parametrize(
    "query", ["", "?assignee={ap}", "?kind=script", "?status=todo&page=3"]
)
def test_a_columns_first_cards_are_read_in_card_order_from_an_index(
    client_for, producer, ap, morn, query
):
    """Each column's first cards are read in card order from the task_cards
    index, without sorting the column (SQLite and PostgreSQL), so a column
    of thousands costs what one of a dozen does."""
    add_tasks(morn, 60, status="todo", assignee=ap, kind="script")
    client = client_for(producer)
    (columns,) = [
        found
        for found in plans.explain(client, BOARD + query.format(ap=ap.pk))
        if "UNION ALL" in found["sql"]
    ]
    assert columns["verdict"] == plans.INDEX_SEARCH, columns["plan"]
    assert not [
        line
        for line in columns["plan"]
        if "TEMP B-TREE" in line or line.strip() in ("Sort", "Incremental Sort")
    ], columns["plan"]
