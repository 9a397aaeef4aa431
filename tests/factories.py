"""Quick ways to make many rows for tests that need a big production."""

from django.db.models import F

from production.models import Project, Task


def add_tasks(project, count, **fields):
    """`count` plain tasks on `project`, numbered after the existing ones."""
    Project.objects.filter(pk=project.pk).update(
        last_task_number=F("last_task_number") + count
    )
    project.refresh_from_db()
    first = project.last_task_number - count + 1
    Task.objects.bulk_create(
        Task(
            project=project,
            number=number,
            key=f"{project.code}-{number}",
            title=f"Generated {number}",
            **fields,
        )
        for number in range(first, first + count)
    )
