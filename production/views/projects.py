"""My productions: the list with open and overdue counts, create, archive."""

import datetime as dt
import functools
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from production import services, tallies, workflow
from production.access import get_project
from production.forms import ProjectForm, add_service_errors
from production.models import Project, User
from production.prepared import STAND_IN_ID, Prepared

PROJECT_KINDS = dict(Project.Kind.choices)
# What a row of the list shows, from my membership of each production.
_ROW_FIELDS = (
    "project__code",
    "project__name",
    "project__kind",
    "project__archived",
    "role__name",
    "role__can_manage_crew",
)


class ProductionRow(NamedTuple):
    code: str
    name: str
    kind_label: str
    archived: bool
    my_role: str
    can_manage: bool
    url: str
    open_count: int
    overdue_count: int


@functools.lru_cache(maxsize=2)
def _productions_query(today: dt.date) -> Prepared:
    """The productions I am on, with my role there and their open and overdue
    tasks, in one query compiled once a day (prepared.py): building it cost
    more than running it.

    Each production's open and overdue tasks counted from its tallies
    (tallies.py), a few rows a status and a row per person and day late,
    however many tasks it has. The role's flag as workflow.can_manage_crew
    reads it.
    """
    production = OuterRef("project_id")
    return Prepared(
        lambda user_id: (
            User(pk=user_id)
            .memberships.annotate(
                open_count=tallies.total(tallies.open_tallies(production)),
                overdue_count=tallies.total(tallies.overdue_tallies(production, today)),
            )
            .order_by("project__name", "project__code")
            .values_list(*_ROW_FIELDS, "open_count", "overdue_count")
        ),
        STAND_IN_ID,
    )


@require_GET
@login_required
def project_list(request):
    """The productions I am on, with their open and overdue task counts."""
    user = request.user
    query = _productions_query(timezone.localdate())
    rows = [
        ProductionRow(
            code=code,
            name=name,
            kind_label=PROJECT_KINDS[kind],
            archived=archived,
            my_role=role,
            can_manage=can_manage,
            url=reverse("project-board", args=[code]),
            open_count=open_count,
            overdue_count=overdue_count,
        )
        for code, name, kind, archived, role, can_manage, open_count, overdue_count in (
            query.rows(user.pk)
        )
    ]
    context = {
        "active": [row for row in rows if not row.archived],
        "archived": [row for row in rows if row.archived],
        "can_create": workflow.can_create_project(user),
    }
    return render(request, "production/project_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def project_create(request):
    """Start a production (a site permission) and run it as supervising producer."""
    # Asked before the form is read: a refusal is a 403 whatever was posted.
    workflow.require_create_project(request.user)
    form = ProjectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except IntegrityError:
            # Someone took the same code between our check and the save.
            form.add_error("code", "That code is taken; choose another.")
        else:
            messages.success(
                request,
                f"{project.name} is ready. You are its supervising producer: "
                "bring in your crew next.",
            )
            return redirect(project)
    status = 400 if form.is_bound else 200
    return render(
        request, "production/project_form.html", {"form": form}, status=status
    )


@require_POST
@login_required
def project_archive(request, code):
    """Archive a production or bring it back (crew who may manage it)."""
    project, _ = get_project(request.user, code)
    # The service refuses anyone whose role may not manage the crew.
    services.project_archive(
        project=project, by=request.user, archived=not project.archived
    )
    if project.archived:
        messages.success(
            request,
            f"{project.name} is archived: its tasks are kept but can no longer change.",
        )
    else:
        messages.success(request, f"{project.name} is active again.")
    return redirect("project-list")
