"""The task pages: one task, its edit and new-task forms, its moves and comments."""

import datetime as dt
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from production import (
    access,
    bookings,
    changes,
    dates,
    mentions,
    notifications,
    services,
    workflow,
)
from production.forms import (
    CommentForm,
    MoveForm,
    PitchForm,
    TaskForm,
    add_service_errors,
    error_sentences,
)
from production.models import Activity, Comment, Task
from production.prepared import STAND_IN_ID, Joined, Prepared
from production.views.clock import render_on_project_clock
from production.views.fragments import messages_answer, wants_fragment
from production.views.live import polled
from production.views.rows import PERSON_NAMES

DETAIL = "production/task_detail.html"
FORM = "production/task_form.html"
ARCHIVE = "production/task_archive.html"
# The regions of the task page an htmx request may ask for with ?part=.
DETAIL_PARTS = ("state", "details", "description", "comments", "history")
# The id of the state region: the task page's moves swap it (hx-target).
STATE_REGION = "task-state"
# How a conflict names a decision, by the status it reached; any other
# move reads "moved to <status>".
DECIDED = {
    Task.Status.DONE: "approved",
    Task.Status.CHANGES: "sent back for changes",
    Task.Status.CANCELLED: "cancelled",
}
# Fields whose stored values are choice keys, shown by their labels.
CHOICE_LABELS = {
    "status": Task.Status,
    "kind": Task.Kind,
    "priority": Task.Priority,
}
# Yes-or-no fields, stored as Python writes a bool.
YES_NO_FIELDS = {
    field.name
    for field in Task._meta.concrete_fields
    if isinstance(field, BooleanField)
}
YES_NO = {"True": "Yes", "False": "No"}
# The task page's history and comments, each with the person it names
# (their name alone: User.__str__), compiled once: building them through the
# ORM cost the page more than running them. Each is the relation of the task
# get_task found (task.activities), compiled with a stand-in task.
_ACTIVITY_ROW = Joined(Activity, "actor", only={"actor": PERSON_NAMES})
_ACTIVITIES = Prepared(
    lambda task_id: Task(pk=task_id).activities.values_list(*_ACTIVITY_ROW.columns()),
    STAND_IN_ID,
)
_COMMENT_ROW = Joined(Comment, "author", only={"author": PERSON_NAMES})
_COMMENTS = Prepared(
    lambda task_id: Task(pk=task_id).comments.values_list(*_COMMENT_ROW.columns()),
    STAND_IN_ID,
)
# The task page's own addresses, by name in its templates: each reversed
# once a page (a dozen {% url %} tags cost it half a millisecond).
PAGE_LINKS = {
    "detail": "task-detail",
    "edit": "task-edit",
    "archive": "task-archive",
    "move": "task-move",
    "comment": "task-comment",
}


def _readable(field: str, value: str, zone) -> str:
    """An Activity's stored value as a person reads it."""
    if not value or value == "—":
        return value or "—"
    if field in YES_NO_FIELDS:
        return YES_NO.get(value, value)
    if field in CHOICE_LABELS:
        choices = CHOICE_LABELS[field]
        key = int(value) if field == "priority" and value.isdigit() else value
        return choices(key).label if key in choices.values else value
    if field in ("starts_at", "ends_at") and (moment := parse_datetime(value)):
        # One recorded before Slate kept to its range may not fit this zone.
        moment = timezone.localtime(dates.showable(moment), zone)
        return formats.date_format(moment, "j M Y, H:i")
    if field == "due_date" and (day := parse_date(value)):
        return formats.date_format(day, "j M Y")
    return value


def _field_label(field: str) -> str:
    try:
        return str(Task._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # a field since removed keeps its raw name
        return field.replace("_", " ")


def _describe(activities, project) -> list[Activity]:
    """Give each Activity a `summary`: what was done, from what to what."""
    zone = project.tzinfo
    described = []
    for activity in activities:
        old = _readable(activity.field, activity.old_value, zone)
        new = _readable(activity.field, activity.new_value, zone)
        verb = activity.verb
        if verb == Activity.Verb.CREATED:
            summary = "created the task"
        elif verb == Activity.Verb.ASSIGNED:
            if old == "—":
                summary = f"assigned it to {new}"
            elif new == "—":
                summary = f"unassigned it from {old}"
            else:
                summary = f"reassigned it from {old} to {new}"
        elif verb == Activity.Verb.MOVED and activity.field == "reviewer":
            summary = f"sent it up to {new}"
        elif verb == Activity.Verb.MOVED:
            summary = f"moved it from {old} to {new}"
        elif verb == Activity.Verb.CHANGED and activity.field == "archived":
            summary = "restored the task"
        elif verb == Activity.Verb.CHANGED:
            summary = f"changed {_field_label(activity.field)} from {old} to {new}"
        elif verb == Activity.Verb.COMMENTED:
            summary = "commented"
        elif verb == Activity.Verb.ARCHIVED:
            summary = "archived the task"
        else:
            summary = activity.get_verb_display()
        activity.summary = summary
        described.append(activity)
    return described


def _changes_request(task: Task, activities: list[Activity]) -> Activity | None:
    """The move that sent the task back, while the task waits on those changes."""
    if task.status != Task.Status.CHANGES:
        return None
    for activity in reversed(activities):
        if (
            activity.verb == Activity.Verb.MOVED
            and activity.new_value == Task.Status.CHANGES
        ):
            return activity
    return None


def _ago(moment) -> str:
    if timezone.now() - moment < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"


def _changed_since(task: Task, missed: list[Activity], viewer) -> str:
    """What happened to a task since someone saw it, from its latest record:
    "MORN-12 was approved by Paula Reyes 2 minutes ago."."""
    if not missed:
        return f"{task.key} has changed since you opened it."
    latest = _describe(missed[-1:], task.project)[0]
    who = "you" if latest.actor_id == viewer.pk else latest.actor or "someone"
    ago = _ago(latest.created_at)
    if latest.verb == Activity.Verb.MOVED and latest.field == "status":
        status = Task.Status(latest.new_value)
        what = DECIDED.get(status, f"moved to {status.label}")
        return f"{task.key} was {what} by {who} {ago}."
    summary = Truncator(latest.summary).chars(160)
    return f"{task.key} changed {ago}: {who} {summary}."


def _loaded(joined: Joined, rows: list[tuple]) -> list:
    return [joined.load(row)[0] for row in rows]


def _crew_ids(task: Task, user, role, project) -> frozenset[int]:
    """Who reports to the viewer, asked only where it can decide what they
    may edit: the task's assignee reports to them (workflow.supervises)."""
    if role.can_assign or task.assignee_id in (None, user.pk):
        return frozenset()
    return access.crew_ids(user, project)


@functools.cache
def _blank_comment_field() -> str:
    """A fresh comment form's field: the same markup for every task, and its
    widget's templates cost the task page more than all of its comments."""
    return str(CommentForm()["body"])


def _on_clock(entries: list, zone) -> list:
    """Each entry's `created_at` on the production's clock, as Django's
    templates would show it (Jinja2 shows a time as it is given)."""
    for entry in entries:
        entry.created_at = timezone.localtime(entry.created_at, zone)
    return entries


def _form_errors(form) -> str:
    return render_to_string("_form_errors.html", {"form": form})


def _regions(request, context: dict) -> dict:
    """The page's live regions, each from its Jinja2 partial
    (templates/jinja2/production/_task_<name>.html), rendered only if the
    page, or the fragment asked for, shows it: the Django template calls it."""
    task = context["task"]

    def state() -> dict:
        note = context["changes_request"].note if context["changes_request"] else ""
        return {
            "move_errors": _form_errors(context.get("move_form")),
            # Only a move that takes a note has a form for it.
            "note_errors": _form_errors(context["note_form"])
            if any(move.needs_note for move in context["moves"])
            else "",
            "changes_note": linebreaksbr(note, autoescape=True),
        }

    def details() -> dict:
        return {"created_at": timezone.localtime(task.created_at, task.project.tzinfo)}

    def comments() -> dict:
        form = context["comment_form"]
        return {
            "comment_errors": _form_errors(form),
            # A form sent back with its errors shows them on its field.
            "comment_field": form["body"] if form.is_bound else _blank_comment_field(),
        }

    def region(name: str, extra):
        def render() -> SafeString:
            template = engines["jinja2"].get_template(f"production/_task_{name}.html")
            poll = {"poll_seconds": settings.SLATE_POLL_SECONDS}
            html = template.render({**context, **poll, **extra()}, request)
            return mark_safe(html)  # noqa: S308 - Jinja2 escaped it

        return render

    parts = {"state": state, "details": details, "comments": comments, "history": dict}
    return {name: region(name, extra) for name, extra in parts.items()}


def _render_detail(request, task, role, *, part=None, status=200, **extra):
    """The task page, or one region of it, with everything it shows."""
    project = task.project
    zone = project.tzinfo
    activities = _describe(
        _on_clock(_loaded(_ACTIVITY_ROW, _ACTIVITIES.rows(task.pk)), zone), project
    )
    # The Edit button sits outside every region: only the whole page asks.
    editable = (
        workflow.editable_fields(
            task,
            request.user,
            role,
            crew_ids=_crew_ids(task, request.user, role, project),
        )
        if part is None
        else ()
    )
    links = {name: reverse(url, args=[task.key]) for name, url in PAGE_LINKS.items()}
    context = {
        "task": task,
        "project": project,
        "moves": workflow.move_actions(task, request.user, role),
        "next": links["detail"],
        "links": links,
        "changes_request": _changes_request(task, activities),
        # Read only where shown: the page and its comments region.
        "comments": mentions.link_comments(
            _on_clock(_loaded(_COMMENT_ROW, _COMMENTS.rows(task.pk)), zone), project
        )
        if part in (None, "comments")
        else [],
        "activities": activities,
        "can_edit": bool(editable),
        "can_archive": workflow.can_archive(task, role),
        "can_comment": workflow.can_comment(task, role),
        "comment_form": CommentForm(),
        "note_form": _move_form(task),
        "conflicts": bookings.conflicts_with(task, user=request.user)
        if task.is_booking
        else [],
        **extra,
    }
    context["regions"] = _regions(request, context)
    template = f"{DETAIL}#{part}" if part else DETAIL
    # Every time on the page (slots, comments, history) in the production's zone.
    return render_on_project_clock(request, template, context, project, status=status)


def _warn_of_conflicts(request, task: Task) -> None:
    if task.is_booking and (others := bookings.conflicts_with(task, user=request.user)):
        messages.warning(request, bookings.conflict_message(task, others))


@require_GET
@login_required
@vary_on_headers("HX-Request")
@polled(changes.task_etag)
def task_detail(request, key):
    """A task: its fields, the moves allowed now, its comments and its history."""
    task, role = access.get_task(request.user, key)
    part = None
    if wants_fragment(request):
        part = request.GET.get("part")
        part = part if part in DETAIL_PARTS else "state"
    else:
        # Opening the task is reading what the bell said about it.
        notifications.mark_read(request.user, task=task)
    return _render_detail(request, task, role, part=part)


@require_http_methods(["GET", "POST"])
@login_required
def task_create(request, code):
    """A new task from crew who may assign, or from someone for the people who
    report to them; a pitch from anyone else on the crew (or with ?pitch)."""
    project, membership = access.get_project(request.user, code)
    role = membership.role
    workflow.require_create_task(project, role)
    crew = (
        frozenset()
        if workflow.can_assign(role)
        else access.crew_ids(request.user, project)
    )
    # ?pitch: someone who creates tasks for their crew pitching their own idea.
    pitch = not membership.creates_tasks or ("pitch" in request.GET and bool(crew))
    data = request.POST if request.method == "POST" else None
    if pitch:
        form = PitchForm(data, project=project)
    else:
        form = TaskForm(data, project=project, assign_to=crew if crew else None)
    if form.is_valid():
        try:
            task = services.task_create(
                project=project, by=request.user, **form.values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if task.status == Task.Status.PROPOSED:
                messages.success(
                    request,
                    f"Pitch {task.key} is in; a producer will accept or decline it.",
                )
            else:
                messages.success(request, f"{task.key} created.")
            _warn_of_conflicts(request, task)
            return redirect(task)
    context = {
        "project": project,
        "form": form,
        "pitch": pitch,
        # Someone who hands work to their crew pitches their own ideas.
        "may_pitch_instead": not pitch and bool(crew),
    }
    return render(request, FORM, context)


@require_http_methods(["GET", "POST"])
@login_required
def task_edit(request, key):
    """Edit a task's fields; an edit made from an outdated version is refused."""
    task, role = access.get_task(request.user, key)
    crew = access.crew_ids(request.user, task.project)
    fields = workflow.require_edit(task, request.user, role, crew_ids=crew)
    data = request.POST if request.method == "POST" else None
    form = TaskForm(
        data,
        instance=task,
        project=task.project,
        fields=fields,
        assign_to=None if workflow.can_assign(role) else crew,
    )
    status, missed = 200, []
    if form.is_valid():
        try:
            changes = services.task_update(
                task=task,
                by=request.user,
                version=form.cleaned_data["version"],
                **form.edits(),
            )
        except services.StaleEdit as exc:
            # Nothing saved: show what they missed, keep their input, and
            # carry the new version so that saving again is a choice.
            exc.task.project = task.project  # the one get_task gave, with its viewer
            task, status = exc.task, 409
            missed = _describe(exc.missed, task.project)
            form.rebase(task)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if changes:
                messages.success(request, f"{task.key} saved.")
                _warn_of_conflicts(request, task)
            else:
                messages.info(request, f"Nothing to save: {task.key} is unchanged.")
            return redirect(task)
    context = {
        "project": task.project,
        "task": task,
        "form": form,
        "missed": missed,
        "working_only": fields != workflow.EDITABLE_FIELDS,
    }
    return render_on_project_clock(request, FORM, context, task.project, status=status)


@require_POST
@login_required
def task_move(request, key):
    """Move a task to the status `to` (with `note` when asking for changes).

    The protocol of production/_task_moves.html and the board's cards:
    without htmx, success redirects to `next` (when it is on this site) or
    the task page. With htmx, success is a 204 carrying the event
    `task-moved` ({"key", "status"}), and every region showing the task
    listens for `task-moved from:body` and fetches itself again.
    A move the person may never make is a 403 (NotAllowed). A move the
    rules refuse because the task changed since the page showed it (the
    form's `version`) is a 409 saying what happened; with htmx it carries
    `task-moved` too, so every region shows the task as it is now.
    Bad input, like a missing note, is a 400: for the task page's state
    region (its forms' hx-target) the region with the errors in their form;
    for a board card, which swaps nothing, the page's messages.
    """
    task, role = access.get_task(request.user, key)
    form = _move_form(task, request.POST)
    if form.is_valid():
        target = form.cleaned_data["to"]
        try:
            services.task_move(
                task=task,
                to=target,
                by=request.user,
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except services.StaleEdit as stale:
            stale.task.project = task.project
            return _moved_meanwhile(request, stale, role)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.htmx:
                response = HttpResponse(status=204)
                return trigger_client_event(
                    response, "task-moved", {"key": task.key, "status": task.status}
                )
            messages.success(
                request, f"{task.key} is now {Task.Status(target).label.lower()}."
            )
            next_url = form.cleaned_data["next"]
            if next_url and url_has_allowed_host_and_scheme(
                next_url,
                allowed_hosts={request.get_host()},
                require_https=request.is_secure(),
            ):
                return redirect(next_url)
            return redirect(task)
    if wants_fragment(request) and request.htmx.target != STATE_REGION:
        for sentence in error_sentences(form):
            messages.error(request, sentence)
        return messages_answer(request, status=400)
    part = "state" if wants_fragment(request) else None
    # A note's errors stay in its own form, with the note as typed, where the
    # task offers a move that takes one; any other errors sit above the moves.
    takes_note = any(
        move.needs_note for move in workflow.move_actions(task, request.user, role)
    )
    errors = (
        {"note_form": form}
        if "note" in form.errors and takes_note
        else {"move_form": form}
    )
    return _render_detail(request, task, role, part=part, status=400, **errors)


def _move_form(task: Task, data=None) -> MoveForm:
    """A move's form, its ids (the note's) naming the task."""
    return MoveForm(data, auto_id=f"move-{task.key}-%s")


def _moved_meanwhile(request, stale: services.StaleEdit, role):
    """The 409: what changed the task since the mover saw it, and the task now."""
    task = stale.task
    messages.error(request, _changed_since(task, stale.missed, request.user))
    if wants_fragment(request):
        return trigger_client_event(
            messages_answer(request, status=409),
            "task-moved",
            {"key": task.key, "status": task.status},
        )
    return _render_detail(request, task, role, status=409)


@require_POST
@login_required
def task_comment(request, key):
    """Add a comment; htmx gets the comments region back, others the page."""
    task, role = access.get_task(request.user, key)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                task=task, by=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if wants_fragment(request):
                response = _render_detail(request, task, role, part="comments")
                # The history lists comments too; it refreshes on this event.
                return trigger_client_event(
                    response, "task-commented", {"key": task.key}
                )
            return redirect(f"{task.get_absolute_url()}#comments")
    part = "comments" if wants_fragment(request) else None
    return _render_detail(request, task, role, part=part, status=400, comment_form=form)


@require_http_methods(["GET", "POST"])
@login_required
def task_archive(request, key):
    """Archive a task (crew who may assign), then go back to the board; a GET
    asks first (the task page asks in a dialog where it has JavaScript)."""
    task, role = access.get_task(request.user, key)
    if request.method == "GET":
        workflow.require_archive(task, role)
        return render(request, ARCHIVE, {"task": task, "project": task.project})
    services.task_archive(task=task, by=request.user)
    messages.success(request, f"{task.key} archived; its record is kept.")
    return redirect("project-board", code=task.project.code)
