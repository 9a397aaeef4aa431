"""How tests ask for pages: query counts, forms as a browser posts them, and
what a form with errors shows."""

import html
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from production.models import RunOfShow, RunOfShowLine

# The headers htmx sends with each of its requests, for the test client:
# client.get(url, **HTMX).
HTMX = {"HTTP_HX_REQUEST": "true"}


# URLs that only take POSTs: the page tests render every other URL, so a new
# one must be placed here or among the pages.
POST_ONLY = {
    "logout",
    "project-archive",
    "task-bulk",
    "crew-member",
    "crew-remove",
    "crew-leave",
    "calendar-token",
    "task-move",
    "task-comment",
    "task-restore",
    "notification-read",
    "notifications-read-all",
    "run-of-show-line-remove",
}
# One production's episodes and templates: their ids are looked up by
# episode_page_urls.
EPISODE_PAGES = {
    "episode-list",
    "episode-create",
    "episode-detail",
    "episode-edit",
    "episode-apply",
    "run-of-show-list",
    "run-of-show-detail",
    "run-of-show-line",
}


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


def error_summary(page: str) -> list[tuple[str | None, str]]:
    """The error summary at the top of a form (templates/_form_errors.html):
    each error as (the id of the field it links to, or None, its text)."""
    found = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    if found is None:
        return []
    errors = []
    for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S):
        link = re.search(r'<a href="#([^"]+)">', item)
        text = " ".join(re.sub(r"<[^>]+>", " ", item).split())
        errors.append((link and link.group(1), html.unescape(text)))
    return errors


def assert_marked(page: str, field_id: str, error: str) -> None:
    """The field with this id is marked invalid and described by its error."""
    control = re.search(
        rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', page
    )
    assert control, f"no field #{field_id}"
    assert 'aria-invalid="true"' in control.group(0), control.group(0)
    described = re.search(r'aria-describedby="([^"]*)"', control.group(0))
    assert described and f"{field_id}_error" in described.group(1).split()
    message = re.search(
        rf'<[a-z]+\b[^>]*\bid="{re.escape(field_id)}_error"[^>]*>(.*?)</(?:ul|p)>',
        page,
        re.S,
    )
    assert message, f"no #{field_id}_error"
    assert error in html.unescape(message.group(1)), message.group(1)


def episode_page_urls(morn) -> dict[str, str]:
    """An address for each of EPISODE_PAGES, on MORN."""
    template = RunOfShow.objects.create(project=morn, name="Private show")
    line = RunOfShowLine.objects.create(template=template, title="Duty", days_before=1)
    episode = morn.episodes.get(number=101)
    code = {"code": "MORN"}
    return {
        "episode-list": reverse("episode-list", kwargs=code),
        "episode-create": reverse("episode-create", kwargs=code),
        "episode-detail": episode.get_absolute_url(),
        "episode-edit": reverse("episode-edit", kwargs=code | {"pk": episode.pk}),
        "episode-apply": reverse("episode-apply", kwargs=code | {"pk": episode.pk})
        + f"?template={template.pk}",
        "run-of-show-list": reverse("run-of-show-list", kwargs=code),
        "run-of-show-detail": template.get_absolute_url(),
        "run-of-show-line": reverse(
            "run-of-show-line",
            kwargs=code | {"pk": template.pk, "line_pk": line.pk},
        ),
    }
