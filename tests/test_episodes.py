"""The episode pages and the run-of-show editor, as the crew use them.

A producer creates an episode, previews the tasks a template brings and
accepts them; moves the air date and previews the open tasks following it;
keeps templates and their duties. Everyone else on the crew reads; outsiders
get a 404.
"""

import datetime as dt
import html
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from production.models import (
    Activity,
    CrewRole,
    Episode,
    RunOfShow,
    RunOfShowLine,
    Task,
)
from production.views import episodes as episodes_view
from tests.factories import add_tasks
from tests.pages import count_queries, error_summary
from tests.test_csp import assert_clean

UTC = dt.UTC
# Thursday 25 March 2027, 09:00 in London: the clocks change on Sunday.
NOW = dt.datetime(2027, 3, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def template(morn, ap):
    template = RunOfShow.objects.create(project=morn, name="Weekday show")
    RunOfShowLine.objects.bulk_create(
        [
            RunOfShowLine(
                template=template,
                kind=Task.Kind.BOOKING,
                title="Book the guest for {title}",
                assignee=ap,
                days_before=2,
                time=dt.time(7, 30),
            ),
            RunOfShowLine(
                template=template,
                kind=Task.Kind.SCRIPT,
                title="Script draft, Ep. {number}",
                role=CrewRole.objects.get(project=None, name=CrewRole.WRITER),
                days_before=1,
            ),
            RunOfShowLine(
                template=template,
                kind=Task.Kind.TELEPROMPTER,
                title="Teleprompter for {title}",
                assignee=ap,
                days_before=0,
            ),
        ]
    )
    return template


def url(name, *args):
    return reverse(name, args=["MORN", *args])


def new_episode(**changes):
    data = {"number": 400, "title": "Saturday special", "air_date": "2027-03-28"}
    return data | changes


@time_machine.travel(NOW, tick=False)
def test_a_producer_creates_an_episode_from_a_template_after_a_preview(
    client_for, producer, morn, template
):
    """The preview lists every task with its date and assignee and creates
    nothing; accepting creates them all, with their records."""
    client = client_for(producer)
    data = new_episode(template=template.pk)
    preview = client.post(url("episode-create"), data)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Ep. 400: Saturday special: 3 tasks from Weekday show" in page
    assert "Book the guest for Saturday special" in page
    assert "Script draft, Ep. 400" in page
    # Dated back from Sunday 28 March; the booking at 07:30 London time.
    assert "Fri 26 Mar 2027" in page and "Sat 27 Mar 2027" in page
    assert "Fri 26 Mar, 07:30" in page
    assert "Sam Okafor" in page and "Wren Adeyemi" in page
    assert not Episode.objects.filter(project=morn, number=400).exists()

    created = client.post(url("episode-create"), data | {"confirm": "1"})
    episode = Episode.objects.get(project=morn, number=400)
    assert created.status_code == 302
    assert created["Location"] == episode.get_absolute_url()
    tasks = list(episode.tasks.order_by("due_date"))
    assert [task.due_date for task in tasks] == [
        dt.date(2027, 3, 26),
        dt.date(2027, 3, 27),
        dt.date(2027, 3, 28),
    ]
    assert all(
        Activity.objects.filter(task=task, verb=Activity.Verb.CREATED).exists()
        for task in tasks
    )
    page = client.get(created["Location"]).content.decode()
    assert "0 of 3 done" in page
    assert "Book the guest for Saturday special" in page


def test_back_from_the_preview_keeps_what_was_typed(client_for, producer, template):
    client = client_for(producer)
    response = client.post(
        url("episode-create"), new_episode(template=template.pk, back="1")
    )
    assert response.status_code == 200
    assert 'value="Saturday special"' in response.content.decode()
    assert not Episode.objects.filter(number=400).exists()


def test_an_episode_without_a_template_is_created_at_once(client_for, producer, morn):
    response = client_for(producer).post(
        url("episode-create"), new_episode(air_time="06:00")
    )
    episode = Episode.objects.get(project=morn, number=400)
    assert response.status_code == 302
    assert episode.air_time == dt.time(6, 0)
    assert episode.tasks.count() == 0


def test_the_new_episode_form_offers_the_next_number(client_for, producer):
    page = client_for(producer).get(url("episode-create")).content.decode()
    # The demo has episodes 101 to 103.
    assert 'name="number" value="104"' in page


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (new_episode(number=101), "id_number", "already has episode 101"),
        (new_episode(air_date="2200-01-01"), "id_air_date", "Pick a date between"),
        (new_episode(number="-3"), "id_number", "greater than or equal to 0"),
        (new_episode(number="99999999999999"), "id_number", "less than or equal"),
        (new_episode(air_time="25:00"), "id_air_time", "Enter a valid time"),
    ],
)
def test_bad_episode_input_is_a_400_with_the_reason(
    client_for, producer, data, field, error
):
    response = client_for(producer).post(url("episode-create"), data)
    assert response.status_code == 400
    errors = error_summary(response.content.decode())
    assert any(link == field and error in text for link, text in errors), errors


def test_a_template_needs_an_air_date(client_for, producer, template):
    response = client_for(producer).post(
        url("episode-create"), new_episode(air_date="", template=template.pk)
    )
    assert response.status_code == 400
    errors = error_summary(response.content.decode())
    assert (
        "id_air_date",
        "Air date Give an air date: the template's tasks are dated back from it.",
    ) in errors


def test_a_template_of_another_production_is_not_offered(
    client_for, producer, template, nite
):
    other = RunOfShow.objects.create(project=nite, name="Elsewhere")
    response = client_for(producer).post(
        url("episode-create"), new_episode(template=other.pk)
    )
    assert response.status_code == 400
    assert not Episode.objects.filter(number=400).exists()


@time_machine.travel(NOW, tick=False)
def test_moving_the_air_date_previews_then_moves_the_open_tasks(
    client_for, producer, morn, template
):
    """The edit form shows where each open task would go; done ones stay."""
    client = client_for(producer)
    client.post(url("episode-create"), new_episode(template=template.pk, confirm="1"))
    episode = Episode.objects.get(project=morn, number=400)
    done = episode.tasks.get(kind=Task.Kind.SCRIPT)
    Task.objects.filter(pk=done.pk).update(status=Task.Status.DONE)
    edit = url("episode-edit", episode.pk)
    data = new_episode(air_date="2027-03-29")
    preview = client.post(edit, data)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Move the air date and 2 open tasks" in page
    assert "Sat 27 Mar, 07:30" in page  # the booking, a day later, same time
    assert done.key not in page
    assert episode.tasks.filter(due_date=dt.date(2027, 3, 26)).exists()

    moved = client.post(edit, data | {"shift": "yes"})
    assert moved.status_code == 302
    booking = episode.tasks.get(kind=Task.Kind.BOOKING)
    # Saturday 07:30 GMT: the clocks change on the Sunday, after it.
    assert booking.due_date == dt.date(2027, 3, 27)
    assert booking.starts_at == dt.datetime(2027, 3, 27, 7, 30, tzinfo=UTC)
    assert episode.tasks.get(pk=done.pk).due_date == done.due_date
    history = client.get(booking.get_absolute_url()).content.decode()
    assert "changed due date from 26 Mar 2027 to 27 Mar 2027" in history
    assert "The air date moved from 28 Mar 2027 to 29 Mar 2027." in history


@time_machine.travel(NOW, tick=False)
def test_moving_the_air_date_only_leaves_the_tasks(
    client_for, producer, morn, template
):
    client = client_for(producer)
    client.post(url("episode-create"), new_episode(template=template.pk, confirm="1"))
    episode = Episode.objects.get(project=morn, number=400)
    before = sorted(episode.tasks.values_list("due_date", flat=True))
    response = client.post(
        url("episode-edit", episode.pk), new_episode(air_date="2027-04-02", shift="no")
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.air_date == dt.date(2027, 4, 2)
    assert sorted(episode.tasks.values_list("due_date", flat=True)) == before


def test_editing_other_fields_needs_no_preview(client_for, producer, morn):
    episode = morn.episodes.get(number=101)
    data = {
        "number": 101,
        "title": "Monday, renamed",
        "air_date": episode.air_date.isoformat(),
    }
    response = client_for(producer).post(url("episode-edit", episode.pk), data)
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.title == "Monday, renamed"


def test_applying_a_template_twice_via_the_page_makes_nothing_twice(
    client_for, producer, morn, template
):
    client = client_for(producer)
    episode = morn.episodes.get(number=102)
    apply = url("episode-apply", episode.pk)
    preview = client.get(apply, {"template": template.pk})
    assert preview.status_code == 200
    assert "Create the tasks" in preview.content.decode()
    assert client.post(apply, {"template": template.pk}).status_code == 302
    count = episode.tasks.count()
    again = client.get(apply, {"template": template.pk}).content.decode()
    assert again.count("already made:") == 3
    response = client.post(apply, {"template": template.pk}, follow=True)
    assert "had made all its tasks already" in response.content.decode()
    assert episode.tasks.count() == count


@pytest.mark.parametrize("value", ["abc", "999999", ""])
def test_a_bad_template_choice_is_a_400(client_for, producer, morn, template, value):
    episode = morn.episodes.get(number=102)
    response = client_for(producer).post(
        url("episode-apply", episode.pk), {"template": value}
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode())


def test_placeholders_are_escaped_on_every_page(client_for, producer, morn, template):
    """An episode title with markup is text in the tasks it names."""
    client = client_for(producer)
    title = '<img src=x onerror="alert(1)">'
    client.post(
        url("episode-create"),
        new_episode(title=title, air_date="2030-01-10", template=template.pk),
    )
    preview = client.post(
        url("episode-create"),
        new_episode(title=title, air_date="2030-01-10", template=template.pk),
    ).content.decode()
    assert "<img src=x" not in preview
    assert html.escape(f"Book the guest for {title}") in preview
    client.post(
        url("episode-create"),
        new_episode(
            title=title, air_date="2030-01-10", template=template.pk, confirm="1"
        ),
    )
    episode = Episode.objects.get(project=morn, number=400)
    task = episode.tasks.get(kind=Task.Kind.BOOKING)
    assert task.title == f"Book the guest for {title}"
    for page in (
        episode.get_absolute_url(),
        task.get_absolute_url(),
        reverse("project-board", args=["MORN"]),
        url("episode-list"),
    ):
        content = client.get(page).content.decode()
        assert "<img src=x" not in content, page


def test_the_episode_page_shows_progress_and_late_work(client_for, ap, morn):
    """Done of open, and late tasks marked, for anyone on the crew."""
    episode = morn.episodes.get(number=101)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    add_tasks(morn, 2, episode=episode, status=Task.Status.DONE)
    add_tasks(morn, 1, episode=episode, status=Task.Status.TODO, due_date=yesterday)
    add_tasks(morn, 1, episode=episode, status=Task.Status.CANCELLED)
    tasks = episode.tasks.filter(archived=False)
    done = tasks.filter(status=Task.Status.DONE).count()
    open_count = tasks.filter(status__in=Task.OPEN_STATUSES).count()
    late = sum(task.is_overdue for task in tasks)
    page = client_for(ap).get(episode.get_absolute_url()).content.decode()
    assert f"{done} of {done + open_count} done</strong>, {open_count} open" in page
    assert f"{late} late" in page
    assert f"?episode={episode.pk}" in page
    # The AP reads; the producer's buttons are not offered.
    assert "Edit episode" not in page


def test_episodes_are_in_the_production_navigation(client_for, ap, morn):
    page = client_for(ap).get(reverse("project-board", args=["MORN"])).content.decode()
    assert f'href="{url("episode-list")}"' in page
    listing = client_for(ap).get(url("episode-list")).content.decode()
    assert "Ep. 101: Monday" in listing
    assert "New episode" not in listing


def test_a_production_with_no_episodes_says_what_to_do_next(
    client_for, producer, ap, morn
):
    """No episodes: who may plan them gets the button and the templates' link;
    the rest of the crew reads who adds them."""
    morn.episodes.all().delete()
    page = client_for(producer).get(url("episode-list")).content.decode()
    assert "No episodes yet." in page
    new = url("episode-create")
    assert f'<a href="{new}">Add the first episode</a> with its air date' in page
    templates = url("run-of-show-list")
    assert f'a <a href="{templates}">run-of-show template</a> brings' in page
    page = client_for(ap).get(url("episode-list")).content.decode()
    assert "No episodes yet." in page
    assert "Those who hand out the work add them here" in page
    assert f'href="{templates}"' in page
    assert new not in page


def test_the_episode_form_names_the_air_times_clock(client_for, producer):
    """The air time is typed on the production's clock, and says which."""
    page = client_for(producer).get(url("episode-create")).content.decode()
    assert '<label for="id_air_time">Air time (Europe/London)</label>' in page


def test_the_episode_page_stays_flat_from_5_to_200_tasks(client_for, producer, morn):
    """The queries of the episode page do not grow with its tasks."""
    episode = Episode.objects.create(project=morn, number=700, air_date=dt.date.today())
    client = client_for(producer)
    client.get("/")
    add_tasks(morn, 5, episode=episode, kind=Task.Kind.BOOKING, assignee=producer)
    small = count_queries(client, episode.get_absolute_url())
    add_tasks(morn, 195, episode=episode, assignee=producer, due_date=dt.date.today())
    large = count_queries(client, episode.get_absolute_url())
    assert small == large
    assert large <= 10
    small_list = count_queries(client, url("episode-list"))
    Episode.objects.bulk_create(
        Episode(project=morn, number=800 + n) for n in range(50)
    )
    assert count_queries(client, url("episode-list")) == small_list


# --- the templates editor -------------------------------------------------------


def line_data(**changes):
    data = {
        "title": "Promo for {title}",
        "kind": Task.Kind.PROMOTION,
        "priority": Task.Priority.NORMAL,
        "days_before": 4,
        "time": "",
    }
    return data | changes


def test_a_producer_keeps_templates_and_their_duties(client_for, producer, morn, ap):
    client = client_for(producer)
    created = client.post(url("run-of-show-list"), {"name": "Weekend show"})
    template = RunOfShow.objects.get(project=morn, name="Weekend show")
    assert created["Location"] == template.get_absolute_url()
    added = client.post(
        url("run-of-show-detail", template.pk), line_data(assignee=ap.pk)
    )
    assert added.status_code == 302
    line = template.lines.get()
    assert (line.title, line.assignee, line.days_before) == ("Promo for {title}", ap, 4)
    edit = url("run-of-show-line", template.pk, line.pk)
    assert client.get(edit).status_code == 200
    client.post(edit, line_data(days_before=5, time="06:15"))
    line.refresh_from_db()
    assert (line.days_before, line.time, line.assignee) == (5, dt.time(6, 15), None)
    page = client.get(template.get_absolute_url()).content.decode()
    assert "5 days before air, 06:15" in page
    client.post(url("run-of-show-line-remove", template.pk, line.pk))
    assert not template.lines.exists()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"days_before": 61}, "id_days_before", "At most 60 days before air."),
        ({"days_before": -1}, "id_days_before", "0 is the air date itself"),
        ({"title": "Promo {date}"}, "id_title", "Use only {number} and {title}"),
        ({"title": ""}, "id_title", "Say what the duty is."),
        ({"kind": Task.Kind.PITCH}, "id_kind", "Select a valid choice"),
    ],
)
def test_a_bad_duty_is_a_400_with_the_reason(
    client_for, producer, template, changes, field, error
):
    response = client_for(producer).post(
        url("run-of-show-detail", template.pk), line_data(**changes)
    )
    assert response.status_code == 400
    errors = error_summary(response.content.decode())
    assert any(link == field and error in text for link, text in errors), errors


def test_a_person_and_a_role_together_are_refused(client_for, producer, template, ap):
    role = CrewRole.objects.get(project=None, name=CrewRole.WRITER)
    response = client_for(producer).post(
        url("run-of-show-detail", template.pk), line_data(assignee=ap.pk, role=role.pk)
    )
    assert response.status_code == 400
    assert (
        "id_role",
        "Or whoever holds the role Choose a person or a role, not both.",
    ) in error_summary(response.content.decode())


def test_a_duplicate_template_name_is_refused(client_for, producer, template):
    response = client_for(producer).post(
        url("run-of-show-list"), {"name": "Weekday show"}
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode())


def test_the_crew_reads_templates_without_the_forms(client_for, ap, template):
    page = client_for(ap).get(template.get_absolute_url()).content.decode()
    assert "Book the guest for {title}" in page
    assert "Add a duty" not in page and "Remove" not in page


def test_an_archived_production_keeps_its_episodes_as_they_are(
    client_for, producer, morn, template
):
    morn.archived = True
    morn.save()
    client = client_for(producer)
    response = client.post(url("episode-create"), new_episode())
    assert response.status_code == 403
    assert b"archived" in response.content
    assert client.post(url("run-of-show-list"), {"name": "X"}).status_code == 403
    assert "New episode" not in client.get(url("episode-list")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_previews_and_form_errors_obey_the_csp(client_for, producer, morn, template):
    """The steps that only a POST reaches carry nothing the policy blocks."""
    client = client_for(producer)
    episode = morn.episodes.get(number=102)
    client.post(url("episode-apply", episode.pk), {"template": template.pk})
    later = (episode.air_date + dt.timedelta(days=3)).isoformat()
    responses = {
        "create preview": client.post(
            url("episode-create"), new_episode(template=template.pk)
        ),
        "create errors": client.post(url("episode-create"), new_episode(number="")),
        "shift preview": client.post(
            url("episode-edit", episode.pk),
            {"number": 102, "title": "Tuesday", "air_date": later},
        ),
        "apply errors": client.post(url("episode-apply", episode.pk), {}),
        "line errors": client.post(
            url("run-of-show-detail", template.pk), line_data(days_before=99)
        ),
    }
    assert "Move the air date and" in responses["shift preview"].content.decode()
    for what, response in responses.items():
        assert_clean(response, what)


@pytest.mark.django_db
def test_the_demo_has_a_weekday_show_and_episodes_made_from_it():
    """`make run` shows MORN's weekday template and a few episodes made from it."""
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    template = RunOfShow.objects.get(project__code="MORN", name="Weekday show")
    kinds = set(template.lines.values_list("kind", flat=True))
    assert {"booking", "script", "promotion", "teleprompter", "editing"} <= kinds
    today = timezone.localdate()
    for episode in Episode.objects.filter(
        tasks__made_from__template=template
    ).distinct():
        assert abs((episode.air_date - today).days) <= 7
        assert episode.tasks.count() == template.lines.count()
        assert episode.tasks.filter(made_from__isnull=False).count() == (
            template.lines.count()
        )
    assert (
        Episode.objects.filter(tasks__made_from__template=template).distinct().count()
        == 3
    )


def test_an_episode_is_found_only_through_its_own_production(
    client_for, producer, morn, nite
):
    """An episode's number in another production's address is a 404."""
    theirs = nite.episodes.first() or Episode.objects.create(project=nite, number=1)
    client = client_for(producer)
    assert client.get(url("episode-detail", theirs.pk)).status_code == 404
    ours = morn.episodes.get(number=101)
    assert client.get(url("episode-detail", ours.pk)).status_code == 200


def test_the_template_choice_shows_a_renamed_template_at_once(
    client_for, producer, morn, template
):
    """The apply form's select offers the production's templates as they are
    named now, also after a page that showed the old name."""
    episode = morn.episodes.exclude(air_date=None).first()
    client = client_for(producer)
    page = client.get(episode.get_absolute_url()).content.decode()
    assert f'<option value="{template.pk}">Weekday show</option>' in page
    template.name = "Weekend show"
    template.save(update_fields=["name"])
    page = client.get(episode.get_absolute_url()).content.decode()
    assert f'<option value="{template.pk}">Weekend show</option>' in page
    assert "Weekday show" not in page


def test_the_episode_pages_compiled_queries_read_as_the_orm_reads_them(morn):
    """The episode and its tasks, compiled once, give what the querysets they
    were compiled from give: due date first (none last), then slot, then number."""
    episode = morn.episodes.get(number=101)
    add_tasks(morn, 3, episode=episode, due_date=None)
    add_tasks(morn, 2, episode=episode, due_date=dt.date(2027, 3, 20))
    found = episodes_view._EPISODE_ROW.load(
        episodes_view._EPISODE.rows(morn.pk, episode.pk)[0]
    )[0]
    assert (found.pk, found.number, found.title, found.air_date) == (
        episode.pk,
        episode.number,
        episode.title,
        episode.air_date,
    )
    rows = episodes_view._EPISODE_TASKS.rows(episode.pk)
    tasks = [episodes_view._EPISODE_TASK_ROW.load(row)[0] for row in rows]
    expected = episode.tasks.filter(archived=False).order_by(
        F("due_date").asc(nulls_last=True),
        F("starts_at").asc(nulls_last=True),
        "number",
    )
    assert [(t.key, t.due_date, t.starts_at, str(t.assignee)) for t in tasks] == [
        (t.key, t.due_date, t.starts_at, str(t.assignee)) for t in expected
    ]
    assert episodes_view._EPISODE.rows(morn.pk + 1000, episode.pk) == []
