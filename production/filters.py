"""The filter bar shared by the board, the task list and the calendar.

Filters live in the URL (GET), so a filtered view can be bookmarked and
shared; an unknown value is a form error, shown beside the filter, and the
filter is then ignored rather than failing the page.
"""

from django import forms
from django.db.models import Q

from production.models import Episode, Task, User

SORTS = {
    # URL value: (label, ordering)
    "number": ("Key", ("number",)),
    "-number": ("Key, newest first", ("-number",)),
    "due": ("Due date", ("due_date", "number")),
    "-due": ("Due date, latest first", ("-due_date", "number")),
    "priority": ("Priority, highest first", ("-priority", "number")),
    "status": ("Status", ("status", "number")),
    "title": ("Title", ("title", "number")),
    "assignee": ("Assignee", ("assignee__username", "number")),
    "updated": ("Recently changed", ("-updated_at", "number")),
}


class TaskFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Task.Status.choices],
    )
    assignee = forms.ModelChoiceField(
        label="Assignee",
        required=False,
        queryset=User.objects.none(),
        empty_label="Anyone",
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Task.Kind.choices]
    )
    episode = forms.ModelChoiceField(
        label="Episode",
        required=False,
        queryset=Episode.objects.none(),
        empty_label="Any episode",
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any priority"), *Task.Priority.choices],
    )
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[(value, label) for value, (label, _) in SORTS.items()],
    )

    def __init__(self, data=None, *, project=None, crew=None, episodes=None):
        """`crew` and `episodes` are lists the view already fetched, if any."""
        super().__init__(data)
        if project is not None:
            self.fields["assignee"].queryset = User.objects.filter(
                memberships__project=project
            ).order_by("username")
            self.fields["episode"].queryset = project.episodes.all()
        if crew is not None:
            self.fields["assignee"].choices = [("", "Anyone")] + [
                (user.pk, str(user)) for user in crew
            ]
        if episodes is not None:
            self.fields["episode"].choices = [("", "Any episode")] + [
                (episode.pk, str(episode)) for episode in episodes
            ]

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
        values = self.cleaned()
        if "q" in values:
            text = values["q"]
            match = Q(title__icontains=text) | Q(description__icontains=text)
            match |= Q(key__iexact=text) | Q(guest__icontains=text)
            tasks = tasks.filter(match)
        for name in ("status", "assignee", "kind", "episode", "priority"):
            if name in values:
                tasks = tasks.filter(**{name: values[name]})
        if sort:
            tasks = tasks.order_by(*SORTS[values.get("sort", "number")][1])
        return tasks

    @property
    def active(self) -> bool:
        return any(name != "sort" for name in self.cleaned())
