"""One door to a production's data: every view reads and writes through access.py.

Two halves: a reading of production/views/*.py that fails on any direct
model query or write (views must go through production/access.py, a related
manager of an object fetched there, or production/services.py), and probes
from MORN's crew at NITE's tasks, people and crew, which must all be 404s or
ignored, never a leak.
"""

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from production import ical
from production.models import Comment, CrewRole, Episode, Membership, Task
from tests.pages import HTMX
from tests.test_permissions import database_snapshot

VIEWS = Path(__file__).resolve().parent.parent / "production" / "views"
# A production's data: reached only through access.py's scoped queries.
SCOPED_MODELS = {"Task", "Project", "Membership", "Comment", "Activity", "Episode"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Writes belong to services.py, where each is checked and recorded.
WRITE_METHODS = {
    "save",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
RAW_SQL = {"raw", "extra", "cursor"}


def unscoped_uses(source: str, filename: str = "<view>") -> list[str]:
    """Each direct model query, write or raw SQL in a view module, as file:line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            if isinstance(node.value, ast.Name) and node.value.id in SCOPED_MODELS:
                found.append(f"{where} {node.value.id}.{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in WRITE_METHODS:
                found.append(f"{where} .{name}() writes outside services.py")
            if name in RAW_SQL:
                found.append(f"{where} .{name}() is raw SQL")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            # get_object_or_404(Task, ...) is Task.objects by another name.
            if node.func.id in {"get_object_or_404", "get_list_or_404"} and any(
                isinstance(arg, ast.Name) and arg.id in SCOPED_MODELS
                for arg in node.args[:1]
            ):
                found.append(f"{where} {node.func.id}({node.args[0].id}, ...)")
    return found


def test_the_checker_catches_unscoped_queries():
    """The view reader is not vacuous: it flags each way around access.py."""
    source = (
        "def view(request, key):\n"
        "    a = Task.objects.get(key=key)\n"
        "    b = get_object_or_404(Comment, pk=1)\n"
        "    c = Membership._default_manager.all()\n"
        "    a.save()\n"
        "    a.delete()\n"
        "    Task.objects.raw('select 1')\n"
        "    tasks_for(request.user).filter(key=key).first()\n"
    )
    found = unscoped_uses(source, "v.py")
    assert len(found) == 7, found
    assert "v.py:2 Task.objects" in found


def test_views_query_only_through_access():
    """No view reads or writes a production's data without the user's scope."""
    modules = sorted(VIEWS.glob("*.py"))
    assert len(modules) >= 7, "the views package moved: point VIEWS at it"
    found = []
    for module in modules:
        found += unscoped_uses(module.read_text(), f"production/views/{module.name}")
    assert not found, (
        "views must use production/access.py (or services.py for writes):\n"
        + "\n".join(found)
    )


# --- probes from MORN at NITE ------------------------------------------------------


@pytest.fixture
def nite_world(nite, outsider):
    """NITE, with an episode, a comment and a role of its own to look for."""
    episode = Episode.objects.create(project=nite, number=7, title="Zebra Crossing")
    role = CrewRole.objects.create(project=nite, name="Nite Booker")
    task = Task.objects.get(key="NITE-1")
    Comment.objects.create(task=task, author=outsider, body="Secret nite rundown")
    secrets = [t.title for t in nite.tasks.all()]
    secrets += ["Secret nite rundown", "Zebra Crossing", "Nite Booker"]
    return {"episode": episode, "role": role, "secrets": secrets}


def as_user(user, **headers) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def text_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def assert_no_leak(response, nite_world):
    body = text_of(response)
    for secret in nite_world["secrets"]:
        assert secret not in body, f"NITE's “{secret}” leaked"


NITE_KEYS = ["NITE-1", "NITE-2"]


@pytest.mark.parametrize("name", ["task-detail", "task-edit"])
@pytest.mark.parametrize("key", NITE_KEYS)
def test_nite_task_pages_are_404_for_morn_crew(nite_world, ap, producer, name, key):
    """MORN's AP and producer get a 404 for NITE's task pages, plain and htmx."""
    for user in (ap, producer):
        for headers in ({}, HTMX):
            response = as_user(user).get(
                reverse(name, kwargs={"key": key}), {"part": "comments"}, **headers
            )
            assert response.status_code == 404
            assert_no_leak(response, nite_world)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("task-move", {"to": "cancelled"}),
        ("task-move", {"to": "in_progress"}),
        ("task-comment", {"body": "Sneaking in"}),
        ("task-edit", {"title": "Hijacked", "kind": "other", "priority": 2}),
        ("task-archive", {}),
    ],
)
def test_nite_task_writes_are_404_and_change_nothing(
    nite_world, ap, producer, name, data
):
    """Moving, commenting on, editing or archiving a NITE task from MORN is a 404."""
    task = Task.objects.get(key="NITE-1")
    for user in (ap, producer):
        before = database_snapshot()
        edit = data | ({"version": task.version} if name == "task-edit" else {})
        response = as_user(user).post(reverse(name, kwargs={"key": task.key}), edit)
        assert response.status_code == 404
        assert_no_leak(response, nite_world)
        assert database_snapshot() == before


@pytest.mark.parametrize(
    "action",
    [
        {"action": "move", "to": "cancelled"},
        {"action": "due_date", "due_date": "2030-01-01"},
        {"action": "assign", "assignee": "ASSIGNEE"},
    ],
)
def test_bulk_from_morn_never_touches_nite_tasks(nite_world, producer, ap, action):
    """NITE keys posted to MORN's bulk form are refused as not found, and untouched."""
    data = {
        key: (ap.pk if value == "ASSIGNEE" else value) for key, value in action.items()
    }
    client = as_user(producer)
    before = database_snapshot()
    response = client.post(
        reverse("task-bulk", kwargs={"code": "MORN"}),
        {"tasks": [*NITE_KEYS, "ZZZZ-1"], **data},
        follow=True,
    )
    assert response.status_code == 200
    assert database_snapshot() == before
    assert_no_leak(response, nite_world)
    body = response.content.decode()
    # A NITE key reads exactly like a key that does not exist anywhere.
    assert body.count("no such task in this production") == 3


def test_bulk_assign_to_someone_off_the_crew_is_refused(nite_world, producer, outsider):
    """Bulk-assigning MORN tasks to NITE's producer is refused; nothing changes."""
    key = Task.objects.filter(project__code="MORN").first().key
    before = database_snapshot()
    response = as_user(producer).post(
        reverse("task-bulk", kwargs={"code": "MORN"}),
        {"tasks": [key], "action": "assign", "assignee": outsider.pk},
    )
    assert response.status_code == 400  # the list again, the error in the bar
    assert database_snapshot() == before
    assert "not on this crew" in response.content.decode()


def test_edit_refuses_people_and_episodes_of_another_production(
    nite_world, producer, outsider, task_of, ap
):
    """A MORN task cannot be given NITE's producer or NITE's episode."""
    task = task_of(ap, Task.Status.TODO)
    client = as_user(producer)
    base = {
        "title": task.title,
        "kind": task.kind,
        "priority": task.priority,
        "version": task.version,
    }
    for field, value in (
        ("assignee", outsider.pk),
        ("reviewer", outsider.pk),
        ("episode", nite_world["episode"].pk),
    ):
        before = database_snapshot()
        response = client.post(
            reverse("task-edit", kwargs={"key": task.key}), base | {field: value}
        )
        assert response.status_code in (200, 400), field
        assert database_snapshot() == before, field
        assert_no_leak(response, nite_world)


@pytest.mark.parametrize("name", ["project-board", "task-list", "project-calendar"])
def test_morn_filters_with_nite_ids_leak_nothing(nite_world, ap, outsider, name):
    """Filtering MORN's pages by NITE's people, episode or keys shows no NITE task."""
    client = as_user(ap)
    url = reverse(name, kwargs={"code": "MORN"})
    for query in (
        {"assignee": outsider.pk},
        {"episode": nite_world["episode"].pk},
        {"q": "NITE-1"},
        {"q": "Monologue"},
        {"q": "Secret nite"},
        {"assignee": outsider.pk, "format": "csv"},
        {"q": "band", "format": "csv"},
    ):
        for headers in ({}, HTMX):
            response = client.get(url, query, **headers)
            assert response.status_code in (200, 400), query
            assert_no_leak(response, nite_world)


def test_morn_crew_urls_cannot_reach_nite_memberships(nite_world, producer, ap2):
    """Changing or removing a NITE membership through MORN's crew URLs is a 404."""
    nite_membership = Membership.objects.get(project__code="NITE", user=ap2)
    client = as_user(producer)
    prefix = f"member-{nite_membership.pk}"
    for name, data in (
        ("crew-member", {f"{prefix}-role": nite_world["role"].pk}),
        ("crew-remove", {}),
    ):
        before = database_snapshot()
        response = client.post(
            reverse(name, kwargs={"code": "MORN", "pk": nite_membership.pk}), data
        )
        assert response.status_code == 404
        assert database_snapshot() == before


def test_crew_add_refuses_another_productions_role(nite_world, producer):
    """A NITE-only role cannot be given to someone on MORN's crew."""
    before = database_snapshot()
    response = as_user(producer).post(
        reverse("project-crew", kwargs={"code": "MORN"}),
        {"user": "outsider", "role": nite_world["role"].pk},
    )
    assert response.status_code == 400
    assert database_snapshot() == before
    assert_no_leak(response, nite_world)


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "project-board"),
        ("get", "task-list"),
        ("get", "project-crew"),
        ("get", "project-calendar"),
        ("get", "task-create"),
        ("post", "task-create"),
        ("post", "task-bulk"),
        ("post", "project-crew"),
        ("post", "project-archive"),
    ],
)
def test_nite_production_pages_are_404_for_morn_crew(
    nite_world, ap, producer, method, name
):
    """NITE's board, list, crew, calendar and forms are a 404 to MORN's crew."""
    for user in (ap, producer):
        before = database_snapshot()
        response = getattr(as_user(user), method)(
            reverse(name, kwargs={"code": "NITE"}),
            {"title": "Sneaky", "kind": "other", "priority": 2, "user": "ap"},
        )
        assert response.status_code == 404
        assert_no_leak(response, nite_world)
        assert database_snapshot() == before


@pytest.mark.parametrize(
    "name", ["my-work", "project-list", "my-calendar", "calendar-feed"]
)
def test_my_pages_show_only_my_productions(nite_world, ap, name):
    """An AP of MORN alone sees nothing of NITE on my work, productions, calendar or feed."""
    client = as_user(ap)
    if name == "calendar-feed":
        url = reverse(name, kwargs={"token": ical.feed_token_reset(user=ap)})
    else:
        url = reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    assert_no_leak(response, nite_world)
    assert "Late Night Tonight" not in response.content.decode()


def test_shared_crew_sees_both_productions(nite_world, ap2):
    """The probes are not vacuous: crew of both productions does see NITE's work."""
    response = as_user(ap2).get(reverse("my-work"))
    assert "Monologue jokes, first pass" in response.content.decode()
    response = as_user(ap2).get(reverse("task-detail", kwargs={"key": "NITE-1"}))
    assert "Secret nite rundown" in response.content.decode()
