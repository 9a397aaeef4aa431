"""A NUL character in a query string or form is a 400 with a sentence, anywhere."""

import pytest
from django.urls import reverse

from production.models import Task
from tests.pages import HTMX

SENTENCE = b"A request may not contain a NUL character."


@pytest.mark.parametrize(
    "url",
    [
        "/?q=%00",
        "/projects/MORN/?q=a%00b",
        "/projects/MORN/tasks/?assignee=%00",
        "/projects/MORN/calendar/?month=2026-11%00",
        "/admin/production/task/?q=%00",
        "/admin/production/task/?status__exact=%00",
        "/admin/autocomplete/?term=%00&app_label=production&model_name=task&field_name=episode",
        "/projects/MORN/?%00=1",
    ],
)
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_nul_in_a_query_string_is_a_400(url, debug, settings, client_for, producer):
    """Pages and the admin answer 400 in Slate's look, with DEBUG on or off."""
    settings.DEBUG = debug
    producer.is_staff = producer.is_superuser = True
    producer.save()
    response = client_for(producer).get(url)
    assert response.status_code == 400
    assert SENTENCE in response.content
    assert b"Slate" in response.content


def test_a_nul_in_a_form_is_a_400_and_changes_nothing(client_for, producer, morn):
    """A comment with a NUL is refused before it reaches the task."""
    task = Task.objects.filter(project=morn).order_by("number").first()
    comments = task.comments.count()
    response = client_for(producer).post(
        reverse("task-comment", kwargs={"key": task.key}),
        {"body": "hello\x00there"},
        **HTMX,
    )
    assert response.status_code == 400
    assert SENTENCE in response.content
    assert task.comments.count() == comments
