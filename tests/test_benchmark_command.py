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
