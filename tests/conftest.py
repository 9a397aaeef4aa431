"""Shared fixtures: the demo production as a known world, and logged-in clients.

Most tests start from `demo` (seed_demo's MORN and NITE): the people and
statuses of RULES.md, ready-made, so each test reads like a user's story.

SLATE_TEST_NOW=2028-02-29T23:30:00+00:00 runs the session on that day and time
(the clock keeps ticking from there), so that month ends, leap days and
daylight-saving changes are tried on purpose (`make test-dates`).
"""

import asyncio
import datetime as dt
import email
import email.policy
import os
import socket
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client

from production.management.commands.seed_demo import seed_base
from production.models import Project, Task, User

TEST_NOW = "SLATE_TEST_NOW"


def fixed_now(value: str) -> dt.datetime:
    """The moment SLATE_TEST_NOW names: an ISO datetime with its UTC offset."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(
            f"{TEST_NOW}={value!r} is not an ISO datetime with a zone, "
            "e.g. 2028-02-29T09:00:00+00:00."
        )
    return moment


def pytest_configure(config):
    # A mistyped SLATE_TEST_NOW stops the run once, before any test.
    if value := os.environ.get(TEST_NOW):
        fixed_now(value)


def pytest_report_header(config):
    if value := os.environ.get(TEST_NOW):
        return f"{TEST_NOW}: the session starts at {fixed_now(value).isoformat()}"
    return None


@pytest.fixture(scope="session", autouse=True)
def session_now():
    """The whole run starts at SLATE_TEST_NOW when it is set; None otherwise.

    A fixed offset (not a named zone) keeps time-machine from changing the
    process's TZ. Tests that pin their own clock nest inside this one.
    """
    value = os.environ.get(TEST_NOW)
    if not value:
        yield None
        return
    moment = fixed_now(value)
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def demo(db):
    """seed_demo's world: MORN (producer, ap, ap2, editor, writer) and NITE."""
    seed_base()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def morn(demo):
    return Project.objects.get(code="MORN")


@pytest.fixture
def nite(demo):
    return Project.objects.get(code="NITE")


@pytest.fixture
def producer(demo):
    return demo["producer"]


@pytest.fixture
def ap(demo):
    return demo["ap"]


@pytest.fixture
def ap2(demo):
    return demo["ap2"]


@pytest.fixture
def editor(demo):
    return demo["editor"]


@pytest.fixture
def writer(demo):
    return demo["writer"]


@pytest.fixture
def outsider(demo):
    return demo["outsider"]


@pytest.fixture
def client_for(db):
    """A test client logged in as the given user (a fresh one per call)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def task_of(morn):
    """The first MORN task assigned to `user` in `status`."""

    def find(user, status):
        return (
            Task.objects.filter(project=morn, assignee=user, status=status)
            .order_by("number")
            .first()
        )

    return find


@pytest.fixture
def load_project(producer, ap):
    """A fresh production LOAD run by the producer, with ap as its AP and an episode."""
    from production import services
    from production.models import CrewRole, Episode

    project = services.project_create(by=producer, name="Load test", code="LOAD")
    services.membership_add(
        project=project,
        by=producer,
        user=ap,
        role=CrewRole.objects.get(name=CrewRole.ASSOCIATE_PRODUCER, project=None),
        reports_to=producer,
    )
    Episode.objects.create(project=project, number=1)
    return project


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_twice_at_once(work) -> list[Exception]:
    """Run `work` in two threads released together, each on a database
    connection of its own; returns what they raised."""
    start = threading.Barrier(2, timeout=30)
    errors = []

    def run():
        try:
            start.wait()
            work()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


class Inbox:
    """What a real SMTP server (aiosmtpd) on 127.0.0.1 received, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        # Seconds each message takes to accept: a slow server, for races.
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def point_at(self, settings, port: int) -> None:
        """Send Slate's e-mail to 127.0.0.1:`port` (this server's, or a closed one)."""
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }

    def to(self, user) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == user.email]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free port, with Slate's SMTP mailer pointed at
    it (as EMAIL_HOST/EMAIL_PORT do); yields its Inbox."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    inbox.point_at(settings, controller.port)
    try:
        yield inbox
    finally:
        controller.stop()
