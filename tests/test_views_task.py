"""The task pages: a task, its edit and new-task forms, its moves and comments."""

import datetime as dt
import json
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from production import services, workflow
from production.models import Activity, Comment, CrewRole, Membership, Task, User
from production.views import tasks as tasks_view
from tests.pages import HTMX, assert_marked, count_queries, edit_data, error_summary

# A move made from the task page: htmx swaps the state region with its answer.
FROM_TASK_PAGE = HTMX | {"HTTP_HX_TARGET": "task-state"}
S = Task.Status


def url(name, task):
    return reverse(name, kwargs={"key": task.key})


def booking(morn):
    """The demo's confirmed booking of the chef, in Studio B."""
    return Task.objects.get(project=morn, guest="Chef Ana Ruiz")


def triggered(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])


# --- the task page ----------------------------------------------------------------


def test_task_page_shows_every_field_of_a_booking(client_for, producer, morn):
    """The task page shows a booking's fields, its slot on the production's clock."""
    task = booking(morn)
    task.description = "Bring the knives."
    task.save()
    response = client_for(producer).get(url("task-detail", task))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        task.key,
        task.title,
        "Booking",
        "In progress",
        "High",
        "Jo Lindqvist",  # the assignee
        "Paula Reyes",  # the reviewer
        "Bring the knives.",
        "Chef Ana Ruiz",
        "ana@ruizkitchen.example",
        "Studio B",
        "Europe/London",
    ):
        assert text in page, text
    local = timezone.localtime(task.starts_at, zoneinfo.ZoneInfo("Europe/London"))
    assert local.strftime("%H:%M") == "07:30"
    assert "07:30" in page
    assert "Confirmed</dt><dd>Yes" in page


def test_task_page_flags_an_overlapping_booking(client_for, producer, morn):
    """Two bookings in Studio B at overlapping times are flagged on the page."""
    task = booking(morn)
    other = Task.objects.get(project=morn, guest="Cllr. Tom Baines")
    page = client_for(producer).get(url("task-detail", task)).content.decode()
    assert "Clashes with" in page
    assert other.key in page


def test_overdue_due_date_stands_out(client_for, ap, task_of):
    """An open task past its due date says it is overdue."""
    task = task_of(ap, S.IN_PROGRESS)
    assert task.due_date < timezone.localdate()
    page = client_for(ap).get(url("task-detail", task)).content.decode()
    assert 'class="overdue"' in page
    assert "overdue</strong>" in page


def test_task_page_shows_the_episode(client_for, ap, task_of):
    """The task's episode appears among its fields."""
    task = task_of(ap, S.TODO)
    assert task.episode is not None
    page = client_for(ap).get(url("task-detail", task)).content.decode()
    assert str(task.episode) in page


def test_task_page_shows_only_the_moves_allowed(client_for, ap, producer, task_of):
    """The assignee sees Start on a to-do task; approving is for the producer."""
    todo = task_of(ap, S.TODO)
    page = client_for(ap).get(url("task-detail", todo)).content.decode()
    assert ">Start</button>" in page
    assert "Cancel task</button>" not in page
    review = task_of(ap, S.REVIEW)
    page = client_for(ap).get(url("task-detail", review)).content.decode()
    assert ">Withdraw</button>" in page
    assert ">Approve</button>" not in page
    page = client_for(producer).get(url("task-detail", review)).content.decode()
    assert ">Approve</button>" in page
    assert "<summary>Request changes</summary>" in page
    assert 'name="note"' in page


def primaries(page: str) -> list[str]:
    """The page's filled (primary) buttons and toggles, by their opening tag."""
    return re.findall(
        r'<(?:button|summary|a)\b[^>]*class="[^"]*\bprimary\b[^"]*"[^>]*>', page
    )


def test_the_next_step_is_the_task_pages_one_primary_button(
    client_for, ap, producer, task_of
):
    """Start is the assignee's one primary button; Edit is secondary and
    Archive a quiet link; Approve is the producer's."""
    todo = task_of(ap, S.TODO)
    page = client_for(producer).get(url("task-detail", todo)).content.decode()
    assert (
        f'<a class="button secondary small" href="/tasks/{todo.key}/edit/">Edit</a>'
        in page
    )
    assert (
        f'<a class="archive-link" href="/tasks/{todo.key}/archive/"'
        ' data-opens="archive-dialog">Archive</a>'
    ) in page
    # The producer may only cancel the AP's to-do: destructive, so not primary.
    assert primaries(page) == []
    page = client_for(ap).get(url("task-detail", todo)).content.decode()
    [start] = primaries(page)
    assert 'class="move-in_progress primary"' in start
    review = task_of(ap, S.REVIEW)
    page = client_for(producer).get(url("task-detail", review)).content.decode()
    [approve] = primaries(page)
    assert f'aria-label="Approve: {review.key}"' in approve


def test_request_changes_shows_once(client_for, ap, producer, task_of):
    """The words "Request changes" show once, on the toggle; its form's
    button is named by what it shows, with the key (WCAG label in name)."""
    review = task_of(ap, S.REVIEW)
    page = client_for(producer).get(url("task-detail", review)).content.decode()
    assert page.count("Request changes") == 1
    [(name, shown)] = re.findall(
        r'<button type="submit" aria-label="([^"]+)">([^<]+)</button>',
        page[page.index('id="move-changes"') :],
    )[:1]
    assert (name, shown) == (f"Send request: {review.key}", "Send request")
    assert name.startswith(shown)


def test_cancel_task_sits_apart_from_the_note_form_and_its_back(
    client_for, ap, producer, task_of
):
    """The note form ends with Send request and a Back to the task (it closes
    without JavaScript); the move that cancels the task comes after it, in a
    form of its own set apart, and says "Cancel task", not a form's "Cancel"."""
    review = task_of(ap, S.REVIEW)
    page = client_for(producer).get(url("task-detail", review)).content.decode()
    note = page[page.index('<form id="move-changes"') :]
    note = note[: note.index("</form>")]
    assert note.index(">Send request</button>") < note.index(
        f'<a class="button secondary small" href="/tasks/{review.key}/"'
        " data-closes-note>Back</a>"
    )
    assert re.search(r'<form id="move-cancelled" class="move move-apart"', page)
    assert page.index("</details>") < page.index('id="move-cancelled"')
    assert f'aria-label="Cancel task: {review.key}">Cancel task</button>' in page
    state = page[page.index('id="task-state"') : page.index('id="task-details"')]
    assert ">Cancel</button>" not in state


def test_kind_and_priority_are_badges_in_the_details(client_for, ap, task_of):
    """The details show the kind as a badge in its colour, like the priority."""
    todo = task_of(ap, S.TODO)
    page = client_for(ap).get(url("task-detail", todo)).content.decode()
    details = page[page.index('id="task-details"') :]
    assert (
        f'<dt>Kind</dt><dd><span class="badge kind-{todo.kind}">'
        f"{todo.get_kind_display()}</span></dd>"
    ) in details
    assert f'<span class="priority priority-{todo.priority}">' in details


def test_each_move_form_is_named_after_where_it_takes_the_task(
    client_for, producer, ap, task_of
):
    """A move's form id says its target status (the board's "Request changes"
    links to #move-changes); sending up, which keeps the status, says so."""
    review = task_of(ap, S.REVIEW)
    page = client_for(producer).get(url("task-detail", review)).content.decode()
    ids = re.findall(r'<form id="(move-[\w-]+)"', page)
    assert ids == ["move-done", "move-changes", "move-cancelled"]
    send_up = next(move for move in workflow.MOVES if move.sends_up)
    assert send_up.element_id == "move-review-send-up"


def test_changes_note_is_shown_prominently(client_for, ap, task_of):
    """When a task comes back, the AP sees the producer's note at the top."""
    task = task_of(ap, S.CHANGES)
    page = client_for(ap).get(url("task-detail", task)).content.decode()
    state = page.split('id="task-state"')[1].split("</section>")[0]
    assert "Changes requested" in state
    assert "trim it to 20 seconds" in state
    assert "Paula Reyes" in state


def test_history_names_who_moved_what_with_status_labels(
    client_for, producer, ap, task_of
):
    """The history reads "moved it from In review to Done" with the note, by name."""
    task = task_of(ap, S.REVIEW)
    services.task_move(task=task, to=S.DONE, by=producer, note="Lovely work.")
    page = client_for(ap).get(url("task-detail", task)).content.decode()
    history = page.split('id="task-history"')[1]
    assert "Paula Reyes</span> moved it from In review to Done" in history
    assert "Lovely work." in history
    assert "created the task" in history


def test_history_says_unassigned_and_yes_or_no(client_for, producer, morn):
    """Taking the assignee off reads "unassigned it from …", and a yes-or-no
    field reads "from No to Yes", not Python's False and True."""
    booking = Task.objects.filter(project=morn, kind="booking", confirmed=False)
    task = booking.exclude(assignee=None).first()
    assignee = task.assignee
    services.task_update(
        task=task, by=producer, version=task.version, assignee=None, confirmed=True
    )
    page = client_for(producer).get(url("task-detail", task)).content.decode()
    history = page.split('id="task-history"')[1]
    assert f"Paula Reyes</span> unassigned it from {assignee}" in history
    assert "reassigned" not in history
    assert "changed confirmed from No to Yes" in history
    assert "False" not in history and "True" not in history


def test_comments_are_shown_oldest_first(client_for, ap, producer, task_of):
    """Comments appear in the order they were written."""
    task = task_of(ap, S.TODO)
    services.comment_add(task=task, by=ap, body="First thought")
    services.comment_add(task=task, by=producer, body="Second thought")
    page = client_for(ap).get(url("task-detail", task)).content.decode()
    assert page.index("First thought") < page.index("Second thought")


def test_edit_is_offered_to_who_may_edit_and_archive_to_assigners(
    client_for, ap, ap2, producer, task_of
):
    """The producer sees Edit and Archive; the assignee AP sees Edit alone
    (for their working fields); another AP sees neither."""
    task = task_of(ap, S.TODO)
    page = client_for(producer).get(url("task-detail", task)).content.decode()
    assert url("task-edit", task) in page
    assert url("task-archive", task) in page
    page = client_for(ap).get(url("task-detail", task)).content.decode()
    assert url("task-edit", task) in page
    assert url("task-archive", task) not in page
    page = client_for(ap2).get(url("task-detail", task)).content.decode()
    assert url("task-edit", task) not in page
    assert url("task-archive", task) not in page


def test_task_page_as_htmx_is_the_status_region(client_for, ap, task_of):
    """An htmx request gets the status and moves region, not the whole page."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).get(url("task-detail", task), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith("<section")
    assert 'id="task-state"' in page
    assert "<html" not in page
    assert ">Start</button>" in page
    assert 'hx-trigger="task-moved from:body, every 20s"' in page


@pytest.mark.parametrize(
    ("part", "marker"),
    [
        ("details", 'id="task-details"'),
        ("description", 'id="task-description"'),
        ("comments", 'id="comments"'),
        ("history", 'id="task-history"'),
    ],
)
def test_task_page_as_htmx_serves_each_region(client_for, ap, task_of, part, marker):
    """htmx can fetch the details, description, comments or history region on
    its own."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).get(f"{url('task-detail', task)}?part={part}", **HTMX)
    page = response.content.decode()
    assert marker in page
    assert 'id="task-state"' not in page
    assert "<html" not in page


def test_boosted_request_gets_the_whole_page(client_for, ap, task_of):
    """A boosted link (hx-boost) still gets the whole page."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).get(
        url("task-detail", task), **HTMX, HTTP_HX_BOOSTED="true"
    )
    assert "<html" in response.content.decode()


def test_task_of_another_production_is_not_found(client_for, outsider, task_of, ap):
    """Someone not on the crew gets a 404, as if the task did not exist."""
    task = task_of(ap, S.TODO)
    assert client_for(outsider).get(url("task-detail", task)).status_code == 404


def test_archived_task_is_not_found(client_for, producer, ap, task_of):
    """An archived task has left the pages."""
    task = task_of(ap, S.TODO)
    services.task_archive(task=task, by=producer)
    assert client_for(producer).get(url("task-detail", task)).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, ap, task_of):
    """Without logging in, the task page redirects to the login page."""
    task = task_of(ap, S.TODO)
    response = client.get(url("task-detail", task))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_task_page_query_count_stays_flat(client_for, demo, producer, ap, task_of):
    """The task page costs the same queries with 5 or 50 comments and entries."""
    task = task_of(ap, S.REVIEW)
    people = [demo[name] for name in ("producer", "ap", "ap2", "editor", "writer")]
    client = client_for(producer)
    client.get(url("task-detail", task))  # warm the session

    def add(count):
        for index in range(count):
            services.comment_add(
                task=task, by=people[index % len(people)], body=f"Note {index}"
            )

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("task-detail", task))
        assert response.status_code == 200
        return len(queries)

    add(5)
    few = measure()
    add(45)
    many = measure()
    assert Comment.objects.filter(task=task).count() == 50
    assert Activity.objects.filter(task=task).count() > 50
    assert few == many
    assert many <= 15


# --- moves ------------------------------------------------------------------------


def test_assignee_starts_a_task(client_for, ap, task_of):
    """Start moves the task to In progress and comes back to the task page."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).post(url("task-move", task), {"to": S.IN_PROGRESS})
    assert response.status_code == 302
    assert response.url == task.get_absolute_url()
    task.refresh_from_db()
    assert task.status == S.IN_PROGRESS
    assert Activity.objects.filter(
        task=task, verb="moved", old_value=S.TODO, new_value=S.IN_PROGRESS, actor=ap
    ).exists()


def test_move_returns_to_a_safe_next(client_for, ap, task_of, morn):
    """A move from the board goes back to the board, never to another site."""
    board = reverse("project-board", kwargs={"code": morn.code}) + "?kind=script"
    task = task_of(ap, S.TODO)
    response = client_for(ap).post(
        url("task-move", task), {"to": S.IN_PROGRESS, "next": board}
    )
    assert response.url == board
    response = client_for(ap).post(
        url("task-move", task),
        {"to": S.REVIEW, "next": "https://evil.example/steal"},
    )
    assert response.url == task.get_absolute_url()


def test_move_with_htmx_is_204_with_the_task_moved_event(client_for, ap, task_of):
    """With htmx a move answers 204 and tells the page "task-moved"."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).post(
        url("task-move", task), {"to": S.IN_PROGRESS}, **HTMX
    )
    assert response.status_code == 204
    assert triggered(response) == {
        "task-moved": {"key": task.key, "status": S.IN_PROGRESS}
    }
    task.refresh_from_db()
    assert task.status == S.IN_PROGRESS


def test_refused_move_is_403_and_changes_nothing(client_for, ap, task_of):
    """An AP cannot approve their own work: 403, and the task stays in review."""
    task = task_of(ap, S.REVIEW)
    version = task.version
    for extra in ({}, HTMX):
        response = client_for(ap).post(url("task-move", task), {"to": S.DONE}, **extra)
        assert response.status_code == 403
    task.refresh_from_db()
    assert (task.status, task.version) == (S.REVIEW, version)


def test_impossible_move_is_403(client_for, producer, ap, task_of):
    """A to-do task cannot jump straight to Done, even for the producer."""
    task = task_of(ap, S.TODO)
    response = client_for(producer).post(url("task-move", task), {"to": S.DONE})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == S.TODO


def test_request_changes_needs_a_note(client_for, producer, ap, task_of):
    """Asking for changes without a note is a 400: the note's form again, open,
    with a summary linking to the note, which is marked invalid."""
    task = task_of(ap, S.REVIEW)
    note = f"move-{task.key}-note"
    sentence = "Say what needs to change."
    for extra in ({}, FROM_TASK_PAGE):
        response = client_for(producer).post(
            url("task-move", task), {"to": S.CHANGES, "note": "  "}, **extra
        )
        assert response.status_code == 400
        page = response.content.decode()
        if extra:  # the state region alone, for htmx to swap in place
            assert page.lstrip().startswith('<section id="task-state"')
        assert error_summary(page) == [(note, f"What needs to change? {sentence}")]
        assert_marked(page, note, sentence)
        assert '<details class="move move-with-note" open>' in page
    task.refresh_from_db()
    assert task.status == S.REVIEW


def test_a_board_cards_bad_move_is_told_in_the_messages(client_for, ap, task_of):
    """A card's form swaps nothing: its 400 puts the sentence in the page's
    messages, out of band."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).post(url("task-move", task), {"to": "shipped"}, **HTMX)
    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    assert " ".join(response.content.decode().split()) == (
        '<div hx-swap-oob="innerHTML:#messages"> <p class="message error '
        'error-message">“shipped” is not a status.</p> </div>'
    )


def test_move_forms_carry_the_version_they_were_made_from(
    client_for, producer, ap, task_of, morn
):
    """The task page's moves and the board's cards post the task's version."""
    task = task_of(ap, S.REVIEW)
    services.task_update(task=task, by=producer, version=task.version, title="New")
    task.refresh_from_db()
    hidden = f'<input type="hidden" name="version" value="{task.version}">'
    page = client_for(producer).get(url("task-detail", task)).content.decode()
    state = page.split('id="task-state"')[1].split("</section>")[0]
    assert state.count(hidden) == state.count("<form") >= 2
    board = client_for(producer).get(reverse("project-board", args=[morn.code]))
    card = board.content.decode().split(f'id="card-{task.key}"')[1].split("</li>")[0]
    assert hidden in card


@pytest.fixture
def second_approver(morn, editor):
    """Eddie, made a Producer: a second person who may approve MORN's work."""
    Membership.objects.filter(project=morn, user=editor).update(
        role=CrewRole.objects.get(project=None, name=CrewRole.PRODUCER)
    )
    return editor


def approve_twice(client_for, producer, second, task, **extra):
    """Paula approves; two minutes later Eddie approves from the page he had
    open before, as htmx (`extra`) or a plain form posts it."""
    seen = task.version
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)):
        client_for(producer).post(url("task-move", task), {"to": S.DONE})
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 2, 5, tzinfo=dt.UTC)):
        return client_for(second).post(
            url("task-move", task), {"to": S.DONE, "version": seen}, **extra
        )


def test_a_stale_approve_is_a_409_saying_who_approved_it(
    client_for, producer, second_approver, ap, task_of
):
    """Approving a task someone has just approved is a 409, not a 403: the task
    page again, as it is now, saying who approved it and when."""
    task = task_of(ap, S.REVIEW)
    response = approve_twice(client_for, producer, second_approver, task)
    assert response.status_code == 409
    page = response.content.decode()
    messages = page.split('id="messages"')[1].split("</div>")[0]
    assert f"{task.key} was approved by Paula Reyes 2\xa0minutes ago." in messages
    assert 'error-message">' in messages
    assert (
        '<h2 id="task-state-title" tabindex="-1">Status:'
        ' <span class="status status-done">'
    ) in page
    assert "A task cannot go from" not in page
    assert task.activities.filter(verb=Activity.Verb.MOVED).count() == 1


def test_a_stale_approve_with_htmx_refreshes_the_regions(
    client_for, producer, second_approver, ap, task_of
):
    """With htmx the 409 puts the sentence in the messages, swaps nothing else,
    and tells every region showing the task to fetch itself again."""
    task = task_of(ap, S.REVIEW)
    response = approve_twice(
        client_for, producer, second_approver, task, **FROM_TASK_PAGE
    )
    assert response.status_code == 409
    assert response["HX-Reswap"] == "none"
    assert triggered(response) == {"task-moved": {"key": task.key, "status": S.DONE}}
    body = " ".join(response.content.decode().split())
    assert body == (
        '<div hx-swap-oob="innerHTML:#messages"> <p class="message error '
        f'error-message">{task.key} was approved by Paula Reyes 2 minutes ago.'
        "</p> </div>"
    )


def test_a_stale_move_names_the_latest_change(client_for, producer, ap, task_of):
    """The 409 tells what changed last: here a reassignment, by the producer,
    that took away the AP's Start."""
    task = task_of(ap, S.TODO)
    seen = task.version
    services.task_update(
        task=task, by=producer, version=seen, assignee=User.objects.get(username="ap2")
    )
    response = client_for(ap).post(
        url("task-move", task), {"to": S.IN_PROGRESS, "version": seen}
    )
    assert response.status_code == 409
    assert (
        f"{task.key} changed just now: Paula Reyes reassigned it from Sam Okafor "
        "to Jo Lindqvist."
    ) in response.content.decode()
    task.refresh_from_db()
    assert task.status == S.TODO


def test_a_move_never_allowed_stays_403_on_a_fresh_page(client_for, ap, task_of):
    """A move the person may never make, from the task as it is, is still a 403."""
    task = task_of(ap, S.REVIEW)
    response = client_for(ap).post(
        url("task-move", task), {"to": S.DONE, "version": task.version}
    )
    assert response.status_code == 403


def test_request_changes_with_a_note_sends_it_back(client_for, producer, ap, task_of):
    """The producer's note goes with the task back to the AP, on their page."""
    task = task_of(ap, S.REVIEW)
    response = client_for(producer).post(
        url("task-move", task), {"to": S.CHANGES, "note": "Tighten the intro."}
    )
    assert response.status_code == 302
    page = client_for(ap).get(url("task-detail", task)).content.decode()
    state = page.split('id="task-state"')[1].split("</section>")[0]
    assert "Tighten the intro." in state
    assert ">Resume</button>" in state


def test_move_to_an_unknown_status_is_400(client_for, ap, task_of):
    """A made-up status is bad input, refused with a sentence."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).post(url("task-move", task), {"to": "shipped"})
    assert response.status_code == 400
    assert "is not a status" in response.content.decode()


def test_move_is_post_only(client_for, ap, task_of):
    """Moving a task by GET is refused."""
    task = task_of(ap, S.TODO)
    assert client_for(ap).get(url("task-move", task)).status_code == 405


def test_outsider_cannot_move_a_task(client_for, outsider, ap, task_of):
    """Someone not on the crew gets a 404 and the task stays put."""
    task = task_of(ap, S.TODO)
    response = client_for(outsider).post(url("task-move", task), {"to": S.IN_PROGRESS})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == S.TODO


# --- comments ---------------------------------------------------------------------


def test_comment_without_javascript_returns_to_the_comments(client_for, ap, task_of):
    """A plain comment is saved and the browser goes back to the comments."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).post(url("task-comment", task), {"body": "On it."})
    assert response.status_code == 302
    assert response.url == f"{task.get_absolute_url()}#comments"
    assert Comment.objects.filter(task=task, author=ap, body="On it.").exists()


def test_comment_with_htmx_shows_at_once(client_for, ap, task_of):
    """With htmx the comments region comes back with the new comment in it."""
    task = task_of(ap, S.TODO)
    response = client_for(ap).post(
        url("task-comment", task), {"body": "On it."}, **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="comments"')
    assert "On it." in page
    assert "<html" not in page
    assert "task-commented" in triggered(response)


@pytest.mark.parametrize(
    ("body", "sentence"),
    [("   ", "Write something first."), ("x" * 10_001, "under 10,000 characters")],
)
def test_empty_or_huge_comment_is_refused(client_for, ap, task_of, body, sentence):
    """An empty or over-long comment is a 400 with a sentence, and nothing is saved."""
    task = task_of(ap, S.TODO)
    for extra in ({}, HTMX):
        response = client_for(ap).post(
            url("task-comment", task), {"body": body}, **extra
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert 'class="error-message"' in page
        assert sentence in page
    assert not Comment.objects.filter(task=task).exists()


def test_comment_markup_is_shown_as_text(client_for, ap, task_of):
    """A "<script>" in a comment appears as text, never as markup."""
    task = task_of(ap, S.TODO)
    client = client_for(ap)
    client.post(url("task-comment", task), {"body": "<script>alert(1)</script>"})
    page = client.get(url("task-detail", task)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


# --- edit -------------------------------------------------------------------------


def test_edit_form_is_filled_in(client_for, producer, morn):
    """The edit form shows the task as it is, with its version hidden in it."""
    task = booking(morn)
    response = client_for(producer).get(url("task-edit", task))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{task.title}"' in page
    assert f'name="version" value="{task.version}"' in page
    assert 'type="datetime-local"' in page
    assert 'type="date"' in page
    assert f'value="{task.due_date.isoformat()}"' in page


def test_edit_page_shows_the_form(client_for, producer, ap, task_of):
    """The edit page is a page with the task's form."""
    task = task_of(ap, S.TODO)
    response = client_for(producer).get(url("task-edit", task))
    page = response.content.decode()
    assert 'id="task-form"' in page
    assert "<html" in page


def test_edit_saves_and_records_the_change(client_for, producer, ap, task_of):
    """Saving an edit changes the task and records who changed what."""
    task = task_of(ap, S.TODO)
    new_due = timezone.localdate() + dt.timedelta(days=7)
    response = client_for(producer).post(
        url("task-edit", task),
        edit_data(task, title="Rewrite the cold open", due_date=new_due.isoformat()),
    )
    assert response.status_code == 302
    assert response.url == task.get_absolute_url()
    task.refresh_from_db()
    assert task.title == "Rewrite the cold open"
    assert task.due_date == new_due
    changed = Activity.objects.filter(task=task, verb="changed", actor=producer)
    assert set(changed.values_list("field", flat=True)) == {"title", "due_date"}


def test_edit_refused_for_an_ap_with_no_part_in_the_task(client_for, ap2, ap, task_of):
    """An AP may not edit someone else's task, by GET or POST: 403, and
    nothing changes."""
    task = task_of(ap, S.TODO)
    client = client_for(ap2)
    assert client.get(url("task-edit", task)).status_code == 403
    response = client.post(url("task-edit", task), edit_data(task, title="Mine now"))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.title != "Mine now"


def test_the_assignee_edits_only_the_description_of_their_task(client_for, ap, task_of):
    """The assignee's edit form has the description alone; a title posted
    with it is not a field of theirs and changes nothing."""
    task = task_of(ap, S.TODO)
    client = client_for(ap)
    page = client.get(url("task-edit", task)).content.decode()
    assert 'name="description"' in page
    for name in ("title", "kind", "priority", "due_date", "assignee", "reviewer"):
        assert f'name="{name}"' not in page, name
    assert "As its assignee you keep its description up to date" in page
    response = client.post(
        url("task-edit", task),
        edit_data(task, title="Mine now", description="Draft in the shared folder."),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.description) == (
        "Rewrite cold open for Monday",
        "Draft in the shared folder.",
    )


def test_stale_edit_is_refused_naming_what_changed(client_for, producer, ap, task_of):
    """A save from an outdated form is a 409 naming the change; nothing is overwritten."""
    task = task_of(ap, S.TODO)
    loaded = edit_data(task)
    # Meanwhile the AP starts the task and another edit retitles it.
    services.task_move(task=task, to=S.IN_PROGRESS, by=ap)
    services.task_update(task=task, by=producer, version=task.version, title="Theirs")
    mine = {**loaded, "title": "Mine", "description": "My notes"}
    response = client_for(producer).post(url("task-edit", task), mine)
    assert response.status_code == 409
    page = response.content.decode()
    assert "was changed by someone else" in page
    assert (
        "Paula Reyes changed title from Rewrite cold open for Monday to Theirs" in page
    )
    assert "Sam Okafor moved it from To do to In progress" in page
    # The form keeps the user's input and carries the new version.
    assert 'value="Mine"' in page
    assert "My notes" in page
    task.refresh_from_db()
    assert f'name="version" value="{task.version}"' in page
    assert (task.title, task.description) == ("Theirs", "")


def test_saving_again_after_a_stale_edit_applies_it(client_for, producer, ap, task_of):
    """With the new version from the 409 form, saving again is deliberate and works."""
    task = task_of(ap, S.TODO)
    services.task_update(task=task, by=producer, version=task.version, title="Theirs")
    data = edit_data(task, title="Mine")
    response = client_for(producer).post(url("task-edit", task), data)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Mine"


def test_invalid_slot_is_a_form_error(client_for, producer, morn):
    """A slot that ends before it starts is shown on the form, and nothing is saved."""
    task = booking(morn)
    version = task.version
    response = client_for(producer).post(
        url("task-edit", task),
        edit_data(task, starts_at="2030-07-10T09:00", ends_at="2030-07-10T08:00"),
    )
    assert response.status_code == 200
    assert "A booking slot must end after it starts." in response.content.decode()
    task.refresh_from_db()
    assert task.version == version


def test_slot_round_trip_in_the_production_time_zone(
    client_for, producer, morn, settings
):
    """A slot typed as 07:30 in London is 06:30 UTC in summer, and shown as 07:30."""
    settings.TIME_ZONE = "Asia/Tokyo"  # the server's zone must not matter
    task = booking(morn)
    client = client_for(producer)
    response = client.post(
        url("task-edit", task),
        edit_data(task, starts_at="2030-07-10T07:30", ends_at="2030-07-10T08:15"),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.starts_at == dt.datetime(2030, 7, 10, 6, 30, tzinfo=dt.UTC)
    assert task.ends_at == dt.datetime(2030, 7, 10, 7, 15, tzinfo=dt.UTC)
    page = client.get(url("task-edit", task)).content.decode()
    assert 'value="2030-07-10T07:30"' in page
    assert 'value="2030-07-10T08:15"' in page
    page = client.get(url("task-detail", task)).content.decode()
    assert "07:30</time> to <time" in page
    assert "08:15" in page


def test_assignee_choices_are_crew_who_may_be_assigned(
    client_for, producer, ap, task_of, morn, outsider
):
    """The assignee list offers the crew who may take work, nobody else."""
    director = User.objects.create(username="dir", first_name="Dee", last_name="Rector")
    watcher = CrewRole.objects.create(
        project=morn, name="Watcher", can_be_assigned=False
    )
    Membership.objects.create(project=morn, user=director, role=watcher)
    task = task_of(ap, S.TODO)
    form = client_for(producer).get(url("task-edit", task)).context["form"]
    assignees = set(form.fields["assignee"].queryset)
    reviewers = set(form.fields["reviewer"].queryset)
    assert ap in assignees
    assert director not in assignees
    assert outsider not in assignees
    assert director in reviewers
    assert outsider not in reviewers


def test_edit_refuses_someone_outside_the_crew_as_assignee(
    client_for, producer, ap, task_of, outsider
):
    """Posting an outsider as assignee is a form error, not a change."""
    task = task_of(ap, S.TODO)
    response = client_for(producer).post(
        url("task-edit", task), edit_data(task, assignee=outsider.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assignee"]
    task.refresh_from_db()
    assert task.assignee == ap


# --- new tasks and pitches --------------------------------------------------------


def test_producer_gets_the_full_new_task_form(client_for, producer, morn):
    """Crew who may assign get every field on the new-task page."""
    response = client_for(producer).get(
        reverse("task-create", kwargs={"code": morn.code})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="assignee"' in page
    assert 'name="starts_at"' in page
    assert 'name="version"' not in page


def test_new_task_by_producer_gets_the_assignees_supervisor_as_reviewer(
    client_for, producer, ap, ap2, morn
):
    """A new task for an AP is reviewed by whom that AP reports to, unless chosen."""
    Membership.objects.filter(project=morn, user=ap).update(reports_to=ap2)
    response = client_for(producer).post(
        reverse("task-create", kwargs={"code": morn.code}),
        {
            "title": "Book a weather presenter",
            "kind": "booking",
            "priority": 3,
            "assignee": ap.pk,
        },
    )
    task = Task.objects.get(project=morn, title="Book a weather presenter")
    assert response.status_code == 302
    assert response.url == task.get_absolute_url()
    assert task.status == S.TODO
    assert (task.assignee, task.reviewer) == (ap, ap2)
    assert task.key == f"MORN-{task.number}"


def test_new_task_form_errors_are_shown(client_for, producer, morn):
    """A new task without a title is refused on the form."""
    create = reverse("task-create", kwargs={"code": morn.code})
    response = client_for(producer).post(create, {"kind": "script", "priority": 2})
    assert response.status_code == 200
    assert response.context["form"].errors["title"]


@pytest.mark.parametrize("who", ["producer", "ap"])
def test_new_task_page_shows_the_form(client_for, demo, morn, who):
    """The new-task page shows its form, full or pitch."""
    create = reverse("task-create", kwargs={"code": morn.code})
    response = client_for(demo[who]).get(create)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="task-form"' in page
    assert 'name="title"' in page


def test_form_pages_stay_within_the_query_budget(client_for, producer, morn):
    """The edit and new-task pages each take 15 queries or fewer."""
    client = client_for(producer)
    task = booking(morn)
    client.get(url("task-detail", task))  # warm the session
    for page in (
        url("task-edit", task),
        reverse("task-create", kwargs={"code": morn.code}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        assert len(queries) <= 15, page


def test_ap_pitches_an_idea(client_for, ap2, producer, morn):
    """An AP with nobody reporting to them gets "Pitch an idea", as the
    button and as the page; their idea starts as a proposal assigned to them."""
    create = reverse("task-create", kwargs={"code": morn.code})
    client = client_for(ap2)
    board = client.get(reverse("project-board", kwargs={"code": morn.code}))
    assert f'href="{create}">Pitch an idea</a>' in board.content.decode()
    assert ">New task</a>" not in board.content.decode()
    page = client.get(create).content.decode()
    assert "<h1>Pitch an idea to Morning Live</h1>" in page
    assert "<title>Pitch an idea" in page
    assert 'name="assignee"' not in page
    response = client.post(
        create,
        {
            "title": "Night buses feature",
            "description": "Ride along.",
            "kind": "script",
            "assignee": producer.pk,
        },
    )
    task = Task.objects.get(project=morn, title="Night buses feature")
    assert response.status_code == 302
    assert response.url == task.get_absolute_url()
    assert (task.status, task.kind, task.assignee) == (S.PROPOSED, "pitch", ap2)
    assert task.created_by == ap2


def test_outsider_cannot_open_the_new_task_page(client_for, outsider, morn):
    """A production one is not on is a 404."""
    response = client_for(outsider).get(
        reverse("task-create", kwargs={"code": morn.code})
    )
    assert response.status_code == 404


def test_archived_production_takes_no_new_tasks(client_for, producer, morn):
    """An archived production refuses new tasks with a 403."""
    morn.archived = True
    morn.save()
    create = reverse("task-create", kwargs={"code": morn.code})
    assert client_for(producer).get(create).status_code == 403
    response = client_for(producer).post(
        create, {"title": "X", "kind": "other", "priority": 2}
    )
    assert response.status_code == 403
    assert not Task.objects.filter(title="X").exists()


# --- delegation, working fields and the rules of who decides ------------------------


def line_producer(morn) -> User:
    """A line producer on MORN: may assign and manage the crew, not approve."""
    person = User.objects.create_user(
        "linep", first_name="Lina", last_name="Pike", password="x" * 12
    )
    Membership.objects.create(
        project=morn,
        user=person,
        role=CrewRole.objects.get(project=None, name=CrewRole.LINE_PRODUCER),
    )
    return person


def test_ap_hands_editing_to_the_editor_who_reports_to_them(
    client_for, ap, editor, writer, morn
):
    """An AP with crew gets "New task" offering only the people who report to
    them; the task starts To do, created and reviewed by the AP."""
    create = reverse("task-create", kwargs={"code": morn.code})
    client = client_for(ap)
    board = client.get(reverse("project-board", kwargs={"code": morn.code}))
    assert f'href="{create}">New task</a>' in board.content.decode()
    response = client.get(create)
    assert set(response.context["form"].fields["assignee"].queryset) == {
        editor,
        writer,
    }
    assert '<a href="?pitch">Pitch it</a>' in response.content.decode()
    response = client.post(
        create,
        {
            "title": "Cut the mayor package",
            "kind": "editing",
            "priority": 3,
            "assignee": editor.pk,
        },
    )
    task = Task.objects.get(project=morn, title="Cut the mayor package")
    assert response.status_code == 302
    assert (task.status, task.assignee, task.reviewer, task.created_by) == (
        S.TODO,
        editor,
        ap,
        ap,
    )


@pytest.mark.parametrize("assignee", ["ap2", "producer", "ap", ""])
def test_ap_gives_work_only_to_their_crew(client_for, demo, ap, morn, assignee):
    """Another AP, the producer, the AP themself or nobody is refused on the
    form, and no task is made."""
    response = client_for(ap).post(
        reverse("task-create", kwargs={"code": morn.code}),
        {
            "title": "Someone else's job",
            "kind": "script",
            "priority": 2,
            "assignee": demo[assignee].pk if assignee else "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["assignee"]
    assert not Task.objects.filter(title="Someone else's job").exists()


def test_ap_with_crew_still_pitches_their_own_ideas(client_for, ap, morn):
    """?pitch gives an AP with crew the pitch form; the idea is a proposal."""
    create = reverse("task-create", kwargs={"code": morn.code}) + "?pitch"
    client = client_for(ap)
    page = client.get(create).content.decode()
    assert "<h1>Pitch an idea to Morning Live</h1>" in page
    assert f'action="{create}"' in page
    client.post(create, {"title": "Night buses feature"})
    task = Task.objects.get(project=morn, title="Night buses feature")
    assert (task.status, task.assignee, task.created_by) == (S.PROPOSED, ap, ap)


def test_ap_edits_and_reassigns_their_crews_work(
    client_for, ap, ap2, editor, writer, morn
):
    """The AP renames the editor's task and hands it to the writer, who also
    reports to them; handing it outside their crew is a form error."""
    task = Task.objects.get(project=morn, title="Select shots for the mayor interview")
    client = client_for(ap)
    form = client.get(url("task-edit", task)).context["form"]
    assert set(form.fields["assignee"].queryset) == {editor, writer}
    response = client.post(
        url("task-edit", task),
        edit_data(
            task, title="Select shots for the mayor's interview", assignee=writer.pk
        ),
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.assignee, task.reviewer) == (
        "Select shots for the mayor's interview",
        writer,
        ap,
    )
    response = client.post(url("task-edit", task), edit_data(task, assignee=ap2.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["assignee"]
    task.refresh_from_db()
    assert task.assignee == writer


def test_ap_confirms_and_moves_the_slot_of_their_booking(client_for, ap, morn):
    """The AP assigned a booking edits its details (and nothing else) through
    the edit page, and is warned when the new slot clashes."""
    task = Task.objects.get(project=morn, title="Book the marathon winner")
    Task.objects.filter(pk=task.pk).update(confirmed=False)
    task.refresh_from_db()
    chef = booking(morn)
    client = client_for(ap)
    page = client.get(url("task-edit", task)).content.decode()
    for name in ("description", "guest", "contact", "starts_at", "location"):
        assert f'name="{name}"' in page, name
    assert 'name="title"' not in page and 'name="due_date"' not in page
    zone = morn.tzinfo
    starts = timezone.localtime(chef.starts_at, zone) + dt.timedelta(minutes=10)
    response = client.post(
        url("task-edit", task),
        edit_data(
            task,
            starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(starts + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            location="Studio B",
            confirmed="on",
        ),
        follow=True,
    )
    task.refresh_from_db()
    assert (task.starts_at, task.location, task.confirmed) == (
        starts,
        "Studio B",
        True,
    )
    warning = f"{task.key}&#x27;s slot overlaps bookings {chef.key}, "
    assert warning in response.content.decode()


def test_the_assignees_stale_edit_is_refused(client_for, ap, producer, morn):
    """Two people editing one booking: the assignee's save from an older
    version is a 409 naming the producer's change, and overwrites nothing."""
    task = Task.objects.get(project=morn, title="Book the marathon winner")
    loaded = edit_data(task, location="Studio A")
    services.task_update(
        task=task, by=producer, version=task.version, location="Studio C"
    )
    response = client_for(ap).post(url("task-edit", task), loaded)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    task.refresh_from_db()
    assert task.location == "Studio C"


def test_a_line_producer_who_names_themself_reviewer_still_cannot_approve(
    client_for, ap, producer, task_of, morn
):
    """The line producer may make themself reviewer; then they send the task
    up or ask for changes, and a forged approval is a 403."""
    linep = line_producer(morn)
    task = task_of(ap, S.REVIEW)
    client = client_for(linep)
    response = client.post(url("task-edit", task), edit_data(task, reviewer=linep.pk))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.reviewer == linep
    page = client.get(url("task-detail", task)).content.decode()
    assert ">Approve</button>" not in page
    assert ">Send up</button>" in page
    response = client.post(url("task-move", task), {"to": S.DONE})
    assert response.status_code == 403
    assert "Only an approver may approve this task." in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == S.REVIEW
    # Nobody up the line of a line producer who reports to nobody: any approver.
    client.post(url("task-move", task), {"to": S.REVIEW})
    task.refresh_from_db()
    assert (task.status, task.reviewer) == (S.REVIEW, producer)


def test_an_ap_reviewer_sends_the_writers_work_up(
    client_for, ap, writer, producer, morn
):
    """The AP reviewing the writer's headlines may send them up or ask for
    changes, not approve; sent up, the producer reviews them, and the history
    says so."""
    task = Task.objects.get(project=morn, title="Write headlines for Wednesday")
    assert (task.assignee, task.reviewer) == (writer, ap)
    client = client_for(ap)
    page = client.get(url("task-detail", task)).content.decode()
    assert ">Send up</button>" in page
    assert "<summary>Request changes</summary>" in page
    assert ">Approve</button>" not in page
    response = client.post(url("task-move", task), {"to": S.REVIEW})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.reviewer) == (S.REVIEW, producer)
    history = client.get(url("task-detail", task)).content.decode()
    assert "Sam Okafor</span> sent it up to Paula Reyes" in history
    page = client_for(producer).get(url("task-detail", task)).content.decode()
    assert ">Approve</button>" in page


def test_the_reviewer_of_a_declined_pitch_cannot_restore_it(
    client_for, ap, ap2, producer, morn
):
    """Only an approver restores: the pitch's reviewer who may not approve
    gets a 403 and the pitch stays declined."""
    pitch = Task.objects.get(project=morn, title="Pitch: rooftop gardens feature")
    Task.objects.filter(pk=pitch.pk).update(reviewer=ap)
    pitch.refresh_from_db()
    services.task_move(task=pitch, to=S.CANCELLED, by=producer)
    response = client_for(ap).post(url("task-move", pitch), {"to": S.TODO})
    assert response.status_code == 403
    assert Task.objects.get(pk=pitch.pk).status == S.CANCELLED


def test_the_author_withdraws_their_pitch(client_for, ap, morn):
    """An AP's own pitch offers "Withdraw pitch", which cancels it."""
    pitch = Task.objects.get(project=morn, title="Pitch: school lunch investigation")
    client = client_for(ap)
    page = client.get(url("task-detail", pitch)).content.decode()
    assert ">Withdraw pitch</button>" in page
    assert ">Decline pitch</button>" not in page
    client.post(url("task-move", pitch), {"to": S.CANCELLED})
    assert Task.objects.get(pk=pitch.pk).status == S.CANCELLED


def test_the_assignee_resubmits_after_changes(client_for, ap, task_of):
    """From Changes requested the assignee may resubmit straight to review."""
    task = task_of(ap, S.CHANGES)
    client = client_for(ap)
    page = client.get(url("task-detail", task)).content.decode()
    assert ">Resume</button>" in page and ">Resubmit</button>" in page
    client.post(url("task-move", task), {"to": S.REVIEW})
    assert Task.objects.get(pk=task.pk).status == S.REVIEW


def test_an_approvers_decision_on_their_own_task_is_recorded(
    client_for, producer, morn
):
    """A producer approving their own task may; the history says it was theirs."""
    task = services.task_create(
        project=morn, by=producer, title="Sign off the rundown", assignee=producer
    )
    services.task_move(task=task, to=S.IN_PROGRESS, by=producer)
    services.task_move(task=task, to=S.REVIEW, by=producer)
    client = client_for(producer)
    client.post(url("task-move", task), {"to": S.DONE})
    assert Task.objects.get(pk=task.pk).status == S.DONE
    history = client.get(url("task-detail", task)).content.decode()
    assert "moved it from In review to Done" in history
    assert "Decided on their own task." in history


def test_an_archived_production_is_read_only(client_for, producer, ap, task_of, morn):
    """No moves, comments or edits on an archived production: no buttons, and
    a 403 with a sentence for each, changing nothing."""
    task = task_of(ap, S.REVIEW)
    morn.archived = True
    morn.save()
    client = client_for(producer)
    page = client.get(url("task-detail", task)).content.decode()
    assert url("task-move", task) not in page
    assert url("task-comment", task) not in page
    assert url("task-edit", task) not in page
    assert url("task-archive", task) not in page
    for name, data in (
        ("task-move", {"to": S.DONE}),
        ("task-comment", {"body": "Too late?"}),
        ("task-edit", edit_data(task, title="Too late")),
        ("task-archive", {}),
    ):
        response = client.post(url(name, task), data)
        assert response.status_code == 403, name
        assert "This production is archived" in response.content.decode(), name
    task.refresh_from_db()
    assert (task.status, task.title, task.archived) == (
        S.REVIEW,
        "Revise copy to match the shot list",
        False,
    )
    assert not task.comments.exists()


# --- archive ----------------------------------------------------------------------


def test_producer_archives_a_task_and_returns_to_the_board(
    client_for, producer, ap, task_of, morn
):
    """Archiving hides the task and goes back to the board."""
    task = task_of(ap, S.TODO)
    response = client_for(producer).post(url("task-archive", task))
    assert response.status_code == 302
    assert response.url == reverse("project-board", kwargs={"code": morn.code})
    task.refresh_from_db()
    assert task.archived


def test_ap_cannot_archive(client_for, ap, task_of):
    """An AP's archive attempt is a 403 and the task stays."""
    task = task_of(ap, S.TODO)
    assert client_for(ap).post(url("task-archive", task)).status_code == 403
    task.refresh_from_db()
    assert not task.archived


class _FormScraper(HTMLParser):
    """The values a browser would submit from the page's task form."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self._in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "task-form" in attrs.get("class", ""):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
            self.data[name] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            # Django writes a newline after <textarea>, which browsers drop.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def scrape_form(response):
    scraper = _FormScraper()
    scraper.feed(response.content.decode())
    return scraper.data


def test_resaving_after_a_stale_edit_keeps_their_other_changes(
    client_for, producer, ap, task_of
):
    """Re-saving the 409 form applies my edit and keeps the field someone else changed."""
    task = task_of(ap, S.TODO)
    client = client_for(producer)
    mine = scrape_form(client.get(url("task-edit", task)))
    theirs = Task.Priority.LOW if task.priority != Task.Priority.LOW else 4
    services.task_update(task=task, by=producer, version=task.version, priority=theirs)
    mine["title"] = "Mine"
    refused = client.post(url("task-edit", task), mine)
    assert refused.status_code == 409
    again = scrape_form(refused)
    assert again["priority"] == str(theirs)
    assert again["title"] == "Mine"
    assert client.post(url("task-edit", task), again).status_code == 302
    task.refresh_from_db()
    assert (task.title, task.priority) == ("Mine", theirs)


def test_an_overlong_note_on_a_move_without_a_note_form_still_says_why(
    client_for, ap, morn
):
    """The note's error shows above the moves when no move of the task takes a note."""
    pitch = Task.objects.get(project=morn, created_by=ap, status=Task.Status.PROPOSED)
    response = client_for(ap).post(
        reverse("task-move", kwargs={"key": pitch.key}),
        {"to": Task.Status.CANCELLED, "note": "y" * 20_000},
    )
    assert response.status_code == 400
    assert "Keep the note under 10,000 characters" in response.content.decode()
    pitch.refresh_from_db()
    assert pitch.status == Task.Status.PROPOSED


# --- what the task page reads, and how many queries --------------------------------


def test_the_one_the_assignee_reports_to_may_edit_from_the_task_page(
    client_for, ap, ap2, editor, morn
):
    """The editor reports to the AP: their task offers the AP Edit, and
    another AP, whom nobody on it reports to, none."""
    task = Task.objects.filter(project=morn, assignee=editor, archived=False).first()
    edit = f'href="{url("task-edit", task)}">Edit</a>'
    assert edit in client_for(ap).get(url("task-detail", task)).content.decode()
    assert edit not in client_for(ap2).get(url("task-detail", task)).content.decode()


def test_history_and_comments_name_people_as_they_are_now(
    client_for, producer, ap, task_of
):
    """A renamed commenter shows by their new name at once; someone removed
    reads "A former crew member" in the comments and "Slate" in the history."""
    task = task_of(ap, S.TODO)
    services.comment_add(task=task, by=ap, body="On it.")
    gone = User.objects.create_user("gone", display_name="Gone Person")
    Comment.objects.create(task=task, author=gone, body="Left a note.")
    Activity.objects.create(
        task=task, task_key=task.key, actor=gone, verb=Activity.Verb.COMMENTED
    )
    ap.display_name = "Alex the AP"
    ap.save(update_fields=["display_name"])
    gone.delete()
    page = client_for(producer).get(url("task-detail", task)).content.decode()
    comments = page.split('id="comments"')[1].split("</section>")[0]
    history = page.split('id="task-history"')[1].split("</section>")[0]
    assert "<strong>Alex the AP</strong>" in comments
    assert "<strong>A former crew member</strong>" in comments
    assert '<span class="actor">Slate</span> commented' in history


def test_the_task_page_costs_the_same_queries_with_a_long_history(
    client_for, producer, ap, task_of
):
    """Comments (with mentions) and history entries add no queries."""
    task = task_of(ap, S.TODO)
    client = client_for(producer)
    client.get(url("task-detail", task))  # the session and content types, once
    few = count_queries(client, url("task-detail", task))
    for n in range(20):
        services.comment_add(task=task, by=ap, body=f"Note {n} for @producer")
        services.task_update(
            task=task, by=producer, version=task.version, title=f"Take {n}"
        )
    client.get(url("task-detail", task))  # reading what the bell said of them
    assert count_queries(client, url("task-detail", task)) == few + 1  # the mentions


def test_the_pages_compiled_queries_read_as_the_orm_reads_them(producer, ap, task_of):
    """The history and the comments, compiled once, give what the querysets
    they were compiled from give: the same rows in the same order, dates as
    dates, each with its person."""
    task = task_of(ap, S.TODO)
    services.comment_add(task=task, by=ap, body="One")
    services.comment_add(task=task, by=producer, body="Two")
    services.task_move(task=task, to=S.IN_PROGRESS, by=ap)

    def read(entries, person):
        return [
            (entry.pk, entry.created_at, str(getattr(entry, person) or ""))
            for entry in entries
        ]

    activities = tasks_view._loaded(
        tasks_view._ACTIVITY_ROW, tasks_view._ACTIVITIES.rows(task.pk)
    )
    comments = tasks_view._loaded(
        tasks_view._COMMENT_ROW, tasks_view._COMMENTS.rows(task.pk)
    )
    assert read(activities, "actor") == read(task.activities.all(), "actor")
    assert read(comments, "author") == read(task.comments.all(), "author")
    assert [activity.verb for activity in activities][-1] == Activity.Verb.MOVED
    assert [comment.body for comment in comments] == ["One", "Two"]
