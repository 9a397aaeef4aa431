"""Shared fixtures: the demo production as a known world, and logged-in clients.

Most tests start from `demo` (seed_demo's MORN and NITE): the people and
statuses of PRODUCT.md, ready-made, so each test reads like a user's story.
"""

import pytest
from django.test import Client

from production.management.commands.seed_demo import seed_base
from production.models import Project, Task, User


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
