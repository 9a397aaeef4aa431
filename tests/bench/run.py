"""The benchmark run: build throw-away databases, measure, load, report.

`python -m tests.bench` (cli.py) calls `benchmark()`. Every database it uses is made
here and removed at the end: SQLite files in a temp dir or, when
DATABASE_URL points at PostgreSQL, new databases on that server (never the
one DATABASE_URL names). The work that needs Django on those databases runs
in child processes with tests.bench.settings; this process only drives them.
"""

import http.client
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import django

from production.management.commands.seed_demo import (
    MORN_BOOKINGS,
    MORN_TASKS,
    PASSWORD,
    WEEKDAY_EPISODES,
    WEEKDAY_SHOW,
)
from tests.bench import load
from tests.bench.plans import INDEX_SEARCH, INDEX_WALK, TABLE_SCAN
from tests.bench.urls import MINIMAL_URL, WORKER_URL

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT = "MORN"
BOARD = f"/projects/{PROJECT}/"
# seed_demo's own MORN tasks; the rest of each size is generated.
DEMO_TASKS = (
    len(MORN_TASKS) + len(MORN_BOOKINGS) + len(WEEKDAY_SHOW) * len(WEEKDAY_EPISODES)
)
PORTS = range(8150, 8160)
# gunicorn for the load run, as a 2-core machine would run Slate.
WORKERS, THREADS = 2, 4

# The limits of the issue, checked on every run.
MAX_QUERIES = 15
MAX_GROWTH = 1.5
MAX_BOARD_HTML = 100 * 1024
MAX_JS_GZIP = 25 * 1024
MAX_CSS_GZIP = 15 * 1024
MIN_BOARD_SHARE = 1 / 40
MAX_LOAD_EVENT_MS = 1000
ONE_YEAR = 365 * 24 * 60 * 60
# Pages whose query count must not grow with the production (the issue's
# list). Every page, the show-more fragment too, stays within MAX_QUERIES.
FLAT_PAGES = ("my work", "board", "task list", "task", "crew", "calendar")
# What open pages ask every few seconds: their cost must not grow either.
POLL_PAGES = ("bell", "board poll unchanged", "my work poll unchanged")


class BenchmarkFailed(Exception):
    """A step of the benchmark itself broke (not a figure over its limit)."""


@dataclass
class Options:
    sizes: list[int] = field(default_factory=lambda: [50, 5000])
    repeat: int = 20
    load_seconds: float = 15.0
    load_requests: int = 5000
    clients: int = 8
    browser_runs: int = 5
    port: int | None = None
    json_path: str | None = None
    keep: bool = False
    sqlite: bool = False


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


class Printer:
    def __init__(self, write):
        self.write = write
        self.started = time.monotonic()

    def __call__(self, text: str = "") -> None:
        self.write(text + "\n")

    def step(self, text: str) -> None:
        """A progress line, stamped with the seconds since the start."""
        self(f"[{time.monotonic() - self.started:4.0f} s] {text}")

    def table(self, header: list[str], rows: list[list], right_from: int = 1):
        cells = [[str(cell) for cell in row] for row in [header, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        for n, row in enumerate(cells):
            line = "  ".join(
                cell.rjust(widths[i]) if i >= right_from else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            )
            self(line.rstrip())
            if n == 0:
                self("  ".join("-" * width for width in widths))


# --- databases --------------------------------------------------------------------


class Databases:
    """Throw-away benchmark databases: SQLite files, or PostgreSQL databases."""

    def __init__(self, tmp: Path, server_url: str | None):
        self.tmp = tmp
        self.server_url = server_url
        self.created: list[str] = []

    @property
    def engine(self) -> str:
        return "PostgreSQL" if self.server_url else "SQLite"

    def new(self, size: int) -> str:
        if not self.server_url:
            return str(self.tmp / f"bench-{size}.sqlite3")
        import psycopg

        name = f"slate_bench_{size}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.server_url, autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return urlsplit(self.server_url)._replace(path="/" + name).geturl()

    def drop_all(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as server:
            for name in self.created:
                server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


def child_env(database: str, static_root: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        SLATE_BENCH_DB=database,
        SLATE_BENCH_STATIC=str(static_root),
        PYTHONUNBUFFERED="1",
    )
    return env


def child(args: list[str], env: dict, what: str) -> str:
    """Run `python ARGS` in the project directory; its stdout, or a clear failure."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkFailed(
            f"{what} failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
        )
    return done.stdout


# --- the load run -----------------------------------------------------------------


def free_port(wanted: int | None) -> int:
    for port in [wanted] if wanted else PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise BenchmarkFailed(f"No free port in {PORTS.start}-{PORTS.stop - 1}.")


class Gunicorn:
    """Slate under gunicorn on the loopback, as production would run it."""

    def __init__(self, env: dict, port: int, log: Path):
        self.port = port
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
                "tests.bench.wsgi",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkFailed(f"gunicorn stopped:\n{self.log.read_text()}")
            probe = load.Session("127.0.0.1", self.port)
            try:
                status, _, _ = probe.request("GET", MINIMAL_URL)
                if status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                probe.close()
            time.sleep(0.2)
        raise BenchmarkFailed("gunicorn did not answer within 30 seconds.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


def asset_files(run: dict) -> dict[str, dict]:
    """Every script and stylesheet of the run's pages, by URL."""
    return {
        a["url"]: a
        for found in run["assets"].values()
        for kind in ("js", "css")
        for a in found[kind]
    }


def static_headers(port: int, urls: list[str]) -> list[dict]:
    """How whitenoise serves each file: compressed? cached for how long?"""
    session = load.Session("127.0.0.1", port)
    found = []
    for url in urls:
        status, body, headers = session.request("GET", url)
        found.append(
            {
                "url": url,
                "status": status,
                "encoding": headers.get("Content-Encoding", ""),
                "cache": headers.get("Cache-Control", ""),
                "bytes": len(body),
            }
        )
    session.close()
    return found


def max_age(cache_control: str) -> int:
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age" and value.isdigit():
            return int(value)
    return 0


def load_phases(port: int, options: Options, pools: dict, print_) -> list[dict]:
    """The minimal view, the board alone, then the mixed crowd, in turn."""
    host, n = "127.0.0.1", options.clients
    producers = max(1, n // 4)

    def reading(label, url):
        return lambda: load.readers(
            host,
            port,
            password=PASSWORD,
            username="producer",
            label=label,
            url=url,
            count=n,
        )

    plan = [
        ("minimal view", reading("minimal", MINIMAL_URL)),
        ("board alone", reading("board", BOARD)),
        (
            "mixed crowd",
            lambda: load.crowd(
                host,
                port,
                password=PASSWORD,
                pools=pools,
                project=PROJECT,
                producers=producers,
                aps=max(1, n - producers),
            ),
        ),
    ]
    phases = []
    for name, make in plan:
        users = make()
        split = load.spread(users, workers=WORKERS, url=WORKER_URL)
        budget = load.Budget(options.load_seconds, options.load_requests)
        result = load.run_phase(name, users, budget)
        for user in users:
            user.session.close()
        phases.append(result.as_dict() | {"clients_per_worker": split})
        print_.step(
            f"{name}: {result.requests} requests in {result.seconds:.1f} s, "
            f"{result.errors} errors (clients per worker: "
            f"{', '.join(map(str, split))})"
        )
    return phases


def browser_run(env: dict, options: Options, port: int, paths: list[str]) -> list:
    """Chromium's load-event times of each page, in one browser session."""
    pages = [arg for path in paths for arg in ("--path", path)]
    output = child(
        [
            "-m",
            "tests.bench.browser",
            "--base",
            f"http://127.0.0.1:{port}",
            *pages,
            "--password",
            PASSWORD,
            "--runs",
            str(options.browser_runs),
        ],
        env,
        "The browser timing",
    )
    return json.loads(output)


# --- the report -------------------------------------------------------------------


def kb(size: float) -> str:
    return f"{size / 1024:.1f}"


def render_table(print_, runs: dict[int, dict]) -> None:
    header = ["page", "user", "tasks", "queries", "median ms", "p95 ms"]
    header += ["HTML KB", "x minimal"]
    rows = []
    for run in runs.values():
        minimal = run["minimal"]["median_ms"]
        rows.append(
            [
                "minimal view",
                "anonymous",
                run["tasks"],
                run["minimal"]["queries"],
                f"{minimal:.2f}",
                f"{run['minimal']['p95_ms']:.2f}",
                kb(run["minimal"]["bytes"]),
                "1.0",
            ]
        )
        for row in run["pages"]:
            if not answered(row):
                rows.append(
                    [row["page"], row["user"], run["tasks"], f"HTTP {row['status']}"]
                    + ["-"] * 4
                )
                continue
            rows.append(
                [
                    row["page"],
                    row["user"],
                    run["tasks"],
                    row["queries"],
                    f"{row['median_ms']:.1f}",
                    f"{row['p95_ms']:.1f}",
                    kb(row["bytes"]),
                    f"{row['median_ms'] / minimal:.0f}",
                ]
            )
    print_.table(header, rows, right_from=2)


def growth_table(print_, runs: dict[int, dict]) -> None:
    small, big = runs[min(runs)], runs[max(runs)]
    rows = []
    for many in big["pages"]:
        few = page_row(small, many["page"], many["user"])
        if not few or not answered(few) or not answered(many):
            continue
        rows.append(
            [
                many["page"],
                many["user"],
                few["queries"],
                many["queries"],
                f"x{many['median_ms'] / few['median_ms']:.1f}",
                # An unchanged poll's 304 has no body.
                f"x{many['bytes'] / few['bytes']:.1f}" if few["bytes"] else "-",
            ]
        )
    print_.table(
        [
            "page",
            "user",
            f"queries at {small['tasks']}",
            f"at {big['tasks']}",
            "median time",
            "HTML size",
        ],
        rows,
        right_from=2,
    )


def answered(row: dict) -> bool:
    """The page answered as it should: 200, or 304 for an unchanged poll."""
    return row["status"] == row.get("expected", 200)


def page_row(run: dict, page: str, user: str) -> dict | None:
    for row in run["pages"]:
        if row["page"] == page and row["user"] == user:
            return row
    return None


def flat_checks(runs: dict[int, dict]) -> list[Check]:
    small, big = runs[min(runs)], runs[max(runs)]
    checks = []
    for page in FLAT_PAGES + POLL_PAGES:
        for user in ("producer", "ap"):
            few, many = page_row(small, page, user), page_row(big, page, user)
            name = f"flat queries: {page} as {user}"
            if not few or not many or not answered(few) or not answered(many):
                status = (many or few or {}).get("status", "missing")
                checks.append(Check(name, False, f"page answers HTTP {status}"))
                continue
            ok = few["queries"] == many["queries"] <= MAX_QUERIES
            checks.append(
                Check(
                    name,
                    ok,
                    f"{few['queries']} queries at {small['tasks']} tasks, "
                    f"{many['queries']} at {big['tasks']} (at most {MAX_QUERIES})",
                )
            )
    return checks


def budget_checks(runs: dict[int, dict]) -> list[Check]:
    big = runs[max(runs)]
    over = [
        f"{row['page']} as {row['user']} ({row['queries']})"
        for row in big["pages"]
        if answered(row) and row["queries"] > MAX_QUERIES
    ]
    within = sum(answered(row) for row in big["pages"])
    return [
        Check(
            f"query budget of every page at {big['tasks']} tasks",
            not over,
            f"{within} pages and fragments within {MAX_QUERIES} queries"
            if not over
            else f"over {MAX_QUERIES}: {', '.join(over)}",
        )
    ]


def board_checks(runs: dict[int, dict]) -> list[Check]:
    small, big = runs[min(runs)], runs[max(runs)]
    checks = []
    for user in ("producer", "ap"):
        few, many = page_row(small, "board", user), page_row(big, "board", user)
        if not few or not many or few["status"] != 200 or many["status"] != 200:
            checks.append(Check(f"board grows lightly as {user}", False, "no board"))
            continue
        html = many["bytes"] / few["bytes"]
        # Decided on the plain times; each is also shown as a multiple of the
        # minimal view of its own run, which tells a busy machine during one
        # of the two runs from a board that grew slower.
        slow_few = few["median_ms"] / small["minimal"]["median_ms"]
        slow_many = many["median_ms"] / big["minimal"]["median_ms"]
        time_ratio = many["median_ms"] / few["median_ms"]
        checks.append(
            Check(
                f"board HTML at {big['tasks']} vs {small['tasks']} tasks as {user}",
                html <= MAX_GROWTH,
                f"{kb(many['bytes'])} KB vs {kb(few['bytes'])} KB: "
                f"x{html:.2f} (at most x{MAX_GROWTH})",
            )
        )
        checks.append(
            Check(
                f"board time at {big['tasks']} vs {small['tasks']} tasks as {user}",
                time_ratio <= MAX_GROWTH,
                f"{many['median_ms']:.1f} ms vs {few['median_ms']:.1f} ms: "
                f"x{time_ratio:.2f}; against the minimal view "
                f"x{slow_many / slow_few:.2f} (at most x{MAX_GROWTH})",
            )
        )
        checks.append(
            Check(
                f"board HTML at {big['tasks']} tasks as {user}",
                many["bytes"] <= MAX_BOARD_HTML,
                f"{kb(many['bytes'])} KB (at most {kb(MAX_BOARD_HTML)} KB)",
            )
        )
    return checks


def asset_checks(print_, run: dict) -> list[Check]:
    rows, worst = [], {"js": 0, "css": 0}
    for page, found in run["assets"].items():
        sizes = {}
        for kind in ("js", "css"):
            missing = [a["url"] for a in found[kind] if a["gzip_bytes"] is None]
            if missing:
                sizes[kind] = None
                continue
            sizes[kind] = sum(a["gzip_bytes"] for a in found[kind])
            worst[kind] = max(worst[kind], sizes[kind])
        rows.append(
            [
                page,
                len(found["js"]),
                kb(sizes["js"]) if sizes["js"] is not None else "missing",
                len(found["css"]),
                kb(sizes["css"]) if sizes["css"] is not None else "missing",
            ]
        )
    print_.table(["page", "scripts", "JS KB gz", "stylesheets", "CSS KB gz"], rows)
    files = asset_files(run)
    print_()
    print_.table(
        ["file", "KB", "KB gzip"],
        [
            [url, kb(a["bytes"] or 0), kb(a["gzip_bytes"] or 0)]
            for url, a in sorted(files.items())
        ],
    )
    missing = [url for url, a in files.items() if a["gzip_bytes"] is None]
    return [
        Check(
            "JavaScript a page loads, gzip",
            worst["js"] <= MAX_JS_GZIP and not missing and bool(files),
            f"{kb(worst['js'])} KB at most per page (limit {kb(MAX_JS_GZIP)} KB)"
            + (f"; not collected: {', '.join(missing)}" if missing else ""),
        ),
        Check(
            "CSS a page loads, gzip",
            worst["css"] <= MAX_CSS_GZIP and not missing and bool(files),
            f"{kb(worst['css'])} KB at most per page (limit {kb(MAX_CSS_GZIP)} KB)",
        ),
    ]


def plan_checks(print_, run: dict, verbose: bool) -> list[Check]:
    rows, checks, shown = [], [], set()
    by_page: dict[str, list[dict]] = {}
    for plan in run["plans"]:
        by_page.setdefault(plan["page"], []).append(plan)
    for page, plans in by_page.items():
        if any(plan["status"] != 200 for plan in plans):
            checks.append(
                Check(
                    f"indexes: {page}", False, f"page answers HTTP {plans[0]['status']}"
                )
            )
            continue
        verdicts = [plan["verdict"] for plan in plans]
        counts = {v: verdicts.count(v) for v in (INDEX_SEARCH, INDEX_WALK, TABLE_SCAN)}
        rows.append(
            [
                page,
                len(plans),
                counts[INDEX_SEARCH],
                counts[INDEX_WALK],
                counts[TABLE_SCAN],
                sum(plan["sorts"] for plan in plans),
            ]
        )
        checks.append(
            Check(
                f"indexes: {page}",
                counts[TABLE_SCAN] == 0,
                f"{len(plans)} task queries: {counts[INDEX_SEARCH]} index searches, "
                f"{counts[INDEX_WALK]} whole-index scans, "
                f"{counts[TABLE_SCAN]} table scans",
            )
        )
    print_.table(
        [
            "page (both users)",
            "task queries",
            "index search",
            "whole index",
            "table scan",
            "then sorted",
        ],
        rows,
    )
    for plan in run["plans"]:
        if plan["status"] != 200 or plan["sql"] in shown:
            continue
        if plan["verdict"] == INDEX_SEARCH and not verbose:
            continue
        shown.add(plan["sql"])
        print_()
        print_(f"{plan['page']} ({plan['verdict']}): {plan['sql'][:300]}")
        for line in plan["plan"]:
            print_(f"    {line}")
    return checks


def load_table(print_, phases: list[dict]) -> list[Check]:
    minimal = next(p for p in phases if p["name"] == "minimal view")["throughput"]
    rows = []
    for p in phases:
        rows.append(
            [
                p["name"],
                p["requests"],
                f"{p['seconds']:.1f}",
                f"{p['throughput']:.1f}",
                f"{p['p50_ms']:.1f}",
                f"{p['p95_ms']:.1f}",
                f"{p['p99_ms']:.1f}",
                p["errors"],
                p["refusals"],
                f"1/{minimal / p['throughput']:.1f}" if p["throughput"] else "-",
            ]
        )
    print_.table(
        ["phase", "requests", "s", "req/s", "p50 ms", "p95 ms", "p99 ms"]
        + ["errors", "refusals", "of minimal"],
        rows,
    )
    for p in phases:
        if p["name"] == "mixed crowd":
            mix = ", ".join(f"{k} {v}" for k, v in sorted(p["by_label"].items()))
            print_(f"  mixed crowd requests: {mix}")
        for failure in p["failures"]:
            print_(f"  {p['name']}: {failure}")
    board = next(p for p in phases if p["name"] == "board alone")["throughput"]
    errors = sum(p["errors"] for p in phases)
    refusals = sum(p["refusals"] for p in phases)
    return [
        Check(
            "load run errors",
            errors == 0,
            f"{errors} errors, {refusals} refusals in "
            f"{sum(p['requests'] for p in phases)} requests",
        ),
        Check(
            "board throughput vs minimal view",
            board >= minimal * MIN_BOARD_SHARE,
            f"{board:.1f} vs {minimal:.1f} req/s: 1/{minimal / board:.1f} "
            f"(at least 1/{round(1 / MIN_BOARD_SHARE)})"
            if board
            else "the board served nothing",
        ),
    ]


def static_checks(print_, found: list[dict], run: dict) -> list[Check]:
    sizes = asset_files(run)

    def worth_compressing(url: str) -> bool:
        # whitenoise keeps a compressed copy only when it saves over 5%.
        size = sizes.get(url) or {}
        return bool(size.get("bytes")) and size["gzip_bytes"] <= 0.95 * size["bytes"]

    print_.table(
        ["file", "status", "encoding", "Cache-Control"],
        [[f["url"], f["status"], f["encoding"] or "none", f["cache"]] for f in found],
    )
    compressed = [
        f
        for f in found
        if f["encoding"] in ("gzip", "br") or not worth_compressing(f["url"])
    ]
    cached = [f for f in found if max_age(f["cache"]) >= ONE_YEAR]
    return [
        Check(
            "static files compressed by whitenoise",
            bool(found) and len(compressed) == len(found),
            f"{len(compressed)} of {len(found)} served gzip or brotli "
            "(or too small to gain from it)",
        ),
        Check(
            "static files cached for a year",
            bool(found) and len(cached) == len(found),
            f"{len(cached)} of {len(found)} with max-age of a year or more",
        ),
    ]


def browser_checks(print_, results: list[dict]) -> list[Check]:
    print_.table(
        ["page", "HTTP", "first load ms", "later loads ms (median)", "slowest ms"],
        [
            [
                r["path"],
                ",".join(str(s) for s in sorted(set(r["statuses"]))),
                f"{r['cold_ms']:.0f}",
                f"{r['warm_ms']:.0f}",
                f"{r['max_ms']:.0f}",
            ]
            for r in results
        ],
    )
    checks = []
    for r in results:
        for error in r["errors"]:
            print_(f"  {r['path']}: browser error: {error}")
        checks.append(
            Check(
                f"browser load event: {r['path']}",
                r["max_ms"] < MAX_LOAD_EVENT_MS and set(r["statuses"]) == {200},
                f"slowest of {len(r['times_ms'])} loads {r['max_ms']:.0f} ms "
                f"(under {MAX_LOAD_EVENT_MS} ms)",
            )
        )
    return checks


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


# --- the whole run ----------------------------------------------------------------


def benchmark(
    options: Options, write, *, load_run_on: bool, browser_on: bool, verbose: bool
) -> list[Check]:
    """Run everything, print the report through `write`; the checks made."""
    print_ = Printer(write)
    server_url = os.environ.get("DATABASE_URL", "")
    if options.sqlite or not server_url.startswith(("postgres://", "postgresql://")):
        server_url = None
    tmp = Path(tempfile.mkdtemp(prefix="slate-bench-"))
    databases = Databases(tmp, server_url)
    report: dict = {"machine": machine(), "options": options.__dict__, "runs": {}}
    try:
        static_root = tmp / "static"
        print_(f"Slate benchmark on {databases.engine}; throw-away data in {tmp}")
        print_(report["machine"])
        child(
            ["manage.py", "collectstatic", "--noinput", "-v", "0"],
            child_env(str(tmp / "unused.sqlite3"), static_root),
            "collectstatic",
        )
        envs = {}
        for size in options.sizes:
            database = databases.new(size)
            env = envs[size] = child_env(database, static_root)
            print_.step(f"Building a production of {size} tasks ...")
            child(["manage.py", "migrate", "--noinput", "-v", "0"], env, "migrate")
            child(
                [
                    "manage.py",
                    "seed_demo",
                    "--force",
                    "--tasks",
                    str(max(0, size - DEMO_TASKS)),
                ],
                env,
                "seed_demo",
            )
            if databases.server_url:
                # PostgreSQL's autovacuum gathers statistics after a bulk load
                # on a real server; do it now rather than time a blind planner.
                analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
                child(["manage.py", "shell", "-c", analyze], env, "ANALYZE")
            print_.step(f"Rendering each page {options.repeat} times ...")
            result_file = tmp / f"measure-{size}.json"
            child(
                [
                    "-m",
                    "tests.bench.measure",
                    "--repeat",
                    str(options.repeat),
                    "--out",
                    str(result_file),
                ],
                env,
                "Rendering the pages",
            )
            report["runs"][size] = json.loads(result_file.read_text())

        runs = report["runs"]
        biggest = max(options.sizes)
        if load_run_on or browser_on:
            port = free_port(options.port)
            print_.step(
                f"Starting gunicorn ({WORKERS} workers x {THREADS} threads) on 127.0.0.1:{port} ..."
            )
            server = Gunicorn(envs[biggest], port, tmp / "gunicorn.log")
            try:
                if load_run_on:
                    try:
                        report["load"] = load_phases(
                            port, options, runs[biggest]["pools"], print_
                        )
                    except (load.LoginFailed, OSError) as error:
                        report["load_error"] = str(error)
                report["static"] = static_headers(
                    port, sorted(asset_files(runs[biggest]))
                )
                if browser_on:
                    print_.step("Timing the browser ...")
                    try:
                        report["browser"] = browser_run(
                            envs[biggest], options, port, [BOARD, "/"]
                        )
                    except BenchmarkFailed as error:
                        # No browser here, or it broke: the other figures stand.
                        report["browser_error"] = str(error)
            finally:
                server.stop()
            report["server_log"] = server.log.read_text()[-5000:]
        checks = []
        print_()
        print_(
            f"== Pages, rendered in-process ({options.repeat} rounds of every page; "
            "'x minimal' = median / the minimal view's median in the same run)"
        )
        render_table(print_, runs)
        print_()
        print_(
            f"== As the production grows from {runs[min(runs)]['tasks']} to "
            f"{runs[biggest]['tasks']} tasks"
        )
        growth_table(print_, runs)
        checks += flat_checks(runs)
        checks += budget_checks(runs)
        checks += board_checks(runs)
        print_()
        print_("== JavaScript and CSS each page loads (collected static files)")
        checks += asset_checks(print_, runs[biggest])
        print_()
        print_(
            f"== Query plans of the task queries ({databases.engine}, "
            f"{runs[biggest]['tasks']} tasks)"
        )
        checks += plan_checks(print_, runs[biggest], verbose)
        if load_run_on:
            print_()
            print_(
                f"== Load run under gunicorn, {runs[biggest]['tasks']} tasks "
                f"(each phase at most {options.load_seconds:g} s and "
                f"{options.load_requests} requests, {options.clients} clients)"
            )
            if "load" in report:
                checks += load_table(print_, report["load"])
            else:
                print_(f"The load run could not run: {report['load_error']}")
                checks.append(Check("load run", False, report["load_error"]))
        if "static" in report:
            print_()
            print_("== Static files as whitenoise serves them")
            checks += static_checks(print_, report["static"], runs[biggest])
        if browser_on:
            print_()
            print_(
                f"== Browser load event (Chromium, {runs[biggest]['tasks']} "
                f"tasks, {options.browser_runs} loads each)"
            )
            if "browser" in report:
                checks += browser_checks(print_, report["browser"])
            else:
                print_(report["browser_error"])
                checks.append(Check("browser load event", False, "no browser run"))
        if "server_log" in report and "Traceback" in report["server_log"]:
            print_()
            print_("== gunicorn's log (tail)")
            print_(report["server_log"][-2000:])
        print_()
        print_("== Checks")
        for check in checks:
            print_(f"{'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        failed = sum(not check.ok for check in checks)
        print_()
        print_(
            f"{len(checks) - failed} checks passed, {failed} failed "
            f"({time.monotonic() - print_.started:.0f} s)"
        )
        report["checks"] = [check.__dict__ for check in checks]
        if options.json_path:
            Path(options.json_path).write_text(json.dumps(report, indent=1))
        return checks
    finally:
        databases.drop_all()
        if options.keep:
            print_(f"Kept {tmp}")
        else:
            _remove(tmp)


def _remove(tmp: Path) -> None:
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
