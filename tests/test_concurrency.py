"""No lost updates: racing edits are refused with what changed; a crowd loses nothing.

The first tests use two real clients (two sessions, each reading the form
as a browser would) on the same task. The last sends 30 people at once
through a running, threaded server over HTTP: each logs in through the
login form and posts a comment and a move on the same task. Every answer is
a success or a clear refusal, and the comments and the history add up.
The same file runs on PostgreSQL: `make test-postgres`.
"""

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from production.management.commands.seed_demo import PASSWORD
from production.models import Activity, Comment, CrewRole, Membership, Task, User
from tests.pages import HTMX

S = Task.Status


class FormReader(HTMLParser):
    """The fields of the forms on a page, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "fields": {}})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in values:
                    fields[name] = values.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields[name] = values.get("value", "")
        elif tag == "select" and name:
            self.select = name
            fields.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in values:
            fields[self.select] = values.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            fields = self.forms[-1]["fields"]
            # A textarea's content starts after one optional newline.
            text = fields[self.textarea] + data
            fields[self.textarea] = text[1:] if text.startswith("\n") else text


def form_on(html: str, action: str) -> dict:
    """The fields of the form posting to `action`, as they would be sent."""
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        if form["action"] == action:
            return dict(form["fields"])
    raise AssertionError(f"no form posting to {action}")


@pytest.fixture
def line_producer(morn, producer):
    """A second person on MORN who may edit tasks: a line producer."""
    user = User.objects.create_user(
        "lina", first_name="Lina", last_name="Park", password=PASSWORD
    )
    Membership.objects.create(
        user=user,
        project=morn,
        role=CrewRole.objects.get(project=None, name=CrewRole.LINE_PRODUCER),
        reports_to=producer,
    )
    return user


def test_second_edit_from_an_older_version_is_refused(
    client_for, producer, line_producer, ap, task_of
):
    """Two people edit one task; the later save is refused and names what changed."""
    task = task_of(ap, S.TODO)
    edit = reverse("task-edit", kwargs={"key": task.key})
    paula, lina = client_for(producer), client_for(line_producer)
    paulas_form = form_on(paula.get(edit).content.decode(), edit)
    linas_form = form_on(lina.get(edit).content.decode(), edit)
    assert paulas_form["version"] == linas_form["version"] == str(task.version)

    saved = paula.post(edit, paulas_form | {"title": "Cold open, Paula's cut"})
    assert saved.status_code == 302
    refused = lina.post(edit, linas_form | {"due_date": "2031-05-04"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "was changed by someone else" in page
    assert "Paula Reyes" in page and "Cold open, Paula&#x27;s cut" in page
    task.refresh_from_db()
    assert task.title == "Cold open, Paula's cut"
    assert str(task.due_date) != "2031-05-04"

    # The refusal keeps Lina's input with the new version: saving again is
    # her deliberate choice, recorded in the history like any other change.
    again = form_on(page, edit)
    assert again["due_date"] == "2031-05-04"
    assert again["version"] == str(task.version)
    assert lina.post(edit, again | {"title": task.title}).status_code == 302
    task.refresh_from_db()
    assert (task.title, str(task.due_date)) == ("Cold open, Paula's cut", "2031-05-04")
    changed = task.activities.filter(verb=Activity.Verb.CHANGED)
    assert set(changed.values_list("actor__username", "field")) == {
        ("producer", "title"),
        ("lina", "due_date"),
    }


def test_an_edit_made_before_a_move_is_refused(client_for, producer, ap, task_of):
    """The AP starts the task while the producer edits it: the edit is refused."""
    task = task_of(ap, S.TODO)
    edit = reverse("task-edit", kwargs={"key": task.key})
    move = reverse("task-move", kwargs={"key": task.key})
    paula, sam = client_for(producer), client_for(ap)
    paulas_form = form_on(paula.get(edit).content.decode(), edit)
    sams_start = form_on(
        sam.get(reverse("task-detail", kwargs={"key": task.key})).content.decode(),
        move,
    )
    assert sams_start["to"] == S.IN_PROGRESS

    assert sam.post(move, sams_start).status_code == 302
    refused = paula.post(edit, paulas_form | {"title": "Renamed meanwhile"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Sam Okafor moved it from To do to In progress" in page
    task.refresh_from_db()
    assert (task.status, task.title) == (
        S.IN_PROGRESS,
        task_of(ap, S.IN_PROGRESS).title,
    )
    assert task.title != "Renamed meanwhile"


def test_a_move_after_an_edit_keeps_the_edit(client_for, producer, ap, task_of):
    """A move clicked on a page loaded before an edit moves the task, keeping the edit."""
    task = task_of(ap, S.TODO)
    edit = reverse("task-edit", kwargs={"key": task.key})
    move = reverse("task-move", kwargs={"key": task.key})
    paula, sam = client_for(producer), client_for(ap)
    sams_start = form_on(
        sam.get(reverse("task-detail", kwargs={"key": task.key})).content.decode(),
        move,
    )
    paulas_form = form_on(paula.get(edit).content.decode(), edit)
    assert (
        paula.post(edit, paulas_form | {"title": "Tighter cold open"}).status_code
        == 302
    )
    assert sam.post(move, sams_start).status_code == 302
    task.refresh_from_db()
    assert (task.title, task.status) == ("Tighter cold open", S.IN_PROGRESS)


def test_two_decisions_on_one_review_only_the_first_counts(
    client_for, producer, line_producer, ap, task_of, morn
):
    """Approve and request changes clicked at once: the second is refused, not applied."""
    # Lina may not approve; make her a Producer, who may.
    Membership.objects.filter(user=line_producer, project=morn).update(
        role=CrewRole.objects.get(project=None, name=CrewRole.PRODUCER)
    )
    task = task_of(ap, S.REVIEW)
    move = reverse("task-move", kwargs={"key": task.key})
    detail = reverse("task-detail", kwargs={"key": task.key})
    paula, lina = client_for(producer), client_for(line_producer)
    paula_page, lina_page = paula.get(detail), lina.get(detail)
    assert "Approve" in paula_page.content.decode()
    assert "Request changes" in lina_page.content.decode()

    assert paula.post(move, {"to": S.DONE}).status_code == 302
    refused = lina.post(move, {"to": S.CHANGES, "note": "Trim the intro."})
    assert refused.status_code == 403
    assert "cannot go from Done to Changes requested" in refused.content.decode()
    task.refresh_from_db()
    assert task.status == S.DONE
    assert not task.activities.filter(new_value=S.CHANGES).exists()


def test_two_tabs_starting_the_same_task_move_it_once(client_for, ap, task_of):
    """Start clicked in two tabs: one move, one clear refusal, one history entry."""
    task = task_of(ap, S.TODO)
    move = reverse("task-move", kwargs={"key": task.key})
    first, second = client_for(ap), client_for(ap)
    assert first.post(move, {"to": S.IN_PROGRESS}).status_code == 302
    refused = second.post(move, {"to": S.IN_PROGRESS}, **HTMX)
    assert refused.status_code == 403
    assert "error-message" in refused.content.decode()
    assert task.activities.filter(verb=Activity.Verb.MOVED).count() == 1


# --- a crowd through a running server ---------------------------------------------


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's HTTP session with the live server: cookies, CSRF, no redirects."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects
        )

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def send(self, path: str, data: dict | None = None, **headers):
        """(status, body) of a GET, or of a POST when `data` is given."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers.setdefault("X-CSRFToken", self.cookie("csrftoken"))
        # Only ever the live server's http:// address.
        request = urllib.request.Request(  # noqa: S310
            self.base_url + path, data=body, headers=headers
        )
        try:
            with self.opener.open(request, timeout=90) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, username: str) -> None:
        login = reverse("login")
        status, page = self.send(login)
        assert status == 200
        fields = form_on(page, login)
        status, page = self.send(
            login, fields | {"username": username, "password": PASSWORD}
        )
        assert status == 302, page[:300]


# Who posts, and the moves they try on the task (an AP's To do task). Only
# some can succeed in any order; the rest must be clear refusals.
CROWD = (
    [("ap", [S.IN_PROGRESS, S.REVIEW])] * 8
    + [("ap", [S.IN_PROGRESS])] * 4
    + [("producer", [S.CHANGES, S.IN_PROGRESS])] * 4
    + [("producer", [S.DONE])] * 4
    + [("ap2", [S.REVIEW])] * 4
    + [("editor", [S.IN_PROGRESS])] * 3
    + [("writer", [S.DONE])] * 3
)
SUCCESS = {200, 204, 302}
REFUSAL = {400, 403, 409}


@pytest.mark.django_db(transaction=True)
def test_thirty_people_at_once_lose_nothing(live_server, demo, ap, task_of):
    """30 simultaneous comments and moves: no 500, no lock error, everything adds up."""
    assert len(CROWD) == 30
    # Django's test server listens with a backlog of 10 (gunicorn's is 2048):
    # 30 connections at once would be reset by the kernel before reaching
    # Slate. Listening again on the same socket widens the queue (Linux).
    live_server.thread.httpd.socket.listen(128)
    task = task_of(ap, S.TODO)
    start_version = task.version
    start_activities = task.activities.count()
    comment_path = reverse("task-comment", kwargs={"key": task.key})
    move_path = reverse("task-move", kwargs={"key": task.key})
    barrier = threading.Barrier(len(CROWD), timeout=120)
    results, failures = [], []
    lock = threading.Lock()

    def person(index: int, username: str, targets: list[str]):
        try:
            browser = Browser(live_server.url)
            browser.log_in(username)
            # htmx for every other person: partial answers race too.
            headers = {"HX-Request": "true"} if index % 2 else {}
            barrier.wait()
            body = f"Comment {index} from {username}"
            status, page = browser.send(comment_path, {"body": body}, **headers)
            with lock:
                results.append(("comment", username, body, status, page))
            for target in targets:
                data = {"to": target}
                if target == S.CHANGES:
                    data["note"] = f"Changes from person {index}"
                status, page = browser.send(move_path, data, **headers)
                with lock:
                    results.append(("move", username, target, status, page))
        except Exception as error:  # noqa: BLE001 - reported below, with its thread
            with lock:
                failures.append(f"person {index} ({username}): {error!r}")
            barrier.abort()

    threads = [
        threading.Thread(target=person, args=(index, username, targets))
        for index, (username, targets) in enumerate(CROWD)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)

    statuses = Counter(status for *_, status, _ in results)
    for kind, username, what, status, page in results:
        assert status < 500, f"{kind} {what} by {username}: {status}\n{page[:500]}"
        assert "database is locked" not in page
        assert status in SUCCESS | REFUSAL, (kind, what, status)
        if status in REFUSAL:
            # A refusal says why, in the element slate.js shows.
            assert "error-message" in page, (kind, what, status, page[:300])

    comments = [r for r in results if r[0] == "comment"]
    posted = {body for _, _, body, status, _ in comments if status in SUCCESS}
    assert len(posted) == len(CROWD), statuses
    stored = set(Comment.objects.filter(task=task).values_list("body", flat=True))
    assert posted <= stored
    assert Comment.objects.filter(task=task, body__startswith="Comment ").count() == 30

    moves = [r for r in results if r[0] == "move" and r[3] in SUCCESS]
    task.refresh_from_db()
    history = list(task.activities.order_by("task_version", "created_at", "id"))
    moved = [a for a in history if a.verb == Activity.Verb.MOVED]
    commented = [a for a in history if a.verb == Activity.Verb.COMMENTED]
    assert len(commented) == 30
    assert len(moved) == len(moves) >= 1
    assert len(history) == start_activities + 30 + len(moves)
    assert task.version == start_version + len(moves)
    # The moves form one unbroken chain from To do to where the task is now.
    chain = [S.TODO] + [a.new_value for a in moved]
    assert [a.old_value for a in moved] == chain[:-1]
    assert chain[-1] == task.status
    assert sorted(a.task_version for a in moved) == list(
        range(start_version + 1, task.version + 1)
    )


def test_the_form_reader_reads_like_a_browser():
    """Checked boxes, selected options and textareas are read as a browser sends them."""
    html = (
        '<form action="/x/"><input name="a" value="1"><input type="checkbox" name="b">'
        '<input type="checkbox" name="c" checked><select name="d"><option value="1">'
        '<option value="2" selected></select><textarea name="e">\nHello</textarea>'
        '<button type="submit" name="go">Go</button></form>'
    )
    assert form_on(html, "/x/") == {"a": "1", "c": "on", "d": "2", "e": "Hello"}


@pytest.mark.django_db
def test_client_sessions_are_separate(demo, client_for):
    """The two-client tests really are two people: each session is its own."""
    first, second = client_for(demo["producer"]), Client()
    assert first.get(reverse("my-work")).status_code == 200
    assert second.get(reverse("my-work")).status_code == 302
