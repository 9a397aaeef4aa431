"""The benchmark (`python -m tests.bench`) end to end on tiny sizes: the
machinery, not the figures.

The real run (50 and 5,000 tasks, minutes long) is made with `make bench`;
see BENCHMARKS.md. Here every stage runs once, small: building
the throw-away databases, rendering, query plans, the load run under
gunicorn, the static headers and the browser timing.
"""

import json
import random
import re
from io import StringIO
from pathlib import Path

import pytest

from tests.bench.cli import main, sizes
from tests.bench.figures import percentile
from tests.bench.plans import TABLE_SCAN, task_aliases

LOCAL_DB = Path(__file__).resolve().parent.parent / "db.sqlite3"


def stamp(path: Path):
    return path.stat().st_mtime_ns if path.exists() else None


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One tiny benchmark run's printed report and JSON figures."""
    figures = tmp_path_factory.mktemp("bench") / "figures.json"
    local_db_before = stamp(LOCAL_DB)
    out = StringIO()
    main(
        [
            "--sizes=50,60",
            "--repeat=2",
            "--load-seconds=1",
            "--load-requests=150",
            "--clients=4",
            "--browser-runs=1",
            f"--json={figures}",
        ],
        write=out.write,
    )
    assert stamp(LOCAL_DB) == local_db_before, "the benchmark wrote to db.sqlite3"
    return out.getvalue(), json.loads(figures.read_text())


def test_prints_a_row_per_page_user_and_size(report):
    """The table has the minimal view and each main page, for both sizes."""
    text, figures = report
    assert re.search(r"^page\s+user\s+tasks\s+queries\s+median ms\s+p95 ms", text, re.M)
    for tasks in (50, 60):
        assert re.search(rf"^minimal view\s+anonymous\s+{tasks}\s", text, re.M)
        for user in ("producer", "ap"):
            assert re.search(rf"^my work\s+{user}\s+{tasks}\s+\d+\s+[\d.]+", text, re.M)
    assert set(figures["runs"]) == {"50", "60"}
    assert figures["runs"]["60"]["tasks"] == 60


def test_reports_the_bell_and_an_unchanged_poll(report):
    """The bell and the board and my work polls have rows of their own for
    both users and sizes; the polls, sent with the ETag of the answer before,
    are 304s, within the budget and flat."""
    text, figures = report
    for tasks in (50, 60):
        for user in ("producer", "ap"):
            for page in ("bell", "board poll unchanged", "my work poll unchanged"):
                # page, user, tasks, queries, median, p95, KB, x minimal
                row = rf"^{page}\s+{user}\s+{tasks}\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\d+$"
                assert re.search(row, text, re.M), page
    rows = {(r["page"], r["user"]): r for r in figures["runs"]["60"]["pages"]}
    for user in ("producer", "ap"):
        assert rows["bell", user]["status"] == 200
        assert rows["bell", user]["bytes"] > 0
        for poll in ("board poll unchanged", "my work poll unchanged"):
            assert rows[poll, user]["status"] == 304
            assert rows[poll, user]["bytes"] == 0
            assert (
                rows[poll, user]["queries"]
                < rows[poll.split(" poll")[0], user]["queries"]
            )
    assert re.search(r"^PASS  flat queries: board poll unchanged as ap:", text, re.M)


def test_the_crowd_polls_with_the_etag_of_its_last_answer():
    """A virtual user's board poll sends the ETag the board last answered
    with, as an open page does."""
    from tests.bench.load import CrewMember, Pools

    sent = []

    def send(label, method, url, form=None, headers=None):
        sent.append((label, url, dict(headers or {})))
        return 200, {"ETag": f'"v{len(sent)}"'}

    member = CrewMember(
        None, random.Random(1), producer=False, pools=Pools(["MORN-1"]), project="MORN"
    )
    member._poll(send, "board poll", "/projects/MORN/")
    member._poll(send, "board poll", "/projects/MORN/")
    member._poll(send, "my work poll", "/")
    assert "If-None-Match" not in sent[0][2]
    assert sent[1][2] == {"HX-Request": "true", "If-None-Match": '"v1"'}
    assert "If-None-Match" not in sent[2][2]


def test_cleans_up_its_throw_away_data(report):
    """The temp dir with the run's databases is gone once the report is printed."""
    text, _ = report
    tmp = re.search(r"throw-away data in (\S+)", text).group(1)
    assert "slate-bench-" in tmp
    assert not Path(tmp).exists()


def test_measures_static_sizes_and_query_plans(report):
    """The JS/CSS gzip sizes and an index verdict per page are printed."""
    text, figures = report
    assert "htmx" in text and "JS KB gz" in text
    assert re.search(r"^PASS  JavaScript a page loads, gzip: [\d.]+ KB", text, re.M)
    plans = figures["runs"]["60"]["plans"]
    assert any(plan["page"] == "my work" and plan["plan"] for plan in plans)
    # page, task queries, index searches, whole-index scans, table scans (none)
    assert re.search(r"^my work\s+\d+\s+\d+\s+\d+\s+0\s+\d+$", text, re.M)


def test_load_run_reports_throughput_and_no_errors(report):
    """Each load phase prints requests, throughput and latency; none failed."""
    text, figures = report
    phases = {phase["name"]: phase for phase in figures["load"]}
    assert set(phases) == {"minimal view", "board alone", "mixed crowd"}
    for phase in phases.values():
        assert phase["requests"] > 0
        assert phase["errors"] == 0, phase["failures"]
        assert phase["refusals"] == 0, phase["failures"]
    assert re.search(r"^minimal view\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+", text, re.M)
    assert "PASS  load run errors: 0 errors, 0 refusals" in text
    assert re.search(r"^PASS  static files cached for a year", text, re.M)


def test_browser_times_the_board(report):
    """Chromium loads the board and reports its load event time."""
    _, figures = report
    board = figures["browser"][0]
    assert board["path"] == "/projects/MORN/"
    assert board["statuses"] == [200]
    assert 0 < board["cold_ms"] < 30_000


def test_sizes_option_rejects_nonsense(capsys):
    """`--sizes` wants two or more positive task counts, said plainly."""
    assert sizes("5000,50") == [50, 5000]
    for bad in ("50", "a,b", "0,10"):
        with pytest.raises(ValueError):
            sizes(bad)
    with pytest.raises(SystemExit) as refused:
        main(["--sizes=50"], write=StringIO().write)
    assert refused.value.code != 0
    assert "task counts" in capsys.readouterr().err


def test_a_failing_page_is_reported_not_fatal():
    """A page answering 500 shows as "HTTP 500" in the table and fails its check."""
    from tests.bench.run import Printer, flat_checks, render_table

    def run(tasks, status):
        row = {"page": "board", "user": "ap", "status": status, "queries": 7}
        row.update(median_ms=9.0, p95_ms=9.0, bytes=2048)
        minimal = {"queries": 0, "median_ms": 0.3, "p95_ms": 0.4, "bytes": 2}
        return {"tasks": tasks, "minimal": minimal, "pages": [row]}

    runs = {50: run(50, 200), 5000: run(5000, 500)}
    out = StringIO()
    render_table(Printer(out.write), runs)
    assert re.search(r"^board\s+ap\s+5000\s+HTTP 500", out.getvalue(), re.M)
    board = next(c for c in flat_checks(runs) if c.name == "flat queries: board as ap")
    assert not board.ok and "HTTP 500" in board.detail


def test_percentile_and_task_aliases():
    """The p95 is a real sample; aliased task tables are recognised in plans."""
    assert percentile([5, 1, 4, 2, 3], 0.5) == 3
    assert percentile(list(range(1, 101)), 0.95) == 95
    sql = 'SELECT 1 FROM "production_task" INNER JOIN "production_task" T3 ON 1'
    assert task_aliases(sql) == {"production_task", "T3"}
    assert TABLE_SCAN == "table scan"


def test_reports_the_episode_and_notifications_pages(report):
    """The episode page (of an episode made for the benchmark, with the same
    tasks at each size) and the notifications page have rows for both users,
    and flat-time and x-minimal checks are printed for the pages the issue
    names."""
    text, figures = report
    run = figures["runs"]["60"]
    assert run["episode_url"].startswith("/projects/MORN/episodes/")
    assert run["episode_tasks"] == figures["runs"]["50"]["episode_tasks"] > 0
    assert run["tasks"] == 60
    for page in ("episode", "notifications"):
        for user in ("producer", "ap"):
            assert re.search(rf"^{page}\s+{user}\s+60\s+\d+\s+[\d.]+", text, re.M)
    assert re.search(
        r"^(PASS|FAIL)  flat time: episode as ap: .* x[\d.]+ against", text, re.M
    )
    assert re.search(
        r"^(PASS|FAIL)  x minimal: bell as producer: .*at most x5\)", text, re.M
    )
    assert re.search(
        r"^(PASS|FAIL)  x minimal: board as ap: .*at most x40\)", text, re.M
    )
    assert re.search(
        r"^(PASS|FAIL)  mixed crowd: throughput vs minimal view: .*1/15", text, re.M
    )
    assert "board time at" not in text  # the old 1.5x board checks are gone


def _runs(small_ms, small_minimal, big_ms, big_minimal, page="board"):
    def run(tasks, ms, minimal):
        row = {"page": page, "user": "ap", "status": 200, "queries": 7}
        row.update(median_ms=ms, p95_ms=ms, bytes=2048)
        return {
            "tasks": tasks,
            "minimal": {"queries": 0, "median_ms": minimal, "p95_ms": minimal},
            "pages": [row],
        }

    return {50: run(50, small_ms, small_minimal), 5000: run(5000, big_ms, big_minimal)}


def test_flat_time_is_judged_against_each_runs_minimal_view():
    """A page twice as slow at 5,000 tasks passes when the minimal view was
    twice as slow in that run too (a busy machine), and fails at x1.4 when the
    minimal view was not."""
    from tests.bench.run import time_checks

    (busy,) = time_checks(_runs(10.0, 0.2, 20.0, 0.4))
    assert busy.ok and "x2.00, x1.00 against" in busy.detail
    (grown,) = time_checks(_runs(10.0, 0.2, 14.0, 0.2))
    assert not grown.ok and "x1.40" in grown.detail
    (within,) = time_checks(_runs(10.0, 0.2, 12.9, 0.2))
    assert within.ok


def test_pages_are_held_to_their_multiple_of_the_minimal_view():
    """At 5,000 tasks the board may cost 40 minimal views, the bell 5; a page
    that is missing or broken fails its check."""
    from tests.bench.run import minimal_checks

    board = {c.name: c for c in minimal_checks(_runs(8.0, 0.2, 8.0, 0.2))}
    assert board["x minimal: board as ap"].ok  # x40
    assert "x40 (at most x40)" in board["x minimal: board as ap"].detail
    assert not board["x minimal: board as producer"].ok
    assert "HTTP missing" in board["x minimal: board as producer"].detail
    slow = {c.name: c for c in minimal_checks(_runs(8.0, 0.2, 8.2, 0.2))}
    assert not slow["x minimal: board as ap"].ok
    bell = {c.name: c for c in minimal_checks(_runs(1.0, 0.2, 1.2, 0.2, page="bell"))}
    assert not bell["x minimal: bell as ap"].ok  # x6 where 5 is the limit


def _phase(name, requests, seconds, errors=0):
    return {
        "name": name,
        "requests": requests,
        "seconds": seconds,
        "throughput": requests / seconds,
        "p50_ms": 1.0,
        "p95_ms": 2.0,
        "p99_ms": 3.0,
        "errors": errors,
        "refusals": 0,
        "by_label": {"board": requests},
        "failures": [],
    }


def test_load_checks_hold_the_board_and_the_crowd_to_their_share():
    """Board alone at least 1/12 of the minimal view, the crowd 1/15, no errors."""
    from tests.bench.run import Printer, load_table

    def checks(board, crowd, errors=0):
        phases = [
            _phase("minimal view", 1200, 1.0),
            _phase("board alone", board, 1.0),
            _phase("mixed crowd", crowd, 1.0, errors),
        ]
        return {c.name: c for c in load_table(Printer(StringIO().write), phases)}

    good = checks(board=100, crowd=80)
    assert all(c.ok for c in good.values())
    bad = checks(board=99, crowd=79, errors=1)
    assert not bad["board alone: throughput vs minimal view"].ok
    assert "1/12.1" in bad["board alone: throughput vs minimal view"].detail
    assert not bad["mixed crowd: throughput vs minimal view"].ok
    assert not bad["load run errors"].ok


SEEN = {
    "key": "MORN-41",
    "session_status": 200,
    "poll_before": 304,
    "status_before": "todo",
    "move_status": 204,
    "poll_after": 200,
    "etag_changed": True,
    "status_after": "in_progress",
}
MAIL = {
    "queued": 12,
    "waiting": 0,
    "failed": 0,
    "sent": 12,
    "sent_twice": [],
    "emailed": 12,
    "messages": 12,
    "by_worker": {"bench-a": 5, "bench-b": 7},
}


def _scale(pair_requests=95, seen=None, mail=None):
    from tests.bench.run import Printer, scale_checks

    scale = {
        "phases": [
            _phase("mixed crowd, one server, in turns", 100, 1.0),
            _phase("mixed crowd, two servers, in turns", pair_requests, 1.0),
        ],
        "seen": {**SEEN, **(seen or {})},
        "mail": {**MAIL, **(mail or {})},
    }
    return {c.name: c for c in scale_checks(Printer(StringIO().write), scale)}


def test_two_servers_pass_when_as_fast_and_consistent():
    checks = _scale()
    assert all(c.ok for c in checks.values()), checks
    assert (
        "bench-a 5, bench-b 7"
        in checks["two servers: no notification e-mail sent twice"].detail
    )


def test_two_servers_fail_on_each_fault_they_look_for():
    """Slower by more than 10%, a session B does not know, a poll or page on
    B that missed A's move, an e-mail sent twice or left queued: each fails."""
    assert not _scale(pair_requests=89)["two servers: throughput vs one"].ok
    session = "two servers: a session made on A is valid on B"
    assert not _scale(seen={"session_status": 302})[session].ok
    poll = "two servers: a move through A changes B's next poll"
    assert not _scale(seen={"etag_changed": False, "poll_after": 304})[poll].ok
    assert not _scale(seen={"poll_before": 200})[poll].ok  # no 304 to begin with
    page = "two servers: a move through A shows on B's next page"
    assert not _scale(seen={"status_after": "todo"})[page].ok
    mail = "two servers: no notification e-mail sent twice"
    assert not _scale(mail={"messages": 13})[mail].ok
    assert not _scale(mail={"sent_twice": [7]})[mail].ok
    assert not _scale(mail={"waiting": 1})[mail].ok
    assert not _scale(mail={"failed": 1})[mail].ok
    assert not _scale(mail={"sent": 0, "emailed": 0, "messages": 0})[mail].ok


def test_the_crowds_and_the_probe_never_share_a_task():
    """Each crowd of the two-server run (made afresh for each turn) and the
    task moved for the consistency check get their own task keys."""
    from tests.bench.run import split_pools

    keys = [f"MORN-{n}" for n in range(1, 8)]
    (first, second, third), probe = split_pools({"ap:todo": keys}, 3)
    assert first["ap:todo"] == ["MORN-1", "MORN-4", "MORN-7"]
    assert second["ap:todo"] == ["MORN-2", "MORN-5"]
    assert third["ap:todo"] == ["MORN-3"]
    assert probe == "MORN-6"


def test_turns_of_a_phase_merge_into_one():
    """Slices run in turns count as one phase: all their requests over all
    their seconds."""
    from tests.bench.load import PhaseResult, Sample, merged

    slices = [
        PhaseResult("one", 2.0, [Sample("board", 200, 5.0)] * 10, []),
        PhaseResult("one", 3.0, [Sample("board", 500, 9.0)] * 5, ["GET / -> 500"]),
    ]
    whole = merged("one", slices)
    assert (whole.requests, whole.seconds, whole.throughput) == (15, 5.0, 3.0)
    assert whole.errors == 5 and whole.failures == ["GET / -> 500"]


def test_spread_balances_each_servers_workers_apart():
    """Clients of two servers are spread over the two workers of each."""
    from tests.bench.load import Reader, spread

    class Fake:
        """A connection that lands on worker 1 of its server until reopened."""

        def __init__(self, port):
            self.port, self.opened = port, 0

        def request(self, method, url):
            return 200, f"{self.port}-{min(self.opened, 1)}".encode(), {}

        def close(self):
            self.opened += 1

    users = [Reader(Fake(port), random.Random(1), "x", "/") for port in (1, 2) * 4]
    assert spread(users, workers=2, url="/w/") == [2, 2, 2, 2]


def test_the_crowd_reads_the_issues_pages():
    """The mixed crowd also reads calendars, notifications and the episode."""
    from tests.bench.load import CrewMember, Pools

    member = CrewMember(
        None,
        random.Random(1),
        producer=True,
        pools=Pools(["MORN-1"]),
        project="MORN",
        episode_url="/projects/MORN/episodes/3/",
    )
    urls = {label: url for label, url, _ in member.choices}
    assert urls["episode"] == "/projects/MORN/episodes/3/"
    assert urls["notifications"] == "/notifications/"
    assert urls["calendar"] == "/projects/MORN/calendar/"
    assert urls["my calendar"] == "/calendar/"


def test_the_mailbox_counts_each_message_the_file_backend_wrote(tmp_path):
    """Two sends through Django's file backend are two messages."""
    from django.core.mail import EmailMessage
    from django.core.mail.backends.filebased import EmailBackend

    from tests.bench.mailbox import messages

    backend = EmailBackend(file_path=str(tmp_path))
    backend.send_messages([EmailMessage("One", "a\n" + "-" * 10, to=["a@example.com"])])
    backend = EmailBackend(file_path=str(tmp_path))
    backend.send_messages([EmailMessage("Two", "b", to=["b@example.com"])])
    assert messages(tmp_path) == 2


def test_two_servers_want_postgresql(capsys):
    """`--servers 2` on SQLite says how to run it, before building anything."""
    with pytest.raises(SystemExit) as refused:
        main(["--servers=2", "--sqlite"], write=StringIO().write)
    assert "tools/with-postgres make bench-scale" in str(refused.value.code)
    with pytest.raises(SystemExit) as refused:
        main(["--servers=2", "--no-load"], write=StringIO().write)
    assert "--no-load" in str(refused.value.code)


def test_flat_queries_allow_fewer_not_more_at_the_big_size():
    """One query fewer at 5,000 tasks is not growth; one more is."""
    from tests.bench.run import flat_checks

    def board(runs, big_queries):
        runs[5000]["pages"][0]["queries"] = big_queries
        return next(
            c for c in flat_checks(runs) if c.name == "flat queries: board as ap"
        )

    assert board(_runs(9.0, 0.2, 9.0, 0.2), 6).ok
    assert not board(_runs(9.0, 0.2, 9.0, 0.2), 8).ok
