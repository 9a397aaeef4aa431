"""`manage.py benchmark`: Slate's figures on throw-away data (see BENCHMARKS.md)."""

from django.core.management.base import BaseCommand, CommandError


def sizes(text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        values = []
    if len(values) < 2 or values[0] < 1:
        raise ValueError("give two or more task counts, like 50,5000")
    return values


sizes.__name__ = "task counts"  # argparse names the type in its error message


class Command(BaseCommand):
    help = (
        "Build throw-away productions of each size, render every main page as a "
        "producer and as an AP, run a load test under gunicorn and time the "
        "board in Chromium; print the figures and the checks of the issue."
    )
    # The benchmark never touches this process's database: no checks needed.
    requires_system_checks = []

    def add_arguments(self, parser):
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

    def handle(self, *args, **options):
        try:
            from tests.bench.run import BenchmarkFailed, Options, benchmark
        except ImportError as error:
            raise CommandError(
                "The benchmark lives in tests/bench/; run it from a checkout."
            ) from error
        if options["repeat"] < 1 or options["clients"] < 2:
            raise CommandError("--repeat takes 1 or more, --clients 2 or more.")
        if options["load_seconds"] <= 0 or options["load_requests"] < 1:
            raise CommandError("The load budget must be more than nothing.")
        if options["browser_runs"] < 1:
            raise CommandError("--browser-runs takes 1 or more.")
        settings = Options(
            sizes=options["sizes"],
            repeat=options["repeat"],
            load_seconds=options["load_seconds"],
            load_requests=options["load_requests"],
            clients=options["clients"],
            browser_runs=options["browser_runs"],
            port=options["port"],
            json_path=options["json"],
            keep=options["keep"],
            sqlite=options["sqlite"],
        )
        try:
            checks = benchmark(
                settings,
                self.stdout.write,
                load_run_on=not options["no_load"],
                browser_on=not options["no_browser"],
                verbose=options["verbosity"] > 1,
            )
        except BenchmarkFailed as error:
            raise CommandError(str(error)) from error
        failed = [check.name for check in checks if not check.ok]
        if failed and options["strict"]:
            raise CommandError(f"{len(failed)} checks failed: {', '.join(failed)}")
