"""Private pages stay private: no shared cache may keep any answer Slate makes."""

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from production import ical
from production.urls import urlpatterns
from tests.pages import EPISODE_PAGES, HTMX, POST_ONLY, episode_page_urls

# Every page a GET reaches, with what it needs; POST-only URLs are listed
# apart (tests/pages.py) so that a new URL must be placed in one or the other.
PAGES = {
    "my-work": {},
    "project-list": {},
    "project-create": {},
    "project-board": {"code": "MORN"},
    "task-list": {"code": "MORN"},
    "archived-tasks": {"code": "MORN"},
    "task-create": {"code": "MORN"},
    "project-crew": {"code": "MORN"},
    "crew-search": {"code": "MORN"},
    "project-calendar": {"code": "MORN"},
    "my-calendar": {},
    "task-detail": {"key": "MORN-1"},
    "task-edit": {"key": "MORN-1"},
    "task-archive": {"key": "MORN-1"},
    "notifications": {},
    "notification-settings": {},
    "profile": {},
    "notification-bell": {},
}
# Tested below with what they need.
ELSEWHERE = {"login", "calendar-feed", "board-more"}


def test_every_url_is_checked_here():
    """A new page must say whether it is a page for people or a POST."""
    names = {p.name for p in urlpatterns if isinstance(p, URLPattern)}
    assert names == set(PAGES) | POST_ONLY | ELSEWHERE | EPISODE_PAGES


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_pages_for_a_logged_in_person_are_private(name, htmx, client_for, producer):
    """Each page, whole or as a fragment, says `Cache-Control: private`."""
    headers = HTMX if htmx else {}
    response = client_for(producer).get(reverse(name, kwargs=PAGES[name]), **headers)
    assert response.status_code == 200
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)


def test_error_pages_and_the_admin_are_private(client_for, producer, outsider):
    """A 404, a 403 and the admin are private too."""
    missing = client_for(producer).get("/projects/NOPE/")
    assert missing.status_code == 404
    refused = client_for(outsider).get(reverse("project-create"))
    admin = client_for(producer).get("/admin/")
    for response in (missing, refused, admin):
        assert "private" in cache_control(response)


def test_the_login_page_and_the_feed_are_private(demo, producer):
    """The login page carries a CSRF token; the feed a person's schedule."""
    login = Client().get(reverse("login"))
    assert login.status_code == 200
    assert "private" in cache_control(login)
    token = ical.feed_token_reset(user=producer)
    feed = Client().get(reverse("calendar-feed", kwargs={"token": token}))
    assert feed.status_code == 200
    assert {"private", "no-cache"} <= cache_control(feed)


def test_static_files_stay_publicly_cacheable(client):
    """Our stylesheet is not a private page: caches may keep it."""
    response = client.get("/static/slate/slate.css")
    assert response.status_code == 200
    assert "private" not in cache_control(response)


def test_slate_sets_only_the_cookies_security_md_names(demo, morn):
    """Logging in and saving a task sets sessionid, csrftoken and messages only."""
    client = Client()
    seen = {}
    response = client.get(reverse("login"))
    seen.update(response.cookies)
    response = client.post(
        reverse("login"), {"username": "producer", "password": "slate-demo"}
    )
    assert response.status_code == 302
    seen.update(response.cookies)
    response = client.post(
        reverse("task-create", kwargs={"code": "MORN"}),
        {"title": "Cookie check", "kind": "other", "priority": 2},
    )
    assert response.status_code == 302
    seen.update(response.cookies)
    assert set(seen) <= {"sessionid", "csrftoken", "messages"}
    assert {"sessionid", "csrftoken"} <= set(seen)
    assert seen["sessionid"]["httponly"]
    assert seen["sessionid"]["samesite"] == "Lax"
    assert not seen["csrftoken"]["httponly"]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_show_more_is_private(htmx, client_for, producer):
    """Show more's cards (htmx), and its way back to the board, are private."""
    headers = HTMX if htmx else {}
    url = reverse("board-more", kwargs={"code": "MORN"}) + "?status=todo&page=2"
    response = client_for(producer).get(url, **headers)
    assert response.status_code == (200 if htmx else 302)
    assert "private" in cache_control(response)
    assert "public" not in cache_control(response)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_episode_pages_are_private(htmx, client_for, producer, morn):
    """Episodes and run-of-show templates say `Cache-Control: private` too."""
    urls = episode_page_urls(morn)
    assert set(urls) == EPISODE_PAGES
    headers = HTMX if htmx else {}
    client = client_for(producer)
    for name, url in urls.items():
        response = client.get(url, **headers)
        assert response.status_code == 200, name
        assert "private" in cache_control(response), name
