"""Task tallies (models.TaskTally and models.DueTally, kept by migrations
0013's and 0015's triggers) always equal a live count of the tasks, whatever
wrote them: the services, the admin, bulk_create, QuerySet.update, deletes
and cascades; and concurrent moves on PostgreSQL neither deadlock nor lose a
count.

The same file runs on PostgreSQL: `bash tools/with-postgres .venv/bin/pytest
tests/test_tallies.py`.
"""

import datetime as dt
import re
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection, connections
from django.db.models import Q
from django.urls import reverse

from production import services, tallies
from production.models import DueTally, Project, Task, TaskTally, User
from tests.factories import add_tasks
from tests.test_changes_from_elsewhere import as_posted
from tests.test_views_home import section

S = Task.Status


def live_counts() -> Counter:
    """What the tallies should hold, counted from the tasks themselves."""
    return Counter(
        (task.project_id, task.assignee_id or 0, task.reviewer_id or 0, task.status)
        for task in Task.objects.filter(archived=False)
    )


def tallied() -> Counter:
    """What the tallies hold (rows at 0 are left out, as readers skip them)."""
    return Counter(
        {
            (row.project_id, row.assignee_id, row.reviewer_id, row.status): row.tasks
            for row in TaskTally.objects.filter(tasks__gt=0)
        }
    )


def live_due_counts() -> Counter:
    """What the due-day tallies should hold: open, dated, unarchived tasks."""
    return Counter(
        (task.project_id, task.assignee_id or 0, task.due_date)
        for task in Task.objects.filter(
            archived=False, status__in=Task.OPEN_STATUSES, due_date__isnull=False
        )
    )


def due_tallied() -> Counter:
    return Counter(
        {
            (row.project_id, row.assignee_id, row.due_date): row.tasks
            for row in DueTally.objects.filter(tasks__gt=0)
        }
    )


def assert_tallies_right():
    assert tallied() == live_counts()
    assert due_tallied() == live_due_counts()


def first_open(project, assignee=None) -> Task:
    tasks = Task.objects.filter(project=project, archived=False, status=S.TODO)
    if assignee is not None:
        tasks = tasks.filter(assignee=assignee)
    return tasks.order_by("number").first()


def test_the_demo_is_tallied(demo):
    """seed_demo's tasks, made with bulk_create and the services, are counted."""
    assert TaskTally.objects.exists()
    assert DueTally.objects.exists()
    assert_tallies_right()


def test_a_new_task_counts(morn, producer, ap):
    """A task made through the services counts in its status."""
    before = tallies.by_status(morn.pk)
    services.task_create(project=morn, by=producer, title="Book the band", assignee=ap)
    assert tallies.by_status(morn.pk)[S.TODO] == before.get(S.TODO, 0) + 1
    assert_tallies_right()


def test_a_move_counts_in_its_new_status(morn, producer, ap):
    """A moved task leaves its old status's count for its new one's."""
    task = first_open(morn, ap)
    services.task_move(task=task, to=S.IN_PROGRESS, by=ap)
    assert_tallies_right()
    services.task_move(task=Task.objects.get(pk=task.pk), to=S.REVIEW, by=ap)
    assert_tallies_right()


def test_a_reassigned_task_counts_for_its_new_assignee(morn, producer, ap, ap2):
    """A reassigned task counts for its new assignee."""
    task = first_open(morn, ap)
    before = tallies.by_status(morn.pk, ap2.pk).get(S.TODO, 0)
    services.task_update(task=task, by=producer, version=task.version, assignee=ap2)
    assert tallies.by_status(morn.pk, ap2.pk)[S.TODO] == before + 1
    assert_tallies_right()


def test_archived_tasks_leave_the_count_and_restored_ones_come_back(morn, producer):
    """Archiving takes a task out of the counts; restoring puts it back."""
    task = first_open(morn)
    before = tallies.by_status(morn.pk)[S.TODO]
    services.task_archive(task=task, by=producer)
    assert tallies.by_status(morn.pk).get(S.TODO, 0) == before - 1
    assert_tallies_right()
    services.task_restore(task=Task.objects.get(pk=task.pk), by=producer)
    assert tallies.by_status(morn.pk)[S.TODO] == before
    assert_tallies_right()


def test_bulk_created_tasks_count(morn, ap):
    """bulk_create, which calls no save(), still counts, archived tasks apart."""
    add_tasks(morn, 40, assignee=ap, status=S.CHANGES)
    add_tasks(morn, 3, archived=True)
    assert tallies.by_status(morn.pk, ap.pk)[S.CHANGES] >= 40
    assert_tallies_right()


@pytest.mark.parametrize(
    "change",
    [
        {"status": S.DONE},
        {"assignee": None},
        {"reviewer": None},
        {"archived": True},
        {"due_date": None},
        {"due_date": dt.date(2027, 1, 4)},
        {"title": "Only the title"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_queryset_updates_count(morn, change):
    """QuerySet.update writes no model's save(): the database still counts."""
    Task.objects.filter(project=morn, status=S.TODO).update(**change)
    assert_tallies_right()


def test_an_update_to_anyone_counts(morn, ap2):
    """Unassigned tasks given to someone, and archived ones brought back, count."""
    Task.objects.filter(project=morn, assignee__isnull=True).update(assignee=ap2)
    Task.objects.filter(project=morn).update(archived=False)
    assert_tallies_right()


def test_deleted_tasks_leave_the_count(morn):
    """A deleted task, or a whole status's, leaves the counts."""
    Task.objects.filter(project=morn, status=S.TODO)[:1].get().delete()
    Task.objects.filter(project=morn, status=S.IN_PROGRESS).delete()
    assert S.IN_PROGRESS not in tallies.by_status(morn.pk)
    assert_tallies_right()


def test_a_deleted_production_takes_its_tallies(morn, nite):
    """Deleting a production deletes its tallies and leaves the others right."""
    Project.objects.filter(pk=morn.pk).delete()
    assert not TaskTally.objects.filter(project_id=morn.pk).exists()
    assert tallies.by_status(nite.pk)
    assert_tallies_right()


def test_an_admin_edit_counts(client, morn):
    """A task moved and archived from the admin's form counts as it is."""
    boss = User.objects.create_superuser("root", "root@slate.example", "x" * 16)
    client.force_login(boss)
    task = first_open(morn)
    url = reverse("admin:production_task_change", args=[task.pk])
    data = as_posted(client.get(url).context["adminform"].form)
    data.update(status=S.REVIEW, archived="on")
    data.update({"comments-TOTAL_FORMS": 0, "comments-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Task.objects.get(pk=task.pk).archived
    assert_tallies_right()


def test_the_admin_shows_tallies_but_never_changes_them(client, morn):
    """The admin lists tallies and refuses to add or change one."""
    boss = User.objects.create_superuser("root", "root@slate.example", "x" * 16)
    client.force_login(boss)
    tally = TaskTally.objects.filter(project=morn).first()
    assert (
        client.get(reverse("admin:production_tasktally_changelist")).status_code == 200
    )
    assert client.get(reverse("admin:production_tasktally_add")).status_code == 403
    url = reverse("admin:production_tasktally_change", args=[tally.pk])
    response = client.post(url, {"tasks": 999})
    assert response.status_code == 403
    assert_tallies_right()


def test_reads_count_by_status_and_assignee(morn, ap):
    """by_status and open_by_assignee agree with the tasks themselves."""
    tasks = Task.objects.filter(project=morn, archived=False)
    assert tallies.by_status(morn.pk) == dict(Counter(t.status for t in tasks))
    mine = tasks.filter(assignee=ap)
    assert tallies.by_status(morn.pk, ap.pk) == dict(Counter(t.status for t in mine))
    nobody = tasks.filter(assignee__isnull=True)
    assert tallies.by_status(morn.pk, tallies.NOBODY) == dict(
        Counter(t.status for t in nobody)
    )
    open_tasks = tasks.filter(status__in=Task.OPEN_STATUSES)
    assert tallies.open_by_assignee(morn.pk) == dict(
        Counter(t.assignee_id or 0 for t in open_tasks)
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_neither_deadlock_nor_lose_counts():
    """Six people move tasks of one production back and forth at once, each
    move changing two tallies: every move goes through and the counts add up."""
    from production.management.commands.seed_demo import seed_base

    seed_base()
    morn = Project.objects.get(code="MORN")
    producer = User.objects.get(username="producer")
    add_tasks(morn, 12, status=S.TODO)
    tasks = list(
        Task.objects.filter(project=morn, status=S.TODO, archived=False).order_by(
            "-number"
        )[:12]
    )
    threads, rounds = 6, 4
    start = threading.Barrier(threads, timeout=30)
    errors = []

    def mover(index):
        try:
            start.wait()
            mine = tasks[index::threads]
            for n in range(rounds):
                # Back and forth, in the opposite order to the next thread:
                # each move takes one tally down and another up.
                to = S.CANCELLED if n % 2 == 0 else S.TODO
                for task in mine if index % 2 else reversed(mine):
                    fresh = Task.objects.get(pk=task.pk)
                    services.task_move(task=fresh, to=to, by=producer)
        except Exception as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=mover, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert all(
        status == S.TODO
        for status in Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list(
            "status", flat=True
        )
    )
    assert_tallies_right()


# --- the pages that count from the tallies, after writes no service made ---

TODAY = dt.date(2027, 3, 31)  # a Wednesday


def count_in(html: str) -> int:
    return int(re.search(r'<span class="count">(\d+)</span>', html)[1])


def test_my_work_counts_what_the_tasks_say(client_for, producer, morn, ap):
    """My groups, what awaits my review, my crew's work and pitches count the
    tasks as they are after bulk writes and updates that bypass the services."""
    days = {
        "overdue": TODAY - dt.timedelta(days=30),
        "today": TODAY,
        "week": TODAY + dt.timedelta(days=2),
        "later": TODAY + dt.timedelta(days=40),
        "undated": None,
    }
    for n, day in enumerate(days.values()):
        add_tasks(morn, 7 + n, assignee=producer, status=S.TODO, due_date=day)
    add_tasks(morn, 8, assignee=ap, reviewer=producer, status=S.REVIEW)
    add_tasks(morn, 6, status=S.PROPOSED)
    mine = Task.objects.filter(project__memberships__user=producer, archived=False)

    def some(count, **fields):
        tasks = Task.objects.filter(assignee=producer, **fields).order_by("pk")
        return Task.objects.filter(
            pk__in=list(tasks.values_list("pk", flat=True)[:count])
        )

    some(3, due_date=days["later"]).update(status=S.CHANGES)
    some(2, due_date=days["week"]).update(archived=True)
    Task.objects.filter(assignee=ap, status=S.TODO).update(status=S.IN_PROGRESS)
    with time_machine.travel(
        dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC), tick=False
    ):
        response = client_for(producer).get(reverse("my-work"))
    waiting = mine.filter(
        assignee=producer, status__in=Task.OPEN_STATUSES, project__archived=False
    ).exclude(status=S.CHANGES)
    expected = {
        "changes": mine.filter(assignee=producer, status=S.CHANGES).count(),
        "overdue": waiting.filter(due_date__lt=TODAY).count(),
        "today": waiting.filter(due_date=TODAY).count(),
        "week": waiting.filter(due_date__range=(days["week"], days["week"])).count(),
        "later": waiting.filter(due_date__gt=TODAY + dt.timedelta(days=4)).count(),
        "undated": waiting.filter(due_date__isnull=True).count(),
    }
    for slug, total in expected.items():
        assert count_in(section(response, slug)) == total, slug
    in_review = mine.filter(status=S.REVIEW)
    assert count_in(section(response, "review")) == (
        in_review.filter(Q(reviewer=producer) | Q(reviewer__isnull=True)).count()
    )
    crew = producer.reports.values("user_id")
    assert count_in(section(response, "crew-work")) == (
        mine.filter(assignee__in=crew, status__in=Task.OPEN_STATUSES).count()
    )
    assert count_in(section(response, "pitches")) == (
        mine.filter(status=S.PROPOSED).count()
    )
    team = section(response, "team")
    for person in (producer, ap):
        theirs = mine.filter(assignee=person, status__in=Task.OPEN_STATUSES)
        late = theirs.filter(due_date__lt=TODAY).count()
        assert re.search(
            rf'<th scope="row">{person}</th>\s*<td class="num">{theirs.count()}</td>'
            rf'\s*<td class="num( overdue)?">{late}</td>',
            team,
        ), (person, team)


def test_the_crew_page_and_productions_list_count_what_the_tasks_say(
    client_for, producer, morn, ap, editor
):
    """Open tasks per member and per production follow bulk writes and updates."""
    add_tasks(morn, 11, assignee=editor, status=S.TODO)
    add_tasks(morn, 4, assignee=editor, status=S.REVIEW, due_date=TODAY)
    Task.objects.filter(project=morn, assignee=ap).update(status=S.DONE)
    crew = client_for(producer).get(reverse("project-crew", args=[morn.code]))
    crew = crew.content.decode()
    for person in (ap, editor):
        open_count = Task.objects.filter(
            project=morn, assignee=person, archived=False, status__in=Task.OPEN_STATUSES
        ).count()
        assert re.search(
            rf'open-count">{open_count}</span> open tasks?<span class="visually-'
            rf'hidden"> of {person}<',
            crew,
        ), person
    with time_machine.travel(
        dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC),
        tick=False,
    ):
        productions = client_for(producer).get(reverse("project-list"))
    productions = productions.content.decode()
    open_tasks = Task.objects.filter(
        project=morn, archived=False, status__in=Task.OPEN_STATUSES
    )
    late = open_tasks.filter(due_date__lte=TODAY).count()
    row = re.search(r'<tr id="project-MORN">(.*?)</tr>', productions, re.S)[1]
    assert re.search(
        rf'<td class="num">{open_tasks.count()}</td>\s*'
        rf'<td class="num overdue">{late}</td>',
        row,
    ), row


def test_the_task_table_has_its_triggers(db):
    """Every trigger that keeps the tallies is there after the migrations (a
    migration that remakes the task table on SQLite would drop them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'production_task'"
            )
            expected = {
                f"{tally}_{event}"
                for tally in ("task_tally", "due_tally")
                for event in ("insert", "update", "delete")
            }
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'production_task'::regclass AND NOT tgisinternal"
            )
            expected = {
                f"{tally}_{event}"
                for tally in ("task_tally", "due_tally")
                for event in ("insert_delete", "update")
            }
        assert {name for (name,) in cursor.fetchall()} >= expected
