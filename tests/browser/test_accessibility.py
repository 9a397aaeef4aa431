"""axe-core on every page, light and dark: no serious or critical violation.

axe-playwright-python carries axe-core's script in its wheel and injects it
through Playwright (no download at run time, nothing the page's CSP sees).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from production.management.commands.seed_demo import add_weekday_show
from production.models import Episode, Project, RunOfShow, Task

BLOCKING = {"serious", "critical"}
SCHEMES = ["light", "dark"]


def pages_of_the_demo() -> dict[str, str]:
    """Every page a producer opens, by name, in the seeded MORN production."""
    morn = Project.objects.get(code="MORN")
    add_weekday_show(morn)
    task = (
        Task.objects.filter(project=morn, status=Task.Status.REVIEW)
        .order_by("number")
        .first()
    )
    booking = (
        Task.objects.filter(project=morn, kind=Task.Kind.BOOKING)
        .order_by("number")
        .first()
    )
    episode = Episode.objects.filter(project=morn).order_by("number").first()
    run_of_show = RunOfShow.objects.get(project=morn)
    code = [morn.code]
    return {
        "my-work": reverse("my-work"),
        "productions": reverse("project-list"),
        "new-production": reverse("project-create"),
        "board": reverse("project-board", args=code),
        "task-list": reverse("task-list", args=code),
        "task": reverse("task-detail", args=[task.key]),
        "booking": reverse("task-detail", args=[booking.key]),
        "task-edit": reverse("task-edit", args=[task.key]),
        "new-task": reverse("task-create", args=code),
        "crew": reverse("project-crew", args=code),
        "calendar": reverse("project-calendar", args=code),
        "my-calendar": reverse("my-calendar"),
        "notifications": reverse("notifications"),
        "notification-settings": reverse("notification-settings"),
        "episodes": reverse("episode-list", args=code),
        "episode": reverse("episode-detail", args=[morn.code, episode.pk]),
        "run-of-show-list": reverse("run-of-show-list", args=code),
        "run-of-show": reverse("run-of-show-detail", args=[morn.code, run_of_show.pk]),
        "not-found": "/tasks/NOPE-1/",
        "bad-request": "/?q=%00",
    }


def blocking(results) -> list[str]:
    """Each serious or critical violation: its rule and the elements it names."""
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_passes_axe(scheme, person, new_context, browser_errors, shot):
    """Every page, as a producer and logged out, light and dark, has no
    serious or critical accessibility violation."""
    # The error pages answer 404 and 400, which the console reports.
    browser_errors.allow("Failed to load resource")
    axe = Axe()
    found = {}
    page = person("producer", color_scheme=scheme)
    for name, url in pages_of_the_demo().items():
        page.goto(url)
        shot(page, name)
        if problems := blocking(axe.run(page)):
            found[name] = problems
    guest = new_context(color_scheme=scheme).new_page()
    guest.goto(reverse("login"))
    shot(guest, "login")
    if problems := blocking(axe.run(guest)):
        found["login"] = problems
    assert found == {}, "\n".join(
        f"{name}: {problem}" for name, problems in found.items() for problem in problems
    )
