"""The page shell (templates/_base.html): the top bar, the bell and a
production's tabs are kept partials (templatetags/shell.py), so every edit
they show must reach the next page, and every page its own token and nonce."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from production import services
from production.management.commands.seed_demo import PASSWORD
from production.models import Notification, Project, Task, User

BOARD = "/projects/MORN/"


def who(page: str) -> str:
    return re.search(r'<a class="who" href="/profile/"[^>]*>([^<]*)</a>', page)[1]


def current(page: str) -> list[str]:
    """The labels (or ids) of the shell's links marked as the current page."""
    shell = page.split('<main id="main"')[0]
    marked = re.findall(r'<a ([^>]*)aria-current="page"[^>]*>\s*([^<]*)', shell)
    return [
        label.strip() or re.search(r'id="(\w+)"', attributes)[1]
        for attributes, label in marked
    ]


def test_a_new_display_name_shows_in_the_top_bar_at_once(client_for, producer):
    """The top bar names the person as they now call themselves, escaped."""
    client = client_for(producer)
    assert who(client.get("/").content.decode()) == str(producer)
    producer.display_name = "Paula <the boss> R."
    producer.save(update_fields=["display_name"])
    assert who(client.get("/").content.decode()) == "Paula &lt;the boss&gt; R."


def test_each_page_marks_its_own_link(client_for, producer):
    """The main links, the bell and the name each mark only their own page."""
    client = client_for(producer)
    for url, marked in [
        ("/", ["My work"]),
        ("/projects/", ["Productions"]),
        ("/projects/new/", ["Productions"]),
        ("/calendar/", ["Calendar"]),
        ("/notifications/", ["bell"]),
        ("/profile/", [str(producer)]),
        (BOARD, ["Board"]),
        ("/projects/MORN/crew/", ["Crew"]),
    ]:
        assert current(client.get(url).content.decode()) == marked, url


def test_the_bell_counts_a_new_notification_on_the_next_page(
    client_for, ap, producer, morn
):
    """One more unread shows on the next page and in the bell's poll."""
    client = client_for(ap)
    before = Notification.objects.filter(recipient=ap, read_at=None).count()
    client.get(BOARD)
    services.task_create(project=morn, by=producer, title="Book a band", assignee=ap)
    count = f'<span class="bell-count">{before + 1}<'
    assert count in client.get(BOARD).content.decode()
    assert count in client.get("/notifications/bell/").content.decode()


def test_a_renamed_or_archived_production_shows_in_its_tabs_at_once(
    client_for, producer, morn
):
    """The tabs carry the production's name, and drop New task once archived."""
    client = client_for(producer)
    page = client.get(BOARD).content.decode()
    assert '<nav class="project-nav" aria-label="Morning Live">' in page
    assert 'href="/projects/MORN/tasks/new/">New task</a>' in page
    Project.objects.filter(pk=morn.pk).update(name="Morning & Late")
    page = client.get(BOARD).content.decode()
    assert '<nav class="project-nav" aria-label="Morning &amp; Late">' in page
    assert '<a href="/projects/MORN/">Morning &amp; Late</a>' in page
    Project.objects.filter(pk=morn.pk).update(archived=True)
    page = client.get(BOARD).content.decode()
    assert '<span class="badge archived">Archived</span>' in page
    assert "/projects/MORN/tasks/new/" not in page


def test_the_tabs_offer_new_task_once_someone_reports_to_the_viewer(
    client_for, ap2, writer, morn
):
    """An AP who pitches gets New task on the next page once they have crew."""
    client = client_for(ap2)
    assert ">Pitch an idea</a>" in client.get(BOARD).content.decode()
    morn.memberships.filter(user=writer).update(reports_to=ap2)
    page = client.get(BOARD).content.decode()
    assert ">New task</a>" in page
    assert ">Pitch an idea</a>" not in page


def test_every_page_carries_its_own_nonce(client_for, producer):
    """The htmx script's nonce is the one its response's policy allows."""
    client = client_for(producer)
    nonces = []
    for _ in range(2):
        response = client.get("/")
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"htmx-2\.min\.[^>]*nonce=\"([^\"]+)\"", response.text)[1]
        assert f"'nonce-{nonce}'" in policy
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.parametrize("username", ["producer", "ap"])
def test_the_log_out_form_works_on_a_page_seen_before(demo, username):
    """The top bar's form carries this session's token, not a kept one."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username=username))
    client.get("/")
    page = client.get("/").content.decode()
    form = page.split('<form class="logout"')[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    assert (
        client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code
        == 302
    )
    assert client.get("/").status_code == 302


def test_someone_logged_out_sees_only_the_brand(db):
    """The login page's top bar has no links, bell or name."""
    page = Client().get("/accounts/login/").content.decode()
    bar = page.split('<header class="topbar">')[1].split("</header>")[0]
    assert 'class="brand" href="/"' in bar
    assert "mainnav" not in bar and 'id="bell"' not in bar and "logout" not in bar


def _tokens(html: str) -> list[str]:
    """Every CSRF token a page carries: its forms' and the one htmx sends."""
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html) + re.findall(
        r'"X-CSRFToken": "([^"]+)"', html
    )


def test_a_page_masks_its_token_once_and_each_form_posts_with_it(demo, ap, task_of):
    """A task page's forms (its moves, its comment, the top bar's log out)
    carry one token, masked anew for the next response; a comment posted
    with it is taken, one with another page's stale secret is refused."""
    task = task_of(ap, Task.Status.IN_PROGRESS)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ap)
    first = _tokens(client.get(task.get_absolute_url()).content.decode())
    second = _tokens(client.get(task.get_absolute_url()).content.decode())
    assert len(first) >= 4
    assert len(set(first)) == 1 and len(set(second)) == 1
    assert first[0] != second[0]
    url = reverse("task-comment", args=[task.key])
    posted = client.post(
        url, {"body": "Cut looks good", "csrfmiddlewaretoken": first[0]}
    )
    assert posted.status_code in (200, 302)
    assert task.comments.filter(body="Cut looks good").exists()
    refused = client.post(url, {"body": "Forged", "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    assert not task.comments.filter(body="Forged").exists()


def test_a_login_gets_a_new_token_and_the_next_page_carries_it(demo, ap):
    """Logging in rotates the secret: the next page's token is the new
    secret's, and its log out form works with it."""
    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/accounts/login/").content.decode()
    (before,) = set(_tokens(login_page))
    response = client.post(
        "/accounts/login/",
        {"username": "ap", "password": PASSWORD, "csrfmiddlewaretoken": before},
    )
    assert response.status_code == 302
    page = client.get("/").content.decode()
    (after,) = set(_tokens(page))
    assert after != before
    assert (
        client.post("/accounts/logout/", {"csrfmiddlewaretoken": after}).status_code
        == 302
    )
