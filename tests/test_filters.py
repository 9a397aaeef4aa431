"""The shared filter bar: what each filter keeps, and what a bad value does."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from production.filters import TaskFilterForm, url_params
from production.models import Episode, Task
from production.services import task_update
from tests.pages import count_queries


def _keys(form, morn):
    return [task.key for task in form.apply(Task.objects.filter(project=morn))]


def _form(morn, data, **kwargs):
    crew = [membership.user for membership in morn.memberships.select_related("user")]
    return TaskFilterForm(
        QueryDict(data), crew=crew, episodes=list(morn.episodes.all()), **kwargs
    )


def test_each_filter_narrows_the_tasks(morn, ap, editor):
    """Assignee, kind, status, priority, episode and text each keep only matching tasks."""
    tasks = Task.objects.filter(project=morn)
    episode = morn.episodes.get(number=101)
    cases = {
        f"assignee={editor.pk}": tasks.filter(assignee=editor),
        "kind=booking": tasks.filter(kind="booking"),
        "status=review": tasks.filter(status="review"),
        "priority=4": tasks.filter(priority=4),
        f"episode={episode.pk}": tasks.filter(episode=episode),
        "q=weather": tasks.filter(title__icontains="weather"),
        "q=morn-3": tasks.filter(key="MORN-3"),
        "q=Kiplagat": tasks.filter(guest__icontains="kiplagat"),
        f"assignee={ap.pk}&status=todo": tasks.filter(assignee=ap, status="todo"),
    }
    for query, expected in cases.items():
        form = _form(morn, query)
        assert form.errors == {}, query
        assert expected.exists(), query
        assert _keys(form, morn) == [t.key for t in expected.order_by("number")], query


def test_invalid_values_are_errors_and_ignored(morn):
    """A nonsense filter value is reported on its field and does not narrow the tasks."""
    form = _form(
        morn, "assignee=999&kind=spaceship&priority=9&status=lost&episode=x&sort=zzz"
    )
    every = list(
        Task.objects.filter(project=morn)
        .order_by("number")
        .values_list("key", flat=True)
    )
    assert _keys(form, morn) == every
    assert set(form.errors) == {
        "assignee",
        "kind",
        "priority",
        "status",
        "episode",
        "sort",
    }
    assert "There is no kind of task “spaceship”." in form.errors["kind"]
    assert "Nobody by that id is on this crew." in form.errors["assignee"]
    assert form.active is False
    assert form.kept == []


def test_a_person_from_another_crew_is_not_a_valid_assignee(morn, outsider):
    """Filtering by someone who is not on this production's crew is an error."""
    form = _form(morn, f"assignee={outsider.pk}")
    assert "assignee" in form.errors


def test_validating_against_fetched_lists_costs_no_query(morn, editor):
    """With the crew and episodes given, checking the filters runs no SQL."""
    form = _form(
        morn, f"assignee={editor.pk}&episode={morn.episodes.first().pk}&kind=script"
    )
    with CaptureQueriesContext(connection) as queries:
        assert form.is_valid()
    assert len(queries) == 0
    assert form.cleaned_data["assignee"] == editor


def test_the_crew_and_episodes_of_the_production_validate(morn, editor, outsider):
    """The form accepts the production's crew and refuses others, and another
    production's episode."""
    assert _form(morn, f"assignee={editor.pk}").is_valid()
    other = Episode.objects.create(
        project=morn.__class__.objects.get(code="NITE"), number=1
    )
    form = _form(morn, f"assignee={outsider.pk}&episode={other.pk}")
    assert set(form.errors) == {"assignee", "episode"}


def test_omitted_filters_are_not_offered(morn):
    """The board leaves out status and sort: they are neither fields nor applied."""
    form = _form(morn, "status=done&sort=title", omit=("status", "sort"))
    assert "status" not in form.fields and "sort" not in form.fields
    assert len(_keys(form, morn)) == Task.objects.filter(project=morn).count()


def test_sort_by_status_follows_the_workflow(morn):
    """Sorting by status lists proposed first and cancelled last, reversed on demand."""
    statuses = [t.status for t in _form(morn, "sort=status").apply(morn.tasks.all())]
    order = list(Task.Status.values)
    assert statuses == sorted(statuses, key=order.index)
    reverse = [t.status for t in _form(morn, "sort=-status").apply(morn.tasks.all())]
    assert reverse == sorted(reverse, key=order.index, reverse=True)


def test_sort_by_due_date_puts_undated_tasks_last(morn, producer):
    """Tasks without a due date come after dated ones in both directions."""
    for direction in ("due", "-due"):
        dates = [
            t.due_date for t in _form(morn, f"sort={direction}").apply(morn.tasks.all())
        ]
        dated = [d for d in dates if d is not None]
        assert dates[: len(dated)] == sorted(dated, reverse=direction == "-due")
        assert all(d is None for d in dates[len(dated) :])
        assert len(dated) < len(dates)


def test_sort_by_priority_and_title(morn, producer):
    """Priority sorts highest first by default; title sorts alphabetically, case aside."""
    task = morn.tasks.get(number=3)
    task_update(task=task, by=producer, version=task.version, title="aardvark segment")
    priorities = [
        t.priority for t in _form(morn, "sort=priority").apply(morn.tasks.all())
    ]
    assert priorities == sorted(priorities, reverse=True)
    titles = [t.title for t in _form(morn, "sort=title").apply(morn.tasks.all())]
    assert titles[0] == "aardvark segment"
    assert titles == sorted(titles, key=str.lower)


def test_valid_sort_is_kept_for_the_bar(morn):
    """A valid sort rides along as a hidden value and does not count as a filter."""
    form = _form(morn, "sort=-due")
    assert form.kept == [("sort", "-due")]
    assert form.sort_key == "-due"
    assert form.active is False
    assert _form(morn, "kind=script").active is True


def test_url_params_drop_blanks_and_named_keys():
    """Links carry only the filters in use, without blanks or paging."""
    params = url_params(QueryDict("q=&kind=script&page=3&status=todo"), drop=("page",))
    assert params.urlencode() == "kind=script&status=todo"
    assert not url_params(QueryDict("q=&assignee="))


def test_the_bar_marks_the_chosen_option_as_the_select_widget_would(morn, editor):
    """The bar writes its own <option>s; each select shows what the URL chose,
    the same options and the same selection as Django's widget."""
    for data in ("", f"assignee={editor.pk}&kind=booking&priority=4", "kind=nope"):
        form = _form(morn, data)
        for name in ("assignee", "kind", "episode", "priority"):
            field = form[name]
            widget = [
                (
                    str(option.data["value"]),
                    str(option.data["label"]),
                    option.data["selected"],
                )
                for option in field.subwidgets
            ]
            assert field.options == widget, (data, name)
    chosen = _form(morn, f"assignee={editor.pk}")["assignee"].options
    assert [label for _, label, selected in chosen if selected] == [str(editor)]
    unfiltered = _form(morn, "")["kind"].options
    assert [label for _, label, selected in unfiltered if selected] == ["Any kind"]


# --- odd values in the URL: ignored with a message, or a 400 -------------------

HUGE = "9" * 30


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        (f"assignee={HUGE}", "Nobody by that id is on this crew."),
        (f"episode={HUGE}", "This production has no such episode."),
        (f"priority={HUGE}", f"There is no priority “{HUGE}”."),
        ("episode=-1", "This production has no such episode."),
        ("kind=1e999", "There is no kind of task “1e999”."),
    ],
)
@pytest.mark.parametrize("name", ["project-board", "task-list", "project-calendar"])
def test_a_huge_number_in_a_filter_is_ignored_with_a_message(
    client_for, ap, morn, name, query, sentence
):
    """A filter value past any id is said to be ignored, and the page shows
    every task, with the queries of the unfiltered page."""
    client = client_for(ap)
    url = reverse(name, args=["MORN"])
    plain = client.get(url)
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{sentence} This filter is ignored." in page
    assert response.context["filter_form"].active is False
    assert count_queries(client, f"{url}?{query}") == count_queries(client, url)
    if name == "task-list":
        assert response.context["page"].paginator.count == (
            plain.context["page"].paginator.count
        )


@pytest.mark.parametrize(
    "query", ["q=%00", "status=todo%00", "assignee=1%00", "month=2026-11%00"]
)
@pytest.mark.parametrize(
    "name", ["project-board", "task-list", "project-calendar", "my-calendar"]
)
def test_a_nul_in_a_filter_is_a_400(client_for, ap, name, query):
    """A NUL character, which PostgreSQL refuses in a query, is a 400 that says so."""
    url = reverse(name, args=["MORN"]) if name != "my-calendar" else reverse(name)
    response = client_for(ap).get(f"{url}?{query}")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(
    "month", ["99999-01", "2200-01", "1899-12", "0000-00", "2026-13", f"{HUGE}-01"]
)
@pytest.mark.parametrize("name", ["project-calendar", "my-calendar"])
def test_a_month_out_of_range_shows_this_month_and_says_why(
    client_for, ap, name, month
):
    """A month Slate does not keep shows this month, with a sentence naming the range."""
    url = reverse(name, args=["MORN"]) if name != "my-calendar" else reverse(name)
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False):
        response = client_for(ap).get(url, {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == dt.date(2026, 11, 1)
    assert "between 1900 and 2199; showing this month instead." in (
        response.content.decode()
    )


@pytest.mark.parametrize("day", ["99999-01-01", "0001-01-01", "2026-02-30", HUGE])
def test_an_odd_day_to_open_is_ignored(client_for, ap, day):
    """?day= names a day to show in full; one that is not in the month is ignored."""
    url = reverse("project-calendar", args=["MORN"])
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC), tick=False):
        response = client_for(ap).get(url, {"month": "2026-11", "day": day})
        plain = client_for(ap).get(url, {"month": "2026-11"})
    assert response.status_code == 200
    assert response.context["weeks"] == plain.context["weeks"]


def test_a_huge_id_is_a_form_error(morn):
    """An id past the database's integers is refused as a choice, not a
    database error."""
    form = _form(morn, f"assignee={HUGE}&episode={HUGE}")
    assert set(form.errors) == {"assignee", "episode"}
    assert len(_keys(form, morn)) == Task.objects.filter(project=morn).count()


# --- the bar's fields, kept once rendered (filters.BAR_FIELDS) ------------------

BAR_PAGES = ["/projects/MORN/", "/projects/MORN/tasks/", "/projects/MORN/calendar/"]


def _select(html: str, name: str) -> str:
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


@pytest.mark.parametrize("page", BAR_PAGES)
def test_a_renamed_person_and_a_new_episode_show_in_the_next_bar(
    client_for, producer, editor, morn, page
):
    """The bar's fields are kept once rendered; a name or an episode changed
    since shows on the very next page, and a chosen filter stays chosen."""
    client = client_for(producer)
    before = client.get(page).content.decode()
    assert f'<option value="{editor.pk}">{editor}</option>' in before
    editor.display_name = "Ed the Editor"
    editor.save()
    Episode.objects.create(project=morn, number=999, title="Finale")
    after = client.get(page).content.decode()
    assert f'<option value="{editor.pk}">Ed the Editor</option>' in after
    assert "Finale" in _select(after, "episode")
    chosen = client.get(page, {"assignee": editor.pk}).content.decode()
    assert f'<option value="{editor.pk}" selected>Ed the Editor</option>' in _select(
        chosen, "assignee"
    )
    assert '<option value="" selected>Anyone</option>' in _select(after, "assignee")
    assert '<option value="">Anyone</option>' in _select(chosen, "assignee")


def test_the_bulk_bar_shows_a_renamed_person_at_once(client_for, producer, editor):
    """The task list's bulk bar writes its selects as the filter bar does,
    kept too, and a new name shows on the next list."""
    client = client_for(producer)
    assert f">{editor}</option>" in _select(
        client.get("/projects/MORN/tasks/").content.decode(), "assignee"
    )
    editor.display_name = "Ed the Editor"
    editor.save()
    html = client.get("/projects/MORN/tasks/").content.decode()
    bulk = html[html.index('<form id="bulk"') :]
    assert ">Ed the Editor</option>" in _select(bulk, "assignee")
    assert f">{editor.get_full_name()}</option>" not in html


def test_each_bar_offers_its_own_productions_people(morn, nite):
    """Forms share their fields' fixed parts, never a production's crew or
    episodes: each bar offers its own, one after the other."""

    def people(form):
        return {label for _, label, _ in form["assignee"].options} - {"Anyone"}

    def crew_of(project):
        return {str(m.user) for m in project.memberships.select_related("user")}

    one = _form(morn, "")
    nite_crew = [m.user for m in nite.memberships.select_related("user")]
    other = TaskFilterForm(QueryDict(""), crew=nite_crew, episodes=[])
    assert crew_of(morn) != crew_of(nite)
    assert people(one) == crew_of(morn)
    assert people(other) == crew_of(nite)
    assert people(_form(morn, "")) == crew_of(morn)
    assert [label for _, label, _ in other["episode"].options] == ["Any episode"]
    assert len(one["episode"].options) == 1 + morn.episodes.count() > 1
