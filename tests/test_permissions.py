"""Every URL x every kind of user -> the expected status, and refusals change nothing.

The matrix is keyed by URL name and walks production.urls.urlpatterns: a new
URL without an entry here fails the suite, so no page ships unchecked.
People, from the demo: anonymous; `outsider` (crew of NITE only); `ap`, the
assignee of the MORN tasks probed; `ap2`, another AP; `editor`; and
`producer`, MORN's supervising producer.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLResolver, reverse

from production import ical
from production.models import (
    Activity,
    Comment,
    CrewRole,
    Episode,
    Membership,
    Notification,
    NotificationPreference,
    Project,
    RunOfShow,
    RunOfShowLine,
    Task,
    User,
)
from production.urls import urlpatterns
from tests.pages import HTMX, edit_data

ANON = "anonymous"
PEOPLE = [ANON, "outsider", "ap", "ap2", "editor", "producer"]
CREW = ["ap", "ap2", "editor", "producer"]
# Sentinels for a redirect to a login page: Slate's, or the admin's.
TO_LOGIN = "login"
TO_ADMIN_LOGIN = "admin login"
SUCCESS = {200, 204, 302}


def database_snapshot() -> dict:
    """Every row a request could change, to compare before and after."""

    def rows(model, *exclude):
        names = [
            f.attname for f in model._meta.concrete_fields if f.attname not in exclude
        ]
        return list(model.objects.order_by("pk").values_list(*names))

    return {
        "projects": rows(Project),
        "episodes": rows(Episode),
        "roles": rows(CrewRole),
        "memberships": rows(Membership),
        "tasks": rows(Task),
        "run_of_shows": rows(RunOfShow),
        "run_of_show_lines": rows(RunOfShowLine),
        "comments": rows(Comment),
        "activities": rows(Activity),
        "notifications": rows(Notification),
        "preferences": rows(NotificationPreference),
        "users": rows(User, "last_login", "password"),
    }


@dataclass
class World:
    """The demo objects the probes point at."""

    users: dict
    todo: Task  # ap's task in To do: only ap may start it
    review: Task  # ap's task in review: only an approver may approve it
    roles: dict
    memberships: dict
    tokens: dict = field(default_factory=dict)
    # One unread notification each, on no task: opening a task reads none.
    notices: dict = field(default_factory=dict)

    def edit_data(self, task: Task, **changes) -> dict:
        """A complete task form as the edit page would post it."""
        return edit_data(task, **changes)


@pytest.fixture
def world(demo, morn, task_of):
    for user in demo.values():
        ical.feed_token_reset(user=user)
        user.refresh_from_db()
    return World(
        users=demo,
        todo=task_of(demo["ap"], Task.Status.TODO),
        review=task_of(demo["ap"], Task.Status.REVIEW),
        roles={role.name: role for role in CrewRole.objects.filter(project=None)},
        memberships={
            m.user.username: m for m in morn.memberships.select_related("user")
        },
        tokens={name: ical.feed_token(user) for name, user in demo.items()},
        notices={
            name: Notification.objects.create(
                recipient=user,
                # A production they are crew of: the outsider's is NITE.
                project=user.memberships.first().project,
                kind=Notification.Kind.COMMENTED,
                summary="Someone commented",
            )
            for name, user in demo.items()
        },
    )


@dataclass(frozen=True)
class Probe:
    """One request: its method, URL, form data and the status each person gets."""

    method: str
    url: Callable[[World], str]
    expect: dict
    data: Callable[[World], dict] = lambda world: {}
    # Logout changes no row we snapshot; every other allowed POST does.
    writes: bool = True


def everyone(status, anonymous=None):
    return {who: status for who in PEOPLE} | (
        {ANON: anonymous} if anonymous is not None else {}
    )


def signed_in(status):
    return everyone(status, anonymous=TO_LOGIN)


def crew_only(status=200, **exceptions):
    """Crew get `status` (unless excepted); outsiders a 404; anonymous the login."""
    expect = {ANON: TO_LOGIN, "outsider": 404} | dict.fromkeys(CREW, status)
    return expect | exceptions


def creators_only(status):
    """Only the producer holds the permission to add productions."""
    return signed_in(403) | {"producer": status}


def managers_only(status=200):
    """Only the producer (who may assign, approve and manage) gets `status`."""
    return crew_only(403, producer=status)


def morn(name):
    return lambda world: reverse(name, kwargs={"code": "MORN"})


def todo(name):
    return lambda world: reverse(name, kwargs={"key": world.todo.key})


def archived(name):
    """An address of a MORN task archived for the probe (made on first use)."""

    def address(world):
        task = Task.objects.filter(project__code="MORN", archived=True).first()
        if task is None:
            task = world.todo
            Task.objects.filter(pk=task.pk).update(archived=True)
        return reverse(name, kwargs={"key": task.key})

    return address


def member(name, username):
    return lambda world: reverse(
        name, kwargs={"code": "MORN", "pk": world.memberships[username].pk}
    )


def notice(name, username):
    return lambda world: reverse(name, kwargs={"pk": world.notices[username].pk})


def episode(name):
    """An address of MORN's episode 101, which has tasks."""
    return lambda world: reverse(
        name,
        kwargs={
            "code": "MORN",
            "pk": Episode.objects.get(project__code="MORN", number=101).pk,
        },
    )


def matrix_template() -> RunOfShow:
    """A MORN run-of-show template with one duty, made on first use."""
    template, made = RunOfShow.objects.get_or_create(
        project=Project.objects.get(code="MORN"), name="Matrix show"
    )
    if made:
        RunOfShowLine.objects.create(
            template=template, title="Matrix duty {number}", days_before=1
        )
    return template


def run_of_show(name, *, line=False):
    def address(world):
        template = matrix_template()
        kwargs = {"code": "MORN", "pk": template.pk}
        if line:
            kwargs["line_pk"] = template.lines.get().pk
        return reverse(name, kwargs=kwargs)

    return address


def line_data(world) -> dict:
    return {
        "title": "Matrix duty, edited",
        "kind": "script",
        "priority": 2,
        "days_before": 2,
    }


def not_allowed(url):
    """A GET to a POST-only address: 405 for everyone, before any other check."""
    return Probe("get", url, everyone(405))


MATRIX: dict[str, list[Probe]] = {
    "login": [Probe("get", lambda world: reverse("login"), everyone(200))],
    "logout": [
        not_allowed(lambda world: reverse("logout")),
        Probe("post", lambda world: reverse("logout"), everyone(302), writes=False),
    ],
    # Django's admin: only staff get past its own login; no demo user is staff.
    "admin/": [
        Probe("get", lambda world: reverse("admin:index"), everyone(TO_ADMIN_LOGIN))
    ],
    "my-work": [Probe("get", lambda world: reverse("my-work"), signed_in(200))],
    "project-list": [
        Probe("get", lambda world: reverse("project-list"), signed_in(200))
    ],
    # Starting a production is a site permission: the demo's producer has it.
    "project-create": [
        Probe("get", lambda world: reverse("project-create"), creators_only(200)),
        Probe(
            "post",
            lambda world: reverse("project-create"),
            creators_only(302),
            lambda world: {
                "name": "Matrix Film",
                "code": "MATRIX",
                "kind": "film",
                "time_zone": "UTC",
            },
        ),
    ],
    "project-board": [Probe("get", morn("project-board"), crew_only())],
    # Without htmx, Show more is the board with the column deepened.
    "board-more": [
        Probe(
            "get",
            lambda world: (
                reverse("board-more", kwargs={"code": "MORN"}) + "?status=todo&page=2"
            ),
            crew_only(302),
        )
    ],
    "project-archive": [
        not_allowed(morn("project-archive")),
        Probe("post", morn("project-archive"), managers_only(302)),
    ],
    "task-list": [Probe("get", morn("task-list"), crew_only())],
    "task-bulk": [
        not_allowed(morn("task-bulk")),
        Probe(
            "post",
            morn("task-bulk"),
            managers_only(302),
            lambda world: {
                "tasks": [world.todo.key],
                "action": "due_date",
                "due_date": "2031-01-31",
            },
        ),
    ],
    "task-create": [
        Probe("get", morn("task-create"), crew_only()),
        # The producer creates a task, and so does ap for the editor, who
        # reports to them; other crew, a pitch.
        Probe(
            "post",
            morn("task-create"),
            crew_only(302),
            lambda world: {
                "title": "Matrix task",
                "kind": "other",
                "priority": 2,
                "assignee": world.users["editor"].pk,
            },
        ),
    ],
    "project-crew": [
        Probe("get", morn("project-crew"), crew_only()),
        Probe(
            "post",
            morn("project-crew"),
            managers_only(302),
            lambda world: {
                "user": "outsider",
                "role": world.roles[CrewRole.EDITOR].pk,
                "reports_to": world.users["producer"].pk,
            },
        ),
    ],
    "crew-member": [
        not_allowed(member("crew-member", "ap")),
        # The change form of one member carries its pk as its prefix.
        Probe(
            "post",
            member("crew-member", "ap"),
            managers_only(302),
            lambda world: {
                f"member-{world.memberships['ap'].pk}-role": world.roles[
                    CrewRole.EDITOR
                ].pk,
                f"member-{world.memberships['ap'].pk}-reports_to": world.users[
                    "producer"
                ].pk,
            },
        ),
    ],
    "crew-remove": [
        not_allowed(member("crew-remove", "ap2")),
        Probe("post", member("crew-remove", "ap2"), managers_only(302)),
    ],
    # Only who may add people learns who else is on Slate.
    "crew-search": [
        Probe(
            "get",
            lambda world: reverse("crew-search", kwargs={"code": "MORN"}) + "?q=ol",
            managers_only(),
        )
    ],
    # Anyone may leave, but the last who may manage the crew and approve.
    "crew-leave": [
        not_allowed(morn("crew-leave")),
        Probe("post", morn("crew-leave"), crew_only(302, producer=403)),
    ],
    "project-calendar": [Probe("get", morn("project-calendar"), crew_only())],
    # Episodes and templates: the crew read them; crew who may assign plan.
    "episode-list": [Probe("get", morn("episode-list"), crew_only())],
    "episode-create": [
        Probe("get", morn("episode-create"), managers_only()),
        Probe(
            "post",
            morn("episode-create"),
            managers_only(302),
            lambda world: {"number": 900, "title": "Matrix", "air_date": "2031-01-31"},
        ),
    ],
    "episode-detail": [Probe("get", episode("episode-detail"), crew_only())],
    "episode-edit": [
        Probe("get", episode("episode-edit"), managers_only()),
        Probe(
            "post",
            episode("episode-edit"),
            managers_only(302),
            lambda world: {
                "number": 101,
                "title": "Edited by the matrix",
                "air_date": Episode.objects.get(
                    project__code="MORN", number=101
                ).air_date.isoformat(),
            },
        ),
    ],
    "episode-apply": [
        Probe(
            "get",
            episode("episode-apply"),
            managers_only(),
            lambda world: {"template": matrix_template().pk},
        ),
        Probe(
            "post",
            episode("episode-apply"),
            managers_only(302),
            lambda world: {"template": matrix_template().pk},
        ),
    ],
    "run-of-show-list": [
        Probe("get", morn("run-of-show-list"), crew_only()),
        Probe(
            "post",
            morn("run-of-show-list"),
            managers_only(302),
            lambda world: {"name": "Another show"},
        ),
    ],
    "run-of-show-detail": [
        Probe("get", run_of_show("run-of-show-detail"), crew_only()),
        Probe("post", run_of_show("run-of-show-detail"), managers_only(302), line_data),
    ],
    "run-of-show-line": [
        Probe("get", run_of_show("run-of-show-line", line=True), managers_only()),
        Probe(
            "post",
            run_of_show("run-of-show-line", line=True),
            managers_only(302),
            line_data,
        ),
    ],
    "run-of-show-line-remove": [
        not_allowed(run_of_show("run-of-show-line-remove", line=True)),
        Probe(
            "post",
            run_of_show("run-of-show-line-remove", line=True),
            managers_only(302),
        ),
    ],
    "my-calendar": [Probe("get", lambda world: reverse("my-calendar"), signed_in(200))],
    # Each person's own: there is no one else's to reach.
    "profile": [
        Probe("get", lambda world: reverse("profile"), signed_in(200)),
        Probe(
            "post",
            lambda world: reverse("profile"),
            signed_in(302),
            lambda world: {"display_name": "Matrix", "email": "", "phone": ""},
        ),
    ],
    "calendar-token": [
        not_allowed(lambda world: reverse("calendar-token")),
        Probe("post", lambda world: reverse("calendar-token"), signed_in(302)),
    ],
    # No login: the token is the key. A wrong one is a 404 whoever asks.
    "calendar-feed": [
        Probe(
            "get",
            lambda world: reverse("calendar-feed", kwargs={"token": "wrong.token"}),
            everyone(404),
        ),
        Probe(
            "get",
            lambda world: reverse(
                "calendar-feed", kwargs={"token": world.tokens["ap"][:-2] + "xx"}
            ),
            everyone(404),
        ),
        Probe(
            "get",
            lambda world: reverse(
                "calendar-feed", kwargs={"token": world.tokens["ap"]}
            ),
            everyone(200),
        ),
    ],
    "task-detail": [Probe("get", todo("task-detail"), crew_only())],
    "notifications": [
        Probe("get", lambda world: reverse("notifications"), signed_in(200))
    ],
    "notification-bell": [
        Probe("get", lambda world: reverse("notification-bell"), signed_in(200))
    ],
    "notifications-read-all": [
        not_allowed(lambda world: reverse("notifications-read-all")),
        Probe("post", lambda world: reverse("notifications-read-all"), signed_in(302)),
    ],
    # Each person's own: anyone else's is a 404, as if it did not exist.
    "notification-read": [
        not_allowed(notice("notification-read", "ap")),
        Probe(
            "post",
            notice("notification-read", "ap"),
            everyone(404, anonymous=TO_LOGIN) | {"ap": 302},
        ),
    ],
    "notification-settings": [
        Probe("get", lambda world: reverse("notification-settings"), signed_in(200)),
        Probe(
            "post",
            lambda world: reverse("notification-settings"),
            signed_in(302),
            lambda world: dict.fromkeys(Notification.Kind.values, "digest"),
        ),
    ],
    # Crew who may assign edit a task; its assignee, ap, its description.
    "task-edit": [
        Probe("get", todo("task-edit"), crew_only(403, ap=200, producer=200)),
        Probe(
            "post",
            todo("task-edit"),
            crew_only(403, ap=302, producer=302),
            lambda world: world.edit_data(
                world.todo, description="Edited by the matrix"
            ),
        ),
    ],
    "task-move": [
        not_allowed(todo("task-move")),
        # Starting is the assignee's alone...
        Probe(
            "post",
            todo("task-move"),
            crew_only(403, ap=302),
            lambda world: {"to": Task.Status.IN_PROGRESS},
        ),
        # ...approving an approver's.
        Probe(
            "post",
            lambda world: reverse("task-move", kwargs={"key": world.review.key}),
            crew_only(403, producer=302),
            lambda world: {"to": Task.Status.DONE},
        ),
    ],
    "task-comment": [
        not_allowed(todo("task-comment")),
        Probe(
            "post",
            todo("task-comment"),
            crew_only(302),
            lambda world: {"body": "A comment from the matrix."},
        ),
    ],
    # A GET asks "Archive MORN-…?"; only who may archive is asked.
    "task-archive": [
        Probe("get", todo("task-archive"), managers_only(200)),
        Probe("post", todo("task-archive"), managers_only(302)),
    ],
    "archived-tasks": [Probe("get", morn("archived-tasks"), crew_only())],
    "task-restore": [
        not_allowed(archived("task-restore")),
        Probe("post", archived("task-restore"), managers_only(302)),
    ],
}


def url_names(patterns) -> list[str]:
    """Each URL's name; an include (the admin) by its prefix."""
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names.append(str(pattern.pattern))
        else:
            names.append(pattern.name or str(pattern.pattern))
    return names


def test_every_url_has_an_entry_in_the_matrix():
    """A URL added without saying who may use it fails here, and so does a stale entry."""
    names = url_names(urlpatterns)
    assert len(names) == len(set(names)), "two URL patterns share a name"
    missing = sorted(set(names) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(names))
    assert not missing, f"add these URLs to the permission matrix: {missing}"
    assert not stale, f"these matrix entries match no URL: {stale}"


def client_as(world: World, who: str) -> Client:
    client = Client()
    if who != ANON:
        client.force_login(world.users[who])
    return client


def check_status(response, expected, url, *, htmx=False):
    # The policy rides on every answer, redirects and refusals included.
    assert "Content-Security-Policy" in response.headers, url
    if expected == TO_LOGIN and htmx:
        # htmx loads the login page as a whole page, not into a region.
        assert response.status_code == 200, url
        assert response["HX-Redirect"].startswith(reverse("login") + "?next="), url
    elif expected == TO_LOGIN:
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url
    elif expected == TO_ADMIN_LOGIN:
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    else:
        assert response.status_code == expected, (url, response.content[:500])


def check_refusal_says_why(response, url):
    """A 403 or 404 is Slate's error page with its sentence, not a bare status."""
    if response.status_code in (403, 404):
        assert b"error-message" in response.content, url
        # A 404 must not confirm that the production exists.
        assert b"Morning Live" not in response.content, url


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(world, name, who):
    """Each kind of user gets the expected status on every URL; refused POSTs change nothing."""
    client = client_as(world, who)
    for probe in MATRIX[name]:
        url = probe.url(world)
        expected = probe.expect[who]
        data = probe.data(world)
        before = database_snapshot()
        response = getattr(client, probe.method)(url, data)
        check_status(response, expected, url)
        check_refusal_says_why(response, url)
        after = database_snapshot()
        allowed = probe.method == "post" and expected in SUCCESS
        if allowed and probe.writes:
            assert after != before, f"{who} POST {url} was allowed but changed nothing"
        elif not allowed:
            assert after == before, f"{who} {probe.method.upper()} {url} changed data"
        if expected not in SUCCESS:
            # The same refusal for an htmx request: no fragment slips through.
            again = getattr(client, probe.method)(url, data, **HTMX)
            check_status(again, expected, url, htmx=True)
            check_refusal_says_why(again, url)
            assert database_snapshot() == before, f"{who} htmx {url} changed data"


def without_secrets(response) -> bytes:
    """The page with its per-response CSRF token and CSP nonce blanked."""
    return re.sub(
        rb'(nonce="|CSRFToken": "|value=")[A-Za-z0-9_-]{20,}', rb"\1", response.content
    )


def test_outsider_404_looks_like_any_unknown_production(world):
    """A production you are not on is indistinguishable from one that does not exist."""
    client = client_as(world, "outsider")
    for path in (
        "",
        "tasks/",
        "crew/",
        "calendar/",
        "tasks/new/",
        "episodes/",
        "episodes/new/",
        "run-of-show/",
    ):
        real = client.get(f"/projects/MORN/{path}")
        made_up = client.get(f"/projects/ZZZZ/{path}")
        assert real.status_code == made_up.status_code == 404
        assert without_secrets(real) == without_secrets(made_up)
    real_task = client.get(reverse("task-detail", kwargs={"key": world.todo.key}))
    made_up_task = client.get(reverse("task-detail", kwargs={"key": "ZZZZ-1"}))
    assert without_secrets(real_task) == without_secrets(made_up_task)
