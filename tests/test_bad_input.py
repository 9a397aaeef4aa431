"""Bad input gets a form error or a 400/403/404 and changes nothing; never a 500.

Hypothesis feeds the task form, the move endpoint, the comment endpoint, the
filters and the other forms with missing fields, wrong types, 10,000+
character text, impossible dates, unknown statuses and kinds, ids of other
productions' people, and malformed htmx headers. The test client re-raises
any server error, so a 500 fails with its traceback.
"""

import urllib.parse

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from production.models import CrewRole, Episode, Membership, Task
from tests.pages import HTMX
from tests.test_permissions import database_snapshot

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SUCCESS = {200, 204, 302}
REFUSALS = {400, 403, 404, 405, 409, 429}

LONG = "x" * 10_000
TOO_LONG = "y" * 10_001
text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "   ",
            LONG,
            TOO_LONG,
            "é" * 10_001,
            "a\x00b",
            "\x00",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "💥" * 500,
            "\u202e\u200b",
        ]
    ),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "abc", "1.5", "-1", "0", "1e3", "٣", " 2 ", "2\x00", "None"]),
)
dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(
        [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "0000-00-00",
            "99999-01-01",
            "2026-1-1",
            "31/12/2026",
            "tomorrow",
            "",
            "2024-02-29",
            "2026-03-29T01:30",
        ]
    ),
)
datetimes = st.one_of(
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    dates,
    # A wall-clock time that does not exist in London (the clocks go forward).
    st.just("2026-03-29T01:30"),
)


def choice_or_junk(values):
    return st.one_of(st.sampled_from(list(values)), text, numbers)


# Malformed or unusual htmx headers: none of them may turn into a 500.
HTMX_HEADERS = st.sampled_from(
    [
        {},
        HTMX,
        {"HTTP_HX_REQUEST": "garbage"},
        {**HTMX, "HTTP_HX_CURRENT_URL": "http://[::1"},
        {**HTMX, "HTTP_HX_CURRENT_URL": "javascript:alert(1)"},
        {**HTMX, "HTTP_HX_TARGET": "<script>"},
        {**HTMX, "HTTP_HX_TRIGGER": "x" * 10_000},
        {**HTMX, "HTTP_HX_BOOSTED": "true"},
        {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"},
        {**HTMX, "HTTP_HX_PROMPT": "\u202e"},
    ]
)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def says_why(body: str) -> bool:
    """The page carries an error sentence: a form error or Slate's error message."""
    return "errorlist" in body or "error-message" in body


def check_answer(response, before):
    """Success, or a clear refusal that changed nothing."""
    status = response.status_code
    assert status in SUCCESS | REFUSALS, status
    if status == 302:
        check_local(response["Location"])
    body = "" if response.streaming else response.content.decode()
    # A 200 is a success (a page, a fragment, an HX-Redirect) unless it is
    # the form shown again with its errors.
    refused = status >= 400 or (status == 200 and says_why(body))
    if refused:
        assert database_snapshot() == before, f"a refused request ({status}) wrote data"
    if status in (400, 403, 404, 409):
        assert says_why(body), body[:500]


def check_local(location: str) -> None:
    """A redirect never leaves the site, whatever `next` said."""
    parts = urllib.parse.urlsplit(location)
    assert parts.scheme in ("", "http", "https"), location
    assert parts.netloc in ("", "testserver"), location
    assert not location.startswith(("//", "/\\", "\\")), location


@pytest.fixture
def targets(demo, morn, nite):
    """Ids from both productions, for the fuzzers to draw on."""
    nite_episode = Episode.objects.create(project=nite, number=1, title="Pilot")
    nite_role = CrewRole.objects.create(project=nite, name="Nite Booker")
    users = list(demo.values())
    return {
        "user_ids": [str(user.pk) for user in users],
        "episode_ids": [str(pk) for pk in Episode.objects.values_list("pk", flat=True)]
        + [str(nite_episode.pk)],
        "role_ids": [str(pk) for pk in CrewRole.objects.values_list("pk", flat=True)]
        + [str(nite_role.pk)],
        "morn_keys": list(morn.tasks.values_list("key", flat=True)),
        "nite_keys": list(nite.tasks.values_list("key", flat=True)),
    }


# --- the task form ------------------------------------------------------------------


def task_form(targets):
    people = choice_or_junk(targets["user_ids"])
    return st.fixed_dictionaries(
        {},
        optional={
            "title": text,
            "kind": choice_or_junk(Task.Kind.values),
            "description": text,
            "priority": choice_or_junk(map(str, Task.Priority.values)),
            "assignee": people,
            "reviewer": people,
            "due_date": dates,
            "episode": choice_or_junk(targets["episode_ids"]),
            "guest": text,
            "contact": text,
            "starts_at": datetimes,
            "ends_at": datetimes,
            "location": text,
            "confirmed": st.sampled_from(["on", "true", "false", "", "2", "\x00"]),
            "version": st.one_of(st.just("CURRENT"), numbers),
            "status": choice_or_junk(Task.Status.values),
            "project": numbers,
        },
    )


def test_the_task_edit_form_survives_anything(targets, producer):
    """Any edit form, however broken, is saved, refused as stale or shown with errors."""
    client = as_user(producer)

    @FUZZ
    @given(form=task_form(targets), key=st.sampled_from(targets["morn_keys"][:6]))
    def run(form, key):
        task = Task.objects.get(key=key)
        if form.get("version") == "CURRENT":
            form["version"] = str(task.version)
        before = database_snapshot()
        response = client.post(reverse("task-edit", kwargs={"key": key}), form)
        check_answer(response, before)
        task.refresh_from_db()
        assert task.project.code == "MORN" and task.status in Task.Status.values
        assert len(task.title) <= 200 and "\x00" not in task.title

    run()


def test_the_new_task_form_survives_anything(targets, producer, ap):
    """The new-task form (producer) and the pitch form (AP) never fail on bad input."""
    clients = {"producer": as_user(producer), "ap": as_user(ap)}

    @FUZZ
    @given(
        form=task_form(targets),
        who=st.sampled_from(["producer", "ap"]),
        headers=HTMX_HEADERS,
    )
    def run(form, who, headers):
        before = database_snapshot()
        response = clients[who].post(
            reverse("task-create", kwargs={"code": "MORN"}), form, **headers
        )
        check_answer(response, before)

    run()


# --- moves and comments ------------------------------------------------------------

NEXT_URLS = st.one_of(
    text,
    st.sampled_from(
        [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "\\\\evil.example",
            "javascript:alert(1)",
            "http://testserver@evil.example/",
            "/projects/MORN/",
            "/projects/MORN/?q=<script>",
            "",
        ]
    ),
)


def test_the_move_endpoint_survives_anything(targets, demo):
    """Any move, by anyone, to anywhere: done, or refused with a sentence and no change."""
    clients = {
        name: as_user(demo[name]) for name in ("ap", "ap2", "producer", "editor")
    }

    @FUZZ
    @given(
        who=st.sampled_from(sorted(clients)),
        key=st.sampled_from(targets["morn_keys"] + targets["nite_keys"]),
        form=st.fixed_dictionaries(
            {},
            optional={
                "to": choice_or_junk(Task.Status.values),
                "note": text,
                "next": NEXT_URLS,
            },
        ),
        headers=HTMX_HEADERS,
    )
    def run(who, key, form, headers):
        before = database_snapshot()
        response = clients[who].post(
            reverse("task-move", kwargs={"key": key}), form, **headers
        )
        check_answer(response, before)
        # A NUL is refused at the door, before anyone looks the task up.
        has_nul = any("\x00" in value for value in form.values())
        if key.startswith("NITE") and who != "ap2" and not has_nul:
            assert response.status_code == 404

    run()


def test_the_comment_endpoint_survives_anything(targets, demo):
    """Any comment is stored as typed (trimmed, at most 10,000 characters) or refused."""
    clients = {name: as_user(demo[name]) for name in ("ap", "producer", "outsider")}

    @FUZZ
    @given(
        who=st.sampled_from(sorted(clients)),
        key=st.sampled_from(targets["morn_keys"][:4] + targets["nite_keys"]),
        form=st.fixed_dictionaries({}, optional={"body": text, "extra": text}),
        headers=HTMX_HEADERS,
    )
    def run(who, key, form, headers):
        before = database_snapshot()
        response = clients[who].post(
            reverse("task-comment", kwargs={"key": key}), form, **headers
        )
        check_answer(response, before)
        body = form.get("body", "")
        if response.status_code in SUCCESS:
            task = Task.objects.get(key=key)
            stored = task.comments.latest("id").body
            assert stored == body.strip() and 0 < len(stored) <= 10_000
        if len(body.strip()) > 10_000 or not body.strip():
            assert response.status_code in (400, 404)

    run()


def test_comment_limits_are_exact(demo, ap, task_of):
    """10,000 characters is accepted; 10,001 or only spaces is a 400 with a sentence."""
    task = task_of(ap, Task.Status.TODO)
    client = as_user(ap)
    url = reverse("task-comment", kwargs={"key": task.key})
    assert client.post(url, {"body": LONG}).status_code == 302
    for body in (TOO_LONG, "   ", ""):
        before = database_snapshot()
        response = client.post(url, {"body": body})
        assert response.status_code == 400
        assert "error-message" in response.content.decode()
        assert database_snapshot() == before


def test_a_move_to_changes_needs_a_note(demo, producer, ap, task_of):
    """Requesting changes without a note is a 400 that says so, plain and htmx."""
    task = task_of(ap, Task.Status.REVIEW)
    client = as_user(producer)
    for headers in ({}, HTMX):
        before = database_snapshot()
        response = client.post(
            reverse("task-move", kwargs={"key": task.key}),
            {"to": "changes", "note": "   "},
            **headers,
        )
        assert response.status_code == 400
        assert "Say what needs to change." in response.content.decode()
        assert database_snapshot() == before


# --- the other forms -------------------------------------------------------------


def test_the_project_form_survives_anything(demo, producer):
    """Any new-production form is created or refused with errors, never a 500."""
    client = as_user(producer)

    @FUZZ
    @given(
        form=st.fixed_dictionaries(
            {},
            optional={
                "name": text,
                "code": st.one_of(
                    text,
                    st.sampled_from(
                        ["MORN", "morn", "AB", "A", "ABCDEFGHI", "ÄB", "A\x00"]
                    ),
                ),
                "kind": choice_or_junk(["film", "series", "news"]),
                "description": text,
                "starts_on": dates,
                "ends_on": dates,
                "time_zone": st.one_of(
                    text, st.sampled_from(["UTC", "Europe/London", "Mars/Olympus"])
                ),
            },
        ),
        headers=HTMX_HEADERS,
    )
    def run(form, headers):
        before = database_snapshot()
        response = client.post(reverse("project-create"), form, **headers)
        check_answer(response, before)

    run()


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("project-create", {}),
        ("task-create", {"code": "MORN"}),
        ("task-edit", {"key": "MORN-3"}),
        ("project-crew", {"code": "MORN"}),
        ("task-move", {"key": "MORN-3"}),
        ("task-comment", {"key": "MORN-3"}),
        ("task-bulk", {"code": "MORN"}),
    ],
)
def test_an_empty_post_is_answered_with_errors(demo, producer, name, kwargs):
    """A form posted with no fields at all says what is missing and saves nothing."""
    client = as_user(producer)
    before = database_snapshot()
    response = client.post(reverse(name, kwargs=kwargs), {}, follow=True)
    assert response.status_code in (200, 400)
    assert says_why(response.content.decode()) or "message error" in (
        response.content.decode()
    ), f"{name}: an empty form was answered without any error"
    assert database_snapshot() == before


def test_the_crew_forms_survive_anything(targets, producer, morn):
    """Adding, changing and removing crew with junk answers with errors, never a 500."""
    client = as_user(producer)
    ap_membership = Membership.objects.get(project=morn, user__username="ap")
    people = st.one_of(
        st.sampled_from(["ap", "outsider", "nobody", "producer", ""]),
        text,
    )

    @FUZZ
    @given(
        target=st.sampled_from(["add", "change", "remove"]),
        user=people,
        role=choice_or_junk(targets["role_ids"]),
        reports_to=choice_or_junk(targets["user_ids"]),
        pk=st.one_of(
            st.just(ap_membership.pk),
            st.sampled_from(
                list(Membership.objects.values_list("pk", flat=True)) + [0, 10**12]
            ),
        ),
        headers=HTMX_HEADERS,
    )
    def run(target, user, role, reports_to, pk, headers):
        before = database_snapshot()
        if target == "add":
            url = reverse("project-crew", kwargs={"code": "MORN"})
            form = {"user": user, "role": role, "reports_to": reports_to}
        elif target == "change":
            url = reverse("crew-member", kwargs={"code": "MORN", "pk": pk})
            form = {f"member-{pk}-role": role, f"member-{pk}-reports_to": reports_to}
        else:
            url = reverse("crew-remove", kwargs={"code": "MORN", "pk": pk})
            form = {}
        response = client.post(url, form, **headers)
        check_answer(response, before)
        # Someone who may manage the crew and approve always remains.
        assert Membership.objects.filter(
            project=morn, role__can_manage_crew=True, role__can_approve=True
        ).exists()

    run()


def test_the_last_manager_cannot_leave_or_step_down(producer, morn):
    """Removing or demoting the only manager is a 403 with a sentence; nothing changes."""
    client = as_user(producer)
    mine = Membership.objects.get(project=morn, user=producer)
    assistant = CrewRole.objects.get(project=None, name=CrewRole.ASSOCIATE_PRODUCER)
    for url, form in (
        (reverse("crew-remove", kwargs={"code": "MORN", "pk": mine.pk}), {}),
        (
            reverse("crew-member", kwargs={"code": "MORN", "pk": mine.pk}),
            {f"member-{mine.pk}-role": assistant.pk},
        ),
    ):
        before = database_snapshot()
        response = client.post(url, form)
        assert response.status_code == 403
        assert "must keep someone who may manage its crew" in response.content.decode()
        assert database_snapshot() == before


def test_the_bulk_form_survives_anything(targets, producer):
    """Any bulk request is applied task by task or refused; other productions untouched."""
    client = as_user(producer)
    nite_before = list(Task.objects.filter(project__code="NITE").values())

    @FUZZ
    @given(
        form=st.fixed_dictionaries(
            {},
            optional={
                "tasks": st.lists(
                    st.one_of(
                        st.sampled_from(targets["morn_keys"] + targets["nite_keys"]),
                        text,
                    ),
                    max_size=5,
                ),
                "action": choice_or_junk(["assign", "due_date", "move"]),
                "assignee": choice_or_junk(targets["user_ids"]),
                "due_date": dates,
                "to": choice_or_junk(Task.Status.values),
                "query": st.one_of(text, st.just("q=a&page=abc&sort=drop")),
            },
        ),
        headers=HTMX_HEADERS,
    )
    def run(form, headers):
        before = database_snapshot()
        response = client.post(
            reverse("task-bulk", kwargs={"code": "MORN"}), form, **headers
        )
        assert response.status_code in SUCCESS | REFUSALS
        if response.status_code == 302:
            check_local(response["Location"])
        if response.status_code >= 400:
            assert database_snapshot() == before
        assert list(Task.objects.filter(project__code="NITE").values()) == nite_before

    run()


def test_the_login_form_survives_anything(demo):
    """Junk usernames and passwords get the login form with an error, the
    lockout page, or (for a NUL character) a 400."""
    client = Client()

    @FUZZ
    @given(
        form=st.fixed_dictionaries(
            {}, optional={"username": text, "password": text, "next": NEXT_URLS}
        )
    )
    def run(form):
        response = client.post(reverse("login"), form, REMOTE_ADDR="10.1.2.3")
        has_nul = any("\x00" in value for value in form.values())
        assert response.status_code in ({400} if has_nul else {200, 429})
        assert "_auth_user_id" not in client.session

    run()


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_an_overlong_username_is_a_failed_login_not_a_crash(demo, url):
    """A 300-character username (a scanner's) is refused like any wrong login."""
    response = Client().post(
        url, {"username": "u" * 300, "password": "wrong"}, REMOTE_ADDR="10.3.3.3"
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.parametrize(
    ("name", "kwargs", "form"),
    [
        (
            "task-bulk",
            {"code": "MORN"},
            {"tasks": ["MORN-1\x00"], "action": "move", "to": "todo"},
        ),
        (
            "task-bulk",
            {"code": "MORN"},
            {"tasks": ["MORN-1"], "action": "move", "to": "\x00"},
        ),
        (
            "task-bulk",
            {"code": "MORN"},
            {"tasks": ["MORN-1"], "action": "x", "query": "q=\x00"},
        ),
        ("project-crew", {"code": "MORN"}, {"user": "ap\x00", "role": "1"}),
        ("task-comment", {"key": "MORN-3"}, {"body": "\x00"}),
        ("task-move", {"key": "MORN-3"}, {"to": "todo\x00", "note": "\x00"}),
        ("task-move", {"key": "MORN-3"}, {"to": "cancelled", "next": "/\x00"}),
        ("project-create", {}, {"name": "N\x00", "code": "NU\x00L"}),
    ],
)
def test_nul_characters_are_refused_not_stored(demo, producer, name, kwargs, form):
    """A NUL character (which PostgreSQL cannot store) is refused, never a 500."""
    before = database_snapshot()
    response = as_user(producer).post(reverse(name, kwargs=kwargs), form)
    assert response.status_code in (200, 302, 400, 403)
    assert not any(
        "\x00" in str(value)
        for rows in database_snapshot().values()
        for row in rows
        for value in row
    )
    if response.status_code >= 400:
        assert database_snapshot() == before


# --- query strings --------------------------------------------------------------

FILTER_NAMES = [
    "q",
    "status",
    "assignee",
    "kind",
    "episode",
    "priority",
    "sort",
    "page",
    "month",
    "format",
    "part",
]


@pytest.mark.parametrize(
    "name", ["project-board", "task-list", "project-calendar", "my-calendar"]
)
def test_filters_survive_anything(targets, ap, name):
    """Junk filters, pages, sorts and months give the page with an error, not a 500."""
    client = as_user(ap)
    url = (
        reverse(name, kwargs={"code": "MORN"})
        if name != "my-calendar"
        else reverse(name)
    )

    @FUZZ
    @given(
        query=st.dictionaries(
            st.sampled_from(FILTER_NAMES),
            st.one_of(
                text.filter(lambda value: len(value) < 3000),
                numbers,
                st.sampled_from(
                    targets["user_ids"]
                    + targets["episode_ids"]
                    + Task.Status.values
                    + ["csv", "2026-13", "2026-00", "99999-01", "-1", "0", "drop"]
                ),
            ),
            max_size=5,
        ),
        headers=HTMX_HEADERS,
    )
    def run(query, headers):
        response = client.get(url, query, **headers)
        assert response.status_code in (200, 400), response.status_code
        if response.status_code == 400:
            assert "error-message" in response.content.decode()

    run()


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "page=99999999999999999999",
        "status=todo&page=abc",
        "status=bogus&page=2",
        "sort=drop",
        "sort=-drop",
        "month=2026-13",
        "month=abc",
        "month=0000-01",
        "kind=drop&priority=9&assignee=abc&episode=-1",
        "assignee=99999999999999999999",
        "q=%00",
        "q=" + "z" * 10_000,
        "format=xls",
        "format=csv&assignee=abc",
        "status=todo&status=bogus",
    ],
)
@pytest.mark.parametrize("name", ["project-board", "task-list", "project-calendar"])
def test_known_bad_queries_are_answered(demo, ap, name, query):
    """Each classic bad query string is answered with the page (and an error), not a 500."""
    client = as_user(ap)
    url = reverse(name, kwargs={"code": "MORN"}) + "?" + query
    for headers in ({}, HTMX):
        response = client.get(url, **headers)
        assert response.status_code in (200, 400), (url, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/tasks/MORN-999999999/",
        "/tasks/MORN-0/",
        "/tasks/ZZZZZZZZ-1/edit/",
        "/projects/ZZ/",
        "/projects/MORN/crew/99999999999999999999/",
        "/projects/MORN/crew/0/remove/",
        "/calendar/feed/%00.ics",
        "/calendar/feed/" + "a" * 5000 + ".ics",
        "/calendar/feed/..%2F..%2Fetc%2Fpasswd.ics",
        "/projects/morn/",
        "/tasks/morn-1/",
    ],
)
def test_unknown_addresses_are_404_or_405(demo, producer, path):
    """Made-up keys, ids and tokens are a 404 (or 405 for a GET of a POST-only URL)."""
    client = as_user(producer)
    response = client.get(path)
    assert response.status_code in (404, 405)
    before = database_snapshot()
    response = client.post(path, {"role": "1"})
    assert response.status_code in (404, 405)
    assert database_snapshot() == before


def test_posts_without_csrf_are_refused(demo, ap, task_of):
    """A POST without the CSRF token (another site's form) is a 403 and changes nothing."""
    task = task_of(ap, Task.Status.TODO)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ap)
    before = database_snapshot()
    for url, form in (
        (reverse("task-move", kwargs={"key": task.key}), {"to": "in_progress"}),
        (reverse("task-comment", kwargs={"key": task.key}), {"body": "Forged"}),
        (reverse("calendar-token"), {}),
        (reverse("project-create"), {"name": "Forged", "code": "FORGE"}),
    ):
        response = client.post(url, form, **HTMX)
        assert response.status_code == 403
    assert database_snapshot() == before
