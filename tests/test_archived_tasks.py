"""Archived tasks: archiving asks first, the production's archived tasks are
found on a page of their own, and crew who may assign restore them."""

import datetime as dt
import re

import time_machine
from django.urls import reverse

from production import services
from production.models import Activity, Project, Task
from tests.pages import count_queries

MARCH_2 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def archived_page(code="MORN") -> str:
    return reverse("archived-tasks", kwargs={"code": code})


def restore(task) -> str:
    return reverse("task-restore", kwargs={"key": task.key})


def archive_at(moment, task, by) -> Task:
    with time_machine.travel(moment, tick=False):
        return services.task_archive(task=task, by=by)


def morn_tasks(morn, count) -> list[Task]:
    return list(Task.objects.filter(project=morn, archived=False)[:count])


def listed_keys(page: str) -> list[str]:
    return re.findall(r'<tr id="archived-([A-Z]+-\d+)"', page)


# --- asking before archiving -------------------------------------------------


def test_archive_without_javascript_asks_on_a_page_first(client_for, producer, morn):
    """A GET of Archive asks "Archive MORN-n …?" with Archive (a POST) and
    Cancel (back to the task); nothing is archived until the POST."""
    [task] = morn_tasks(morn, 1)
    address = reverse("task-archive", kwargs={"key": task.key})
    client = client_for(producer)
    page = client.get(address).content.decode()
    assert f"Archive {task.key} “{task.title}”?</h1>" in page
    form = page[
        page.index(f'<form class="form-actions" method="post" action="{address}"') :
    ]
    assert '<button type="submit" class="danger">Archive</button>' in form
    assert (
        f'<a class="button secondary" href="{task.get_absolute_url()}">Cancel</a>'
        in form
    )
    task.refresh_from_db()
    assert not task.archived
    response = client.post(address)
    assert response.status_code == 302
    assert response.url == reverse("project-board", kwargs={"code": "MORN"})
    task.refresh_from_db()
    assert task.archived


def test_only_crew_who_may_assign_are_asked(client_for, ap, morn):
    """An AP asking to archive gets a 403 with the rule's sentence."""
    [task] = morn_tasks(morn, 1)
    response = client_for(ap).get(reverse("task-archive", kwargs={"key": task.key}))
    assert response.status_code == 403
    assert "Only crew whose role may assign can archive tasks." in (
        response.content.decode()
    )


def test_the_task_page_asks_in_a_dialog(client_for, producer, morn):
    """The task page's Archive link opens a dialog (task.js) asking the same,
    its Cancel closing it; the page loads the script."""
    [task] = morn_tasks(morn, 1)
    page = client_for(producer).get(task.get_absolute_url()).content.decode()
    dialog = page[page.index('<dialog id="archive-dialog"') : page.index("</dialog>")]
    assert f"Archive {task.key} “{task.title}”?</h2>" in dialog
    assert f'action="{reverse("task-archive", kwargs={"key": task.key})}"' in dialog
    assert 'formmethod="dialog"' in dialog
    assert 'data-opens="archive-dialog"' in page
    assert '<script src="/static/slate/task.js" defer></script>' in page


# --- the archived tasks page --------------------------------------------------


def test_the_page_lists_archived_tasks_with_when_and_by_whom(
    client_for, producer, ap, morn
):
    """Archived tasks only, the latest archived first, each with its status
    and who archived it when, on the production's clock (London, GMT in March)."""
    first, second, kept = morn_tasks(morn, 3)
    archive_at(MARCH_2, first, producer)
    archive_at(MARCH_2 + dt.timedelta(hours=2), second, producer)
    page = client_for(ap).get(archived_page()).content.decode()
    assert listed_keys(page) == [second.key, first.key]
    assert kept.key not in page
    row = page[page.index(f'id="archived-{first.key}"') :].split("</tr>")[0]
    assert first.title in row
    assert f'status-{first.status}">{first.get_status_display()}</span>' in row
    assert "2 Mar 2026, 09:00</time> by Paula Reyes" in row
    assert "2 archived tasks" in page


def test_restore_is_for_crew_who_may_assign(client_for, producer, ap, morn):
    """The producer sees a Restore button on each row; an AP sees the list alone."""
    [task] = morn_tasks(morn, 1)
    services.task_archive(task=task, by=producer)
    page = client_for(producer).get(archived_page()).content.decode()
    assert f'action="{restore(task)}"' in page
    assert f'aria-label="Restore {task.key}">Restore</button>' in page
    page = client_for(ap).get(archived_page()).content.decode()
    assert task.key in page
    assert "Restore" not in page


def test_the_task_list_links_to_its_archived_tasks(client_for, ap):
    """The task list ends with a link to the archived tasks."""
    page = client_for(ap).get(reverse("task-list", kwargs={"code": "MORN"}))
    assert f'<a href="{archived_page()}">Archived tasks</a>' in page.content.decode()


def test_no_archived_tasks_says_how_they_come_here(client_for, ap):
    """With nothing archived, the page says what archiving does."""
    page = client_for(ap).get(archived_page()).content.decode()
    assert "No archived tasks." in page
    assert "<table" not in page


def test_the_page_costs_the_same_queries_for_one_or_many(client_for, producer, morn):
    """One archived task or a full page of them: the same number of queries."""
    client = client_for(producer)
    tasks = morn_tasks(morn, 12)
    services.task_archive(task=tasks[0], by=producer)
    one = count_queries(client, archived_page())
    for task in tasks[1:]:
        services.task_archive(task=task, by=producer)
    many = count_queries(client, archived_page())
    assert one == many


def test_a_long_archive_is_paginated(client_for, producer, morn, monkeypatch):
    """Past a page of rows the rest are on the next page; a bad page number
    shows the first, not an error."""
    monkeypatch.setattr("production.views.archive.ROWS_PER_PAGE", 2)
    for task in morn_tasks(morn, 3):
        services.task_archive(task=task, by=producer)
    client = client_for(producer)
    first = client.get(archived_page()).content.decode()
    assert len(listed_keys(first)) == 2
    assert "Page 1 of 2" in first
    assert 'rel="next" href="?page=2"' in first
    second = client.get(archived_page(), {"page": "2"}).content.decode()
    assert len(listed_keys(second)) == 1
    for nonsense in ("x", "-1", "99999999999999999999999"):
        response = client.get(archived_page(), {"page": nonsense})
        assert response.status_code == 200
        assert len(listed_keys(response.content.decode())) in (1, 2)


# --- restoring ---------------------------------------------------------------


def test_restoring_brings_the_task_back_and_records_it(client_for, producer, ap, morn):
    """Restore puts the task back on the board as it was, says so, writes a
    history entry ("restored the task") and counts a change of the production,
    so open pages bring it back too."""
    [task] = morn_tasks(morn, 1)
    status = task.status
    services.task_archive(task=task, by=producer)
    revision = Project.objects.get(pk=morn.pk).revision
    client = client_for(producer)
    response = client.post(restore(task), follow=True)
    assert response.redirect_chain == [(archived_page(), 302)]
    assert f"{task.key} restored; it is back on the board." in response.content.decode()
    task.refresh_from_db()
    assert (task.archived, task.status) == (False, status)
    assert Project.objects.get(pk=morn.pk).revision > revision
    record = task.activities.latest("created_at", "id")
    assert (record.actor, record.verb, record.field) == (
        producer,
        Activity.Verb.CHANGED,
        "archived",
    )
    history = client_for(ap).get(task.get_absolute_url()).content.decode()
    assert "Paula Reyes</span> restored the task" in history
    board = client_for(ap).get(reverse("project-board", kwargs={"code": "MORN"}))
    assert task.key in board.content.decode()


def test_an_ap_may_not_restore(client_for, producer, ap, morn):
    """An AP's Restore is a 403 with the rule's sentence; the task stays archived."""
    [task] = morn_tasks(morn, 1)
    services.task_archive(task=task, by=producer)
    response = client_for(ap).post(restore(task))
    assert response.status_code == 403
    assert "Only crew whose role may assign can restore archived tasks." in (
        response.content.decode()
    )
    task.refresh_from_db()
    assert task.archived


def test_other_productions_archives_are_not_found(client_for, producer, outsider, morn):
    """Crew of NITE only get a 404 for MORN's archive and its Restore."""
    [task] = morn_tasks(morn, 1)
    services.task_archive(task=task, by=producer)
    client = client_for(outsider)
    assert client.get(archived_page()).status_code == 404
    assert client.post(restore(task)).status_code == 404
    task.refresh_from_db()
    assert task.archived


def test_restoring_a_task_that_is_not_archived_is_not_found(client_for, producer, morn):
    """Restore only finds archived tasks: a live task's key is a 404."""
    [task] = morn_tasks(morn, 1)
    assert client_for(producer).post(restore(task)).status_code == 404


def test_an_archived_productions_archive_is_read_only(client_for, producer, morn):
    """Once the production is archived its archived tasks are listed without
    Restore, and a Restore posted anyway is a 403 that changes nothing."""
    [task] = morn_tasks(morn, 1)
    services.task_archive(task=task, by=producer)
    services.project_archive(project=morn, by=producer)
    client = client_for(producer)
    page = client.get(archived_page()).content.decode()
    assert task.key in page
    assert "Restore" not in page
    response = client.post(restore(task))
    assert response.status_code == 403
    assert "This production is archived" in response.content.decode()
    task.refresh_from_db()
    assert task.archived


def test_restoring_twice_records_once(producer, morn):
    """A second Restore of the same task (from a second tab) changes nothing more."""
    [task] = morn_tasks(morn, 1)
    services.task_archive(task=task, by=producer)
    stale = Task.objects.get(pk=task.pk)
    services.task_restore(task=task, by=producer)
    services.task_restore(task=stale, by=producer)
    assert task.activities.filter(field="archived").count() == 1


# --- an archived task's address ----------------------------------------------


ARCHIVED_SENTENCE = (
    "{key} was archived: it is no longer on the production's pages, "
    "and its record is kept with the archived tasks."
)


def _sentence(response) -> str:
    found = re.search(r'class="error-message">(.*?)</p>', response.content.decode())
    assert found, response.content.decode()[:1500]
    return found.group(1).replace("&#x27;", "'")


def test_an_archived_tasks_address_tells_its_crew_where_its_record_is(
    client_for, producer, ap, morn
):
    """A link to a task archived since (an e-mail, an open tab) is a 404 that
    says the task was archived and links to the archived tasks, not one
    saying the page does not exist."""
    [task] = morn_tasks(morn, 1)
    services.task_archive(task=task, by=producer)
    response = client_for(ap).get(task.get_absolute_url())
    assert response.status_code == 404
    assert _sentence(response) == ARCHIVED_SENTENCE.format(key=task.key)
    assert f'href="{archived_page()}">See the archived tasks</a>' in (
        response.content.decode()
    )


def test_an_archived_task_refuses_a_change_with_the_same_sentence(
    settings, client_for, producer, ap, morn
):
    """A move posted from a page opened before the task was archived gets the
    same 404 and sentence, for htmx too and with DEBUG on, as `make run` has it."""
    settings.DEBUG = True
    task = Task.objects.filter(project=morn, assignee=ap, status=Task.Status.TODO)[0]
    services.task_archive(task=task, by=producer)
    move = reverse("task-move", kwargs={"key": task.key})
    response = client_for(ap).post(
        move, {"to": Task.Status.IN_PROGRESS}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404
    assert _sentence(response) == ARCHIVED_SENTENCE.format(key=task.key)
    task.refresh_from_db()
    assert task.status == Task.Status.TODO


def test_an_archived_task_is_no_news_to_anyone_off_its_crew(
    client_for, producer, outsider, morn
):
    """Someone not on MORN gets the one sentence for anything not theirs:
    nothing says the task, or MORN, exists."""
    [task] = morn_tasks(morn, 1)
    services.task_archive(task=task, by=producer)
    response = client_for(outsider).get(task.get_absolute_url())
    assert response.status_code == 404
    assert _sentence(response) == (
        "This page does not exist, or you are not on the production it belongs to."
    )
    assert task.key not in response.content.decode()
