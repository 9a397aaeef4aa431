"""Error pages in Slate's look, forms with errors, and slate.js showing
what went wrong where it belongs.

The test client runs with DEBUG off, so Django renders 400.html, 403.html,
404.html and 500.html exactly as production would; the tests of htmx
refusals run with DEBUG on as well, as `make run` does.
"""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path, reverse

from production import urls as slate_urls
from production.management.commands.seed_demo import PASSWORD, seed_base
from production.models import CrewRole, Membership, Task
from tests.chromium import CHROMIUM_ARGS, find_chromium
from tests.pages import HTMX, assert_marked, edit_data, error_summary


def boom(request):
    raise RuntimeError("A bug, for the 500 page.")


# Slate's URLs plus one that fails, for the 500 page (see pytest.mark.urls).
urlpatterns = [path("boom/", boom), *slate_urls.urlpatterns]

NOT_FOUND = "This page does not exist, or you are not on the production it belongs to."


def error_sentence(response) -> str:
    match = re.search(
        r'class="[^"]*\berror-message\b[^"]*"[^>]*>(.*?)</',
        response.content.decode(),
        re.S,
    )
    assert match, response.content.decode()[:2000]
    return " ".join(match.group(1).split())


def assert_in_slate_look(response):
    """The page is Slate's: its stylesheet and top bar, no inline script or style."""
    content = response.content.decode()
    assert "slate/slate.css" in content
    assert 'class="topbar"' in content
    assert not re.search(r"<script(?![^>]*\bsrc=)", content), "inline <script>"
    assert not re.search(r"\sstyle=", content), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", content), "inline event handler"


def test_refused_move_is_a_403_page_with_the_reason(client_for, ap, task_of):
    """An AP approving their own work gets a 403 page that says only approvers may."""
    task = task_of(ap, Task.Status.REVIEW)
    response = client_for(ap).post(
        reverse("task-move", kwargs={"key": task.key}), {"to": Task.Status.DONE}
    )
    assert response.status_code == 403
    assert error_sentence(response) == "Only an approver may approve this task."
    assert_in_slate_look(response)
    assert "Sam Okafor" in response.content.decode()  # still signed in, in the bar


def test_refused_htmx_request_carries_the_sentence_too(client_for, ap, task_of):
    """For htmx the 403 body still holds `.error-message`, which slate.js shows."""
    task = task_of(ap, Task.Status.REVIEW)
    response = client_for(ap).post(
        reverse("task-move", kwargs={"key": task.key}),
        {"to": Task.Status.DONE},
        **HTMX,
    )
    assert response.status_code == 403
    assert "approve this task" in error_sentence(response)


def test_403_without_a_reason_says_so_plainly(client_for, ap):
    """A refusal from a view (crew change by an AP) shows that view's sentence."""
    response = client_for(ap).post(
        reverse("project-crew", kwargs={"code": "MORN"}), {"user": "outsider"}
    )
    assert response.status_code == 403
    assert error_sentence(response) == (
        "Only crew whose role may manage the crew can change it."
    )


def test_unknown_task_key_is_a_404_page(client_for, ap):
    """A task key that does not exist gives the 404 page and its sentence."""
    response = client_for(ap).get(reverse("task-detail", kwargs={"key": "MORN-9999"}))
    assert response.status_code == 404
    assert error_sentence(response) == NOT_FOUND
    assert_in_slate_look(response)


def test_404_does_not_reveal_a_production_exists(client_for, outsider, ap, task_of):
    """An outsider's 404 for a real MORN task reads exactly like one for a made-up key."""
    task = task_of(ap, Task.Status.TODO)
    client = client_for(outsider)
    real = client.get(reverse("task-detail", kwargs={"key": task.key}))
    made_up = client.get(reverse("task-detail", kwargs={"key": "ZZZZ-1"}))
    assert real.status_code == made_up.status_code == 404
    assert error_sentence(real) == error_sentence(made_up) == NOT_FOUND
    for leak in (task.key, task.title, "Morning Live", "MORN"):
        assert leak not in real.content.decode()


def test_an_unknown_address_is_a_404_page(client_for, ap):
    """Any address Slate does not know shows the same friendly 404."""
    response = client_for(ap).get("/no/such/page/")
    assert response.status_code == 404
    assert error_sentence(response) == NOT_FOUND


def test_bad_request_is_a_400_page(demo):
    """A request Django refuses as malformed gets Slate's 400 page."""
    response = Client().get("/", HTTP_HOST="not-our-host.example")
    assert response.status_code == 400
    assert "couldn’t make sense of that request" in error_sentence(response)
    assert_in_slate_look(response)


@pytest.mark.urls(__name__)
def test_server_error_is_a_500_page_without_user_details(client_for, ap):
    """A crash shows the 500 page, rendered without request or user, in Slate's look."""
    client = client_for(ap)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in error_sentence(response)
    assert_in_slate_look(response)
    assert "Sam Okafor" not in response.content.decode()
    assert "A bug, for the 500 page." not in response.content.decode()


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_htmx_refusals_carry_slates_sentence_with_debug_on_or_off(
    settings, debug, client_for, producer, ap, ap2, morn, task_of
):
    """A 403 or 404 answered to htmx is Slate's page with its sentence, never
    Django's technical 404 page (DEBUG), which has none for slate.js to show."""
    settings.DEBUG = debug
    gone = Membership.objects.get(project=morn, user=ap2)
    remove = reverse("crew-remove", kwargs={"code": "MORN", "pk": gone.pk})
    gone.delete()  # another manager took Jo off a moment ago
    response = client_for(producer).post(remove, **HTMX)
    assert response.status_code == 404
    assert error_sentence(response) == NOT_FOUND
    assert_in_slate_look(response)

    task = task_of(ap, Task.Status.REVIEW)
    move = reverse("task-move", kwargs={"key": task.key})
    response = client_for(ap).post(move, {"to": Task.Status.DONE}, **HTMX)
    assert response.status_code == 403
    assert error_sentence(response) == "Only an approver may approve this task."


# Forms with errors: a summary at the top, each field marked ----------------


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _new_task(demo):
    data = {"title": "", "kind": "script", "priority": 2}
    return _client(demo["producer"]), "/projects/MORN/tasks/new/", data


def _pitch(demo):
    return _client(demo["ap"]), "/projects/MORN/tasks/new/", {"title": ""}


def _edit(demo):
    task = Task.objects.get(key="MORN-3")
    url = reverse("task-edit", kwargs={"key": task.key})
    return _client(demo["producer"]), url, edit_data(task, title="")


def _new_production(demo):
    data = {"name": "", "code": "ZZZ", "kind": "film", "time_zone": "UTC"}
    return _client(demo["producer"]), reverse("project-create"), data


def _crew_add(demo):
    editor = CrewRole.objects.get(project=None, name=CrewRole.EDITOR)
    data = {"user": "nobody-at-all", "role": editor.pk}
    return _client(demo["producer"]), reverse("project-crew", args=["MORN"]), data


def _crew_change(demo):
    member = Membership.objects.get(project__code="MORN", user=demo["ap2"])
    url = reverse("crew-member", kwargs={"code": "MORN", "pk": member.pk})
    data = {f"member-{member.pk}-role": "", f"member-{member.pk}-reports_to": ""}
    return _client(demo["producer"]), url, data


def _log_in(demo):
    return _client(), reverse("login"), {"username": "", "password": "x"}


def _comment(demo):
    url = reverse("task-comment", kwargs={"key": "MORN-3"})
    return _client(demo["ap"]), url, {"body": " "}


def _move_note(demo):
    task = Task.objects.filter(project__code="MORN", status="review").first()
    url = reverse("task-move", kwargs={"key": task.key})
    data = {"to": "changes", "note": " ", "version": task.version}
    return _client(demo["producer"]), url, data


def _bulk(demo):
    data = {"tasks": ["MORN-3"], "action": "due_date", "due_date": "soon"}
    return _client(demo["producer"]), reverse("task-bulk", args=["MORN"]), data


# Each form posted with an error: who posts where, and the field and sentence
# its summary must link to; with htmx too where the form posts with htmx.
FORMS_WITH_ERRORS = [
    ("new task", _new_task, "id_title", "This field is required.", None),
    ("pitch", _pitch, "id_title", "This field is required.", None),
    ("edit task", _edit, "id_title", "This field is required.", None),
    ("new production", _new_production, "id_name", "This field is required.", None),
    # The person is picked from a search: the search box stands for them.
    (
        "crew add",
        _crew_add,
        "id_user_search",
        "There is no Slate user by that name.",
        HTMX,
    ),
    ("crew change", _crew_change, "-role", "Choose a role.", HTMX),
    ("log in", _log_in, "id_username", "This field is required.", None),
    ("comment", _comment, "id_body", "Write something first.", HTMX),
    (
        "move note",
        _move_note,
        "-note",
        "Say what needs to change.",
        HTMX | {"HTTP_HX_TARGET": "task-state"},
    ),
    ("bulk", _bulk, "bulk-due_date", "Give the due date as a date", HTMX),
]


@pytest.mark.parametrize(
    ("post", "field", "sentence", "htmx"),
    [case[1:] for case in FORMS_WITH_ERRORS],
    ids=[case[0] for case in FORMS_WITH_ERRORS],
)
def test_every_form_with_errors_has_a_summary_and_marked_fields(
    demo, post, field, sentence, htmx
):
    """A form posted with an error comes back with "There is a problem" at its
    top, linking to the field, which is aria-invalid and described by its error;
    as the whole page, and as the fragment htmx swaps in place."""
    for headers in [{}, htmx] if htmx else [{}]:
        client, url, data = post(demo)
        response = client.post(url, data, **headers)
        assert response.status_code in (200, 400), response.status_code
        page = response.content.decode()
        assert page.lstrip().startswith("<!doctype") is not bool(headers)
        assert "There is a problem" in page
        links = [
            (link, text)
            for link, text in error_summary(page)
            if link and link.endswith(field) and sentence in text
        ]
        assert len(links) == 1, error_summary(page)
        assert_marked(page, links[0][0], sentence)


def test_a_failed_log_in_is_summed_up_without_a_field_to_blame(demo):
    """A wrong password is the whole form's error: in the summary, unlinked."""
    response = _client().post(
        reverse("login"), {"username": "ap", "password": "not-it"}
    )
    assert error_summary(response.content.decode()) == [
        (
            None,
            "Please enter a correct username and password. Note that both fields "
            "may be case-sensitive.",
        )
    ]


def test_every_page_sends_the_csrf_token_to_htmx(client_for, ap):
    """The body's hx-headers carries the CSRF token, so htmx POSTs pass CSRF."""
    content = client_for(ap).get(reverse("my-work")).content.decode()
    assert re.search(
        r"<body hx-headers='\{\"X-CSRFToken\": \"[\w-]{32,}\"\}'>", content
    )


def test_stylesheet_is_small_and_has_the_shared_classes():
    """slate.css stays under 15 KB compressed and styles the classes pages share."""
    css = (Path(settings.BASE_DIR) / "static/slate/slate.css").read_bytes()
    assert len(gzip.compress(css, 9)) < 15_000
    for selector in (
        ".visually-hidden",
        ".message.error",
        ".message.success",
        ".message.warning",
        ".status-review",
        ".priority-4",
        ".kind-booking",
        ".board",
        ".column",
        ".card",
        ".overdue",
        ".project-nav",
        ":focus-visible",
        "@media (max-width: 40rem)",
    ):
        assert selector in css.decode(), selector


# slate.js in a real browser (errors in place, with DEBUG on and off:
# tests/browser/test_errors_in_place.py) ---------------------------------


def chromium() -> str:
    return find_chromium() or pytest.fail(
        "No Chromium found: set CHROMIUM to its path."
    )


@pytest.fixture
def browser_page(playwright, live_server, transactional_db, monkeypatch):
    """A Chromium page on a live Slate with the demo; its script errors collected."""
    # Playwright's sync API runs an event loop in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_base()
    browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
    page = browser.new_page(base_url=live_server.url)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append(message.text),
    )
    yield page
    browser.close()


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.browser
def test_data_confirm_asks_before_removing(browser_page):
    """Removing someone asks first; dismissing keeps them, accepting removes them."""
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, "producer")
    page.goto("/projects/MORN/crew/")
    row = page.locator(
        "li.member", has=page.get_by_role("heading", name=re.compile("^Jo Lindqvist"))
    )
    row.locator("summary", has_text="Edit").click()
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    row.get_by_role("button", name=re.compile("^Remove")).click()
    page.wait_for_timeout(300)
    expect(row).to_have_count(1)
    page.once("dialog", lambda dialog: answer(dialog, True))
    row.get_by_role("button", name=re.compile("^Remove")).click()
    expect(row).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text("no longer on the crew")
    assert questions == ["Take Jo Lindqvist off the crew of Morning Live?"] * 2
    assert page.errors == []


@pytest.mark.browser
def test_unreachable_server_is_reported(browser_page):
    """When the server cannot be reached, htmx requests say so in the messages."""
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, "ap")
    page.route("**/", lambda route: route.abort())
    page.get_by_role("link", name="Refresh").click()
    expect(page.locator("#messages .message.error")).to_have_text(
        "Slate can't be reached; check your connection."
    )


def test_an_expired_form_gets_a_page_that_says_so(demo):
    """A POST without its CSRF token is refused with Slate's own explanation."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["ap"])
    response = client.post("/tasks/MORN-3/comments/", {"body": "Hello"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert not demo["ap"].comments.exists()


def test_an_htmx_request_after_the_session_ended_loads_the_login_page(demo):
    """htmx from a page whose session has ended sends the browser to the login
    page as a whole page, back to that page afterwards; a plain request is
    redirected as ever."""
    client = Client()
    board = reverse("project-board", kwargs={"code": "MORN"})
    move = reverse("task-move", kwargs={"key": "MORN-3"})
    sent_from = {"HTTP_HX_CURRENT_URL": f"http://testserver{board}?kind=script"}
    moved = client.post(move, {"to": "in_progress"}, **HTMX, **sent_from)
    assert moved.status_code == 200
    assert (
        moved["HX-Redirect"] == "/accounts/login/?next=/projects/MORN/%3Fkind%3Dscript"
    )
    assert b"<form" not in moved.content
    refreshed = client.get(board, **HTMX)
    assert refreshed["HX-Redirect"] == "/accounts/login/?next=/projects/MORN/"
    plain = client.post(move, {"to": "in_progress"})
    assert plain.status_code == 302
    assert plain["Location"] == "/accounts/login/?next=/tasks/MORN-3/move/"
    assert Task.objects.get(key="MORN-3").status == Task.Status.TODO
