"""Task numbers: sequential per production, never reused, safe under races."""

import threading

import pytest
from django.db import connection, connections

from production import services
from production.models import Project, Task


def test_keys_are_sequential_per_project(morn, nite, producer, outsider):
    """Each production counts its own tasks: MORN-n and NITE-m side by side."""
    first = services.task_create(project=morn, by=producer, title="One")
    second = services.task_create(project=morn, by=producer, title="Two")
    other = services.task_create(project=nite, by=outsider, title="Elsewhere")
    assert second.number == first.number + 1
    assert first.key == f"MORN-{first.number}"
    assert other.key == f"NITE-{other.number}"
    assert other.number == Task.objects.filter(project=nite).count()


def test_numbers_are_never_reused(morn, producer):
    """A number stays taken even after its task is deleted in the admin."""
    task = services.task_create(project=morn, by=producer, title="Doomed")
    Task.objects.filter(pk=task.pk).delete()
    after = services.task_create(project=morn, by=producer, title="Next")
    assert after.number == task.number + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_never_collide():
    """Tasks created at the same moment from many threads get distinct numbers."""
    from production.management.commands.seed_demo import seed_base
    from production.models import User

    seed_base()
    morn = Project.objects.get(code="MORN")
    producer = User.objects.get(username="producer")
    before = morn.last_task_number
    threads, per_thread = 6, 5
    errors = []
    start = threading.Barrier(threads)

    def create_some(index):
        try:
            start.wait()
            for n in range(per_thread):
                services.task_create(project=morn, by=producer, title=f"T{index}-{n}")
        except Exception as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=create_some, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    numbers = sorted(
        Task.objects.filter(project=morn, number__gt=before).values_list(
            "number", flat=True
        )
    )
    total = threads * per_thread
    assert numbers == list(range(before + 1, before + total + 1))
    morn.refresh_from_db()
    assert morn.last_task_number == before + total
    assert connection.vendor in {"sqlite", "postgresql"}
