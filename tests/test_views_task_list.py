"""The task list: a sortable, filterable, paginated table, its CSV and bulk actions."""

import csv
import datetime as dt
import io
import re

import time_machine
from django.contrib.messages import get_messages

from production import services
from production.management.commands.seed_demo import add_generated_tasks
from production.models import Activity, CrewRole, Task
from tests.factories import add_tasks
from tests.pages import HTMX, assert_marked, count_queries, error_summary

LIST = "/projects/MORN/tasks/"
BULK = "/projects/MORN/tasks/bulk/"
S = Task.Status


def rows(response) -> list[str]:
    """The task keys of the table's rows, top to bottom."""
    return re.findall(r'<tr id="row-([A-Z]+-\d+)"', response.content.decode())


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# The page


def test_list_shows_the_productions_tasks_without_archived_ones(
    client_for, producer, morn
):
    """The list has a row per task of the production, and archived tasks are left out."""
    services.task_archive(task=Task.objects.get(key="MORN-8"), by=producer)
    response = client_for(producer).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    expected = list(
        Task.objects.filter(project=morn, archived=False)
        .order_by("number")
        .values_list("key", flat=True)
    )
    assert rows(response) == expected
    assert "MORN-8" not in rows(response)
    assert "NITE-1" not in html
    row = html[html.index('<tr id="row-MORN-10"') :]
    row = row[: row.index("</tr>")]
    for text in (
        "/tasks/MORN-10/",
        "Select shots for the mayor interview",
        "Editing",
        "To do",
        "High",
        "Eddie Marsh",
        "Ep. 101",
    ):
        assert text in row
    assert f"{len(expected)} tasks, sorted by key." in html


def test_htmx_request_gets_only_the_table(client_for, producer):
    """An htmx request gets the table region alone, without the page around it."""
    response = client_for(producer).get(LIST + "?kind=booking", **HTMX)
    html = response.content.decode()
    assert "<html" not in html and "filter-bar" not in html
    assert html.lstrip().startswith('<div id="task-table"')
    assert rows(response) == ["MORN-17", "MORN-18", "MORN-19"]
    assert "HX-Request" in response.headers["Vary"]


def test_filters_in_the_url_narrow_the_rows(client_for, producer, morn, editor):
    """Status, assignee, kind, priority and text in the URL each narrow the table."""
    client = client_for(producer)
    tasks = Task.objects.filter(project=morn).order_by("number")
    cases = {
        "status=review": tasks.filter(status="review"),
        f"assignee={editor.pk}": tasks.filter(assignee=editor),
        "kind=script&status=todo": tasks.filter(kind="script", status="todo"),
        "priority=1": tasks.filter(priority=1),
        "q=book": tasks.filter(title__icontains="book"),
    }
    for query, expected in cases.items():
        keys = list(expected.values_list("key", flat=True))
        assert keys, query
        assert rows(client.get(f"{LIST}?{query}")) == keys, query


def test_the_list_filter_bar_has_status(client_for, producer):
    """Unlike the board, the list's filter bar offers status too, and targets the table."""
    html = client_for(producer).get(LIST).content.decode()
    assert '<label for="id_status">Status</label>' in html
    form = re.search(r'<form class="filter-bar"[^>]*>', html).group(0)
    assert (
        'hx-target="#task-table"' in form and 'action="/projects/MORN/tasks/"' in form
    )


def test_invalid_filter_values_show_an_error_not_a_crash(client_for, producer, morn):
    """Nonsense filters are a 200 with errors on the bar, and every task is listed."""
    response = client_for(producer).get(
        LIST + "?status=lost&episode=zz&page=x&sort=zzz"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Status: There is no status “lost”." in html
    assert "Episode: This production has no such episode." in html
    assert "Sort: Tasks cannot be sorted by “zzz”." in html
    assert len(rows(response)) == Task.objects.filter(project=morn).count()


def test_sorting_by_a_column_and_toggling_its_direction(client_for, producer, morn):
    """A header link sorts by its column; on the sorted column it reverses the order."""
    client = client_for(producer)
    html = client.get(LIST + "?kind=script").content.decode()
    assert 'href="/projects/MORN/tasks/?kind=script&amp;sort=title"' in html
    response = client.get(LIST + "?kind=script&sort=title")
    titles = list(
        Task.objects.filter(project=morn, kind="script").values_list("title", "key")
    )
    assert rows(response) == [
        key for _, key in sorted(titles, key=lambda t: t[0].lower())
    ]
    html = response.content.decode()
    assert '<th scope="col" aria-sort="ascending">' in html
    assert 'href="/projects/MORN/tasks/?kind=script&amp;sort=-title"' in html
    reverse = client.get(LIST + "?kind=script&sort=-title")
    assert rows(reverse) == rows(response)[::-1]
    assert 'aria-sort="descending"' in reverse.content.decode()


def test_priority_sorts_highest_first_then_lowest(client_for, producer, morn):
    """The first click on Priority puts the most urgent on top; the second reverses it."""
    client = client_for(producer)
    first = client.get(LIST + "?sort=priority")
    priorities = dict(Task.objects.filter(project=morn).values_list("key", "priority"))
    ranked = [priorities[key] for key in rows(first)]
    assert ranked == sorted(ranked, reverse=True)
    assert 'aria-sort="descending"' in first.content.decode()
    second = client.get(LIST + "?sort=-priority")
    assert [priorities[key] for key in rows(second)] == sorted(ranked)
    assert 'aria-sort="ascending"' in second.content.decode()


def test_filtering_keeps_the_sort(client_for, producer):
    """The filter bar carries the current sort along as a hidden field."""
    html = client_for(producer).get(LIST + "?sort=-due").content.decode()
    bar = html[html.index('<form class="filter-bar"') :]
    bar = bar[: bar.index("</form>")]
    assert '<input type="hidden" name="sort" value="-due">' in bar


def test_pagination_keeps_the_filters(client_for, producer, morn):
    """Fifty rows a page; the page links keep the filters and sort."""
    add_tasks(morn, 120, kind="promotion")
    client = client_for(producer)
    first = client.get(LIST + "?kind=promotion&sort=-number")
    assert len(rows(first)) == 50
    html = first.content.decode()
    assert (
        'href="/projects/MORN/tasks/?kind=promotion&amp;sort=-number&amp;page=2"'
        in html
    )
    assert '<span aria-current="page">1</span>' in html
    total = Task.objects.filter(project=morn, kind="promotion").count()
    last = client.get(LIST + "?kind=promotion&sort=-number&page=3", **HTMX)
    assert len(rows(last)) == total - 100
    assert (
        rows(last)[-1]
        == Task.objects.filter(project=morn, kind="promotion")
        .order_by("number")
        .first()
        .key
    )
    # A page past the end shows the last page rather than failing.
    assert rows(client.get(LIST + "?kind=promotion&sort=-number&page=99")) == rows(last)


def test_empty_result_says_so(client_for, producer):
    """When no task matches, the table says so."""
    html = client_for(producer).get(LIST + "?q=no+such+thing").content.decode()
    assert "No tasks match these filters." in html
    assert "0 tasks" in html
    assert "Nothing here yet" not in html


def test_a_new_productions_list_says_what_to_do_next(client_for, producer):
    """A production with no tasks shows the next steps and their links (the
    board's), not an empty table; as a fragment too."""
    services.project_create(by=producer, name="Night Desk", code="DESK")
    client = client_for(producer)
    for headers in ({}, HTMX):
        html = client.get("/projects/DESK/tasks/", **headers).content.decode()
        assert "Nothing here yet" in html
        assert '<a href="/projects/DESK/crew/">Bring in the crew</a>' in html
        assert (
            '<a class="button" href="/projects/DESK/tasks/new/">Add the first task</a>'
            in html
        )
        assert "<table" not in html and "0 tasks" not in html


# CSV


def test_csv_gives_exactly_the_filtered_rows_of_all_pages(client_for, producer, morn):
    """The CSV has a header and exactly the filtered tasks, across every page."""
    add_tasks(morn, 70, kind="script", status="review")
    response = client_for(producer).get(
        LIST + "?kind=script&status=review&sort=-number&format=csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="MORN-tasks.csv"'
    table = csv_rows(response)
    assert table[0] == [
        "key",
        "title",
        "kind",
        "status",
        "priority",
        "assignee",
        "reviewer",
        "due date",
        "episode",
        "guest",
        "location",
        "slot start",
        "slot end",
        "confirmed",
    ]
    expected = list(
        Task.objects.filter(project=morn, kind="script", status="review")
        .order_by("-number")
        .values_list("key", flat=True)
    )
    assert len(expected) > 50
    assert [row[0] for row in table[1:]] == expected


def test_csv_rows_carry_the_fields(client_for, producer, morn):
    """Each CSV row has the task's fields, slots in the production's time zone."""
    booking = Task.objects.get(key="MORN-17")
    services.task_update(
        task=booking,
        by=producer,
        version=booking.version,
        starts_at=dt.datetime(2030, 7, 1, 6, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 7, 1, 7, 0, tzinfo=dt.UTC),
        confirmed=True,
    )
    table = csv_rows(client_for(producer).get(LIST + "?format=csv"))
    by_key = {row[0]: row for row in table[1:]}
    assert by_key["MORN-17"] == [
        "MORN-17",
        "Book the chef for the cooking segment",
        "Booking",
        "In progress",
        "High",
        "Jo Lindqvist",
        "Paula Reyes",
        booking.due_date.isoformat(),
        "",
        "Chef Ana Ruiz",
        "Studio B",
        "2030-07-01 07:30",
        "2030-07-01 08:00",
        "yes",
    ]
    script = by_key["MORN-3"]
    assert script[2:5] == ["Script", "To do", "High"]
    assert script[8] == "Ep. 103: Wednesday"
    assert script[11:] == ["", "", ""]


def test_csv_neutralises_spreadsheet_formulas(client_for, producer, morn):
    """A title that looks like a formula is exported as text, not run by a spreadsheet."""
    task = Task.objects.get(key="MORN-3")
    services.task_update(
        task=task, by=producer, version=task.version, title="=HYPERLINK(1)"
    )
    table = csv_rows(client_for(producer).get(LIST + "?format=csv&q=MORN-3"))
    assert table[1][1] == "'=HYPERLINK(1)"


def test_csv_with_invalid_filters_still_downloads(client_for, producer, morn):
    """Invalid filters are ignored in the CSV too, rather than failing the download."""
    table = csv_rows(client_for(producer).get(LIST + "?format=csv&kind=spaceship"))
    assert len(table) - 1 == Task.objects.filter(project=morn).count()


# Bulk actions


def test_bulk_controls_are_for_crew_who_may_assign_or_approve(client_for, producer, ap):
    """The producer sees labelled checkboxes and the bulk bar; an AP sees neither."""
    html = client_for(producer).get(LIST).content.decode()
    assert '<form id="bulk" method="post" action="/projects/MORN/tasks/bulk/"' in html
    assert (
        '<input type="checkbox" name="tasks" value="MORN-3" id="pick-MORN-3">' in html
    )
    assert (
        '<label for="pick-MORN-3" class="visually-hidden">Select MORN-3</label>' in html
    )
    for label in ("Assign to", "Due date", "Move to"):
        assert f">{label}</label>" in html
    # What the bar's script fills and shows: the count, and the header's box
    # that ticks the page (hidden: it does nothing without the script).
    assert '<p class="bulk-count" role="status"></p>' in html
    assert (
        '<input type="checkbox" id="pick-all" aria-label="Select all on this page"'
        " hidden>" in html
    )
    assert 'src="/static/slate/task_list.js" defer' in html
    html = client_for(ap).get(LIST).content.decode()
    assert 'type="checkbox"' not in html and "/tasks/bulk/" not in html


def test_bulk_assign(client_for, producer, ap2, morn):
    """Bulk assign gives every chosen task to the person and says how many changed."""
    client = client_for(producer)
    response = client.post(
        BULK,
        {
            "tasks": ["MORN-3", "MORN-10"],
            "action": "assign",
            "assignee": ap2.pk,
            "query": "kind=script",
        },
    )
    assert response.status_code == 302
    assert response.url == LIST + "?kind=script"
    assert set(
        Task.objects.filter(key__in=["MORN-3", "MORN-10"]).values_list(
            "assignee", flat=True
        )
    ) == {ap2.pk}
    assert Activity.objects.filter(
        task__key="MORN-10", verb="assigned", actor=producer
    ).exists()
    assert message_texts(response) == ["2 tasks updated."]


def test_bulk_due_date(client_for, producer, morn):
    """Bulk due date sets the date on every chosen task."""
    response = client_for(producer).post(
        BULK,
        {
            "tasks": ["MORN-3", "MORN-4", "MORN-9"],
            "action": "due_date",
            "due_date": "2031-01-15",
        },
    )
    assert response.status_code == 302 and response.url == LIST
    dates = set(
        Task.objects.filter(key__in=["MORN-3", "MORN-4", "MORN-9"]).values_list(
            "due_date", flat=True
        )
    )
    assert dates == {dt.date(2031, 1, 15)}
    assert message_texts(response) == ["3 tasks updated."]


def test_bulk_move_reports_each_refusal(client_for, producer, morn):
    """Bulk move moves what the rules allow and names each refused task with the reason."""
    response = client_for(producer).post(
        BULK,
        {
            "tasks": ["MORN-5", "MORN-3", "MORN-12", "NITE-1", "MORN-999"],
            "action": "move",
            "to": "done",
        },
    )
    assert response.status_code == 302
    statuses = dict(
        Task.objects.filter(
            key__in=["MORN-5", "MORN-3", "MORN-12", "NITE-1"]
        ).values_list("key", "status")
    )
    assert statuses == {
        "MORN-5": "done",
        "MORN-12": "done",
        "MORN-3": "todo",
        "NITE-1": "todo",
    }
    assert message_texts(response) == [
        "2 tasks updated; 3 refused: MORN-3 (A task cannot go from To do to Done.), "
        "NITE-1 (no such task in this production), "
        "MORN-999 (no such task in this production)"
    ]


def test_bulk_start_is_refused_for_someone_elses_task(client_for, producer, morn):
    """Moves stay the assignee's: the producer cannot start an AP's task in bulk."""
    response = client_for(producer).post(
        BULK, {"tasks": ["MORN-3"], "action": "move", "to": "in_progress"}
    )
    assert Task.objects.get(key="MORN-3").status == "todo"
    assert message_texts(response) == [
        "0 tasks updated; 1 refused: MORN-3 (Only the assignee may start this task.)"
    ]


def test_bulk_changes_needing_a_note_are_refused_with_the_reason(client_for, producer):
    """Requesting changes needs a note, so in bulk it is refused with that sentence."""
    response = client_for(producer).post(
        BULK, {"tasks": ["MORN-5"], "action": "move", "to": "changes"}
    )
    assert Task.objects.get(key="MORN-5").status == "review"
    assert message_texts(response) == [
        "0 tasks updated; 1 refused: MORN-5 (Say what needs to change.)"
    ]


def test_bulk_assign_refuses_people_who_may_not_be_assigned(
    client_for, producer, outsider
):
    """Assigning to someone off the crew is a form error, and no task changes."""
    response = client_for(producer).post(
        BULK, {"tasks": ["MORN-3"], "action": "assign", "assignee": outsider.pk}
    )
    assert response.status_code == 400
    assert Task.objects.get(key="MORN-3").assignee.username == "ap"
    sentence = "They are not on this crew, or may not be assigned."
    page = response.content.decode()
    assert error_summary(page) == [("bulk-assignee", f"Assign to {sentence}")]
    assert_marked(page, "bulk-assignee", sentence)


def test_bulk_with_missing_input_says_what_is_missing(client_for, producer):
    """No tasks, no action or no value each get a sentence in the bar's
    summary (the list again, a 400), and nothing changes."""
    client = client_for(producer)
    before = list(
        Task.objects.values_list("key", "status", "assignee", "due_date", "version")
    )
    cases = {
        "Choose at least one task first.": {"action": "move", "to": "done"},
        "Choose what to do: Assign, Set due date or Move.": {"tasks": ["MORN-5"]},
        "“explode” is not something tasks can do in bulk.": {
            "tasks": ["MORN-5"],
            "action": "explode",
        },
        "Choose who to assign the tasks to.": {"tasks": ["MORN-5"], "action": "assign"},
        "Choose the new due date.": {"tasks": ["MORN-5"], "action": "due_date"},
        "Give the due date as a date, like 2026-03-31.": {
            "tasks": ["MORN-5"],
            "action": "due_date",
            "due_date": "soon",
        },
        "Choose the status to move the tasks to.": {
            "tasks": ["MORN-5"],
            "action": "move",
        },
        "“nowhere” is not a status.": {
            "tasks": ["MORN-5"],
            "action": "move",
            "to": "nowhere",
        },
    }
    for sentence, data in cases.items():
        response = client.post(BULK, data | {"query": "kind=script"})
        assert response.status_code == 400, sentence
        summary = [text for _, text in error_summary(response.content.decode())]
        assert any(text.endswith(sentence) for text in summary), (sentence, summary)
        # The list the person was looking at, filters kept.
        assert rows(response) == rows(client.get(LIST, {"kind": "script"}))
    assert (
        list(
            Task.objects.values_list("key", "status", "assignee", "due_date", "version")
        )
        == before
    )


def test_bulk_with_htmx_returns_the_table_and_the_summary(client_for, producer, ap2):
    """With htmx, bulk returns the refreshed table and the summary, out of band."""
    response = client_for(producer).post(
        BULK,
        {
            "tasks": ["MORN-5", "MORN-3"],
            "action": "move",
            "to": "done",
            "query": "kind=script",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="task-table"')
    assert '<div hx-swap-oob="innerHTML:#messages">' in html
    assert (
        "1 task updated; 1 refused: MORN-3 (A task cannot go from To do to Done.)"
        in html
    )
    # The table is the filtered one the user was looking at, with MORN-5 now done.
    assert rows(response) == list(
        Task.objects.filter(project__code="MORN", kind="script")
        .order_by("number")
        .values_list("key", flat=True)
    )
    row = html[html.index('<tr id="row-MORN-5"') :]
    assert "Done" in row[: row.index("</tr>")]
    # The refused task stays ticked, ready for another action; the done one does not.
    assert 'value="MORN-3" id="pick-MORN-3" checked>' in html
    assert 'value="MORN-5" id="pick-MORN-5">' in html


def test_bulk_keeps_the_selection_when_nothing_was_done(client_for, producer):
    """After a bulk form error (htmx), the ticked tasks are still ticked."""
    response = client_for(producer).post(
        BULK,
        {"tasks": ["MORN-12", "MORN-15"], "action": "", "query": "status=review"},
        **HTMX,
    )
    html = response.content.decode()
    assert "Choose what to do: Assign, Set due date or Move." in html
    assert 'value="MORN-12" id="pick-MORN-12" checked>' in html
    assert 'value="MORN-15" id="pick-MORN-15" checked>' in html
    assert 'value="MORN-5" id="pick-MORN-5">' in html


def test_bulk_returns_to_the_list_not_the_csv(client_for, producer):
    """The way back after bulk keeps filters and page but never turns into a download."""
    response = client_for(producer).post(
        BULK,
        {
            "tasks": ["MORN-5"],
            "action": "move",
            "to": "done",
            "query": "kind=script&page=2&format=csv",
        },
    )
    assert response.url == LIST + "?kind=script&page=2"


def test_bulk_is_refused_for_an_ap(client_for, ap, task_of):
    """An AP may neither assign nor approve, so bulk is a 403 and nothing changes."""
    own = task_of(ap, "todo")
    response = client_for(ap).post(
        BULK, {"tasks": [own.key], "action": "move", "to": "in_progress"}
    )
    assert response.status_code == 403
    assert Task.objects.get(pk=own.pk).status == "todo"
    response = client_for(ap).post(
        BULK,
        {"tasks": [own.key], "action": "due_date", "due_date": "2031-01-01"},
        **HTMX,
    )
    assert response.status_code == 403
    assert Task.objects.get(pk=own.pk).due_date == own.due_date


def test_an_approver_who_may_not_assign_can_only_move(
    client_for, producer, editor, morn
):
    """Crew whose role approves but cannot assign get the move action; assigning is refused per task."""
    reviewer_role = CrewRole.objects.create(
        project=morn, name="Showrunner", can_approve=True, can_assign=False
    )
    membership = morn.memberships.get(user=editor)
    services.membership_change(
        membership=membership, by=producer, role=reviewer_role, reports_to=producer
    )
    client = client_for(editor)
    html = client.get(LIST).content.decode()
    assert ">Move to</label>" in html and ">Assign to</label>" not in html
    response = client.post(BULK, {"tasks": ["MORN-5"], "action": "move", "to": "done"})
    assert Task.objects.get(key="MORN-5").status == "done"
    client.get(LIST)  # shows, and so clears, the first summary
    response = client.post(
        BULK, {"tasks": ["MORN-3"], "action": "due_date", "due_date": "2031-01-01"}
    )
    assert message_texts(response) == [
        "0 tasks updated; 1 refused: MORN-3 (Only crew whose role may assign, the "
        "assignee or the person they report to may edit this task.)"
    ]


def test_bulk_only_takes_posts(client_for, producer):
    """Bulk changes are POSTs only."""
    assert client_for(producer).get(BULK).status_code == 405


def test_outsider_gets_404_on_list_csv_and_bulk(client_for, outsider):
    """Someone off the crew gets a 404 from every part of the list."""
    client = client_for(outsider)
    assert client.get(LIST).status_code == 404
    assert client.get(LIST + "?format=csv").status_code == 404
    response = client.post(BULK, {"tasks": ["MORN-5"], "action": "move", "to": "done"})
    assert response.status_code == 404
    assert Task.objects.get(key="MORN-5").status == "review"


def test_anonymous_visitors_are_sent_to_log_in(client, morn):
    """The list and bulk ask an anonymous visitor to log in first."""
    for response in (client.get(LIST), client.post(BULK, {"tasks": ["MORN-5"]})):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert Task.objects.get(key="MORN-5").status == "review"


# Query counts


def test_list_and_csv_query_counts_stay_flat(client_for, producer, ap, load_project):
    """The list, its htmx table and the CSV cost the same queries with 5 tasks as with 200."""
    project = load_project
    add_generated_tasks(project, 5)
    client = client_for(producer)
    url = "/projects/LOAD/tasks/"
    urls = [url, f"{url}?sort=assignee&assignee={ap.pk}", f"{url}?format=csv"]
    client.get(url)  # warm up: the session and the content types
    few = [count_queries(client, u, **h) for u in urls for h in ({}, HTMX)]
    add_generated_tasks(project, 195)
    many = [count_queries(client, u, **h) for u in urls for h in ({}, HTMX)]
    assert few == many
    assert max(many) <= 15


# Kept rows (views/memo.py): what a row shows is its key, so an edit shows at once


def row_html(response, key: str) -> str:
    page = response.content.decode()
    return page.split(f'<tr id="row-{key}"')[1].split("</tr>")[0]


def test_an_edit_shows_at_once_in_a_kept_row(client_for, producer, ap, morn):
    """A row kept from the last render shows the new title, status and the
    assignee's new name on the very next render of the list."""
    client = client_for(producer)
    task = Task.objects.filter(project=morn, assignee=ap, status=S.TODO).first()
    title = task.title
    before = row_html(client.get(LIST), task.key)
    assert f"<td>{title}</td>" in before
    assert "To do" in before and str(ap) in before
    services.task_update(
        task=task, by=producer, version=task.version, title="Book the mayor"
    )
    services.task_move(task=task, to=S.CANCELLED, by=producer)
    ap.display_name = "Alex the AP"
    ap.save(update_fields=["display_name"])
    after = row_html(client.get(LIST), task.key)
    assert "<td>Book the mayor</td>" in after
    assert f"<td>{title}</td>" not in after
    assert "Cancelled" in after and "To do" not in after
    assert "Alex the AP" in after


def test_a_kept_row_turns_overdue_when_its_day_passes(client_for, producer, morn):
    """The overdue mark is part of what a row shows: the same task, unchanged,
    reads overdue once the clock passes its due date."""
    task = Task.objects.filter(project=morn, status=S.TODO).first()
    task.due_date = dt.date(2026, 3, 10)
    task.save(update_fields=["due_date"])
    client = client_for(producer)
    with time_machine.travel(dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC), tick=False):
        row = row_html(client.get(LIST), task.key)
        assert "overdue" not in row
    with time_machine.travel(dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC), tick=False):
        row = row_html(client.get(LIST), task.key)
        assert row.startswith(' class="overdue">')
        assert '<span class="overdue-flag">overdue</span>' in row


def test_sorting_by_assignee_follows_the_names_the_list_shows(
    client_for, producer, ap, morn
):
    """A display name counts, not the first name under it; unassigned last."""
    ap.display_name = "Zed from the desk"
    ap.save(update_fields=["display_name"])
    Task.objects.filter(project=morn, key="MORN-3").update(assignee=None)
    client = client_for(producer)
    shown = {
        task.key: str(task.assignee).lower() if task.assignee else None
        for task in Task.objects.filter(project=morn).select_related("assignee")
    }
    keys = rows(client.get(LIST + "?sort=assignee"))
    names = [shown[key] for key in keys]
    named = [name for name in names if name is not None]
    assert named == sorted(named)
    assert names[-1] is None and names.count(None) == 1
    assert named[-1] == "zed from the desk"
    reverse = [shown[key] for key in rows(client.get(LIST + "?sort=-assignee"))]
    assert reverse[0] == "zed from the desk" and reverse[-1] is None
