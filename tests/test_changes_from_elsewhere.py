"""Changes made outside a production's own pages (a profile, the admin) reach
the pages open on it: their next poll brings the change, not a 304."""

import pytest
from django.forms import MultiWidget
from django.urls import reverse

from production.models import Comment, CrewRole, Membership, Task, User
from tests.test_live_updates import BOARD, first_etag, poll


@pytest.fixture
def boss(demo):
    return User.objects.create_superuser("root", "root@slate.example", "x" * 16)


def as_posted(form) -> dict:
    """What the admin's form posts when saved as it was opened."""
    data = {}
    for field in form:
        widget, value = field.field.widget, field.value()
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{field.html_name}_{index}"] = part or ""
        elif value is True:
            data[field.html_name] = "on"
        elif value not in (None, False):
            data[field.html_name] = value
    return data


def changed(client, etag) -> str:
    """The board's next poll, which must bring a new board."""
    response = poll(client, BOARD, etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    return response.content.decode()


def test_a_new_display_name_reaches_an_open_board(client_for, producer, ap):
    """The AP renames themselves: the producer's open board shows the new name."""
    watcher = client_for(producer)
    etag = first_etag(watcher, BOARD)
    response = client_for(ap).post(
        reverse("profile"),
        {"display_name": "Ama the AP", "email": ap.email, "phone": ""},
    )
    assert response.status_code == 302
    assert "Ama the AP" in changed(watcher, etag)


def test_a_task_edited_in_the_admin_reaches_an_open_board(
    client, boss, producer, client_for, morn
):
    """The admin retitles a task: the board shows it, and a form opened on the
    old task is refused as stale rather than saved over the admin's edit."""
    task = Task.objects.filter(project=morn, archived=False).order_by("number").first()
    watcher = client_for(producer)
    etag = first_etag(watcher, BOARD)
    client.force_login(boss)
    url = reverse("admin:production_task_change", args=[task.pk])
    data = as_posted(client.get(url).context["adminform"].form)
    data.update(title="Retitled in the admin")
    data.update({"comments-TOTAL_FORMS": 0, "comments-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Retitled in the admin" in changed(watcher, etag)
    assert Task.objects.get(pk=task.pk).version == task.version + 1


def test_records_deleted_in_the_admin_reach_an_open_board(
    client, boss, producer, client_for, morn
):
    """Comments deleted from the admin's list count as a change to their production."""
    watcher = client_for(producer)
    etag = first_etag(watcher, BOARD)
    client.force_login(boss)
    comments = Comment.objects.filter(task__project=morn)
    assert comments.exists()
    response = client.post(
        reverse("admin:production_comment_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(comments.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not comments.exists()
    changed(watcher, etag)


def test_a_standard_role_edited_in_the_admin_reaches_every_production_using_it(
    client, boss, producer, client_for, morn
):
    """A standard role belongs to no production: every production whose crew
    holds it sees the change."""
    role = Membership.objects.get(project=morn, user=producer).role
    assert role.project_id is None
    watcher = client_for(producer)
    etag = first_etag(watcher, BOARD)
    client.force_login(boss)
    url = reverse("admin:production_crewrole_change", args=[role.pk])
    response = client.post(
        url,
        {
            "name": role.name,
            "can_manage_crew": "on",
            "can_assign": "on",
            "can_approve": "on",
            "can_be_assigned": "on" if role.can_be_assigned else "",
        },
    )
    assert response.status_code == 302
    assert CrewRole.objects.get(pk=role.pk).can_be_assigned == role.can_be_assigned
    changed(watcher, etag)
