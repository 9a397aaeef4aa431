"""The task forms: what they accept, what they refuse, and how they show values."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from production import workflow
from production.access import role_on
from production.forms import (
    COMMON_TIME_ZONES,
    CommentForm,
    EpisodeForm,
    MoveForm,
    PitchForm,
    ProjectForm,
    RunOfShowLineForm,
    TaskForm,
    ZonedDateTimeField,
    time_zone_choices,
)
from production.models import (
    CrewRole,
    Episode,
    Membership,
    Project,
    RunOfShow,
    Task,
    User,
    known_time_zones,
)
from tests.pages import edit_data

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_zoned_field_reads_the_wall_clock_of_its_zone():
    """A datetime-local value is read as the production's local time."""
    field = ZonedDateTimeField(zone=NEW_YORK)
    value = field.clean("2030-01-15T09:00")
    assert value == dt.datetime(2030, 1, 15, 14, 0, tzinfo=dt.UTC)


def test_zoned_field_shows_values_in_its_zone():
    """A stored slot is shown back as the production's local time, no seconds."""
    field = ZonedDateTimeField(zone=LONDON)
    moment = dt.datetime(2030, 7, 10, 6, 30, tzinfo=dt.UTC)
    assert field.widget.format_value(field.prepare_value(moment)) == "2030-07-10T07:30"
    assert field.widget.input_type == "datetime-local"


def test_zoned_field_refuses_a_time_that_does_not_exist():
    """A time skipped by the clocks going forward is refused, not guessed."""
    field = ZonedDateTimeField(zone=LONDON)
    with pytest.raises(ValidationError) as refused:
        field.clean("2030-03-31T01:30")
    assert "Europe/London" in refused.value.messages[0]


def test_task_form_offers_only_this_crew(demo, morn, nite, ap, ap2, outsider):
    """Assignees are this crew's assignable people; episodes are this production's."""
    boss = User.objects.create(username="boss")
    observer = CrewRole.objects.create(
        project=morn, name="Observer", can_be_assigned=False
    )
    Membership.objects.create(project=morn, user=boss, role=observer)
    Episode.objects.create(project=nite, number=1, title="Pilot")
    form = TaskForm(project=morn)
    assignees = list(form.fields["assignee"].queryset)
    reviewers = list(form.fields["reviewer"].queryset)
    assert ap in assignees and ap2 in assignees
    assert boss not in assignees and outsider not in assignees
    assert boss in reviewers and outsider not in reviewers
    # ap2 is on two productions: still offered once.
    assert assignees.count(ap2) == 1
    assert {episode.project for episode in form.fields["episode"].queryset} == {morn}


def test_reviewer_choices_leave_out_the_assignee(demo, morn, ap, producer):
    """Nobody reviews their own work: the assignee is not offered as reviewer."""
    task = Task.objects.filter(project=morn, assignee=ap).first()
    reviewers = set(TaskForm(instance=task, project=morn).fields["reviewer"].queryset)
    assert producer in reviewers
    assert ap not in reviewers


def test_reassigning_to_the_reviewer_takes_the_new_default(demo, morn, ap, ap2):
    """Handing a task to its reviewer, reviewer untouched, is no error: the
    new assignee's default reviewer takes over."""
    task = Task.objects.filter(project=morn, assignee=ap, status="todo").first()
    Task.objects.filter(pk=task.pk).update(reviewer=ap2)
    task.refresh_from_db()
    data = edit_data(task, assignee=ap2.pk)
    data |= {f"initial-{name}": value for name, value in edit_data(task).items()}
    form = TaskForm(data, instance=task, project=morn)
    assert form.is_valid(), form.errors
    assert form.edits() == {"assignee": ap2}
    form = TaskForm(edit_data(task, assignee=ap2.pk, reviewer=ap2.pk), project=morn)
    assert form.errors["reviewer"] == [
        "Choose someone other than the assignee: nobody reviews their own work."
    ]


@pytest.mark.parametrize(
    ("title", "fields"),
    [
        ("Book the marathon winner", ["description", *workflow.BOOKING_FIELDS]),
        ("Rewrite cold open for Monday", ["description"]),
    ],
)
def test_the_assignees_form_has_only_their_working_fields(
    demo, morn, ap, title, fields
):
    """The assignee's edit form shows the description and, for a booking, its
    details; it saves only those."""
    task = Task.objects.get(project=morn, title=title)
    allowed = workflow.editable_fields(task, ap, role_on(ap, morn.pk))
    form = TaskForm(instance=task, project=morn, fields=allowed)
    assert [field.name for field in form.main_fields() + form.booking_fields()] == (
        fields
    )
    assert "version" in form.fields


def test_a_form_for_someones_crew_offers_only_them_and_needs_one(
    demo, morn, ap, editor, writer
):
    """Someone who assigns only to their crew chooses among them, and must."""
    form = TaskForm(project=morn, assign_to={editor.pk, writer.pk})
    assert set(form.fields["assignee"].queryset) == {editor, writer}
    form = TaskForm(
        {"title": "Cut", "kind": "editing", "priority": 2, "assignee": ap.pk},
        project=morn,
        assign_to={editor.pk, writer.pk},
    )
    assert "assignee" in form.errors
    form = TaskForm(
        {"title": "Cut", "kind": "editing", "priority": 2},
        project=morn,
        assign_to={editor.pk, writer.pk},
    )
    assert form.errors["assignee"] == [
        "Choose who does it: someone who reports to you."
    ]


def test_task_form_refuses_an_episode_of_another_production(demo, morn, nite):
    """An episode of another production is not a valid choice."""
    other = Episode.objects.create(project=nite, number=1, title="Pilot")
    form = TaskForm(
        {"title": "Cut", "kind": "editing", "priority": 2, "episode": other.pk},
        project=morn,
    )
    assert not form.is_valid()
    assert "episode" in form.errors


def test_task_form_refuses_a_slot_that_ends_before_it_starts(demo, morn):
    """A booking slot must end after it starts."""
    form = TaskForm(
        {
            "title": "Book",
            "kind": "booking",
            "priority": 2,
            "starts_at": "2030-07-10T09:00",
            "ends_at": "2030-07-10T08:30",
        },
        project=morn,
    )
    assert not form.is_valid()
    assert form.errors["ends_at"] == ["A booking slot must end after it starts."]


def test_new_task_form_has_no_version_and_edit_form_carries_it(demo, morn):
    """Only an edit carries the version it was loaded from."""
    assert "version" not in TaskForm(project=morn).fields
    task = Task.objects.filter(project=morn).first()
    form = TaskForm(instance=task, project=morn)
    assert form["version"].value() == task.version


def test_edit_form_reports_only_the_fields_changed(demo, morn):
    """edits() hands the service just what the user changed."""
    task = Task.objects.get(project=morn, guest="Chef Ana Ruiz")
    initial = TaskForm(instance=task, project=morn)
    data = {
        name: initial[name].value() for name in initial.fields if name != "confirmed"
    }
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(title="Book the chef, again", confirmed="on")
    form = TaskForm(data, instance=task, project=morn)
    assert form.is_valid(), form.errors
    assert form.edits() == {"title": "Book the chef, again"}


def test_rebase_keeps_input_and_takes_the_new_version(demo, morn):
    """After a stale edit the form keeps what was typed but carries the new version."""
    task = Task.objects.filter(project=morn).first()
    form = TaskForm(
        {"version": 1, "title": "Typed", "kind": "other", "priority": 2},
        instance=task,
        project=morn,
    )
    task.version = 7
    form.rebase(task)
    assert form["version"].value() == "7"
    assert form["title"].value() == "Typed"


def test_due_date_is_shown_for_a_date_input(demo, morn):
    """The due date renders as YYYY-MM-DD, which <input type=date> needs."""
    task = Task.objects.filter(project=morn, due_date__isnull=False).first()
    html = str(TaskForm(instance=task, project=morn)["due_date"])
    assert 'type="date"' in html
    assert f'value="{task.due_date.isoformat()}"' in html


def test_pitch_form_is_a_pitch(demo, morn):
    """A pitch has a title and description, and its kind is always pitch."""
    form = PitchForm(
        {"title": "Night buses", "description": "Ride along", "kind": "script"},
        project=morn,
    )
    assert form.is_valid()
    assert form.values() == {
        "title": "Night buses",
        "description": "Ride along",
        "kind": Task.Kind.PITCH,
    }
    assert not PitchForm({"title": ""}, project=morn).is_valid()


def test_move_form_refuses_an_unknown_status():
    """A move must name a real status."""
    form = MoveForm({"to": "shipped"})
    assert not form.is_valid()
    assert form.errors["to"] == ["“shipped” is not a status."]
    assert MoveForm({"to": "done"}).is_valid()


def test_move_form_refuses_an_over_long_note():
    """A note over 10,000 characters is refused."""
    form = MoveForm({"to": "changes", "note": "x" * 10_001})
    assert form.errors["note"] == ["Keep the note under 10,000 characters."]


def test_comment_form_needs_words_and_a_limit():
    """A comment of only spaces or over 10,000 characters is refused with a sentence."""
    assert CommentForm({"body": "   "}).errors["body"] == ["Write something first."]
    assert CommentForm({"body": "x" * 10_001}).errors["body"] == [
        "Keep comments under 10,000 characters."
    ]
    assert CommentForm({"body": "Fine."}).is_valid()


def test_project_time_zone_drives_the_task_form(demo):
    """A production in New York reads slots on New York's clock."""
    project = Project.objects.get(code="NITE")
    form = TaskForm(
        {
            "title": "Band",
            "kind": "booking",
            "priority": 2,
            "starts_at": "2030-01-15T21:00",
            "ends_at": "2030-01-15T22:00",
        },
        project=project,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"] == dt.datetime(
        2030, 1, 16, 2, 0, tzinfo=dt.UTC
    )
    assert form.fields["starts_at"].label == "Slot starts (America/New_York)"


TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
OUT_OF_RANGE = "Pick a date between 1 Jan 1900 and 31 Dec 2199."


@pytest.mark.parametrize(
    ("zone", "typed", "taken"),
    [
        (NEW_YORK, "2199-12-31T23:59", True),
        (NEW_YORK, "2200-01-01T00:00", False),
        (NEW_YORK, "9999-12-31T22:00", False),
        (TOKYO, "1900-01-01T00:00", True),
        (TOKYO, "1899-12-31T23:59", False),
        (TOKYO, "0001-01-01T00:00", False),
    ],
)
def test_zoned_field_takes_the_range_on_its_own_clock(zone, typed, taken):
    """The first and last days are the production's, whatever UTC's date is then."""
    field = ZonedDateTimeField(zone=zone)
    if taken:
        assert field.clean(typed).astimezone(zone).strftime("%Y-%m-%dT%H:%M") == typed
        return
    with pytest.raises(ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages == [OUT_OF_RANGE]


def test_date_pickers_offer_only_the_range(demo, morn):
    """The browser's pickers stop at 1 Jan 1900 and 31 Dec 2199."""
    form = TaskForm(project=morn)
    due = str(form["due_date"])
    assert 'type="date"' in due
    assert 'min="1900-01-01"' in due and 'max="2199-12-31"' in due
    slot = str(form["starts_at"])
    assert 'min="1900-01-01T00:00"' in slot and 'max="2199-12-31T23:59"' in slot
    project_form = ProjectForm()
    for name in ("starts_on", "ends_on"):
        assert 'max="2199-12-31"' in str(project_form[name])


# --- the first field, and the clock a field is read on ----------------------------

AUTOFOCUS = re.compile(
    r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*\bautofocus\b'
)


def autofocused(page: str) -> list[str]:
    """The names of the fields that take the focus when the page opens."""
    return AUTOFOCUS.findall(page)


def test_new_pages_put_the_cursor_in_their_first_field(client_for, producer, morn, ap):
    """New task, pitch, production, episode and template, and the login: the
    first field still to fill is focused (the episode's number is filled in)."""
    client = client_for(producer)
    pages = {
        reverse("task-create", args=["MORN"]): ["title"],
        reverse("project-create"): ["name"],
        reverse("episode-create", args=["MORN"]): ["title"],
        reverse("run-of-show-list", args=["MORN"]): ["name"],
    }
    for page, names in pages.items():
        assert autofocused(client.get(page).content.decode()) == names, page
    pitch = client_for(ap).get(reverse("task-create", args=["MORN"]) + "?pitch")
    assert autofocused(pitch.content.decode()) == ["title"]
    assert autofocused(Client().get(reverse("login")).content.decode()) == ["username"]


def test_forms_with_errors_and_edit_forms_focus_no_field(client_for, producer, morn):
    """Sent back with errors, the error summary takes the focus, not a field;
    an edit page leaves the focus where the person puts it."""
    client = client_for(producer)
    task = Task.objects.filter(project=morn).order_by("number").first()
    refused = [
        client.post(reverse("task-create", args=["MORN"]), {"title": ""}),
        client.post(reverse("project-create"), {"name": ""}),
        client.post(reverse("episode-create", args=["MORN"]), {"number": ""}),
        Client().post(reverse("login"), {"username": "ap", "password": "wrong"}),
    ]
    for response in refused:
        page = response.content.decode()
        assert 'class="error-summary"' in page
        assert autofocused(page) == []
    edit = client.get(reverse("task-edit", args=[task.key]))
    assert autofocused(edit.content.decode()) == []


LABEL_TEXT = re.compile(r"<(?:label|legend)\b[^>]*>([^<]*)</(?:label|legend)>")


def test_every_form_writes_its_labels_alike_without_a_colon(client_for, producer, morn):
    """The login, task, pitch, production, episode, template, profile and crew
    forms end their labels as the filter bar does: with no colon."""
    client = client_for(producer)
    episode = Episode.objects.filter(project=morn).first() or Episode.objects.create(
        project=morn, number=1, title="Pilot"
    )
    pages = [
        Client().get(reverse("login")),
        client.get(reverse("task-create", args=["MORN"])),
        client.get(reverse("task-create", args=["MORN"]) + "?pitch"),
        client.get(reverse("project-create")),
        client.get(reverse("episode-edit", args=["MORN", episode.pk])),
        client.get(reverse("run-of-show-list", args=["MORN"])),
        client.get(reverse("profile")),
        client.get(reverse("project-crew", args=["MORN"])),
        client.get(reverse("project-board", args=["MORN"])),
    ]
    for response in pages:
        labels = LABEL_TEXT.findall(response.content.decode())
        assert labels, response.request["PATH_INFO"]
        colons = [label for label in labels if label.rstrip().endswith(":")]
        assert colons == [], response.request["PATH_INFO"]
    crew = pages[-2].content.decode()
    assert re.search(r"<label for=\"[^\"]+\">Role</label>", crew)


def test_date_and_time_fields_name_the_productions_time_zone(demo, nite):
    """Slots, air times and a template duty's time say whose clock they are on."""
    form = TaskForm(project=nite)
    assert form["starts_at"].label == "Slot starts (America/New_York)"
    assert form["ends_at"].label == "Slot ends (America/New_York)"
    assert 'for="id_starts_at">Slot starts (America/New_York)' in str(
        form["starts_at"].as_field_group()
    )
    assert EpisodeForm(project=nite)["air_time"].label == "Air time (America/New_York)"
    template = RunOfShow.objects.create(project=nite, name="Nightly")
    line = RunOfShowLineForm(template=template)
    assert line["time"].label == "Time (America/New_York)"


def test_the_time_zones_offered_are_canonical_and_common_first():
    """The picker's list: the common zones first, then every zone of zone.tab
    once; aliases and Etc zones are not offered, though they stay valid."""
    zones = [zone for zone, _where in time_zone_choices()]
    assert zones[: len(COMMON_TIME_ZONES)] == list(COMMON_TIME_ZONES)
    assert len(zones) == len(set(zones)) > 300
    assert not {"US/Eastern", "GB", "Europe/Belfast", "Etc/GMT+5"} & set(zones)
    assert not [zone for zone in zones if zone.startswith("Etc/")]
    assert set(zones) <= known_time_zones()
    assert dict(time_zone_choices())["America/New_York"] == (
        "United States, Eastern (most areas)"
    )
    assert (
        ProjectForm({"time_zone": "US/Eastern"}).fields["time_zone"].clean("US/Eastern")
        == "US/Eastern"
    )
