"""The benchmark's command line: `python -m tests.bench [options]`.

`make bench` runs it from the checkout (tests/bench/__main__.py sets Django
up first); Slate's own package knows nothing of it.
"""

import argparse
import sys

from tests.bench.run import BenchmarkFailed, Options, benchmark


def sizes(text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        values = []
    if len(values) < 2 or values[0] < 1:
        raise ValueError("give two or more task counts, like 50,5000")
    return values


sizes.__name__ = "task counts"  # argparse names the type in its error message


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description=(
            "Build throw-away productions of each size, render every main page "
            "as a producer and as an AP, run a load test under gunicorn and time "
            "the board in Chromium; print the figures and the checks of the issue."
        ),
    )
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=[50, 5000],
        help="Task counts of the productions to compare (default 50,5000).",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=20,
        help="Renders of each page per user and size (default 20).",
    )
    parser.add_argument(
        "--load-seconds",
        type=float,
        default=15.0,
        help="Time budget of each load phase, in seconds (default 15).",
    )
    parser.add_argument(
        "--load-requests",
        type=int,
        default=5000,
        help="Request budget of each load phase (default 5000).",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=8,
        help="Concurrent virtual users in the load run (default 8).",
    )
    parser.add_argument(
        "--browser-runs",
        type=int,
        default=5,
        help="Page loads per page in Chromium (default 5).",
    )
    parser.add_argument("--no-load", action="store_true", help="Skip the load run.")
    parser.add_argument(
        "--no-browser", action="store_true", help="Skip the browser timing."
    )
    parser.add_argument(
        "--port",
        type=int,
        help="Port for gunicorn on 127.0.0.1 (default: a free one, 8150-8159).",
    )
    parser.add_argument(
        "--servers",
        type=int,
        choices=(1, 2),
        default=1,
        help=(
            "2: after the load run, the mixed crowd again over two gunicorns, "
            "each with a notification worker, on one PostgreSQL (default 1)."
        ),
    )
    parser.add_argument(
        "--sqlite",
        action="store_true",
        help="Use SQLite even when DATABASE_URL points at PostgreSQL.",
    )
    parser.add_argument("--json", help="Also write every figure to this file.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the temp dir for a look."
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="Exit with an error when any check fails.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Print every query plan."
    )
    return parser


def _write(text: str) -> None:
    # A run takes minutes: show each step as it comes, even through a pipe.
    sys.stdout.write(text)
    sys.stdout.flush()


def main(argv: list[str] | None = None, write=_write) -> None:
    """Run the benchmark as `argv` asks; a SystemExit with the reason if it
    cannot, or (with --strict) if a check fails."""
    args = parser().parse_args(argv)
    if args.repeat < 1 or args.clients < 2:
        sys.exit("--repeat takes 1 or more, --clients 2 or more.")
    if args.load_seconds <= 0 or args.load_requests < 1:
        sys.exit("The load budget must be more than nothing.")
    if args.browser_runs < 1:
        sys.exit("--browser-runs takes 1 or more.")
    if args.servers > 1 and args.no_load:
        sys.exit("--servers 2 measures a load run: leave out --no-load.")
    options = Options(
        sizes=args.sizes,
        repeat=args.repeat,
        load_seconds=args.load_seconds,
        load_requests=args.load_requests,
        clients=args.clients,
        browser_runs=args.browser_runs,
        port=args.port,
        servers=args.servers,
        json_path=args.json,
        keep=args.keep,
        sqlite=args.sqlite,
    )
    try:
        checks = benchmark(
            options,
            write,
            load_run_on=not args.no_load,
            browser_on=not args.no_browser,
            verbose=args.verbose,
        )
    except BenchmarkFailed as error:
        sys.exit(str(error))
    failed = [check.name for check in checks if not check.ok]
    if failed and args.strict:
        sys.exit(f"{len(failed)} checks failed: {', '.join(failed)}")
