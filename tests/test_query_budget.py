"""Every main page costs the same few queries with 50 tasks as with 5,000."""

from production.management.commands.seed_demo import add_generated_tasks
from production.models import Task
from tests.pages import count_queries

PAGES = [
    "/",
    "/projects/",
    "/projects/MORN/",
    "/projects/MORN/?kind=booking",
    "/projects/MORN/tasks/",
    "/projects/MORN/tasks/?sort=-due&status=todo",
    "/projects/MORN/crew/",
    "/projects/MORN/archived/",
    "/profile/",
    "/projects/MORN/calendar/",
    "/calendar/",
    "/tasks/MORN-3/",
]
BUDGET = 15


def test_pages_stay_flat_from_50_to_5000_tasks(morn, producer, ap, client_for):
    """A season's worth of tasks adds no queries to any page, for producer or AP."""
    add_generated_tasks(morn, 50 - Task.objects.filter(project=morn).count())
    clients = {"producer": client_for(producer), "ap": client_for(ap)}
    for client in clients.values():
        client.get("/")  # the session and content types, once
    small = {
        (who, path): count_queries(client, path)
        for who, client in clients.items()
        for path in PAGES
    }
    add_generated_tasks(morn, 4950)
    assert Task.objects.filter(project=morn).count() == 5000
    large = {
        (who, path): count_queries(client, path)
        for who, client in clients.items()
        for path in PAGES
    }
    assert not [page for page in small if large[page] > small[page]]
    # Fewer only where the larger month shows no booking whose clashes to
    # check: a calendar fills its days with due dates first.
    calendars = ("/projects/MORN/calendar/", "/calendar/")
    fewer = {page for page in small if large[page] < small[page]}
    assert fewer <= {(who, path) for who in clients for path in calendars}
    assert max(large.values()) <= BUDGET
