"""A production's episodes and its run-of-show templates.

Every crew member sees the episodes and the templates; crew who may assign
create and edit them (workflow.can_plan_episodes). Making tasks from a
template, and moving an air date with the open tasks, are previewed first:
the preview is the same form with its values carried in hidden fields, and
nothing is written until its button confirms it. Plain forms throughout,
so every step works without JavaScript.
"""

import copy
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from production import services, workflow
from production.access import get_project
from production.forms import (
    EpisodeForm,
    RunOfShowForm,
    RunOfShowLineForm,
    TemplateChoiceForm,
    add_service_errors,
)
from production.models import Episode, Project, RunOfShow, Task
from production.prepared import STAND_IN_ID, Joined, Prepared
from production.views.clock import render_on_project_clock
from production.views.rows import PERSON_NAMES, label_rows

EPISODE_LIST = "production/episode_list.html"
EPISODE_DETAIL = "production/episode_detail.html"
EPISODE_FORM = "production/episode_form.html"
EPISODE_APPLY = "production/episode_apply.html"
TEMPLATE_LIST = "production/run_of_show_list.html"
TEMPLATE_DETAIL = "production/run_of_show_detail.html"
LINE_FORM = "production/run_of_show_line_form.html"

S = Task.Status
# The preview's buttons: confirm writes, back returns to the form as typed.
CONFIRM, BACK = "confirm", "back"

# The episode page's queries, compiled once: building them through the ORM
# cost the page more than running them. Each is a relation of the production
# get_project found (project.episodes, then episode.tasks), compiled with
# stand-ins. Its tasks with what a row shows (their assignee by name alone:
# User.__str__).
_EPISODE_ROW = Joined(Episode)
_EPISODE = Prepared(
    lambda project_id, pk: (
        Project(pk=project_id)
        .episodes.filter(pk=pk)
        .order_by()
        .values_list(*_EPISODE_ROW.columns())[:1]
    ),
    STAND_IN_ID,
    STAND_IN_ID - 1,
)
EPISODE_ROW_FIELDS = (
    "project",
    "number",
    "key",
    "title",
    "kind",
    "status",
    "priority",
    "due_date",
    "starts_at",
    "ends_at",
    "episode",
    "assignee",
)
_EPISODE_TASK_ROW = Joined(
    Task, "assignee", only={None: EPISODE_ROW_FIELDS, "assignee": PERSON_NAMES}
)
_EPISODE_TASKS = Prepared(
    lambda episode_id: (
        Episode(pk=episode_id)
        .tasks.filter(archived=False)
        .order_by(
            F("due_date").asc(nulls_last=True),
            F("starts_at").asc(nulls_last=True),
            "number",
        )
        .values_list(*_EPISODE_TASK_ROW.columns())
    ),
    STAND_IN_ID,
)
_TEMPLATES = Prepared(
    lambda project_id: Project(pk=project_id).run_of_shows.values_list("pk", "name"),
    STAND_IN_ID,
)


def _planner(request, code):
    """The production, for someone who may plan its episodes; else 404 or 403."""
    project, membership = get_project(request.user, code)
    workflow.require_plan_episodes(project, membership.role)
    return project, membership


def _episode(project, pk):
    episode = get_object_or_404(project.episodes, pk=pk)
    episode.project = project
    return episode


@require_GET
@login_required
def episode_list(request, code):
    """The production's episodes by number, with how far their work has come."""
    project, membership = get_project(request.user, code)
    live = Q(tasks__archived=False)
    episodes = project.episodes.annotate(
        open_count=Count(
            "tasks", filter=live & Q(tasks__status__in=Task.OPEN_STATUSES)
        ),
        done_count=Count("tasks", filter=live & Q(tasks__status=S.DONE)),
    ).order_by("number")
    context = {
        "project": project,
        "episodes": episodes,
        "can_plan": workflow.can_plan_episodes(project, membership.role),
    }
    return render_on_project_clock(request, EPISODE_LIST, context, project)


@functools.lru_cache(maxsize=256)
def _template_select(choices: tuple[tuple[int, str], ...]) -> str:
    """The apply form's select of these templates (id, name): the same
    markup for the same templates, and its widget's templates cost the
    episode page a tenth of its time."""
    templates = [RunOfShow(pk=pk, name=name) for pk, name in choices]
    return str(TemplateChoiceForm(templates=templates)["template"])


@require_GET
@login_required
def episode_detail(request, code, pk):
    """An episode: its tasks by due date with bookings' slots, and its progress."""
    project, membership = get_project(request.user, code)
    found = _EPISODE.rows(project.pk, pk)
    if not found:
        raise Http404("No such episode.")
    episode = _EPISODE_ROW.load(found[0])[0]
    episode.project = project
    tasks = label_rows(
        [_EPISODE_TASK_ROW.load(row)[0] for row in _EPISODE_TASKS.rows(episode.pk)]
    )
    can_plan = workflow.can_plan_episodes(project, membership.role)
    choices = tuple(_TEMPLATES.rows(project.pk)) if can_plan else ()
    # Tasks are made from a template for an episode with an air date.
    offer = bool(choices and episode.air_date)
    done = sum(task.status == S.DONE for task in tasks)
    open_count = sum(task.is_open for task in tasks)
    context = {
        "project": project,
        "episode": episode,
        "tasks": tasks,
        "done": done,
        "open": open_count,
        "late": sum(task.is_overdue for task in tasks),
        # Cancelled work is no part of the episode's progress.
        "total": done + open_count,
        "can_plan": can_plan,
        "apply_form": TemplateChoiceForm(
            templates=[RunOfShow(pk=pk, name=name) for pk, name in choices]
        )
        if offer
        else None,
        "template_select": _template_select(choices) if offer else "",
    }
    return render_on_project_clock(request, EPISODE_DETAIL, context, project)


def _next_number(project) -> int:
    last = project.episodes.order_by("-number").values_list("number", flat=True)
    return (last.first() or 0) + 1


@require_http_methods(["GET", "POST"])
@login_required
def episode_create(request, code):
    """A new episode; with a template, its tasks are previewed, then created."""
    project, _ = _planner(request, code)
    templates = list(project.run_of_shows.all())
    data = request.POST if request.method == "POST" else None
    form = EpisodeForm(
        data,
        project=project,
        templates=templates,
        initial={"number": _next_number(project)},
    )
    context = {"project": project, "form": form}
    status = 200
    if data is not None and BACK not in data:
        if form.is_valid():
            template = form.cleaned_data.get("template")
            if template and CONFIRM not in data:
                return _preview_new(request, form, template, context)
            try:
                # The episode and its tasks together, or neither.
                with transaction.atomic():
                    episode = services.episode_create(
                        project=project, by=request.user, **form.values()
                    )
                    made = (
                        services.run_of_show_apply(
                            episode=episode, template=template, by=request.user
                        )
                        if template
                        else []
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                made_text = (
                    f" with {len(made)} task{pluralize(len(made))}" if made else ""
                )
                messages.success(request, f"{episode} created{made_text}.")
                return redirect(episode)
        status = 400
    return render_on_project_clock(
        request, EPISODE_FORM, context, project, status=status
    )


def _preview_new(request, form, template, context):
    """The tasks a new episode would bring, before anything is created."""
    project = context["project"]
    episode = form.instance
    episode.project = project
    try:
        plan = services.run_of_show_plan(episode=episode, template=template)
    except ValidationError as error:
        add_service_errors(form, error)
        return render_on_project_clock(
            request, EPISODE_FORM, context, project, status=400
        )
    context |= {"plan": plan, "template": template, "preview": episode}
    return render_on_project_clock(request, EPISODE_FORM, context, project)


@require_http_methods(["GET", "POST"])
@login_required
def episode_edit(request, code, pk):
    """Edit an episode; a new air date offers to move its open tasks along."""
    project, _ = _planner(request, code)
    episode = _episode(project, pk)
    data = request.POST if request.method == "POST" else None
    # Validating writes onto the form's instance; the preview needs the
    # episode as stored, with its old air date.
    form = EpisodeForm(data, instance=copy.copy(episode), project=project)
    context = {"project": project, "episode": episode, "form": form}
    status = 200
    if data is not None and BACK not in data:
        if form.is_valid():
            shifts = services.plan_air_date_shift(
                episode, form.cleaned_data["air_date"]
            )
            choice = data.get("shift")
            if shifts and choice not in ("yes", "no"):
                context |= {
                    "shifts": shifts,
                    "new_air_date": form.cleaned_data["air_date"],
                }
                return render_on_project_clock(request, EPISODE_FORM, context, project)
            try:
                moved = services.episode_update(
                    episode=episode,
                    by=request.user,
                    shift_tasks=choice == "yes",
                    **form.values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                moved_text = (
                    f"; {len(moved)} open task{pluralize(len(moved))} moved with it"
                    if moved
                    else ""
                )
                messages.success(request, f"{episode} saved{moved_text}.")
                return redirect(episode)
        status = 400
    return render_on_project_clock(
        request, EPISODE_FORM, context, project, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def episode_apply(request, code, pk):
    """An existing episode's tasks from a template: previewed (GET), made (POST)."""
    project, _ = _planner(request, code)
    episode = _episode(project, pk)
    templates = list(project.run_of_shows.all())
    form = TemplateChoiceForm(
        request.POST if request.method == "POST" else request.GET, templates=templates
    )
    context = {"project": project, "episode": episode, "form": form}
    if form.is_valid():
        template = form.cleaned_data["template"]
        try:
            if request.method == "POST":
                made = services.run_of_show_apply(
                    episode=episode, template=template, by=request.user
                )
            else:
                context["plan"] = services.run_of_show_plan(
                    episode=episode, template=template
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.method == "GET":
                context["template"] = template
                return render_on_project_clock(request, EPISODE_APPLY, context, project)
            if made:
                messages.success(
                    request,
                    f"{len(made)} task{pluralize(len(made))} made from {template}.",
                )
            else:
                messages.info(request, f"{template} had made all its tasks already.")
            return redirect(episode)
    return render_on_project_clock(request, EPISODE_APPLY, context, project, status=400)


# --- run-of-show templates ------------------------------------------------------


def _template(project, pk):
    template = get_object_or_404(project.run_of_shows, pk=pk)
    template.project = project
    return template


@require_http_methods(["GET", "POST"])
@login_required
def run_of_show_list(request, code):
    """The production's templates; crew who may assign add one here (POST)."""
    project, membership = get_project(request.user, code)
    can_plan = workflow.can_plan_episodes(project, membership.role)
    form = None
    status = 200
    if request.method == "POST":
        workflow.require_plan_episodes(project, membership.role)
        form = RunOfShowForm(request.POST, project=project)
        if form.is_valid():
            template = services.run_of_show_create(
                project=project, by=request.user, name=form.cleaned_data["name"]
            )
            messages.success(request, f"Template “{template}” created; add its duties.")
            return redirect(template)
        status = 400
    elif can_plan:
        form = RunOfShowForm(project=project)
    templates = project.run_of_shows.annotate(line_count=Count("lines"))
    context = {
        "project": project,
        "templates": templates,
        "form": form,
        "can_plan": can_plan,
    }
    return render_on_project_clock(
        request, TEMPLATE_LIST, context, project, status=status
    )


def _crew(project) -> list:
    return list(project.memberships.with_people().in_crew_order())


@require_http_methods(["GET", "POST"])
@login_required
def run_of_show_detail(request, code, pk):
    """A template's duties; crew who may assign add one here (POST)."""
    project, membership = get_project(request.user, code)
    template = _template(project, pk)
    can_plan = workflow.can_plan_episodes(project, membership.role)
    crew = _crew(project)
    form, status = None, 200
    if request.method == "POST":
        workflow.require_plan_episodes(project, membership.role)
        form = RunOfShowLineForm(request.POST, template=template, crew=crew)
        if form.is_valid():
            line = services.run_of_show_line_save(line=form.instance, by=request.user)
            messages.success(request, f"Added “{line}”.")
            return redirect(f"{template.get_absolute_url()}#lines")
        status = 400
    elif can_plan:
        form = RunOfShowLineForm(template=template, crew=crew)
    lines = template.lines.select_related("assignee", "role", "reviewer")
    context = {
        "project": project,
        "template": template,
        "lines": lines,
        "form": form,
        "can_plan": can_plan,
    }
    return render_on_project_clock(
        request, TEMPLATE_DETAIL, context, project, status=status
    )


def _line(request, code, pk, line_pk):
    project, _ = _planner(request, code)
    template = _template(project, pk)
    line = get_object_or_404(template.lines, pk=line_pk)
    line.template = template
    return project, template, line


@require_http_methods(["GET", "POST"])
@login_required
def run_of_show_line(request, code, pk, line_pk):
    """Edit one duty of a template."""
    project, template, line = _line(request, code, pk, line_pk)
    data = request.POST if request.method == "POST" else None
    form = RunOfShowLineForm(
        data, instance=line, template=template, crew=_crew(project)
    )
    if data is not None:
        if form.is_valid():
            services.run_of_show_line_save(line=form.instance, by=request.user)
            messages.success(request, f"Saved “{line}”.")
            return redirect(f"{template.get_absolute_url()}#lines")
    context = {"project": project, "template": template, "line": line, "form": form}
    status = 400 if form.errors else 200
    return render_on_project_clock(request, LINE_FORM, context, project, status=status)


@require_POST
@login_required
def run_of_show_line_remove(request, code, pk, line_pk):
    """Take a duty out of a template; tasks it already made stay."""
    _, template, line = _line(request, code, pk, line_pk)
    services.run_of_show_line_remove(line=line, by=request.user)
    messages.success(request, f"Removed “{line}” from {template}.")
    return redirect(f"{template.get_absolute_url()}#lines")
