"""`python -m tests.bench`: the benchmark (see BENCHMARKS.md and tests/bench/cli.py).

Django is set up first, with DJANGO_SETTINGS_MODULE (`make bench` gives the
test settings); the run reads Slate's demo data and builds its own databases.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from tests.bench.cli import main  # noqa: E402 - needs Django set up

main()
