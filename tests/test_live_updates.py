"""Live regions: a poll costs a 304 and one small query while nothing changed,
and brings the change made by someone else as soon as there is one."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from production import notifications, services, sessions
from production.management.commands.seed_demo import add_generated_tasks
from production.models import CrewRole, Notification, Project, Task, User

BOARD = "/projects/MORN/"
TASK = "/tasks/{key}/?part={part}"
MY_WORK = "/"
BELL = "/notifications/bell/"
# The session, its user and the poll's markers (production/changes.py), in
# one query once this process knows whose the session is (sessions.py).
UNCHANGED_POLL_QUERIES = 1


def poll(client, url, etag=None):
    """A live region's poll, as static/slate/live.js sends it."""
    headers = {"HTTP_HX_REQUEST": "true"}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(url, **headers)


def first_etag(client, url) -> str:
    response = poll(client, url)
    assert response.status_code == 200
    assert response["ETag"]
    return response["ETag"]


def revision(code: str) -> int:
    return Project.objects.values_list("revision", flat=True).get(code=code)


@pytest.fixture
def submitted(task_of, ap):
    """The AP's task in progress, which they will submit."""
    return task_of(ap, Task.Status.IN_PROGRESS)


@pytest.mark.parametrize(
    "url", [BOARD, "/projects/MORN/?kind=booking", MY_WORK, BELL, "task"]
)
def test_an_unchanged_region_is_a_304_after_one_query(
    url, producer, client_for, submitted, django_assert_num_queries
):
    """Polled again with the ETag it showed, an unchanged region costs one
    query, the session's with its user and the markers, and no body."""
    url = TASK.format(key=submitted.key, part="history") if url == "task" else url
    client = client_for(producer)
    etag = first_etag(client, url)
    with django_assert_num_queries(UNCHANGED_POLL_QUERIES):
        response = poll(client, url, etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_an_unchanged_poll_costs_the_same_with_5000_tasks(
    morn, producer, client_for, django_assert_num_queries
):
    """The markers are read, not counted: a big production polls as cheaply."""
    add_generated_tasks(morn, 5000 - Task.objects.filter(project=morn).count())
    client = client_for(producer)
    for url in (BOARD, MY_WORK, BELL):
        etag = first_etag(client, url)
        with django_assert_num_queries(UNCHANGED_POLL_QUERIES):
            assert poll(client, url, etag).status_code == 304


def test_the_board_brings_a_move_made_elsewhere(producer, ap, client_for, submitted):
    """The AP submits a task: the producer's board answers 200, with the card
    in its new column, and a new ETag."""
    client = client_for(producer)
    etag = first_etag(client, BOARD)
    services.task_move(task=submitted, to=Task.Status.REVIEW, by=ap)
    response = poll(client, BOARD, etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    column = response.content.decode().split('id="column-review"')[1]
    column = column.split("</section>")[0]
    assert f'id="card-{submitted.key}"' in column
    assert poll(client, BOARD, response["ETag"]).status_code == 304


@pytest.mark.parametrize("change", ["comment", "edit", "archive", "crew", "episode"])
def test_every_change_a_page_shows_is_a_new_etag(
    change, morn, producer, ap, outsider, client_for, submitted
):
    """A comment, an edit, an archive, a crew change or an episode: the
    board's and the task page's polls answer 200."""
    client = client_for(producer)
    task_url = TASK.format(key=submitted.key, part="details")
    etags = {url: first_etag(client, url) for url in (BOARD, task_url)}
    if change == "comment":
        services.comment_add(task=submitted, by=ap, body="Guest confirmed.")
    elif change == "edit":
        services.task_update(
            task=submitted, by=producer, version=submitted.version, title="New title"
        )
    elif change == "archive":
        services.task_archive(task=Task.objects.get(key="MORN-1"), by=producer)
    elif change == "crew":
        services.membership_add(
            project=morn,
            by=producer,
            user=outsider,
            role=CrewRole.objects.get(project=None, name=CrewRole.WRITER),
        )
    else:
        services.episode_create(project=morn, by=producer, number=900, title="Special")
    for url, etag in etags.items():
        assert poll(client, url, etag).status_code == 200, url


def test_a_refused_change_changes_no_marker(morn, ap, submitted):
    """A move the workflow refuses rolls its marker back with it."""
    before = revision("MORN")
    with pytest.raises(services.NotAllowed):
        services.task_move(task=submitted, to=Task.Status.DONE, by=ap)
    assert revision("MORN") == before


def test_productions_change_apart(nite, producer, ap2, outsider, client_for):
    """A change on NITE leaves MORN's marker, and its crew's board, alone."""
    client = client_for(producer)
    etag = first_etag(client, BOARD)
    morn_before, nite_before = revision("MORN"), revision("NITE")
    task = Task.objects.filter(project=nite).first()
    services.comment_add(task=task, by=outsider, body="Friday works.")
    assert revision("NITE") == nite_before + 1
    assert revision("MORN") == morn_before
    assert poll(client, BOARD, etag).status_code == 304


def test_the_etag_is_per_person(producer, ap, client_for):
    """The producer and the AP see other moves on the same board: their
    ETags differ, and one's does not answer the other's poll with a 304."""
    producer_etag = first_etag(client_for(producer), BOARD)
    ap_client = client_for(ap)
    assert first_etag(ap_client, BOARD) != producer_etag
    assert poll(ap_client, BOARD, producer_etag).status_code == 200


def test_my_work_and_the_bell_bring_what_happened_to_my_work(
    producer, ap, client_for, task_of
):
    """The producer requests changes: the AP's my work and bell answer 200,
    the bell with one more unread; reading it answers 200 again."""
    review = task_of(ap, Task.Status.REVIEW)
    client = client_for(ap)
    etags = {url: first_etag(client, url) for url in (MY_WORK, BELL)}
    unread = notifications.unread_count(ap)
    services.task_move(
        task=review, to=Task.Status.CHANGES, by=producer, note="Shorter, please."
    )
    for url, etag in etags.items():
        response = poll(client, url, etag)
        assert response.status_code == 200, url
        etags[url] = response["ETag"]
    assert f"{unread + 1}<span" in response.content.decode()
    notifications.mark_read(ap, pk=Notification.objects.filter(recipient=ap).first().pk)
    assert poll(client, BELL, etags[BELL]).status_code == 200


def test_a_whole_page_is_never_a_304(producer, client_for):
    """The page itself (not a region's poll) always answers whole: it may
    carry messages meant for this one answer."""
    client = client_for(producer)
    etag = first_etag(client, BOARD)
    response = client.get(BOARD, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert not response.has_header("ETag")


def test_a_poll_from_outside_the_crew_is_a_404(producer, outsider, client_for):
    """Someone else's ETag opens nothing: no marker for a production one is not on."""
    etag = first_etag(client_for(producer), BOARD)
    assert poll(client_for(outsider), BOARD, etag).status_code == 404


def test_the_bell_links_to_the_notifications_without_javascript(ap, client_for):
    """The bell's own address answers a plain GET with the bell."""
    response = client_for(ap).get(BELL)
    assert response.status_code == 200
    assert 'href="/notifications/"' in response.content.decode()


def test_the_bell_answers_with_its_count_from_one_query(
    producer, ap, client_for, task_of, django_assert_num_queries
):
    """The bell's answer in full costs what its 304 costs: the session, the
    user and the count in one query, counted once for the ETag and the
    number shown."""
    review = task_of(ap, Task.Status.REVIEW)
    services.task_move(task=review, to=Task.Status.CHANGES, by=producer, note="Again.")
    client = client_for(ap)
    client.get(BELL)
    unread = notifications.unread_count(ap)
    assert unread
    with django_assert_num_queries(UNCHANGED_POLL_QUERIES):
        response = poll(client, BELL)
    assert response.status_code == 200
    assert f"{unread}<span" in response.content.decode()


def test_regions_poll_at_the_configured_interval(producer, client_for, settings):
    """Each live region polls every SLATE_POLL_SECONDS."""
    settings.SLATE_POLL_SECONDS = 7
    page = client_for(producer).get(BOARD).content.decode()
    assert page.count("every 7s") == 2  # the board's columns and the bell


def guess_owner(client, user) -> None:
    """What this process believes of whose the client's session is."""
    sessions._OWNERS[client.cookies[settings.SESSION_COOKIE_NAME].value] = user.pk


@pytest.mark.parametrize("url", [BOARD, MY_WORK, BELL])
def test_a_poll_of_a_session_this_process_has_not_seen_reads_apart(
    url, producer, client_for, django_assert_num_queries
):
    """After a restart, a poll reads the session, its user and the markers
    each alone, with the same answer; the next poll reads them in one."""
    client = client_for(producer)
    etag = first_etag(client, url)
    sessions._OWNERS.clear()
    with django_assert_num_queries(3):
        assert poll(client, url, etag).status_code == 304
    with django_assert_num_queries(1):
        assert poll(client, url, etag).status_code == 304


def test_markers_read_for_a_wrong_guess_are_not_used(
    producer, ap, outsider, client_for, task_of
):
    """Markers read beside the session for another person than the
    session's are not its: the producer's board and bell answer as the
    producer's, whoever the guess was (the outsider sees no board, the AP
    has an unread notification the producer has not)."""
    review = task_of(ap, Task.Status.REVIEW)
    services.task_move(task=review, to=Task.Status.CHANGES, by=producer, note="Again.")
    client = client_for(producer)
    etags = {url: first_etag(client, url) for url in (BOARD, BELL)}
    for guess in (outsider, ap):
        guess_owner(client, guess)
        for url, etag in etags.items():
            assert poll(client, url, etag).status_code == 304, (guess, url)


@pytest.mark.parametrize("ending", ["logout elsewhere", "deactivated", "password"])
def test_a_poll_of_an_ended_session_goes_to_the_login_page(
    ending, producer, client_for
):
    """A session ended on another server, a deactivated person or a new
    password: the next poll, read in one query with its markers, sends the
    page to the login page instead of a 304."""
    client = client_for(producer)
    etag = first_etag(client, BOARD)
    if ending == "logout elsewhere":
        # The same browser's logout, answered by another app server.
        elsewhere = Client()
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        elsewhere.cookies[settings.SESSION_COOKIE_NAME] = key
        elsewhere.post("/accounts/logout/")
        assert not Session.objects.exists()
    elif ending == "deactivated":
        User.objects.filter(pk=producer.pk).update(is_active=False)
    else:
        producer.set_password("a new and long passphrase")
        producer.save()
    response = poll(client, BOARD, etag)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")
