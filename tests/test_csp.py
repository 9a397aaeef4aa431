"""The Content-Security-Policy: on every response, and nothing on a page it would block.

Every page of the demo is rendered as the producer and as an AP, plain and
as htmx, in its ordinary states and its error states, and read with
html.parser: an inline <script> without the response's nonce, an inline
event handler, a `style=` attribute, an inline <style>, a `javascript:` URL
or an htmx attribute that needs eval would each be blocked (or, worse,
allowed by a weakened policy) and fail the test.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLResolver, reverse

from production import ical, services
from production.models import Task
from production.urls import urlpatterns
from tests.pages import HTMX, POST_ONLY, episode_page_urls

HEADER = "Content-Security-Policy"
NONCE = re.compile(r"'nonce-([^']+)'")
# Not HTML: the iCal feed (its header is still checked).
NOT_HTML = {"calendar-feed"}
# Script types that hold data, which the browser never runs.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy(response) -> dict[str, list[str]]:
    """The response's CSP header as {directive: [sources]}; fails when missing."""
    header = response.headers.get(HEADER)
    assert header, f"no {HEADER} header on {response.status_code} {response}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") or url.startswith("#")


class CspReader(HTMLParser):
    """Collects everything in a page that the policy would block."""

    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []
        self.in_data_script = False

    def problem(self, text):
        line, _ = self.getpos()
        self.problems.append(f"line {line}: {text}")

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problem(f"<{tag} {name}=…> inline event handler")
            if name == "style":
                self.problem(f"<{tag} style=“{value[:40]}”> inline style")
            if name.startswith(("hx-on", "data-hx-on")):
                self.problem(f"<{tag} {name}> needs eval, which the policy forbids")
            if name in {
                "hx-vals",
                "hx-headers",
                "data-hx-vals",
            } and value.strip().startswith(("js:", "javascript:")):
                self.problem(f"<{tag} {name}=“js:…”> needs eval")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and (
                value.strip().lower().startswith("javascript:")
            ):
                self.problem(f"<{tag} {name}=“javascript:…”>")
        if tag == "script":
            src = values.get("src")
            kind = (values.get("type") or "").lower()
            if src is not None:
                if not same_origin(src) and values.get("nonce") != self.nonce:
                    self.problem(f"<script src=“{src}”> from another origin")
            elif kind in DATA_SCRIPT_TYPES:
                self.in_data_script = True
            elif not self.nonce or values.get("nonce") != self.nonce:
                self.problem("inline <script> without the response's nonce")
        elif tag == "style":
            self.problem("inline <style> (style-src allows only our stylesheets)")
        elif tag == "link" and "stylesheet" in (values.get("rel") or "").split():
            if not same_origin(values.get("href") or ""):
                self.problem(f"stylesheet from another origin: {values.get('href')}")
        elif tag in {"iframe", "object", "embed", "frame"}:
            self.problem(f"<{tag}> (object-src and framing are off)")
        elif tag == "form" and values.get("action"):
            if not same_origin(values["action"]):
                self.problem(f"<form action=“{values['action']}”> off-site")
        elif tag == "img" and values.get("src"):
            if not (same_origin(values["src"]) or values["src"].startswith("data:")):
                self.problem(f"<img src=“{values['src']}”> from another origin")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_data_script = False


def csp_problems(response) -> list[str]:
    """What the response's own policy would block in its HTML."""
    directives = policy(response)
    scripts = directives.get("script-src", [])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in directives.get("style-src", [])
    nonces = NONCE.findall(" ".join(scripts))
    reader = CspReader(nonces[0] if nonces else None)
    reader.feed(response.content.decode())
    reader.close()
    return reader.problems


def assert_clean(response, what):
    assert response.status_code < 500, what
    problems = csp_problems(response)
    assert not problems, f"{what}: " + "; ".join(problems)


def test_the_policy_is_strict(demo, client_for, producer):
    """Scripts only from Slate or with a fresh nonce; no inline styles, no framing."""
    client = client_for(producer)
    first, second = (policy(client.get(reverse("my-work"))) for _ in range(2))
    assert first["default-src"] == ["'self'"]
    assert first["object-src"] == ["'none'"]
    assert first["frame-ancestors"] == ["'none'"]
    assert first["style-src"] == ["'self'"]
    assert NONCE.findall(" ".join(first["script-src"])) != NONCE.findall(
        " ".join(second["script-src"])
    ), "the nonce must change with every response"


@pytest.fixture
def pages(demo, morn):
    """Every GET page of the project, by URL name, with example addresses."""
    keys = list(
        Task.objects.filter(project=morn)
        .order_by("number")
        .values_list("key", flat=True)
    )
    board = reverse("project-board", kwargs={"code": "MORN"})
    # A mention: links in a comment, and notifications on the crew's pages.
    services.comment_add(
        task=Task.objects.get(key=keys[0]),
        by=demo["producer"],
        body="Over to you, @ap and @editor.",
    )
    return {
        "login": [reverse("login")],
        "admin/": [reverse("admin:login")],
        "my-work": [reverse("my-work")],
        "project-list": [reverse("project-list")],
        "project-create": [reverse("project-create")],
        "project-board": [
            board,
            board + "?kind=booking&q=book",
            board + "?status=todo&page=2",
            board + "?assignee=nobody&priority=9",
        ],
        # Show more: the next cards with htmx, the board without.
        "board-more": [
            reverse("board-more", kwargs={"code": "MORN"}) + "?status=todo&page=2",
            reverse("board-more", kwargs={"code": "MORN"}) + "?status=todo&page=x",
        ],
        "task-list": [
            reverse("task-list", kwargs={"code": "MORN"}),
            reverse("task-list", kwargs={"code": "MORN"}) + "?sort=-due&page=2",
            reverse("task-list", kwargs={"code": "MORN"}) + "?kind=nonsense",
        ],
        "task-create": [reverse("task-create", kwargs={"code": "MORN"})],
        "project-crew": [reverse("project-crew", kwargs={"code": "MORN"})],
        "crew-search": [reverse("crew-search", kwargs={"code": "MORN"}) + "?q=olive"],
        "profile": [reverse("profile")],
        "project-calendar": [
            reverse("project-calendar", kwargs={"code": "MORN"}),
            reverse("project-calendar", kwargs={"code": "MORN"}) + "?month=2026-13",
        ],
        "my-calendar": [reverse("my-calendar")],
        "calendar-feed": [
            reverse("calendar-feed", kwargs={"token": ical.feed_token_reset(user=user)})
            for user in (demo["ap"],)
        ],
        "task-detail": [reverse("task-detail", kwargs={"key": key}) for key in keys]
        + [reverse("task-detail", kwargs={"key": keys[0]}) + "?part=comments"]
        + [reverse("task-detail", kwargs={"key": keys[0]}) + "?part=history"]
        + [reverse("task-detail", kwargs={"key": keys[0]}) + "?part=description"],
        "task-edit": [reverse("task-edit", kwargs={"key": key}) for key in keys[:6]],
        "task-archive": [reverse("task-archive", kwargs={"key": keys[0]})],
        "archived-tasks": [
            reverse("archived-tasks", kwargs={"code": "MORN"}),
            reverse("archived-tasks", kwargs={"code": "MORN"}) + "?page=x",
        ],
        **{name: [address] for name, address in episode_page_urls(morn).items()},
        "notifications": [
            reverse("notifications"),
            reverse("notifications") + "?page=x",
        ],
        "notification-settings": [reverse("notification-settings")],
        "notification-bell": [reverse("notification-bell")],
    }


def test_every_get_page_is_rendered_here(pages):
    """A new page without an entry in this test fails, so it is CSP-checked too."""
    names = {
        str(p.pattern) if isinstance(p, URLResolver) else p.name for p in urlpatterns
    }
    assert names - POST_ONLY == set(pages)


@pytest.mark.parametrize("who", ["producer", "ap", "ap2", "editor"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_page_obeys_the_policy(pages, demo, who, htmx):
    """No page, whole or partial, carries anything the policy would block."""
    client = Client()
    client.force_login(demo[who])
    headers = HTMX if htmx else {}
    for name, urls in pages.items():
        for url in urls:
            response = client.get(url, **headers)
            if name in NOT_HTML:
                policy(response)
                continue
            assert_clean(response, f"{who} {url}")


def test_anonymous_pages_obey_the_policy(pages):
    """The login page, the admin's login and the redirects carry the policy too."""
    client = Client()
    for url in (reverse("login"), reverse("admin:login")):
        assert_clean(client.get(url), url)
    for url in (reverse("my-work"), pages["project-board"][0]):
        response = client.get(url)
        assert response.status_code == 302
        policy(response)


def test_error_and_form_states_obey_the_policy(demo, morn, client_for, task_of):
    """403, 404, 405, 400, 409, form errors and messages obey the policy."""
    producer, ap, outsider = demo["producer"], demo["ap"], demo["outsider"]
    todo = task_of(ap, Task.Status.TODO)
    review = task_of(ap, Task.Status.REVIEW)
    move = reverse("task-move", kwargs={"key": todo.key})
    edit = reverse("task-edit", kwargs={"key": todo.key})
    for htmx in (False, True):
        headers = HTMX if htmx else {}
        as_producer, as_ap = client_for(producer), client_for(ap)
        responses = {
            "403 refused move": as_producer.post(
                move, {"to": "in_progress"}, **headers
            ),
            "403 edit by an AP": as_ap.get(edit, **headers),
            "404 outsider": client_for(outsider).get(
                reverse("project-board", kwargs={"code": "MORN"}), **headers
            ),
            "404 unknown task": as_ap.get(
                reverse("task-detail", kwargs={"key": "MORN-9999"}), **headers
            ),
            "405": as_ap.get(move, **headers),
            "400 note missing": as_producer.post(
                reverse("task-move", kwargs={"key": review.key}),
                {"to": "changes"},
                **headers,
            ),
            "400 empty comment": as_ap.post(
                reverse("task-comment", kwargs={"key": todo.key}),
                {"body": "  "},
                **headers,
            ),
            "form errors": as_producer.post(
                edit, {"title": "", "version": todo.version}, **headers
            ),
            "bad project": as_producer.post(
                reverse("project-create"), {"code": "no"}, **headers
            ),
            "bad crew add": as_producer.post(
                reverse("project-crew", kwargs={"code": "MORN"}),
                {"user": "nobody-here"},
                **headers,
            ),
        }
        # A stale edit: saved once from version 1, then again from version 1.
        data = {
            "title": "Once",
            "kind": todo.kind,
            "priority": todo.priority,
            "version": todo.version,
        }
        as_producer.post(edit, data)
        responses["409 stale edit"] = as_producer.post(
            edit, data | {"title": "Twice"}, **headers
        )
        # Messages after a redirect: a bulk summary with refusals.
        as_producer.post(
            reverse("task-bulk", kwargs={"code": "MORN"}),
            {"tasks": [todo.key, "MORN-9999"], "action": "move", "to": "done"},
        )
        responses["bulk summary"] = as_producer.get(
            reverse("task-list", kwargs={"code": "MORN"})
        )
        for what, response in responses.items():
            assert_clean(response, f"{what} ({'htmx' if htmx else 'plain'})")


def test_the_lockout_page_obeys_the_policy(demo):
    """The page shown after too many wrong passwords carries the policy too."""
    client = Client()
    for _ in range(5):
        response = client.post(
            reverse("login"),
            {"username": "ap", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
        )
    assert response.status_code == 429
    assert_clean(response, "lockout")


def test_the_checker_catches_what_the_policy_blocks():
    """The reader is not vacuous: each kind of blocked markup is reported."""
    page = (
        "<script>alert(1)</script>"
        '<script nonce="abc">ok()</script>'
        '<script nonce="abc" type="application/json">{"a": 1}</script>'
        '<button onclick="go()">Go</button>'
        '<p style="color:red">Red</p>'
        "<style>p{}</style>"
        '<a href="javascript:go()">Go</a>'
        '<div hx-on:click="go()"></div>'
        '<script src="https://cdn.example/htmx.js"></script>'
        '<script src="/static/slate/slate.js"></script>'
    )
    reader = CspReader("abc")
    reader.feed(page)
    assert len(reader.problems) == 7, reader.problems
