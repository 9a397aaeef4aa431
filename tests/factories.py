"""Quick ways to make many rows for tests that need a big production."""

from production.models import Task
from production.services import reserve_task_numbers


def add_tasks(project, count, **fields):
    """`count` plain tasks on `project`, numbered after the existing ones."""
    Task.objects.bulk_create(
        Task(
            project=project,
            number=number,
            key=f"{project.code}-{number}",
            title=f"Generated {number}",
            **fields,
        )
        for number in reserve_task_numbers(project, count)
    )
