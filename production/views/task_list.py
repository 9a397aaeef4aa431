"""The task list: a production's tasks as a sortable, filterable table."""

import csv
import datetime
import functools
import re
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from production import access, dates, services, workflow
from production.converters import TaskKeyConverter
from production.filters import (
    SORTS,
    FilterField,
    TaskFilterForm,
    crew_of,
    episodes_of,
    url_params,
)
from production.forms import DayInput
from production.models import Task
from production.services import StaleEdit
from production.views.fragments import jinja_partial, wants_fragment
from production.views.memo import MemoPartial
from production.views.rows import (
    KIND_LABELS,
    PRIORITY_LABELS,
    STATUS_LABELS,
    DayLabels,
    TaskLinks,
    person_fields,
)
from production.workflow import NotAllowed

ROWS_PER_PAGE = 50
# What a row shows (templates/jinja2/production/_task_row.html).
ROW_FIELDS = (
    "number",
    "key",
    "title",
    "kind",
    "status",
    "priority",
    "due_date",
    *person_fields("assignee"),
    "episode__number",
    "episode__title",
)


class Row(NamedTuple):
    """Everything a row of the list shows (_task_row.html), as plain values."""

    key: str
    url: str
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    priority: int
    priority_label: str
    assignee: str
    due_date: datetime.date | None
    due_label: str
    overdue: bool
    episode: str
    checked: bool


ROW = MemoPartial("production/_task_row.html")
CSV_CHUNK = 500
BULK_LIMIT = 500
# Table headers that sort: (label, sort key); a second click reverses.
# Priority's first click shows the highest first: a descending sort.
DESCENDING_FIRST = {"priority"}
SORTABLE = [
    ("Key", "number"),
    ("Title", "title"),
    ("Kind", "kind"),
    ("Status", "status"),
    ("Priority", "priority"),
    ("Assignee", "assignee"),
    ("Due", "due"),
]
CSV_HEADER = [
    "key",
    "title",
    "kind",
    "status",
    "priority",
    "assignee",
    "reviewer",
    "due date",
    "episode",
    "guest",
    "location",
    "slot start",
    "slot end",
    "confirmed",
]
# A cell starting with one of these runs as a formula in spreadsheet apps;
# a leading apostrophe keeps it text (OWASP's advice on CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class KeysField(forms.Field):
    """Task keys, as posted by the rows' checkboxes; the view decides which exist."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return list(dict.fromkeys(value or []))

    def validate(self, value):
        super().validate(value)
        if len(value) > BULK_LIMIT:
            raise ValidationError(f"Choose at most {BULK_LIMIT} tasks at a time.")


class BulkForm(forms.Form):
    """The bulk bar: which tasks, what to do, and the value to set."""

    # Its selects are written like the filter bar's (_filter_bar.html#select).
    bound_field_class = FilterField

    tasks = KeysField(error_messages={"required": "Choose at least one task first."})
    action = forms.ChoiceField(
        choices=[("assign", "Assign"), ("due_date", "Set due date"), ("move", "Move")],
        # Sent by the bar's buttons; never a field of its own to point at.
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose what to do: Assign, Set due date or Move.",
            "invalid_choice": "“%(value)s” is not something tasks can do in bulk.",
        },
    )
    assignee = forms.TypedChoiceField(
        label="Assign to",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": "They are not on this crew, or may not be assigned."
        },
    )
    due_date = forms.DateField(
        label="Due date",
        required=False,
        widget=DayInput,
        validators=[dates.validate_day],
        error_messages={"invalid": "Give the due date as a date, like 2026-03-31."},
    )
    to = forms.ChoiceField(
        label="Move to",
        required=False,
        choices=[("", "Choose a status"), *Task.Status.choices],
        error_messages={"invalid_choice": "“%(value)s” is not a status."},
    )

    # The value each action needs, and the sentence when it is missing.
    NEEDS = {
        "assign": ("assignee", "Choose who to assign the tasks to."),
        "due_date": ("due_date", "Choose the new due date."),
        "move": ("to", "Choose the status to move the tasks to."),
    }

    def __init__(self, data=None, *, assignable=()):
        super().__init__(data, auto_id="bulk-%s")
        self.people = {user.pk: user for user in assignable}
        self.fields["assignee"].choices = [("", "Choose a person")] + [
            (user.pk, str(user)) for user in assignable
        ]

    def clean(self):
        data = super().clean()
        name, sentence = self.NEEDS.get(data.get("action"), (None, None))
        if name and name not in self.errors and data.get(name) in (None, ""):
            self.add_error(name, sentence)
        return data


@functools.cache
def _blank_due_date() -> str:
    """A fresh bulk form's date field: the same markup every time, and its
    widget's templates cost the list as much as ten of its rows."""
    return str(BulkForm()["due_date"])


def _crew(project):
    """Everyone on the crew (the filter) and who may be assigned (bulk assign)."""
    crew, assignable = [], []
    for membership in crew_of(project):
        crew.append(membership.user)
        if membership.role.can_be_assigned:
            assignable.append(membership.user)
    return crew, assignable


def _listing(request, project, membership, params):
    """The filtered, sorted tasks and everything the page shows around them."""
    crew, assignable = _crew(project)
    episodes = episodes_of(project)
    form = TaskFilterForm(params, crew=crew, episodes=episodes)
    tasks = form.apply(
        access.tasks_for(request.user).filter(project=project)
    ).select_related("assignee", "reviewer", "episode")
    filters = url_params(params, drop=("page", "format"))
    list_path = reverse("task-list", args=[project.code])
    role = membership.role
    current = form.sort_key
    headers = []
    for label, key in SORTABLE:
        query = filters.copy()
        query["sort"] = f"-{key}" if current == key else key
        direction = None
        if current.lstrip("-") == key:
            descending = current.startswith("-") != (key in DESCENDING_FIRST)
            direction = "descending" if descending else "ascending"
        headers.append(
            {
                "label": label,
                "url": f"{list_path}?{query.urlencode()}",
                "sort": direction,
            }
        )
    return {
        "project": project,
        "filter_form": form,
        "tasks": tasks,
        "filters": filters,
        # Where the bulk form sends the viewer back to: this page of this view.
        "query": url_params(params, drop=("format",)).urlencode(),
        "list_path": list_path,
        "headers": headers,
        "sort_label": SORTS[current][0],
        "can_assign": workflow.can_assign(role),
        "can_bulk": workflow.can_change_in_bulk(role),
        "bulk_form": BulkForm(assignable=assignable),
        "blank_due_date": _blank_due_date(),
    }


def _paginate(context, number, *, selected=()) -> None:
    """The page of rows asked for; `selected`: the keys to show ticked."""
    # What a row shows; the CSV reads the rest (the reviewer, a booking's).
    rows = (
        context["tasks"]
        .select_related(None)
        .select_related("assignee", "episode")
        .only(*ROW_FIELDS)
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(number)
    page.object_list = list(page.object_list)
    can_bulk = context["can_bulk"]
    context["page"] = page
    context["pagination"] = (
        jinja_partial(
            "production/_task_pages.html",
            {"page": page, "links": _page_links(context, page)},
        )
        if page.has_other_pages()
        else ""
    )
    context["rows"] = jinja_partial(
        "production/_task_rows.html",
        {
            "rows": [
                ROW.render(item, can_bulk=can_bulk)
                for item in _row_items(page.object_list, selected)
            ],
            "can_bulk": can_bulk,
        },
    )


def _page_links(context, page) -> dict:
    """The page links' addresses, as {% querystring filters page=N %}
    writes them: with the filters and sort, and the page."""

    def link(number) -> str:
        query = context["filters"].copy()
        query["page"] = number
        return f"{context['list_path']}?{query.urlencode()}"

    ellipsis = page.paginator.ELLIPSIS
    return {
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
        "numbers": [
            (number, "" if number in (ellipsis, page.number) else link(number))
            for number in page.paginator.get_elided_page_range(page.number)
        ],
    }


def _row_items(tasks, selected) -> list[Row]:
    link = TaskLinks()
    labels = DayLabels()
    return [
        Row(
            key=task.key,
            url=link(task.key),
            title=task.title,
            kind=task.kind,
            kind_label=KIND_LABELS[task.kind],
            status=task.status,
            status_label=STATUS_LABELS[task.status],
            priority=task.priority,
            priority_label=PRIORITY_LABELS[task.priority],
            assignee=str(task.assignee) if task.assignee else "",
            due_date=task.due_date,
            due_label=labels.long(task.due_date) if task.due_date else "",
            overdue=task.is_overdue,
            episode=str(task.episode) if task.episode else "",
            checked=task.key in selected,
        )
        for task in tasks
    ]


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_rows(project, tasks):
    zone = project.tzinfo
    yield CSV_HEADER
    for task in tasks.iterator(chunk_size=CSV_CHUNK):
        starts = task.starts_at.astimezone(zone) if task.starts_at else None
        ends = task.ends_at.astimezone(zone) if task.ends_at else None
        yield [
            _csv_cell(value)
            for value in (
                task.key,
                task.title,
                task.get_kind_display(),
                task.get_status_display(),
                task.get_priority_display(),
                task.assignee,
                task.reviewer,
                task.due_date.isoformat() if task.due_date else "",
                task.episode,
                task.guest,
                task.location,
                starts.strftime("%Y-%m-%d %H:%M") if starts else "",
                ends.strftime("%Y-%m-%d %H:%M") if ends else "",
                ("yes" if task.confirmed else "no") if task.is_booking else "",
            )
        ]


class _Echo:
    """A file-like that hands back what csv.writer writes, for streaming."""

    def write(self, value):
        return value


def _csv_response(project, tasks) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(project, tasks)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{project.code}-tasks.csv"'
    return response


@require_GET
@login_required
@vary_on_headers("HX-Request")
def task_list(request, code):
    """A production's tasks as a table; `?format=csv` downloads every filtered row."""
    project, membership = access.get_project(request.user, code)
    context = _listing(request, project, membership, request.GET)
    if request.GET.get("format") == "csv":
        return _csv_response(project, context["tasks"])
    _paginate(context, request.GET.get("page"))
    template = "production/task_list.html"
    if wants_fragment(request):
        template += "#table"
    return render(request, template, context)


def _reason(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _summary(updated: int, refused: list[tuple[str, str]]) -> str:
    text = f"{updated} task{pluralize(updated)} updated"
    if not refused:
        return f"{text}."
    reasons = ", ".join(f"{key} ({reason})" for key, reason in refused)
    return f"{text}; {len(refused)} refused: {reasons}"


TASK_KEY = re.compile(TaskKeyConverter.regex)


def _apply_bulk(user, project, form) -> tuple[int, list[tuple[str, str]]]:
    """Apply the action to each chosen task in turn; each is checked on its own."""
    data = form.cleaned_data
    # Only well-formed keys reach the query (PostgreSQL refuses a NUL byte
    # with an error); the rest are reported like unknown keys.
    keys = [key for key in data["tasks"] if TASK_KEY.fullmatch(key)]
    found = {
        task.key: task
        for task in access.tasks_for(user).filter(project=project, key__in=keys)
    }
    updated, refused = 0, []
    for key in data["tasks"]:
        task = found.get(key)
        if task is None:
            refused.append((key, "no such task in this production"))
            continue
        try:
            if data["action"] == "move":
                services.task_move(task=task, to=data["to"], by=user)
            elif data["action"] == "assign":
                services.task_update(
                    task=task,
                    by=user,
                    version=task.version,
                    assignee=form.people[data["assignee"]],
                )
            else:
                services.task_update(
                    task=task, by=user, version=task.version, due_date=data["due_date"]
                )
        except (NotAllowed, ValidationError, StaleEdit) as error:
            refused.append((key, _reason(error)))
        else:
            updated += 1
    return updated, refused


@require_POST
@login_required
def task_bulk(request, code):
    """Assign, reschedule or move the chosen tasks, each checked by the rules."""
    project, membership = access.get_project(request.user, code)
    workflow.require_change_in_bulk(membership.role)
    _, assignable = _crew(project)
    form = BulkForm(request.POST, assignable=assignable)
    # Back to the list as it was: its filters, sort and page, never the CSV.
    params = url_params(QueryDict(request.POST.get("query", "")), drop=("format",))
    if not form.is_valid():
        # Nothing done: the bar again with its errors, the ticks kept.
        selected = set(request.POST.getlist("tasks"))
        return _after_bulk(request, membership, params, selected, form=form)
    updated, refused = _apply_bulk(request.user, project, form)
    level = messages.SUCCESS
    if refused:
        level = messages.WARNING if updated else messages.ERROR
    messages.add_message(request, level, _summary(updated, refused))
    if request.htmx:
        # Refused tasks stay ticked, ready for another try.
        return _after_bulk(request, membership, params, {key for key, _ in refused})
    list_path = reverse("task-list", args=[project.code])
    return redirect(f"{list_path}?{params.urlencode()}" if params else list_path)


def _after_bulk(request, membership, params, selected, *, form=None):
    """The list after a bulk post (for htmx its table, with the messages);
    with `form`, a 400 whose bar shows the form's errors."""
    context = _listing(request, membership.project, membership, params)
    _paginate(context, params.get("page"), selected=selected)
    context["oob"] = wants_fragment(request)
    if form is not None:
        context["bulk_form"] = form
    template = "production/task_list.html"
    if wants_fragment(request):
        template += "#table"
    status = 200 if form is None else 400
    return render(request, template, context, status=status)
