"""The queries every request makes, compiled once (production/prepared.py):
the session and its user (production/sessions.py) as Django's own, shared by
every app server through the database; the markers, the membership and the
task as the querysets they were compiled from."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from production import access, changes, notifications, services, sessions
from production.models import Membership, Project, Task, User
from production.prepared import STAND_IN_ID, Prepared
from production.sessions import DJANGO_BACKEND, SessionStore
from tests.pages import count_queries

MY_WORK = "/"
LOGIN = "/accounts/login/"
BELL = "/notifications/bell/"


def client_with(session_key: str) -> Client:
    """Another browser, or the same one sent to another app server."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def logged_in(client: Client) -> bool:
    response = client.get(MY_WORK)
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN)
        return False
    assert response.status_code == 200
    return True


def test_a_session_made_before_the_faster_backend_stays_logged_in(producer):
    """A session Django's ModelBackend made (before this release) is still
    good: nobody is logged out by the upgrade."""
    store = SessionStore()
    store[SESSION_KEY] = str(producer.pk)
    store[BACKEND_SESSION_KEY] = DJANGO_BACKEND
    store[HASH_SESSION_KEY] = producer.get_session_auth_hash()
    store.create()
    client = client_with(store.session_key)
    assert logged_in(client)
    assert str(producer) in client.get(MY_WORK).content.decode()


def test_logging_out_ends_the_session_on_every_server(producer, client_for):
    """Sessions live in the database: a logout through one app server ends
    the session for the next request to any other."""
    here = client_for(producer)
    there = client_with(here.cookies[settings.SESSION_COOKIE_NAME].value)
    assert logged_in(there)
    here.post("/accounts/logout/")
    assert not logged_in(there)


def test_an_expired_session_is_refused(producer, client_for):
    """After the session's age, the same cookie leads to the login page."""
    client = client_for(producer)
    assert logged_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    expires = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(expires - dt.timedelta(seconds=1), tick=False):
        assert logged_in(client_with(key))
    with time_machine.travel(expires + dt.timedelta(seconds=1), tick=False):
        assert not logged_in(client_with(key))


def test_a_deactivated_or_repassworded_user_is_logged_out(producer, ap, client_for):
    """The faster backend keeps Django's checks: an inactive person is
    refused, and a new password ends the sessions made with the old one."""
    producer_client, ap_client = client_for(producer), client_for(ap)
    User.objects.filter(pk=producer.pk).update(is_active=False)
    assert not logged_in(producer_client)
    ap.set_password("a new and long passphrase")
    ap.save()
    assert not logged_in(ap_client)


def test_a_known_session_reads_its_user_in_the_same_query(producer, client_for):
    """Once this process has seen a session, its user comes with it: the
    bell costs the session with its user, and the count (one round trip to
    PostgreSQL fewer on every page)."""
    client = client_for(producer)
    sessions._OWNERS.clear()  # a fresh process, as after a restart
    assert count_queries(client, BELL) == 3
    assert count_queries(client, BELL) == 2
    assert logged_in(client)


def test_a_session_whose_guessed_owner_is_wrong_reads_its_own_person(
    producer, ap, client_for
):
    """The user read beside the session is used only if the session names
    them: a stale guess shows the session's own person, never the guess."""
    client = client_for(producer)
    sessions._OWNERS[client.cookies[settings.SESSION_COOKIE_NAME].value] = ap.pk
    response = client.get(MY_WORK)
    assert response.wsgi_request.user == producer
    assert str(producer) in response.content.decode()


def test_the_session_of_a_removed_person_is_logged_out(client_for):
    """A person removed while their session lives: the user read beside the
    session is none, and the next page is the login page."""
    person = User.objects.create_user("leaving", password="a long passphrase 1")
    client = client_for(person)
    assert logged_in(client)
    person.delete()
    assert not logged_in(client)


def test_queries_beside_another_read_their_rows_as_each_alone(producer, ap, morn):
    """The session with its user, the bell's count and a board's marker: the
    same values as the queries give apart (dates as dates), and None where
    one finds no row."""
    store = SessionStore()
    store[SESSION_KEY] = str(producer.pk)
    store.create()
    key = store.session_key
    session, user = sessions._SESSION.rows(key)[0], sessions._USER.rows(ap.pk)[0]
    unread = notifications.UNREAD_COUNT
    board = changes.board_etag.query
    assert sessions._SESSION.rows_beside(
        (key,), (sessions._USER, (ap.pk,)), (unread, (ap.pk,)), (board, (ap.pk, "MORN"))
    ) == [(session, user, unread.rows(ap.pk)[0], board.rows(ap.pk, "MORN")[0])]
    assert isinstance(session[1], dt.datetime)
    assert sessions._SESSION.rows_beside(
        (key,), (sessions._USER, (0,)), (unread, (0,)), (board, (ap.pk, "NONE"))
    ) == [(session, None, (0,), None)]
    assert sessions._SESSION.rows_beside(("nobody",), (sessions._USER, (ap.pk,))) == []


def test_the_bell_counts_as_the_orm_counts(producer, ap, task_of):
    """The bell's count, counted by the database, is the number of the
    person's unread notifications the ORM finds, one more after a change
    asked of them."""
    review = task_of(ap, Task.Status.REVIEW)
    before = notifications.unread_count(ap)
    services.task_move(task=review, to=Task.Status.CHANGES, by=producer, note="Again.")
    assert notifications.unread_count(ap) == before + 1
    for user in (producer, ap):
        unread = notifications.notifications_for(user).filter(read_at__isnull=True)
        assert notifications.unread_count(user) == unread.count()


def test_the_session_user_is_the_whole_person(producer, client_for):
    """The user read by the compiled query is the one the ORM reads, field
    for field (dates as dates)."""
    client = client_for(producer)
    request = client.get(MY_WORK).wsgi_request
    fresh = User.objects.get(pk=producer.pk)
    for field in User._meta.concrete_fields:
        assert getattr(request.user, field.attname) == getattr(fresh, field.attname)
    assert isinstance(request.user.date_joined, dt.datetime)
    assert timezone.is_aware(request.user.date_joined)


def test_the_markers_and_the_membership_read_as_the_orm_reads_them(producer, ap, morn):
    """The compiled queries give what the querysets they were compiled from
    give, for each person."""
    for user in (producer, ap):
        marker = changes.user_marker(user)
        assert marker == changes._marker_query(user.pk).get()
        project, membership = access.get_project(user, morn.code)
        expected = (
            Membership.objects.filter(user=user, project=morn)
            .select_related("project", "role")
            .with_has_crew(user)
            .get()
        )
        assert membership.pk == expected.pk
        assert membership.role == expected.role
        assert membership.role.name == expected.role.name
        assert membership.has_crew == expected.has_crew
        assert project == morn
        assert project.time_zone == expected.project.time_zone
        assert project.revision == expected.project.revision


def test_a_task_reads_with_its_people_as_select_related_reads_it(producer, ap, task_of):
    """A task with an assignee and none, a reviewer and none: the same
    people, episode and fields as select_related gives."""
    assigned = task_of(ap, Task.Status.REVIEW)
    Task.objects.filter(pk=assigned.pk).update(reviewer=producer)
    unassigned = Task.objects.filter(project=assigned.project).exclude(pk=assigned.pk)[
        0
    ]
    Task.objects.filter(pk=unassigned.pk).update(assignee=None, reviewer=None)
    for key in (assigned.key, unassigned.key):
        task, _ = access.get_task(producer, key)
        expected = Task.objects.select_related(
            "assignee", "reviewer", "episode", "created_by"
        ).get(key=key)
        for field in Task._meta.concrete_fields:
            assert getattr(task, field.attname) == getattr(expected, field.attname)
        for relation in ("assignee", "reviewer", "episode", "created_by"):
            assert getattr(task, relation) == getattr(expected, relation)
    task, _ = access.get_task(producer, assigned.key)
    assert task.reviewer == producer
    assert task.assignee.username == ap.username


def test_a_query_that_loses_its_stand_in_is_refused():
    """A stand-in the compiled SQL does not carry would run every caller's
    query with the stand-in's value: it fails at once instead."""
    lost = Prepared(
        lambda pk: Project.objects.filter(pk__gt=0).values_list("pk"), STAND_IN_ID
    )
    with pytest.raises(ValueError, match="stand-in"):
        lost.rows(1)


def test_a_session_decoded_once_is_each_request_s_own(producer):
    """A session's data is decoded once per process, but what one request
    changes in it, unsaved, is not what the next reads; saved, it is."""
    store = SessionStore()
    store[SESSION_KEY] = str(producer.pk)
    store.create()
    assert SessionStore(store.session_key)[SESSION_KEY] == str(producer.pk)
    first = SessionStore(store.session_key)
    first["seen"] = "board"
    assert "seen" not in SessionStore(store.session_key).keys()
    first.save()
    assert SessionStore(store.session_key)["seen"] == "board"
    assert SessionStore(store.session_key)[SESSION_KEY] == str(producer.pk)


def test_a_tampered_session_is_empty(producer, client_for):
    """Data whose signature does not match, even after the genuine data was
    decoded, is an empty session: the next page is the login page."""
    client = client_for(producer)
    assert logged_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    data = Session.objects.get(session_key=key).session_data
    Session.objects.filter(session_key=key).update(session_data=data[:-3] + "abc")
    assert not logged_in(client)
