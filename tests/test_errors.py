"""Error pages in Slate's look, and slate.js turning htmx errors into messages.

The test client runs with DEBUG off, so Django renders 400.html, 403.html,
404.html and 500.html exactly as production would.
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
from production.models import Task
from tests.chromium import CHROMIUM_ARGS, find_chromium


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
    assert error_sentence(response) == (
        "Only the reviewer or an approver may approve this task."
    )
    assert_in_slate_look(response)
    assert "Sam Okafor" in response.content.decode()  # still signed in, in the bar


def test_refused_htmx_request_carries_the_sentence_too(client_for, ap, task_of):
    """For htmx the 403 body still holds `.error-message`, which slate.js shows."""
    task = task_of(ap, Task.Status.REVIEW)
    response = client_for(ap).post(
        reverse("task-move", kwargs={"key": task.key}),
        {"to": Task.Status.DONE},
        HTTP_HX_REQUEST="true",
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
    assert "couldn't make sense of that request" in error_sentence(response)
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


# slate.js in a real browser ---------------------------------------------


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
    # The 400 we provoke is logged by the browser and by htmx; the rest count.
    expected = ("the server responded with a status of 4", "Status Error Code 4")
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not any(text in message.text for text in expected)
            and page.errors.append(message.text)
        ),
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
def test_htmx_errors_show_their_sentence_then_clear(browser_page):
    """A refused htmx submit shows the server's sentence in the messages; the
    next request that succeeds clears it."""
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, "producer")
    page.goto("/projects/MORN/crew/")
    add = page.locator("form.add-member")
    add.get_by_label("Person").fill("nobody-at-all")
    add.get_by_label("Role").select_option(label="Editor")
    add.get_by_role("button", name="Add to crew").click()
    error = page.locator("#messages .message.error")
    expect(error).to_have_text("There is no Slate user by that name.")
    add.get_by_label("Person").fill("outsider")
    add.get_by_role("button", name="Add to crew").click()
    expect(page.locator("#messages")).to_contain_text("Olive Stone joined the crew")
    expect(error).to_have_count(0)
    assert page.errors == []


@pytest.mark.browser
def test_data_confirm_asks_before_removing(browser_page):
    """Removing someone asks first; dismissing keeps them, accepting removes them."""
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, "producer")
    page.goto("/projects/MORN/crew/")
    row = page.get_by_role("row", name=re.compile("Jo Lindqvist"))
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
    expect(page.get_by_role("row", name=re.compile("Jo Lindqvist"))).to_have_count(0)
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
