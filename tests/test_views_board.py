"""The board: status columns of cards, the filter bar, show-more and the moves."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from production import services
from production.management.commands.seed_demo import add_generated_tasks
from production.models import CrewRole, Task
from production.views.board import CARDS_PER_COLUMN, MORE_CARDS
from tests.factories import add_tasks
from tests.pages import HTMX, count_queries

BOARD = "/projects/MORN/"
MORE = "/projects/MORN/more/"
COLUMN_ORDER = [
    "proposed",
    "todo",
    "in_progress",
    "review",
    "changes",
    "done",
    "cancelled",
]


def cards(response) -> dict[str, str]:
    """Each card's HTML by task key, in the order they appear."""
    html = response.content.decode()
    found = {}
    for match in re.finditer(
        r'<li class="card[^"]*" id="card-([A-Z]+-\d+)"[^>]*>', html
    ):
        end = html.find("</li>", match.end())
        found[match.group(1)] = html[match.start() : end]
    return found


def column_keys(response, status) -> list[str]:
    html = response.content.decode()
    start = html.index(f'<section class="column status-{status}"')
    end = html.find("</section>", start)
    return re.findall(r'id="card-([A-Z]+-\d+)"', html[start:end])


def test_board_shows_every_column_in_workflow_order(client_for, producer, morn):
    """The board has the seven status columns in workflow order, with their counts."""
    response = client_for(producer).get(BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    positions = [html.index(f'id="column-{status}"') for status in COLUMN_ORDER]
    assert positions == sorted(positions)
    for status in COLUMN_ORDER:
        count = Task.objects.filter(project=morn, status=status).count()
        # The counter reads "3 tasks": words a screen reader says, not an
        # aria-label on a plain span.
        assert (
            f'<span class="count">{count}<span class="visually-hidden"> '
            f"task{'' if count == 1 else 's'}</span></span>" in html
        )
        assert len(column_keys(response, status)) == count


def test_cards_show_the_task_at_a_glance(client_for, producer, morn):
    """A card links its key to the task page and shows title, kind, assignee, due date and priority."""
    card = cards(client_for(producer).get(BOARD))["MORN-10"]
    assert (
        '<a class="key" href="/tasks/MORN-10/"><span class="card-key">MORN-10</span>'
        " Select shots for the mayor interview</a>" in card
    )
    assert "Select shots for the mayor interview" in card
    assert "Editing" in card
    assert "Eddie Marsh" in card
    assert "High" in card
    due = timezone.localdate() + dt.timedelta(days=2)
    assert f'<time datetime="{due:%Y-%m-%d}">' in card
    assert "overdue" not in card


def test_overdue_cards_stand_out(client_for, producer, morn):
    """An open task past its due date is marked overdue, in a class and in words."""
    found = cards(client_for(producer).get(BOARD))
    overdue = found["MORN-4"]
    assert 'class="card priority-4 overdue"' in overdue
    assert '<span class="overdue-flag">overdue</span>' in overdue
    # Done work is never late, even with a date in the past.
    assert "overdue" not in found["MORN-7"]


def test_booking_cards_show_the_slot_in_the_productions_time_zone(
    client_for, producer, morn
):
    """A booking's slot is shown in the production's time zone, not the server's."""
    booking = Task.objects.get(key="MORN-17")
    services.task_update(
        task=booking,
        by=producer,
        version=booking.version,
        starts_at=dt.datetime(2030, 7, 1, 6, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 7, 1, 7, 0, tzinfo=dt.UTC),
    )
    card = cards(client_for(producer).get(BOARD))["MORN-17"]
    # London is an hour ahead of UTC in July.
    assert "Mon 1 Jul, 07:30" in card
    assert "08:00" in card
    assert "BST" in card


def test_htmx_request_gets_only_the_columns(client_for, producer, morn):
    """An htmx request gets the columns region alone, without the page around it."""
    response = client_for(producer).get(BOARD + "?kind=editing", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "filter-bar" not in html
    assert html.lstrip().startswith('<div id="board-columns"')
    assert 'hx-trigger="task-moved from:body, every 20s"' in html
    assert 'hx-get="/projects/MORN/?kind=editing"' in html
    assert set(cards(response)) == set(
        Task.objects.filter(project=morn, kind="editing").values_list("key", flat=True)
    )
    assert response.headers["Vary"].count("HX-Request") == 1


def test_filter_bar_updates_the_board_with_htmx_and_keeps_the_url(client_for, producer):
    """The filter bar is a GET form that swaps the columns and pushes the filtered URL."""
    html = client_for(producer).get(BOARD).content.decode()
    form = re.search(r'<form class="filter-bar"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/projects/MORN/"' in form
    assert 'hx-get="/projects/MORN/"' in form
    assert 'hx-target="#board-columns"' in form
    assert 'hx-push-url="true"' in form
    assert "change" in form and "input changed delay:" in form
    for name in ("q", "assignee", "kind", "episode", "priority"):
        assert f'<label for="id_{name}">' in html
    assert 'name="status"' not in html.split("board-columns")[0]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=booking", lambda m, d: Task.objects.filter(project=m, kind="booking")),
        ("priority=4", lambda m, d: Task.objects.filter(project=m, priority=4)),
        (
            "q=teleprompter",
            lambda m, d: Task.objects.filter(
                project=m, title__icontains="teleprompter"
            ),
        ),
        (
            "assignee={editor}",
            lambda m, d: Task.objects.filter(project=m, assignee=d["editor"]),
        ),
        (
            "episode={episode}",
            lambda m, d: Task.objects.filter(project=m, episode__number=101),
        ),
    ],
)
def test_filters_in_the_url_narrow_the_cards(
    client_for, producer, morn, demo, query, expected
):
    """Each filter in the URL leaves only the matching cards on the board."""
    query = query.format(
        editor=demo["editor"].pk, episode=morn.episodes.get(number=101).pk
    )
    response = client_for(producer).get(f"{BOARD}?{query}")
    keys = set(expected(morn, demo).values_list("key", flat=True))
    assert keys
    assert set(cards(response)) == keys


def test_filters_are_kept_in_the_move_forms_and_the_refresh(client_for, producer):
    """Moves return to the filtered board, and the refresh refetches the same filters."""
    response = client_for(producer).get(BOARD + "?kind=script&q=&priority=")
    html = response.content.decode()
    assert (
        'hx-get="/projects/MORN/?kind=script" hx-trigger="task-moved from:body, every 20s"'
        in html
    )
    assert (
        '<input type="hidden" name="next" value="/projects/MORN/?kind=script">'
        in cards(response)["MORN-5"]
    )


def test_invalid_filter_values_show_an_error_not_a_crash(client_for, producer, morn):
    """Nonsense in the URL is a 200 with an error on the filter bar, and the filter is ignored."""
    response = client_for(producer).get(
        BOARD + "?assignee=abc&kind=spaceship&priority=9"
    )
    assert response.status_code == 200
    html = response.content.decode()
    errors = html[html.index('id="filter-errors"') :]
    assert "Assignee: Nobody by that id is on this crew." in errors
    assert "Kind: There is no kind of task “spaceship”." in errors
    assert "Priority: There is no priority “9”." in errors
    assert len(cards(response)) == Task.objects.filter(project=morn).count()


def test_htmx_filter_errors_replace_the_bars_errors(client_for, producer):
    """With htmx the filter bar's errors are refreshed out of band, so stale ones leave."""
    bad = client_for(producer).get(BOARD + "?kind=spaceship", **HTMX).content.decode()
    assert 'id="filter-errors"' in bad and 'hx-swap-oob="true"' in bad
    assert "There is no kind of task" in bad
    good = client_for(producer).get(BOARD + "?kind=script", **HTMX).content.decode()
    assert 'id="filter-errors"' in good and "There is no kind" not in good


def test_status_is_not_a_board_filter(client_for, producer, morn):
    """A status in the URL does not hide any column: every card is still there."""
    response = client_for(producer).get(BOARD + "?status=done")
    assert len(cards(response)) == Task.objects.filter(project=morn).count()


def test_archived_tasks_are_not_on_the_board(client_for, producer, morn):
    """An archived task leaves the board and its column's count."""
    task = Task.objects.get(key="MORN-3")
    services.task_archive(task=task, by=producer)
    response = client_for(producer).get(BOARD)
    assert "MORN-3" not in cards(response)


def test_a_big_column_opens_with_its_first_cards(client_for, producer, morn):
    """With 120 more tasks to do, the column opens with its first cards, its full count and Show more."""
    add_tasks(morn, 120, status="todo", priority=1)
    total = Task.objects.filter(project=morn, status="todo").count()
    response = client_for(producer).get(BOARD)
    todo = column_keys(response, "todo")
    assert len(todo) == CARDS_PER_COLUMN
    # The most pressing first: the demo's own to-dos outrank the low generated ones.
    assert todo[0] == "MORN-3" and todo[1] == "MORN-10"
    html = response.content.decode()
    assert f'<span class="count">{total}<span class="visually-hidden"> tasks' in html
    assert 'href="/projects/MORN/?status=todo&amp;page=2"' in html
    # Small columns have no such link.
    assert "status=review&amp;page=2" not in html


def test_a_big_production_opens_light(client_for, producer, morn):
    """With 700 tasks the board still opens with a few cards a column, well under 100 KB."""
    add_generated_tasks(morn, 700)
    response = client_for(producer).get(BOARD)
    for status in COLUMN_ORDER:
        count = Task.objects.filter(project=morn, status=status).count()
        assert len(column_keys(response, status)) == min(count, CARDS_PER_COLUMN)
    assert len(cards(response)) <= 7 * CARDS_PER_COLUMN
    assert len(response.content) < 100 * 1024


def test_show_more_with_htmx_returns_the_next_cards(client_for, producer, morn):
    """Show more (htmx) returns the next dozen cards of that column, then the rest."""
    # Two pages of Show more, and part of a third.
    add_tasks(
        morn,
        CARDS_PER_COLUMN + 2 * MORE_CARDS + MORE_CARDS // 2,
        status="todo",
        priority=1,
    )
    client = client_for(producer)
    first = column_keys(client.get(BOARD), "todo")
    second = client.get(MORE + "?status=todo&page=2", **HTMX)
    html = second.content.decode()
    assert second.status_code == 200 and "<html" not in html
    page_two = list(cards(second))
    assert len(page_two) == MORE_CARDS and not set(page_two) & set(first)
    assert 'href="/projects/MORN/?status=todo&amp;page=3"' in html
    assert 'hx-get="/projects/MORN/more/?status=todo&amp;page=3"' in html
    assert 'hx-target="closest li" hx-swap="outerHTML"' in html
    assert "autofocus" in cards(second)[page_two[0]]
    assert "autofocus" not in cards(second)[page_two[1]]
    third = client.get(MORE + "?status=todo&page=3", **HTMX)
    page_three = list(cards(third))
    assert len(page_three) == MORE_CARDS
    fourth = client.get(MORE + "?status=todo&page=4", **HTMX)
    rest = list(cards(fourth))
    total = Task.objects.filter(project=morn, status="todo").count()
    assert len(rest) == total - CARDS_PER_COLUMN - 2 * MORE_CARDS
    assert "page=5" not in fourth.content.decode()
    seen = set(first) | set(page_two) | set(page_three) | set(rest)
    assert len(seen) == total


def test_show_more_offers_no_more_after_a_full_last_page(client_for, producer, morn):
    """A column whose last page of Show more is exactly full offers no link
    to an empty page after it."""
    todo = Task.objects.filter(project=morn, status="todo").count()
    add_tasks(morn, CARDS_PER_COLUMN + MORE_CARDS - todo, status="todo")
    more = client_for(producer).get(MORE + "?status=todo&page=2", **HTMX)
    assert len(cards(more)) == MORE_CARDS
    assert "page=3" not in more.content.decode()


def test_show_more_keeps_the_filters(client_for, producer, morn):
    """The show-more link carries the filters, and its cards obey them."""
    add_tasks(morn, 60, status="todo", kind="script")
    add_tasks(morn, 60, status="todo", kind="promotion")
    client = client_for(producer)
    html = client.get(BOARD + "?kind=script").content.decode()
    assert 'href="/projects/MORN/?kind=script&amp;status=todo&amp;page=2"' in html
    assert (
        'hx-get="/projects/MORN/more/?kind=script&amp;status=todo&amp;page=2"' in html
    )
    more = client.get(MORE + "?kind=script&status=todo&page=2", **HTMX)
    kinds = set(
        Task.objects.filter(key__in=list(cards(more))).values_list("kind", flat=True)
    )
    assert kinds == {"script"}


def test_show_more_without_javascript_deepens_the_column(client_for, producer, morn):
    """Followed without htmx, Show more shows the whole board with that column a dozen cards deeper."""
    add_tasks(morn, CARDS_PER_COLUMN + 2 * MORE_CARDS, status="todo")
    response = client_for(producer).get(BOARD + "?status=todo&page=2")
    html = response.content.decode()
    assert "<html" in html
    assert len(column_keys(response, "todo")) == CARDS_PER_COLUMN + MORE_CARDS
    assert 'href="/projects/MORN/?status=todo&amp;page=3"' in html
    assert len(column_keys(response, "review")) == (
        Task.objects.filter(project=morn, status="review").count()
    )


def test_show_more_opened_on_its_own_is_the_deeper_board(client_for, producer):
    """Show more's own address, opened without htmx, leads to the board with
    that column deeper, filters kept; with htmx, no page is a 400."""
    client = client_for(producer)
    response = client.get(MORE + "?kind=script&status=todo&page=2")
    assert response.status_code == 302
    assert response["Location"] == BOARD + "?kind=script&status=todo&page=2"
    assert client.get(MORE + "?kind=script", **HTMX).status_code == 400


def test_show_more_with_a_bad_page_is_explained(client_for, producer, morn):
    """A nonsense page is a clear message: on the page without htmx, a 400 with htmx."""
    client = client_for(producer)
    plain = client.get(BOARD + "?status=todo&page=abc")
    assert plain.status_code == 200
    assert "There is no such page of cards" in plain.content.decode()
    assert len(cards(plain)) == Task.objects.filter(project=morn).count()
    partial = client.get(MORE + "?status=nowhere&page=2", **HTMX)
    assert partial.status_code == 400
    assert '<p class="error-message">There is no such page' in partial.content.decode()


def offered_moves(card: str) -> list[str]:
    """The statuses a card offers to move to: its buttons, and its note links."""
    offered = re.findall(
        r'<button class="move[^"]*" name="to" value="(\w+)"|href="[^"]*#([\w-]+)"', card
    )
    notes = {"move-changes": "changes"}
    return [button or notes[anchor] for button, anchor in offered]


def test_an_ap_sees_start_on_their_own_todo_but_never_approve(client_for, ap, task_of):
    """An AP's own to-do card offers Start; nothing on the board offers them Approve."""
    response = client_for(ap).get(BOARD)
    own = task_of(ap, "todo")
    card = cards(response)[own.key]
    assert (
        f'<button class="move primary" name="to" value="in_progress" '
        f'aria-label="Start: {own.key}">Start</button>' in card
    )
    html = response.content.decode()
    assert 'value="done"' not in html and "Approve" not in html
    # Someone else's to-do offers the AP nothing.
    assert "<form" not in cards(response)["MORN-10"]


def test_each_card_has_one_light_form_for_its_moves(client_for, producer, task_of, ap):
    """A card's moves are one form with one CSRF token, one way back and a button a move."""
    review = task_of(ap, "review")
    response = client_for(producer).get(f"{BOARD}?kind={review.kind}")
    card = cards(response)[review.key]
    assert card.count("<form") == 1
    form = re.search(r"<form [^>]*>", card).group(0)
    move = f"/tasks/{review.key}/move/"
    assert f'method="post" action="{move}" hx-post="{move}"' in form
    # It swaps nothing (the columns refetch themselves), said once a column.
    html = response.content.decode()
    assert html.count('<ul class="cards" role="list" hx-swap="none">') == len(
        COLUMN_ORDER
    )
    assert card.count('name="csrfmiddlewaretoken"') == 1
    assert card.count('<input type="hidden" name="next"') == 1
    assert f'name="next" value="/projects/MORN/?kind={review.kind}"' in card
    assert f'aria-label="Approve: {review.key}">Approve</button>' in card
    # No note box on any card: the board's one dialog asks for a note.
    assert "<textarea" not in "".join(cards(response).values())


def test_the_producer_sees_approve_on_work_in_review(client_for, producer, task_of, ap):
    """The supervising producer may approve, request changes on or cancel work in review."""
    response = client_for(producer).get(BOARD)
    review = task_of(ap, "review")
    card = cards(response)[review.key]
    assert f'action="/tasks/{review.key}/move/"' in card
    assert offered_moves(card) == ["done", "changes", "cancelled"]
    assert ">Approve</button>" in card and ">Cancel task</button>" in card
    # The producer is not the assignee, so may not start the AP's to-do.
    assert 'value="in_progress"' not in cards(response)[task_of(ap, "todo").key]


def test_request_changes_links_to_the_note_form_on_the_task_page(
    client_for, producer, task_of, ap
):
    """Request changes on a card leads to the task page's note form, which asks for the note."""
    client = client_for(producer)
    review = task_of(ap, "review")
    card = cards(client.get(BOARD))[review.key]
    link = re.search(
        r'<a class="move" href="([^"#]+)#([\w-]+)"[^>]*>Request changes</a>', card
    )
    assert link, card
    assert link.group(1) == f"/tasks/{review.key}/"
    assert f'aria-label="Request changes: {review.key}"' in link.group(0)
    page = client.get(link.group(1)).content.decode()
    form = page[page.index(f'id="{link.group(2)}"') :]
    form = form[: form.index("</form>")]
    assert 'name="to" value="changes"' in form
    assert '<textarea name="note"' in form and "required" in form
    assert "What needs to change?" in form


def test_a_move_from_a_card_returns_to_the_filtered_board(ap, task_of, morn):
    """Without JavaScript, pressing Start on a card moves the task and comes back to the board."""
    # As a browser does it: the CSRF check on, the token from the card's form.
    client = Client(enforce_csrf_checks=True)
    client.force_login(ap)
    task = task_of(ap, "todo")
    card = cards(client.get(BOARD + "?kind=" + task.kind))[task.key]
    action = re.search(r'action="([^"]+)"', card).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card).group(1)
    back = re.search(r'name="next" value="([^"]+)"', card).group(1)
    response = client.post(
        action, {"csrfmiddlewaretoken": token, "to": "in_progress", "next": back}
    )
    assert response.status_code == 302
    assert response.url == f"/projects/MORN/?kind={task.kind}"
    task.refresh_from_db()
    assert task.status == "in_progress"
    page = client.get(response.url)
    assert task.key in column_keys(page, "in_progress")


def test_cards_offer_exactly_the_workflow_moves(client_for, producer, ap, writer, morn):
    """Every card's moves are exactly those the workflow gives its viewer (the
    AP's include sending the writer's headlines up and withdrawing their pitch)."""
    from production import workflow

    for viewer, role_name in (
        (writer, CrewRole.WRITER),
        (ap, CrewRole.ASSOCIATE_PRODUCER),
        (producer, CrewRole.SUPERVISING_PRODUCER),
    ):
        found = cards(client_for(viewer).get(BOARD))
        role = CrewRole.objects.get(name=role_name, project=None)
        for task in Task.objects.filter(project=morn).select_related("project"):
            moves = workflow.move_actions(task, viewer, role)
            expected = [move.target for move in moves]
            assert offered_moves(found[task.key]) == expected, (viewer, task.key)


def test_outsider_gets_404_on_the_board(client_for, outsider):
    """Someone not on the crew cannot tell the production exists."""
    assert client_for(outsider).get(BOARD).status_code == 404
    assert client_for(outsider).get(BOARD, **HTMX).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, morn):
    """The board asks an anonymous visitor to log in first."""
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_board_only_reads(client_for, producer):
    """Posting to the board is refused: it has nothing to change."""
    assert client_for(producer).post(BOARD).status_code == 405


def test_board_query_count_stays_flat(client_for, producer, ap, load_project):
    """The board costs the same few queries with 5 tasks as with 200."""
    project = load_project
    add_generated_tasks(project, 4)
    # A booking from the start: checking cards for clashes is one query
    # whenever a booking with a guest or a place is on the board.
    start = timezone.now()
    services.task_create(
        project=project,
        by=producer,
        title="Book a guest",
        kind=Task.Kind.BOOKING,
        assignee=ap,
        guest="Ana Ruiz",
        location="Studio B",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    client = client_for(producer)
    url = "/projects/LOAD/"
    filtered = f"{url}?kind=booking&assignee={ap.pk}"
    deeper = f"{url}?status=todo&page=2"  # Show more followed without JavaScript
    more = f"{url}more/?status=todo&page=2"  # Show more with htmx
    pages = (url, filtered, deeper)
    client.get(url)  # warm up: the session and the content types
    few = [count_queries(client, u, **h) for u in pages for h in ({}, HTMX)]
    few_more = count_queries(client, more, **HTMX)
    add_generated_tasks(project, 195)
    many = [count_queries(client, u, **h) for u in pages for h in ({}, HTMX)]
    assert Task.objects.filter(project=project).count() == 200
    assert few == many
    assert max(many) <= 15
    # Show more with htmx: one column's next cards, never more than the board
    # (with few tasks its page is empty: no cards to read, nor their clashes).
    assert few_more <= count_queries(client, more, **HTMX) <= many[0]


def test_history_restore_gets_the_whole_page(client_for, producer):
    """When htmx restores history after Back, it gets the full board, not a fragment."""
    response = client_for(producer).get(
        BOARD + "?kind=script",
        **HTMX,
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


def test_clashing_bookings_are_flagged_on_their_cards(client_for, producer, morn):
    """Two bookings of Studio B at overlapping times each name the other on the board."""
    clashing = list(
        Task.objects.filter(project=morn, kind="booking", location="Studio B")
    )
    assert len(clashing) == 2
    page = client_for(producer).get(BOARD)
    html = page.content.decode()
    assert html.count("<strong>Clashes with</strong>") == 2
    for task in clashing:
        assert f'href="{task.get_absolute_url()}">{task.key}</a>' in html


def test_booking_cards_carry_what_a_booker_needs(client_for, ap2, morn):
    """A booking's card shows its guest, contact, place and whether it is confirmed."""
    chef = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    card = cards(client_for(ap2).get(BOARD))[chef.key]
    for text in ("Chef Ana Ruiz", "ana@ruizkitchen.example", "Studio B", "Confirmed"):
        assert text in card


def test_a_card_has_one_primary_move_and_the_others_in_its_menu(
    client_for, producer, task_of, ap
):
    """Approve is the review card's one primary move; Request changes and
    Cancel wait in its More menu, inside the same form."""
    review = task_of(ap, "review")
    card = cards(client_for(producer).get(BOARD))[review.key]
    assert card.count(" primary") == 1
    assert re.search(r'class="move primary" name="to" value="done"', card)
    menu = card[card.index('<details class="menu">') : card.index("</details>")]
    assert f'<summary aria-label="More moves for {review.key}">More</summary>' in menu
    assert offered_moves(menu) == ["changes", "cancelled"]
    assert card.index("</details>") < card.index("</form>")


def test_cancel_is_never_a_cards_primary_move(client_for, producer, task_of, ap):
    """The producer's only move on the AP's to-do is Cancel: it sits in the
    menu, and the card has no primary move."""
    card = cards(client_for(producer).get(BOARD))[task_of(ap, "todo").key]
    assert offered_moves(card) == ["cancelled"]
    assert " primary" not in card
    assert '<details class="menu">' in card


def test_done_and_cancelled_fold_into_narrow_columns(client_for, producer):
    """Done and Cancelled keep their cards in a closed <details>; the working
    columns show theirs."""
    html = client_for(producer).get(BOARD).content.decode()
    for status in COLUMN_ORDER:
        start = html.index(f'<section class="column status-{status}"')
        column = html[start : html.find("</section>", start)]
        assert ('<details class="fold">' in column) == (
            status in ("done", "cancelled")
        ), status


def drop_targets(card: str) -> list[str]:
    """The columns a card says it may be dragged to (its data-to)."""
    found = re.match(r'<li [^>]*data-to="([\w ]+)"', card)
    return found.group(1).split() if found else []


def test_cards_say_which_columns_they_may_be_dragged_to(client_for, producer, ap, morn):
    """A card's data-to names the columns of its moves and no other (sending
    up stays in Review: no column to drag to); a card without moves has none."""
    from production import workflow

    for viewer, role_name in (
        (ap, CrewRole.ASSOCIATE_PRODUCER),
        (producer, CrewRole.SUPERVISING_PRODUCER),
    ):
        found = cards(client_for(viewer).get(BOARD))
        role = CrewRole.objects.get(name=role_name, project=None)
        for task in Task.objects.filter(project=morn).select_related("project"):
            moves = workflow.move_actions(task, viewer, role)
            expected = [move.target for move in moves if move.target != task.status]
            assert drop_targets(found[task.key]) == expected, (viewer, task.key)
    # The AP may send the writer's headlines up: a button, but not a drop.
    sent_up = Task.objects.get(project=morn, status="review", reviewer=ap)
    card = cards(client_for(ap).get(BOARD))[sent_up.key]
    assert 'value="review"' in card and "review" not in drop_targets(card)
    assert "data-to" not in cards(client_for(ap).get(BOARD))["MORN-10"]


def test_the_board_asks_for_a_dragged_moves_note_in_one_dialog(client_for, producer):
    """The board carries one closed dialog with the move's note field, its
    label and length limit those of the task page's note."""
    from production.forms import COMMENT_MAX_LENGTH

    html = client_for(producer).get(BOARD).content.decode()
    assert html.count("<dialog") == 1
    dialog = html[html.index('<dialog id="drop-dialog"') : html.index("</dialog>")]
    assert '<dialog id="drop-dialog"' in dialog and " open" not in dialog[:80]
    assert '<label for="drop-note">What needs to change?</label>' in dialog
    textarea = re.search(r"<textarea [^>]*>", dialog).group(0)
    assert 'name="note"' in textarea and " required" in textarea
    assert f'maxlength="{COMMENT_MAX_LENGTH}"' in textarea
    assert '<form method="dialog">' in dialog and ">Send request</button>" in dialog


def test_compact_density_without_javascript(client_for, producer, morn):
    """?density=compact shows the cards compact, keeps the choice through a
    move (the cards' way back) and offers the way back to full cards with the
    filters kept; the full board links to the compact one."""
    client = client_for(producer)
    full = client.get(f"{BOARD}?kind=booking").content.decode()
    assert '<div id="board" class="board-area">' in full
    assert (
        '<a class="density-toggle" href="/projects/MORN/?kind=booking&amp;density=compact"'
        in full
    )
    assert ">Compact cards</a>" in full

    compact = client.get(f"{BOARD}?kind=booking&density=compact")
    html = compact.content.decode()
    assert '<div id="board" class="board-area compact">' in html
    assert '<a class="density-toggle" href="/projects/MORN/?kind=booking"' in html
    assert ">Full cards</a>" in html
    card = next(iter(cards(compact).values()))
    assert (
        'name="next" value="/projects/MORN/?kind=booking&amp;density=compact"' in card
    )


def test_an_unknown_density_is_the_full_board(client_for, producer):
    """A density the board does not know shows full cards, not an error."""
    response = client_for(producer).get(f"{BOARD}?density=tiny")
    assert response.status_code == 200
    assert '<div id="board" class="board-area">' in response.content.decode()


def test_filtering_a_compact_board_keeps_it_compact(client_for, producer):
    """The compact board's filter form carries the density along, so a filter
    sent without JavaScript shows compact cards still; the full board's and
    the task list's forms carry none."""
    client = client_for(producer)
    hidden = '<input type="hidden" name="density" value="compact">'
    compact = client.get(f"{BOARD}?density=compact").content.decode()
    bar = compact[compact.index('<form class="filter-bar"') :]
    assert hidden in bar[: bar.index("</form>")]
    assert hidden not in client.get(BOARD).content.decode()
    task_list = "/projects/MORN/tasks/"
    assert hidden not in client.get(f"{task_list}?density=compact").content.decode()


@pytest.fixture
def new_production(producer):
    return services.project_create(by=producer, name="Night Desk", code="DESK")


def test_a_new_productions_board_says_what_to_do_next(
    client_for, producer, new_production
):
    """A production with no tasks shows its next steps with their links:
    bring in the crew, then the first task; not seven empty columns."""
    response = client_for(producer).get("/projects/DESK/")
    html = response.content.decode()
    assert "Nothing here yet" in html
    assert '<a href="/projects/DESK/crew/">Bring in the crew</a>' in html
    assert (
        '<a class="button" href="/projects/DESK/tasks/new/">Add the first task</a>'
        in html
    )
    assert html.index("Bring in the crew") < html.index("Add the first task")
    assert 'class="column' not in html and "No tasks" not in html
    # The steps sit in the columns' place, which polls: the first task, made
    # elsewhere, brings the columns in.
    services.task_create(project=new_production, by=producer, title="Book a guest")
    again = client_for(producer).get("/projects/DESK/", **HTMX).content.decode()
    assert "Nothing here yet" not in again and 'class="column' in again


def test_crew_who_only_pitch_are_offered_a_pitch(
    client_for, producer, ap, new_production
):
    """Someone who may neither manage the crew nor create tasks sees one
    step: pitching an idea."""
    services.membership_add(
        project=new_production,
        by=producer,
        user=ap,
        role=CrewRole.objects.get(name=CrewRole.ASSOCIATE_PRODUCER, project=None),
    )
    html = client_for(ap).get("/projects/DESK/").content.decode()
    assert "Nothing here yet" in html
    assert "Bring in the crew" not in html
    assert (
        '<a class="button" href="/projects/DESK/tasks/new/">Pitch an idea</a>' in html
    )


def test_filters_that_match_nothing_keep_the_columns(client_for, producer):
    """A filter that matches no card shows the empty columns, not the steps
    of a new production."""
    html = client_for(producer).get(f"{BOARD}?q=no+such+thing").content.decode()
    assert "Nothing here yet" not in html
    assert html.count('<li class="empty">No tasks</li>') == len(COLUMN_ORDER)


def test_new_task_in_the_tabs_is_a_secondary_button(client_for, producer):
    """The tabs' New task never competes with a page's own next step."""
    html = client_for(producer).get(BOARD).content.decode()
    assert (
        '<a class="button small secondary" href="/projects/MORN/tasks/new/">New task</a>'
        in html
    )
