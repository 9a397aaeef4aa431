"""A production's archived tasks: what archiving took off the pages, and
bringing a task back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from production import access, services, workflow
from production.views.clock import render_on_project_clock

ARCHIVED = "production/archived_tasks.html"
ROWS_PER_PAGE = 50


@require_GET
@login_required
def archived_tasks(request, code):
    """The archived tasks, the latest archived first, with Restore for crew who may."""
    project, membership = access.get_project(request.user, code)
    tasks = access.archived_tasks(project)
    page = Paginator(tasks, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "page": page,
        "can_restore": workflow.can_restore(project, membership.role),
    }
    return render_on_project_clock(request, ARCHIVED, context, project)


@require_POST
@login_required
def task_restore(request, key):
    """Bring an archived task back to the board and the lists, as it was."""
    task = access.get_archived_task(request.user, key)
    services.task_restore(task=task, by=request.user)
    messages.success(request, f"{task.key} restored; it is back on the board.")
    return redirect("archived-tasks", code=task.project.code)
