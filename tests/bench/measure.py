"""Render Slate's pages in-process on one benchmark database; print JSON.

Run by the benchmark (tests/bench/run.py) as a child process with tests.bench.settings:
`python -m tests.bench.measure --repeat 20 --out FILE`. For each page and
user it counts the SQL queries (one pass under CaptureQueriesContext, which
slows queries down), then times `repeat` rounds of plain renders, every
page once a round. It also reports the
JS and CSS each page loads, the query plans of the task queries, and the task
keys the load run may move.
"""

import argparse
import gzip
import json
import logging
import re
import statistics
import time
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from production.models import Comment, Episode, Project, Task, User  # noqa: E402
from tests.bench.figures import percentile  # noqa: E402
from tests.bench.plans import explain  # noqa: E402
from tests.bench.urls import MINIMAL_URL  # noqa: E402
from tests.pages import HTMX  # noqa: E402

USERS = ("producer", "ap")
PROJECT = "MORN"


def pages(task_key: str, episode_url: str) -> list[tuple[str, str, dict]]:
    """The main pages as (name, URL, headers), each rendered as every user."""
    return [
        ("my work", "/", {}),
        ("productions", "/projects/", {}),
        ("board", f"/projects/{PROJECT}/", {}),
        # What the board's "Show more" link asks for with htmx.
        ("board more cards", f"/projects/{PROJECT}/more/?status=todo&page=2", HTMX),
        ("task list", f"/projects/{PROJECT}/tasks/", {}),
        ("task list by due", f"/projects/{PROJECT}/tasks/?sort=due", {}),
        ("task", f"/tasks/{task_key}/", {}),
        ("crew", f"/projects/{PROJECT}/crew/", {}),
        ("calendar", f"/projects/{PROJECT}/calendar/", {}),
        ("my calendar", "/calendar/", {}),
        ("episode", episode_url, {}),
        ("notifications", "/notifications/", {}),
    ]


# What an open page's live regions ask every few seconds (views/live.py):
# the bell, and a board and my work poll sent with the ETag of the answer
# before. Nothing changes during the run, so each of those is a 304.
BELL = "/notifications/bell/"
UNCHANGED_POLLS = [
    ("board poll unchanged", f"/projects/{PROJECT}/"),
    ("my work poll unchanged", "/"),
]


def polls(client: Client) -> list[tuple[str, str, dict]]:
    """The polls as (name, URL, headers), the ETags as `client`'s user gets them."""
    found = [("bell", BELL, HTMX)]
    for name, url in UNCHANGED_POLLS:
        # No ETag (a region that stopped sending one) shows as its 200.
        etag = client.get(url, **HTMX).get("ETag", "")
        found.append((name, url, {**HTMX, "HTTP_IF_NONE_MATCH": etag}))
    return found


def expected_status(headers: dict) -> int:
    return 304 if "HTTP_IF_NONE_MATCH" in headers else 200


ANONYMOUS_PAGES = [("login", "/accounts/login/"), ("admin login", "/admin/login/")]

# The pages whose task queries must find their rows through an index, with
# the filters and sorts people use (the task list's: status, assignee, due date).
PLAN_PAGES = [
    ("my work", "/"),
    ("board", f"/projects/{PROJECT}/"),
    ("board by assignee", f"/projects/{PROJECT}/?assignee={{ap}}"),
    ("task list", f"/projects/{PROJECT}/tasks/"),
    ("task list by status", f"/projects/{PROJECT}/tasks/?status=todo"),
    ("task list by due", f"/projects/{PROJECT}/tasks/?sort=due"),
    ("task list by assignee", f"/projects/{PROJECT}/tasks/?assignee={{ap}}"),
]

ASSET = re.compile(
    r"""<script\b[^>]*\bsrc="(?P<js>[^"]+)"|<link\b[^>]*\bhref="(?P<css>[^"]+\.css)\"""",
)


def warm_ups() -> int:
    """Renders of a page before it is timed: the templates loaded, the first
    connection made and, on PostgreSQL, the page's statements prepared, as
    a server that has run them a while has them (psycopg prepares one on
    the run after its `prepare_threshold`-th; before, each run is planned
    again, and the first user's rounds paid for the next user's too)."""
    threshold = connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold")
    return (
        max(2, threshold + 1) if connection.vendor == "postgresql" and threshold else 2
    )


def timed(client: Client, pages: list[tuple[str, dict]], repeat: int) -> list[dict]:
    """Status, size, query count and timings of each (URL, headers) in `pages`.

    Each page is warmed up and its queries counted, then `repeat` rounds
    render every page once each. Round by round rather than page by page:
    on a shared machine a burst of noise lasts about half a second, which
    would be a whole page's renders, and decide its median, if they ran
    back to back; spread over the rounds it costs each page a render or two.
    """
    rows = []
    for url, headers in pages:
        for _ in range(warm_ups()):
            client.get(url, **headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        rows.append(
            {
                "url": url,
                "status": response.status_code,
                # Count now: the next request clears the connection's query log.
                "queries": len(captured),
                "bytes": len(response.content),
                "gzip_bytes": len(gzip.compress(response.content, 6)),
                "html": response.content.decode(errors="replace")
                if response.status_code == 200
                else "",
            }
        )
    times = [[] for _ in pages]
    for _ in range(repeat):
        for (url, headers), mine in zip(pages, times, strict=True):
            start = time.perf_counter()
            client.get(url, **headers)
            mine.append((time.perf_counter() - start) * 1000)
    for row, mine in zip(rows, times, strict=True):
        row["median_ms"] = statistics.median(mine)
        row["p95_ms"] = percentile(mine, 0.95)
    return rows


def browser() -> Client:
    """A test client that reports a failing page as its 500, like a server."""
    return Client(raise_request_exception=False)


def static_file(url: str) -> Path | None:
    """The collected file behind a static URL, or None if it is not one."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    path = url.split("?", 1)[0]
    if not path.startswith(prefix):
        return None
    file = Path(settings.STATIC_ROOT) / path[len(prefix) :]
    return file if file.is_file() else None


def gzip_size(file: Path) -> int:
    """Bytes on the wire: whitenoise's .gz beside the file, or gzip -9 of it."""
    packed = file.with_name(file.name + ".gz")
    if packed.is_file():
        return packed.stat().st_size
    return len(gzip.compress(file.read_bytes(), 9))


def assets(html: str) -> dict:
    """The scripts and stylesheets a page loads, with their gzip sizes."""
    found = {"js": [], "css": []}
    for match in ASSET.finditer(html):
        kind = "js" if match.group("js") else "css"
        url = match.group(kind)
        file = static_file(url)
        found[kind].append(
            {
                "url": url,
                "bytes": file.stat().st_size if file else None,
                "gzip_bytes": gzip_size(file) if file else None,
            }
        )
    return found


def task_pools(project: Project) -> dict:
    """Keys the load run's crowd may move, split by who may move them."""
    pools = {}
    tasks = Task.objects.filter(project=project, archived=False)
    for key, status, assignee in tasks.values_list(
        "key", "status", "assignee__username"
    ).order_by("number"):
        pools.setdefault(f"{assignee}:{status}", []).append(key)
        pools.setdefault("all", []).append(key)
    return pools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--out", required=True)
    parser.add_argument("--episode", type=int, required=True)
    args = parser.parse_args()
    # A page that is not written yet answers 500; it is reported, not logged.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)

    project = Project.objects.get(code=PROJECT)
    ap = User.objects.get(username="ap")
    # The task page of a task with a discussion, seen by the producer and AP.
    commented = Comment.objects.filter(task__project=project, task__assignee=ap)
    task = (
        Task.objects.filter(pk__in=commented.values("task")).order_by("number").first()
        or Task.objects.filter(project=project, assignee=ap).order_by("number").first()
    )
    episode = Episode.objects.get(project=project, pk=args.episode)
    result = {
        "engine": connection.vendor,
        "tasks": Task.objects.filter(project=project, archived=False).count(),
        "task_key": task.key,
        "episode_url": episode.get_absolute_url(),
        "episode_tasks": episode.tasks.count(),
        "pages": [],
        "assets": {},
        "plans": [],
    }

    # The minimal view in a block of its own: the framework's floor, warm,
    # not the first request after a page that filled the caches.
    # Every page is compared with it, so it is timed five times as often
    # (it costs nothing): its median must not be the noisy part of a ratio.
    anonymous = browser()
    result["minimal"] = timed(anonymous, [(MINIMAL_URL, {})], 5 * args.repeat)[0]
    rows = timed(anonymous, [(url, {}) for _, url in ANONYMOUS_PAGES], args.repeat)
    for (name, _), row in zip(ANONYMOUS_PAGES, rows, strict=True):
        result["pages"].append({"page": name, "user": "anonymous", **row})

    for username in USERS:
        client = browser()
        client.force_login(User.objects.get(username=username))
        minimal = timed(client, [(MINIMAL_URL, {})], args.repeat)[0]
        result.setdefault("minimal_by_user", {})[username] = minimal
        named = pages(task.key, result["episode_url"])
        rows = timed(client, [(url, headers) for _, url, headers in named], args.repeat)
        # The polls' ETags only now: the task page has marked the AP's
        # notifications on it read, a change my work's poll rightly brings.
        polled = polls(client)
        rows += timed(client, [(url, h) for _, url, h in polled], args.repeat)
        for (name, _, headers), row in zip(named + polled, rows, strict=True):
            result["pages"].append(
                {
                    "page": name,
                    "user": username,
                    "expected": expected_status(headers),
                    **row,
                }
            )

    for row in result["pages"]:
        html = row.pop("html")
        # Whole pages only: an htmx fragment loads nothing of its own.
        whole = "<html" in html[:500].lower()
        if whole and row["page"] not in result["assets"]:
            result["assets"][row["page"]] = assets(html)
    result["minimal"].pop("html")
    for row in result["minimal_by_user"].values():
        row.pop("html")

    for username in USERS:
        client = browser()
        client.force_login(User.objects.get(username=username))
        for name, url in PLAN_PAGES:
            url = url.format(ap=ap.pk)
            for plan in explain(client, url):
                result["plans"].append({"page": name, "user": username, **plan})

    result["pools"] = task_pools(project)
    Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
