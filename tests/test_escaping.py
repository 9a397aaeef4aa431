"""What people type is shown as text: a <script> in a comment is words, not code.

Titles, descriptions, comments, booking details and people's names carry
markup here, and every page that shows them (task page, board card, task
list, my work, calendar, crew), whole and as htmx fragments, must show it
escaped. So must the messages that echo input back, the CSV (no formulas)
and the iCal feed (no injected events).
"""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from production import ical, services
from production.models import CrewRole, Membership, Task, User
from tests.pages import HTMX

TITLE = '<script>alert("title")</script>'
DESCRIPTION = "<img src=x onerror=alert(1)> and <a href='javascript:alert(2)'>link</a>"
COMMENT = '"><svg onload=alert(3)><script>alert("comment")</script>'
GUEST = "<b onmouseover=alert(4)>Guest</b>"
NAME = '<script>alert("name")</script>'
# What must never appear raw in a page, and what shows it was kept as text.
RAW = [
    "<script>alert(",
    "<img src=x",
    "<svg onload",
    "<b onmouseover",
    "<a href='javascript:",
]
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture
def marked_up(morn, producer, ap):
    """A booking due today with markup everywhere, assigned to the AP; and Mallory."""
    mallory = User.objects.create_user("mallory", first_name=NAME)
    Membership.objects.create(
        user=mallory,
        project=morn,
        role=CrewRole.objects.get(project=None, name=CrewRole.EDITOR),
        reports_to=producer,
    )
    now = timezone.now()
    task = services.task_create(
        project=morn,
        by=producer,
        title=TITLE,
        kind=Task.Kind.BOOKING,
        description=DESCRIPTION,
        assignee=ap,
        due_date=timezone.localdate(),
        guest=GUEST,
        contact=GUEST,
        location=GUEST,
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
    )
    services.comment_add(task=task, by=producer, body=COMMENT)
    services.task_update(
        task=task, by=producer, version=task.version, title=TITLE + " v2"
    )
    other = services.task_create(
        project=morn, by=producer, title="Mallory's edit", assignee=mallory
    )
    return {"task": task, "other": other, "mallory": mallory}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_escaped(response, what, *, expect_text=True):
    assert response.status_code == 200, what
    body = response.content.decode()
    for raw in RAW:
        assert raw not in body, f"{what}: “{raw}” reached the page unescaped"
    if expect_text:
        assert ESCAPED in body, f"{what}: the typed markup is not shown as text"


@pytest.mark.parametrize("who", ["producer", "ap"])
def test_every_page_shows_markup_as_text(marked_up, demo, who):
    """Task page, board, task list, my work, calendars and crew escape what was typed."""
    client = as_user(demo[who])
    key = marked_up["task"].key
    pages = {
        "task page": reverse("task-detail", kwargs={"key": key}),
        "comments": reverse("task-detail", kwargs={"key": key}) + "?part=comments",
        "history": reverse("task-detail", kwargs={"key": key}) + "?part=history",
        "board": reverse("project-board", kwargs={"code": "MORN"}),
        "task list": reverse("task-list", kwargs={"code": "MORN"}),
        "calendar": reverse("project-calendar", kwargs={"code": "MORN"}),
        "crew": reverse("project-crew", kwargs={"code": "MORN"}),
        "my work": reverse("my-work"),
        "my calendar": reverse("my-calendar"),
    }
    for htmx in (False, True):
        headers = HTMX if htmx else {}
        for what, url in pages.items():
            # Each whole page shows the markup (the AP's my work lists the
            # task, the producer's Mallory); a fragment may not include it.
            assert_escaped(
                client.get(url, **headers),
                f"{what} (htmx={htmx})",
                expect_text=not htmx or what in ("comments", "history", "board"),
            )


def test_the_task_page_shows_each_field_as_typed(marked_up, producer):
    """The description, comment, guest and history read exactly as typed, as text."""
    key = marked_up["task"].key
    body = as_user(producer).get(reverse("task-detail", kwargs={"key": key}))
    text = body.content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&quot;&gt;&lt;svg onload=alert(3)&gt;" in text
    assert "&lt;b onmouseover=alert(4)&gt;Guest&lt;/b&gt;" in text
    # The history's "from … to …" of the title edit.
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; v2" in text


def test_edit_form_shows_markup_in_its_fields(marked_up, producer):
    """The edit form puts typed markup back into its inputs as text."""
    key = marked_up["task"].key
    response = as_user(producer).get(reverse("task-edit", kwargs={"key": key}))
    assert_escaped(response, "edit form")


def test_a_comment_added_with_htmx_comes_back_escaped(marked_up, ap):
    """The fragment returned after posting a comment shows its markup as text."""
    key = marked_up["task"].key
    response = as_user(ap).post(
        reverse("task-comment", kwargs={"key": key}),
        {"body": "<script>alert('new')</script>"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert('new')" not in body
    assert "&lt;script&gt;alert(&#x27;new&#x27;)" in body


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_errors_that_echo_input_escape_it(marked_up, producer, htmx):
    """A bad status, task key, filter or month echoed in a message stays text."""
    client = as_user(producer)
    headers = HTMX if htmx else {}
    key = marked_up["task"].key
    move = client.post(
        reverse("task-move", kwargs={"key": key}),
        {"to": "<script>alert('to')</script>"},
        **headers,
    )
    assert move.status_code in (400, 403)
    assert "<script>alert('to')" not in move.content.decode()
    bulk = client.post(
        reverse("task-bulk", kwargs={"code": "MORN"}),
        {"tasks": ["<script>alert('key')</script>"], "action": "move", "to": "done"},
        follow=True,
        **({} if not htmx else headers),
    )
    assert "<script>alert('key')" not in bulk.content.decode()
    for name, query in (
        ("project-board", {"q": "<script>alert('q')</script>"}),
        ("task-list", {"q": "<script>alert('q')</script>", "kind": "<script>"}),
        ("project-calendar", {"month": "<script>alert('m')"}),
    ):
        page = client.get(reverse(name, kwargs={"code": "MORN"}), query, **headers)
        assert page.status_code == 200
        body = page.content.decode()
        assert "<script>alert(" not in body, name


def test_csv_cells_never_start_a_formula(marked_up, producer, morn):
    """A title like =HYPERLINK(...) is exported as text, not run by a spreadsheet."""
    for title in ('=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"):
        services.task_create(project=morn, by=producer, title=title)
    response = as_user(producer).get(
        reverse("task-list", kwargs={"code": "MORN"}), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert TITLE + " v2" in cells  # plain text stays as typed


def test_the_ical_feed_cannot_be_given_extra_events(marked_up, morn, producer, ap):
    """A title with line breaks stays one event's summary in the calendar feed."""
    services.task_create(
        project=morn,
        by=producer,
        title="Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected",
        assignee=ap,
        due_date=timezone.localdate() + dt.timedelta(days=1),
    )
    token = ical.feed_token_reset(user=ap)
    response = Client().get(reverse("calendar-feed", kwargs={"token": token}))
    feed = Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]
    assert not any(summary.strip() == "Injected" for summary in summaries)
    assert any("Evil" in summary and "Injected" in summary for summary in summaries)
