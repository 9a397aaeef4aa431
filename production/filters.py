"""The filter bar shared by the board, the task list and the calendar.

Filters live in the URL (GET), so a filtered view can be bookmarked and
shared; an unknown value is a form error, shown beside the filter, and the
filter is then ignored rather than failing the page.
"""

import copy
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.http import QueryDict
from django.utils.safestring import SafeString

from production.models import Episode, Membership, Task, User
from production.prepared import STAND_IN_ID, Joined, Prepared
from production.views.memo import MemoPartial

# Workflow order, so that sorting by status reads like the board's columns.
STATUS_ORDER = Case(
    *[When(status=status, then=Value(rank)) for rank, status in enumerate(Task.Status)],
    output_field=IntegerField(),
)

# The assignee by the name the list shows (User.__str__: the display name,
# else the full name, else the username); no one for an unassigned task.
ASSIGNEE_NAME = Lower(
    Coalesce(
        NullIf("assignee__display_name", Value("")),
        NullIf(
            Trim(Concat("assignee__first_name", Value(" "), "assignee__last_name")),
            Value(""),
        ),
        "assignee__username",
    )
)

SORTS = {
    # URL value: (label, ordering). Each sortable column has its natural
    # direction and, with a leading "-", the reverse; ties go by key.
    "number": ("Key", (F("number").asc(),)),
    "-number": ("Key, newest first", (F("number").desc(),)),
    "title": ("Title", (Lower("title").asc(), "number")),
    "-title": ("Title, Z to A", (Lower("title").desc(), "number")),
    "kind": ("Kind", ("kind", "number")),
    "-kind": ("Kind, reversed", ("-kind", "number")),
    "status": ("Status", (STATUS_ORDER.asc(), "number")),
    "-status": ("Status, reversed", (STATUS_ORDER.desc(), "number")),
    "priority": ("Priority, highest first", ("-priority", "number")),
    "-priority": ("Priority, lowest first", ("priority", "number")),
    "assignee": ("Assignee", (ASSIGNEE_NAME.asc(nulls_last=True), "number")),
    "-assignee": ("Assignee, Z to A", (ASSIGNEE_NAME.desc(nulls_last=True), "number")),
    # Tasks without a date come last either way: they are the least pressing.
    "due": ("Due date", (F("due_date").asc(nulls_last=True), "number")),
    "-due": ("Due date, latest first", (F("due_date").desc(nulls_last=True), "number")),
    "updated": ("Recently changed", ("-updated_at", "number")),
    "-updated": ("Least recently changed", ("updated_at", "number")),
}
DEFAULT_SORT = "number"


def url_params(params: QueryDict, *, drop=()) -> QueryDict:
    """The query to carry into a page's links: blanks and `drop` left out."""
    kept = QueryDict(mutable=True)
    for name, values in params.lists():
        values = [value for value in values if value != ""]
        if name not in drop and values:
            kept.setlist(name, values)
    return kept


# The filter bar's choices on every board, task list and calendar, compiled
# once (production/prepared.py).
_CREW_ROW = Joined(Membership, "user", "role")
_CREW = Prepared(
    lambda project_id: (
        Membership.objects.filter(project_id=project_id)
        .in_crew_order()
        .values_list(*_CREW_ROW.columns())
    ),
    STAND_IN_ID,
)
_EPISODE_ROW = Joined(Episode)
_EPISODES = Prepared(
    lambda project_id: (
        Episode.objects.filter(project_id=project_id)
        .order_by("number")
        .values_list(*_EPISODE_ROW.columns())
    ),
    STAND_IN_ID,
)


def crew_of(project) -> list[Membership]:
    """The production's crew, each membership with its user and role, in
    crew order (one query)."""
    return [_CREW_ROW.load(row)[0] for row in _CREW.rows(project.pk)]


def episodes_of(project) -> list[Episode]:
    """The production's episodes by number (one query)."""
    return [_EPISODE_ROW.load(row)[0] for row in _EPISODES.rows(project.pk)]


def crew_and_episodes(project):
    """The production's people and episodes, for the filter bar (two queries)."""
    return [membership.user for membership in crew_of(project)], episodes_of(project)


# The filters that match a field's value (the search matches text).
FIELD_FILTERS = ("status", "assignee", "kind", "episode", "priority")


def narrowed(tasks, values: dict):
    """`tasks` narrowed to the filters `values` (TaskFilterForm.cleaned())."""
    if "q" in values:
        text = values["q"]
        match = Q(title__icontains=text) | Q(description__icontains=text)
        match |= Q(key__iexact=text) | Q(guest__icontains=text)
        tasks = tasks.filter(match)
    for name in FIELD_FILTERS:
        if name in values:
            tasks = tasks.filter(**{name: values[name]})
    return tasks


class ListedChoiceField(forms.ModelChoiceField):
    """A model choice checked against objects the view already fetched.

    The page lists the crew and the episodes for the filter bar anyway;
    validating against that list saves a query per filter.
    """

    listed = None

    def use(self, objects, empty_label):
        self.listed = {str(obj.pk): obj for obj in objects}
        self.choices = [("", empty_label)] + [
            (pk, str(obj)) for pk, obj in self.listed.items()
        ]

    def to_python(self, value):
        if self.listed is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return self.listed[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class SelectItem(NamedTuple):
    """A select as the bar writes it (templates/jinja2/production/_filter_select.html)."""

    name: str
    id: str
    invalid: bool
    # (value, label, selected) of each option.
    options: tuple[tuple[str, str, bool], ...]


class SearchItem(NamedTuple):
    """The search box as Django's Input widget writes it: its type, name,
    value (None: none) and attributes in order (True: written bare; False:
    left out)."""

    type: str
    name: str
    value: str | None
    attrs: tuple[tuple[str, str | bool], ...]


class BarField(NamedTuple):
    """A field of the bar (templates/jinja2/production/_filter_fields.html):
    its label, and its select, its search box or another widget's HTML."""

    name: str
    label: str
    label_for: str
    select: SelectItem | None
    search: SearchItem | None
    html: str


# The bar's fields, kept under everything they show (views/memo.py); a
# search's text is part of that, so fewer are kept than the cards.
BAR_FIELDS = MemoPartial("production/_filter_fields.html", size=1024)
SELECT = MemoPartial("production/_filter_select.html", size=1024)


class FilterField(forms.BoundField):
    """A filter as the bar shows it.

    The bar writes a select's <option>s itself from `options`: Django's
    widget renders a template per option, on every board and list; the
    bar's fields are then a kept Jinja2 partial (`bar`, BAR_FIELDS), whose
    render is read back on the next page that shows the same.
    """

    @property
    def options(self) -> list[tuple[str, str, bool]]:
        """(value, label, selected) of each choice, as the Select widget would."""
        value = self.value()
        chosen = "" if value is None else str(value)
        return [
            (str(option), str(label), str(option) == chosen)
            for option, label in self.field.choices
        ]

    @property
    def input(self) -> dict:
        """The search box as the Input widget would write it: its type,
        name, value and attributes (its own, aria-*, then the id), for the
        bar to write without the widget's two templates."""
        attrs = self.build_widget_attrs({})
        attrs.setdefault("id", self.auto_id)
        return self.field.widget.get_context(self.html_name, self.value(), attrs)[
            "widget"
        ]

    @property
    def select_item(self) -> SelectItem:
        return SelectItem(
            self.html_name, self.auto_id, bool(self.errors), tuple(self.options)
        )

    @property
    def select_html(self) -> SafeString:
        """The select, for a bar that writes its fields itself (the task
        list's bulk bar)."""
        return SELECT.render(self.select_item)

    @property
    def bar(self) -> BarField:
        """What the bar shows of this field."""
        select = search = None
        html = ""
        if self.widget_type == "select":
            select = self.select_item
        elif self.widget_type == "search":
            box = self.input
            search = SearchItem(
                box["type"],
                box["name"],
                None if box["value"] is None else str(box["value"]),
                # Text, but for the flags (True == 1 in a key: no number
                # may stand for a flag).
                tuple(
                    (name, value if isinstance(value, bool) else str(value))
                    for name, value in box["attrs"].items()
                ),
            )
        else:
            html = str(self)
        return BarField(
            self.name, str(self.label), self.id_for_label, select, search, html
        )


class TaskFilterForm(forms.Form):
    bound_field_class = FilterField

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": "Title, key, guest…"}),
        error_messages={"max_length": "Search for at most 200 characters."},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Task.Status.choices],
        error_messages={"invalid_choice": "There is no status “%(value)s”."},
    )
    assignee = ListedChoiceField(
        label="Assignee",
        required=False,
        queryset=User.objects.none(),
        empty_label="Anyone",
        error_messages={"invalid_choice": "Nobody by that id is on this crew."},
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any kind"), *Task.Kind.choices],
        error_messages={"invalid_choice": "There is no kind of task “%(value)s”."},
    )
    episode = ListedChoiceField(
        label="Episode",
        required=False,
        queryset=Episode.objects.none(),
        empty_label="Any episode",
        error_messages={"invalid_choice": "This production has no such episode."},
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any priority"), *Task.Priority.choices],
        error_messages={"invalid_choice": "There is no priority “%(value)s”."},
    )
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[(value, label) for value, (label, _) in SORTS.items()],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Tasks cannot be sorted by “%(value)s”."},
    )

    def __init__(self, data=None, *, crew=None, episodes=None, omit=()):
        """`crew` and `episodes`: the production's, as the view fetched them
        (crew_and_episodes); `omit` names filters a page does not offer (the
        board has no status)."""
        super().__init__(data)
        for name in omit:
            del self.fields[name]
        if crew is not None:
            self.fields["assignee"].use(crew, "Anyone")
        if episodes is not None:
            self.fields["episode"].use(episodes, "Any episode")

    def cleaned(self) -> dict:
        """The valid filters; invalid ones are dropped (and shown as errors)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if value not in (None, "")
        }

    def apply(self, tasks, *, sort=True):
        """Narrow a task queryset to these filters, and order it."""
        tasks = narrowed(tasks, self.cleaned())
        if sort:
            tasks = tasks.order_by(*SORTS[self.sort_key][1])
        return tasks

    @property
    def sort_key(self) -> str:
        """The valid sort asked for, or the default."""
        return self.cleaned().get("sort", DEFAULT_SORT)

    @property
    def fields_html(self) -> SafeString:
        """The bar's fields, labels and errors' marks with them."""
        return BAR_FIELDS.render(tuple(field.bar for field in self.visible_fields()))

    @property
    def active(self) -> bool:
        return any(name != "sort" for name in self.cleaned())

    @property
    def kept(self) -> list[tuple[str, str]]:
        """Values the filter bar carries along unseen (a valid sort)."""
        if "sort" in self.cleaned():
            return [("sort", self.cleaned()["sort"])]
        return []


class _LightlyCopied(dict):
    """A form's fields, copied for each form (Form.__init__ deep-copies
    them) field by field, each with its own widget, sharing what no form
    changes: choices, messages, validators. Deep copies of every choice were
    a fifth of the filter bar's cost, on every board, list and calendar; a
    form that sets a field's choices sets them on its own copy
    (ListedChoiceField.use)."""

    def __deepcopy__(self, memo):
        fields = {}
        for name, field in self.items():
            fields[name] = copied = copy.copy(field)
            copied.widget = copy.copy(field.widget)
            copied.widget.attrs = dict(field.widget.attrs)
        return fields


TaskFilterForm.base_fields = _LightlyCopied(TaskFilterForm.base_fields)
