"""The benchmark's episode, made as the app makes one; prints its id.

Run by the benchmark (tests/bench/run.py) with tests.bench.settings after
seed_demo: `python -m tests.bench.episode`. The producer makes a run of show
of the weekday show's first LINES duties, a new episode, and the episode's
tasks from that run of show, through the services the run-of-show and
episode pages call. The demo's own episodes take a share of the generated
tasks (some 800 each at 5,000 tasks); this one has the same few tasks at
every size, as an episode of a real production does, so its page measures
what the rest of the production costs it. (A few duties, not the weekday
show's eight: the demo and the episode stay within the smallest size, 50.)
"""

import datetime as dt
import json

import django

django.setup()

from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from production import services  # noqa: E402
from production.models import Project, User  # noqa: E402

PROJECT = "MORN"
LINES = 5


def main() -> None:
    project = Project.objects.get(code=PROJECT)
    producer = User.objects.get(username="producer")
    weekday = project.run_of_shows.order_by("pk").first()
    if weekday is None:
        raise SystemExit(f"{PROJECT} has no run of show to make an episode from.")
    template = services.run_of_show_create(
        project=project, by=producer, name="Benchmark show"
    )
    for line in weekday.lines.order_by("pk")[:LINES]:
        line.pk, line.template = None, template
        services.run_of_show_line_save(line=line, by=producer)
    last = project.episodes.aggregate(last=Max("number"))["last"] or 0
    episode = services.episode_create(
        project=project,
        by=producer,
        number=last + 1,
        title="Benchmark",
        air_date=timezone.localdate() + dt.timedelta(days=10),
        air_time=dt.time(6, 0),
    )
    made = services.run_of_show_apply(episode=episode, template=template, by=producer)
    print(json.dumps({"episode": episode.pk, "tasks": len(made)}))


if __name__ == "__main__":
    main()
