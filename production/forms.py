"""Forms: each page's input, validated before a service writes it."""

import functools
from contextlib import nullcontext
from importlib import resources

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from production import dates
from production.models import (
    COMMENT_MAX_LENGTH,
    MAX_DAYS_BEFORE,
    CrewRole,
    Delivery,
    Episode,
    Membership,
    NotificationKind,
    Project,
    RunOfShow,
    RunOfShowLine,
    Task,
    User,
    known_time_zones,
)
from production.words import WORDS
from production.workflow import BOOKING_FIELDS, EDITABLE_FIELDS


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, beside the field it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def error_sentences(form) -> list[str]:
    """Every message of the form's errors, field by field."""
    return [message for errors in form.errors.values() for message in errors]


def focus_first_field(form) -> None:
    """A new, empty form puts the cursor in its first field still to fill
    (`autofocus`: no script needed). A form sent back with errors does not:
    its error summary takes the focus (templates/_form_errors.html)."""
    fields = [field for field in form if not field.is_hidden]
    if form.is_bound or not fields:
        return
    empty = [field for field in fields if field.initial in (None, "")]
    first = (empty or fields)[0]
    form.fields[first.name].widget.attrs["autofocus"] = True


def in_zone(field, zone: str) -> None:
    """The field's label names the production's time zone: a date and time
    input has none, and the person filling it in may be elsewhere."""
    field.label = f"{field.label} ({zone})"


class LabelsWithoutColon:
    """Slate's labels end without Django's ":", on every form alike (the
    filter bar's, written out by hand, never had one)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginForm(LabelsWithoutColon, AuthenticationForm):
    """Django's login form, focused on the username only when empty."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # Django's username field always has autofocus; after a failed login
        # the error summary takes the focus instead.
        if self.is_bound:
            self.fields["username"].widget.attrs.pop("autofocus", None)


DATE_INPUT = "%Y-%m-%d"
# What <input type="datetime-local"> sends and expects: no seconds, no zone.
DATETIME_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class DayInput(forms.DateInput):
    """The browser's date picker, offering only the days Slate accepts."""

    input_type = "date"

    def __init__(self, attrs=None):
        limits = {
            "min": dates.FIRST_DAY.isoformat(),
            "max": dates.LAST_DAY.isoformat(),
        }
        super().__init__({**limits, **(attrs or {})}, format=DATE_INPUT)


# Offered first: where most crews work. Each is a canonical zone of zone.tab.
COMMON_TIME_ZONES = (
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "Europe/Paris",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)


def _tzdata_table(name: str) -> list[list[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if not line.startswith("#")]


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """The zones offered for a production, common ones first: (zone, where).

    The list is tzdata's zone.tab, the tz project's own table for choosing
    a zone (one per country and region, named after a city), with each
    one's country. The obsolete names of its "backward" file (US/Eastern,
    GB, Europe/Belfast) and the Etc/GMT+5 kind are not in it; UTC is added.
    tzdata is a pinned requirement, so the list is the same on every
    machine. A stored alias still validates (models.validate_time_zone).
    """
    countries = dict(_tzdata_table("iso3166.tab"))
    where = {"UTC": "Coordinated Universal Time"}
    for code, _position, zone, *comment in _tzdata_table("zone.tab"):
        where[zone] = ", ".join([countries[code], *comment])
    # Only zones this machine's zoneinfo knows, whatever its own tzdata.
    usable = known_time_zones()
    rest = sorted(zone for zone in where if zone not in COMMON_TIME_ZONES)
    return [
        (zone, where[zone]) for zone in (*COMMON_TIME_ZONES, *rest) if zone in usable
    ]


@functools.cache
def _zones_by_lower_case() -> dict[str, str]:
    return {zone.lower(): zone for zone in known_time_zones()}


class TimeZoneField(forms.CharField):
    """A time zone typed with suggestions (the template's <datalist>): any
    zone Slate knows, in any case; the site's TIME_ZONE by default."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "list": "time-zones",
                    "autocomplete": "off",
                    "autocapitalize": "off",
                    "spellcheck": "false",
                }
            ),
        )
        # Read when the form is shown, so the setting may change (tests).
        super().__init__(initial=lambda: settings.TIME_ZONE, max_length=64, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return _zones_by_lower_case().get(value.lower(), value)

    def validate(self, value):
        super().validate(value)
        if value not in known_time_zones():
            raise ValidationError(
                f"“{value}” is not a time zone Slate knows: type a city, "
                "like Europe/London, and choose it from the list.",
                code="invalid_choice",
            )


class ProjectForm(LabelsWithoutColon, forms.ModelForm):
    """A new production: its name, code, kind, dates and time zone."""

    time_zone = TimeZoneField(
        label="Time zone",
        help_text="Type a city or a country. Dates and booking slots are "
        "shown in this time zone.",
        error_messages={"required": "Choose the production's time zone."},
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "code",
            "kind",
            "description",
            "starts_on",
            "ends_on",
            "time_zone",
        ]
        widgets = {
            "code": forms.TextInput(
                attrs={"autocapitalize": "characters", "autocomplete": "off"}
            ),
            "starts_on": DayInput,
            "ends_on": DayInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "code": {"unique": "That code is taken; choose another."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        focus_first_field(self)

    def time_zones(self):
        return time_zone_choices()

    def clean_code(self):
        # People type "morn"; the code is capitals, so take it as meant.
        return self.cleaned_data["code"].strip().upper()


class PersonPick(forms.RadioSelect):
    """The people a search found, one to pick. The search box stands for the
    whole group: its label and an error's link lead there."""

    def id_for_label(self, id_, index=None):
        if index is None:
            return f"{id_}_search" if id_ else ""
        return super().id_for_label(id_, index)


class MembershipForm(LabelsWithoutColon, forms.ModelForm):
    """Add someone to a crew (picked from a search) or change their role."""

    # The crew page offers the people a search found as radio buttons of its
    # own (views/crew.py): never this widget's choices, which are everyone.
    user = forms.ModelChoiceField(
        label="Person",
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        widget=PersonPick,
        error_messages={
            "required": "Choose who to add: find them by name or e-mail, then "
            "pick them.",
            "invalid_choice": "There is no Slate user by that name.",
        },
    )

    class Meta:
        model = Membership
        fields = ["user", "role", "reports_to"]
        labels = {"reports_to": "Reports to"}
        error_messages = {"role": {"required": "Choose a role."}}

    def __init__(self, *args, project: Project, **kwargs):
        """Checks what is sent; the crew page renders its fields itself
        (views/crew.py), the options from lists it already has."""
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["role"].queryset = CrewRole.objects.for_project(project)
        self.fields["reports_to"].queryset = User.objects.filter(
            memberships__project=project
        )
        if self.instance.pk:
            # A member's change form: their role and boss.
            del self.fields["user"]


class ProfileForm(LabelsWithoutColon, forms.ModelForm):
    """What a person keeps about themselves: how they are shown and reached."""

    class Meta:
        model = User
        fields = ["display_name", "email", "phone"]
        labels = {"email": "E-mail"}
        help_texts = {
            "email": "Shown to your crews, and where Slate sends your e-mail.",
        }
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What an empty display name shows instead.
        self.fields["display_name"].widget.attrs["placeholder"] = (
            self.instance.get_full_name() or self.instance.username
        )


# --- the task pages --------------------------------------------------------------


class ZonedDateTimeField(forms.DateTimeField):
    """A date and time read and shown in a production's time zone.

    The browser's datetime-local input has no zone; a booker types the slot
    as the production's wall clock, whatever the server's or their own zone.
    """

    widget = forms.DateTimeInput(
        attrs={
            "type": "datetime-local",
            "min": f"{dates.FIRST_DAY.isoformat()}T00:00",
            "max": f"{dates.LAST_DAY.isoformat()}T23:59",
        },
        format=DATETIME_LOCAL_INPUT,
    )

    def __init__(self, *, zone=None, **kwargs):
        super().__init__(**kwargs)
        self.zone = zone

    def _in_zone(self):
        return timezone.override(self.zone) if self.zone else nullcontext()

    def prepare_value(self, value):
        with self._in_zone():
            return super().prepare_value(value)

    def to_python(self, value):
        with self._in_zone():
            return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None:
            dates.validate_moment_in(
                value, self.zone or timezone.get_current_timezone()
            )


class TaskForm(LabelsWithoutColon, forms.ModelForm):
    """Create or edit a task: the fields of workflow.EDITABLE_FIELDS the user may change."""

    # The version the editor loaded; an edit from an older one is refused.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "This form lost track of the task's version; "
            "open the task and edit it again.",
            "invalid": "This form lost track of the task's version; "
            "open the task and edit it again.",
        },
    )

    class Meta:
        model = Task
        fields = list(EDITABLE_FIELDS)
        field_classes = {"starts_at": ZonedDateTimeField, "ends_at": ZonedDateTimeField}
        widgets = {
            "due_date": DayInput,
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(
        self,
        *args,
        project: Project,
        fields=EDITABLE_FIELDS,
        assign_to=None,
        **kwargs,
    ):
        """`fields`: those this user may change (workflow.editable_fields); the
        form leaves out the rest. `assign_to`: for someone who gives work only
        to the people who report to them, those people's ids."""
        super().__init__(*args, **kwargs)
        self.options = {"fields": fields, "assign_to": assign_to}
        self.editable = tuple(name for name in EDITABLE_FIELDS if name in fields)
        for name in EDITABLE_FIELDS:
            if name not in self.editable:
                del self.fields[name]
        self.instance.project = project
        if "assignee" in self.fields:
            # One filter() call: both conditions on the same membership row.
            people = User.objects.filter(
                memberships__project=project, memberships__role__can_be_assigned=True
            )
            self.fields["assignee"].empty_label = WORDS["unassigned"]
            if assign_to is not None:
                people = people.filter(pk__in=assign_to)
                self.fields["assignee"].required = True
                self.fields["assignee"].error_messages["required"] = (
                    "Choose who does it: someone who reports to you."
                )
            self.fields["assignee"].queryset = people
        if "reviewer" in self.fields:
            # Crew of the production, never the assignee (Task.clean).
            reviewers = User.objects.filter(memberships__project=project)
            if self.instance.assignee_id:
                reviewers = reviewers.exclude(pk=self.instance.assignee_id)
            self.fields["reviewer"].queryset = reviewers
            # Not "approves": a reviewer who may not approve sends the work up.
            self.fields["reviewer"].help_text = (
                "Checks the work when it is submitted; by default, whom the "
                "assignee reports to."
            )
            self.fields["reviewer"].empty_label = (
                "Nobody" if self.instance.pk else "The assignee's supervisor"
            )
        if "episode" in self.fields:
            self.fields["episode"].queryset = project.episodes.all()
            self.fields["episode"].empty_label = "No episode"
        for name in ("starts_at", "ends_at"):
            if name in self.fields:
                self.fields[name].zone = project.tzinfo
                in_zone(self.fields[name], project.time_zone)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            # The form carries the values the editor started from, so that
            # only what they changed is saved: an untouched field never puts
            # back a value someone else has changed since.
            # A post without them (a script, an old page) is compared with
            # the task as stored instead.
            data = args[0] if args else kwargs.get("data")
            if data is None or any(key.startswith("initial-") for key in data):
                for name in self.editable:
                    self.fields[name].show_hidden_initial = True
        else:
            del self.fields["version"]
            focus_first_field(self)

    def clean(self):
        cleaned = super().clean()
        if (
            "assignee" in self.changed_data
            and "reviewer" in self.fields
            and "reviewer" not in self.changed_data
        ):
            # Reassigned, reviewer untouched: the service gives the task the
            # new assignee's default reviewer; the old one is not checked
            # against the new assignee (they may be the same person).
            cleaned["reviewer"] = None
        return cleaned

    def rebase(self, task: Task) -> None:
        """Put the user's own edits on top of the task as it is now.

        After a refused stale save: fields the user did not touch show the
        current values, the edits stay, and the form now starts from `task`'s
        version, so saving again applies just those edits, deliberately.
        """
        edits = set(self.changed_data)
        fresh = type(self)(instance=task, project=task.project, **self.options)
        data = self.data.copy()
        for name in self.editable:
            current = fresh[name].value()
            data[fresh[name].html_initial_name] = current
            if name not in edits:
                data[name] = current
        data["version"] = str(task.version)
        self.data = data

    def edits(self) -> dict:
        """The fields the user changed, as keyword arguments for a service."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in self.editable
        }

    def values(self) -> dict:
        """Every task field, as keyword arguments for services.task_create."""
        return {name: self.cleaned_data[name] for name in self.editable}

    def main_fields(self):
        return [self[name] for name in self.editable if name not in BOOKING_FIELDS]

    def booking_fields(self):
        return [self[name] for name in self.editable if name in BOOKING_FIELDS]


class PitchForm(LabelsWithoutColon, forms.ModelForm):
    """A story idea from crew who may not assign: it starts as a proposal."""

    class Meta:
        model = Task
        fields = ["title", "description"]
        labels = {"title": "Your idea", "description": "Why it matters, how to do it"}
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        focus_first_field(self)

    def values(self) -> dict:
        """The pitch, as keyword arguments for services.task_create."""
        return {**self.cleaned_data, "kind": Task.Kind.PITCH}

    def main_fields(self):
        return list(self)

    def booking_fields(self):
        return []


class MoveForm(LabelsWithoutColon, forms.Form):
    """A status move: where to, the note it carries, the version of the task
    it was made from, and where to go back to."""

    to = forms.ChoiceField(
        choices=Task.Status.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Say which status to move the task to.",
            "invalid_choice": "“%(value)s” is not a status.",
        },
    )
    note = forms.CharField(
        label="What needs to change?",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        # Shown only in the form of a move that needs a note (the service
        # checks it); the other moves send none.
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        error_messages={
            "max_length": f"Keep the note under {COMMENT_MAX_LENGTH:,} characters."
        },
    )
    # Optional: a move posted without it (an old page, a script) is checked
    # by the workflow alone.
    version = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "This form lost track of the task's version; reload the page.",
            "min_value": "This form lost track of the task's version; reload the page.",
        },
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class CommentForm(LabelsWithoutColon, forms.Form):
    body = forms.CharField(
        label="Add a comment",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write something first.",
            "max_length": f"Keep comments under {COMMENT_MAX_LENGTH:,} characters.",
        },
    )


# --- episodes and run-of-show templates ------------------------------------------


class TimeOfDayInput(forms.TimeInput):
    """The browser's time picker: hours and minutes."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class EpisodeForm(LabelsWithoutColon, forms.ModelForm):
    """An episode: number, title, air date and time; a new one may bring a
    run-of-show template's tasks."""

    # The same bound on every database (SQLite's integers are wider).
    number = forms.IntegerField(
        label="Number",
        min_value=0,
        max_value=999_999,
        error_messages={"required": "Give the episode a number."},
    )
    template = forms.ModelChoiceField(
        label="Tasks from a template",
        queryset=RunOfShow.objects.none(),
        required=False,
        empty_label="No template",
        help_text="Its tasks are dated back from the air date; you see them "
        "before anything is created.",
        error_messages={"invalid_choice": "This production has no such template."},
    )

    class Meta:
        model = Episode
        fields = ["number", "title", "air_date", "air_time", "template"]
        widgets = {"air_date": DayInput, "air_time": TimeOfDayInput}

    def __init__(self, *args, project: Project, templates=None, **kwargs):
        """`templates`: the production's run-of-show templates, offered to a
        new episode; none for an edit."""
        super().__init__(*args, **kwargs)
        self.instance.project = project
        in_zone(self.fields["air_time"], project.time_zone)
        self.fields["air_time"].help_text = ""
        if not self.instance.pk:
            focus_first_field(self)
        if templates:
            self.fields["template"].queryset = project.run_of_shows.all()
            self.fields["template"].choices = [("", "No template")] + [
                (template.pk, template.name) for template in templates
            ]
        else:
            del self.fields["template"]

    def clean_number(self):
        number = self.cleaned_data["number"]
        others = Episode.objects.filter(project=self.instance.project, number=number)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(f"This production already has episode {number}.")
        return number

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("template") and not cleaned.get("air_date"):
            self.add_error(
                "air_date",
                "Give an air date: the template's tasks are dated back from it.",
            )
        return cleaned

    def values(self) -> dict:
        """The episode's fields, as keyword arguments for a service."""
        return {
            name: self.cleaned_data[name]
            for name in ("number", "title", "air_date", "air_time")
        }


class RunOfShowForm(LabelsWithoutColon, forms.ModelForm):
    """A new run-of-show template: its name."""

    class Meta:
        model = RunOfShow
        fields = ["name"]
        labels = {"name": "Template name"}
        error_messages = {"name": {"required": "Name the template."}}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        focus_first_field(self)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if RunOfShow.objects.filter(project=self.instance.project, name=name).exists():
            raise ValidationError(
                "This production already has a template by that name."
            )
        return name


class RunOfShowLineForm(LabelsWithoutColon, forms.ModelForm):
    """One duty of a template."""

    class Meta:
        model = RunOfShowLine
        fields = [
            "title",
            "kind",
            "assignee",
            "role",
            "reviewer",
            "priority",
            "days_before",
            "time",
        ]
        widgets = {
            "days_before": forms.NumberInput(attrs={"min": 0, "max": MAX_DAYS_BEFORE}),
            "time": TimeOfDayInput,
        }
        error_messages = {
            "title": {"required": "Say what the duty is."},
            "days_before": {
                "max_value": f"At most {MAX_DAYS_BEFORE} days before air.",
                "min_value": "0 is the air date itself; no duty comes after it.",
            },
        }

    def __init__(self, *args, template: RunOfShow, crew=None, **kwargs):
        """`crew`: the production's memberships with user and role, fetched once."""
        super().__init__(*args, **kwargs)
        project = template.project
        self.instance.template = template
        # Pitches are ideas from the crew, not duties handed out.
        self.fields["kind"].choices = [
            choice for choice in Task.Kind.choices if choice[0] != Task.Kind.PITCH
        ]
        self.fields["assignee"].queryset = User.objects.filter(
            memberships__project=project, memberships__role__can_be_assigned=True
        )
        self.fields["assignee"].empty_label = "Nobody in particular"
        self.fields["role"].queryset = CrewRole.objects.for_project(project)
        self.fields["role"].empty_label = "No role"
        self.fields["role"].help_text = (
            "Instead of a person: the first crew member in that role when the "
            "tasks are made."
        )
        self.fields["reviewer"].queryset = User.objects.filter(
            memberships__project=project
        )
        self.fields["reviewer"].empty_label = "The assignee's supervisor"
        in_zone(self.fields["time"], project.time_zone)
        if crew is not None:
            people = [(m.user.pk, str(m.user)) for m in crew]
            self.fields["assignee"].choices = [("", "Nobody in particular")] + [
                (m.user.pk, str(m.user)) for m in crew if m.role.can_be_assigned
            ]
            self.fields["reviewer"].choices = [
                ("", "The assignee's supervisor"),
                *people,
            ]


class NotificationPreferencesForm(LabelsWithoutColon, forms.Form):
    """How a person hears of each kind of event: one choice per kind."""

    def __init__(self, data=None, *, current: dict[str, str]):
        super().__init__(data)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=current[kind.value],
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[str, str]:
        """{kind: delivery}, as chosen."""
        return {kind: self.cleaned_data[kind] for kind in NotificationKind.values}


class TemplateChoiceForm(LabelsWithoutColon, forms.Form):
    """Which run-of-show template to make an existing episode's tasks from."""

    template = forms.ModelChoiceField(
        label="Template",
        queryset=RunOfShow.objects.none(),
        empty_label="Choose a template",
        error_messages={
            "required": "Choose a template.",
            "invalid_choice": "This production has no such template.",
        },
    )

    def __init__(self, data=None, *, templates):
        super().__init__(data)
        field = self.fields["template"]
        field.queryset = RunOfShow.objects.filter(pk__in=[t.pk for t in templates])
        field.choices = [("", "Choose a template")] + [
            (template.pk, template.name) for template in templates
        ]
