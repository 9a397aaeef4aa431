"""How tests ask for pages: query counts, and forms as a browser posts them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


def count_queries(client, url, data=None, **headers) -> int:
    """The SQL queries one GET of `url` costs; the page must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data, **headers)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


def edit_data(task, **changes):
    """The edit form as the browser would post it, unchanged but for `changes`."""
    zone = task.project.tzinfo
    slot = {
        name: timezone.localtime(value, zone).strftime("%Y-%m-%dT%H:%M")
        for name in ("starts_at", "ends_at")
        if (value := getattr(task, name))
    }
    data = {
        "version": task.version,
        "title": task.title,
        "kind": task.kind,
        "description": task.description,
        "priority": task.priority,
        "assignee": task.assignee_id or "",
        "reviewer": task.reviewer_id or "",
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "episode": task.episode_id or "",
        "guest": task.guest,
        "contact": task.contact,
        "starts_at": slot.get("starts_at", ""),
        "ends_at": slot.get("ends_at", ""),
        "location": task.location,
        "confirmed": "on" if task.confirmed else "",
    }
    data.update(changes)
    if not data["confirmed"]:
        del data["confirmed"]
    return data
