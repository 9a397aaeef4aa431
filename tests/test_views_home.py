"""My work (`/`) and the login page that leads to it."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from production import services
from production.management.commands.seed_demo import PASSWORD, add_generated_tasks
from production.models import (
    WAITING_STATUSES,
    CrewRole,
    Membership,
    Project,
    Task,
    User,
)
from production.prepared import Written
from tests.bench.plans import INDEX_SEARCH, explain
from tests.factories import add_tasks
from tests.pages import HTMX, count_queries

MY_WORK = reverse("my-work")


@pytest.fixture
def roles(demo):
    return {role.name: role for role in CrewRole.objects.filter(project=None)}


LOGIN = reverse("login")


def section(response, name: str) -> str:
    """The HTML of the page's <section id=name>, or "" when it is not there."""
    match = re.search(
        rf'<section[^>]*\bid="{name}"[^>]*>(.*?)</section>',
        response.content.decode(),
        re.S,
    )
    return match.group(1) if match else ""


def keys_in(html: str) -> list[str]:
    return re.findall(r'class="key">([A-Z]+-\d+)<', html)


def title_key(title: str) -> str:
    return Task.objects.get(title=title).key


def test_anonymous_visitor_is_sent_to_log_in():
    """Without a session, my work redirects to the login page and back."""
    response = Client().get(MY_WORK)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


def test_ap_tasks_land_in_their_urgency_groups(client_for, ap):
    """The AP's overdue, today, sent-back, later and undated tasks each show under their heading."""
    response = client_for(ap).get(MY_WORK)
    assert response.status_code == 200
    assert title_key("Promo for Friday's cooking segment") in keys_in(
        section(response, "changes")
    )
    assert keys_in(section(response, "overdue")) == [
        title_key("Cut weather package to 1:30")
    ]
    assert title_key("Rewrite cold open for Monday") in keys_in(
        section(response, "today")
    )
    assert title_key("Script the traffic explainer") in keys_in(
        section(response, "later")
    )
    assert title_key("Pitch: school lunch investigation") in keys_in(
        section(response, "undated")
    )


def test_sent_back_comes_first_whatever_its_due_date(client_for, ap, task_of):
    """A task sent back for changes heads the page even when it is also overdue."""
    changes = task_of(ap, Task.Status.CHANGES)
    Task.objects.filter(pk=changes.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=4)
    )
    response = client_for(ap).get(MY_WORK)
    html = response.content.decode()
    assert changes.key in keys_in(section(response, "changes"))
    assert changes.key not in keys_in(section(response, "overdue"))
    assert html.index("Sent back for changes") < html.index("Overdue")


def test_a_group_shows_its_most_pressing_first_whatever_their_status(
    client_for, ap, morn
):
    """Proposed, to-do, in-progress and in-review tasks share one order in a
    group (the earliest due first, on one day the most urgent, then by key);
    the first five show, the rest are counted."""
    Task.objects.filter(project=morn).delete()
    today = timezone.localdate()
    late = [today - dt.timedelta(days=days) for days in (1, 2, 3, 4)]
    # (status, days late, priority), in the order they must show.
    wanted = [
        (Task.Status.REVIEW, 3, Task.Priority.LOW),
        (Task.Status.PROPOSED, 2, Task.Priority.URGENT),
        (Task.Status.TODO, 2, Task.Priority.HIGH),
        (Task.Status.IN_PROGRESS, 2, Task.Priority.NORMAL),
        (Task.Status.TODO, 1, Task.Priority.URGENT),
        (Task.Status.REVIEW, 0, Task.Priority.URGENT),
        (Task.Status.PROPOSED, 0, Task.Priority.LOW),
    ]
    for status, days_late, priority in reversed(wanted):
        add_tasks(
            morn,
            1,
            assignee=ap,
            status=status,
            priority=priority,
            due_date=late[days_late],
        )
    # Neither sent back nor closed: not in the group.
    for status in (Task.Status.CHANGES, Task.Status.DONE, Task.Status.CANCELLED):
        add_tasks(morn, 1, assignee=ap, status=status, due_date=late[3])
    order = {
        (status, late[days], priority): at
        for at, (status, days, priority) in enumerate(wanted)
    }
    keys = sorted(
        Task.objects.filter(project=morn, status__in=WAITING_STATUSES),
        key=lambda task: order[task.status, task.due_date, task.priority],
    )
    html = section(client_for(ap).get(MY_WORK), "overdue")
    assert keys_in(html) == [task.key for task in keys[:5]]
    assert "…and 2 more." in html
    assert '<span class="count">7</span>' in html


def test_my_groups_are_read_through_their_index(client_for, ap):
    """Each group of my waiting tasks is read through an index, and on
    SQLite through the one that holds them in row order (task_my_waiting),
    unsorted: the statuses it waits in are written into the query as the
    index's condition has them. (PostgreSQL's choice among indexes on a
    test's few rows follows its statistics, which other tests leave behind.)"""
    written = "IN ('proposed', 'todo', 'in_progress', 'review')"
    plans = [
        plan
        for plan in explain(client_for(ap), MY_WORK)
        if written in plan["sql"] and "UNION ALL" in plan["sql"]
    ]
    assert plans
    for plan in plans:
        assert plan["verdict"] == INDEX_SEARCH, plan["plan"]
        if connection.vendor == "sqlite":
            assert "task_my_waiting" in " ".join(plan["plan"]), plan["plan"]
            assert not plan["sorts"], plan["plan"]


def test_a_statuses_name_is_all_that_is_written_into_sql():
    """Only a lower-case name goes into a query's text; any other value is
    refused, never written."""
    tasks = Task.objects.filter(status=Written("todo"))
    assert "'todo'" in str(tasks.query)
    for value in ("todo'; --", "Todo", 1, ""):
        with pytest.raises(ValueError, match="Only a lower-case name"):
            str(Task.objects.filter(status=Written(value)).query)


@pytest.mark.parametrize(
    "today",
    [dt.date(2027, 3, 31), dt.date(2027, 4, 4)],
    ids=["wednesday-at-a-month-end", "sunday"],
)
def test_this_week_runs_through_sunday(client_for, ap, today):
    """Due on Sunday 4 April is "This week" from Wednesday 31 March (today on the
    Sunday itself); due the Monday after is "Later"."""
    sunday = dt.date(2027, 4, 4)
    Task.objects.filter(title="Script the traffic explainer").update(due_date=sunday)
    Task.objects.filter(title="Rewrite cold open for Monday").update(
        due_date=sunday + dt.timedelta(days=1)
    )
    with time_machine.travel(
        dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC), tick=False
    ):
        response = client_for(ap).get(MY_WORK)
    sunday_group = "today" if sunday == today else "week"
    assert title_key("Script the traffic explainer") in keys_in(
        section(response, sunday_group)
    )
    assert title_key("Rewrite cold open for Monday") in keys_in(
        section(response, "later")
    )


def test_only_my_open_tasks_are_listed(client_for, ap, task_of):
    """Done, cancelled, archived and other people's tasks stay off my work."""
    archived = task_of(ap, Task.Status.TODO)
    Task.objects.filter(pk=archived.pk).update(archived=True)
    response = client_for(ap).get(MY_WORK)
    listed = keys_in(response.content.decode())
    for status in (Task.Status.DONE, Task.Status.CANCELLED):
        assert task_of(ap, status).key not in listed
    assert archived.key not in listed
    assert title_key("Update the contacts sheet") not in listed  # ap2's
    assert "Book the band for Friday" not in response.content.decode()  # NITE


def test_each_row_shows_key_title_production_status_and_due_date(client_for, ap):
    """A row links its key and title to the task and shows its code, status and date."""
    task = Task.objects.get(title="Cut weather package to 1:30")
    html = section(client_for(ap).get(MY_WORK), "overdue")
    assert f'href="{task.get_absolute_url()}"' in html
    assert "Cut weather package to 1:30" in html
    assert ">MORN<" in html
    assert 'class="badge status-in_progress">In progress<' in html
    assert task.due_date.strftime("%Y-%m-%d") in html
    assert "overdue" in html


def test_an_ap_sees_no_producer_sections(client_for, ap2):
    """An AP, who may approve nothing and reviews nothing, gets no review
    queue, crew's work, pitches or team load."""
    response = client_for(ap2).get(MY_WORK)
    content = response.content.decode()
    assert "Awaiting my review" not in content
    assert "My crew's work" not in content
    assert "Pitches to decide" not in content
    assert "Team load" not in content


def test_an_ap_follows_their_crew_and_reviews_their_work(client_for, ap):
    """The AP the editor and the writer report to sees the writer's work in
    review awaiting them, and their crew's open work; no pitches or load."""
    response = client_for(ap).get(MY_WORK)
    content = response.content.decode()
    assert keys_in(section(response, "review")) == [
        title_key("Write headlines for Wednesday")
    ]
    assert "My crew's work" in content
    assert "Pitches to decide" not in content
    assert "Team load" not in content


def test_my_crews_work_lists_their_open_tasks_late_first(
    client_for, ap, editor, writer
):
    """My crew's work: every open task of the people who report to me, the
    latest first, each naming whose it is."""
    response = client_for(ap).get(MY_WORK)
    html = section(response, "crew-work")
    crew_open = Task.objects.filter(
        assignee__in=[editor, writer], status__in=Task.OPEN_STATUSES
    ).order_by(F("due_date").asc(nulls_last=True), "-priority", "key")
    assert keys_in(html) == list(crew_open.values_list("key", flat=True))
    assert keys_in(html)[0] == title_key("Write headlines for Wednesday")  # late
    assert "overdue" in html
    assert "Eddie Marsh" in html and "Wren Adeyemi" in html
    assert "Sam Okafor" not in html


def test_my_crews_work_is_theirs_on_the_production_where_they_report(
    client_for, ap, ap2, nite, roles
):
    """Someone who reports to me on one production is not my crew on another."""
    Membership.objects.create(project=nite, user=ap, role=roles["Associate Producer"])
    Membership.objects.filter(project=nite, user=ap2).update(reports_to=ap)
    html = section(client_for(ap).get(MY_WORK), "crew-work")
    nite_keys = set(
        Task.objects.filter(project=nite, assignee=ap2).values_list("key", flat=True)
    )
    assert nite_keys <= set(keys_in(html))
    assert title_key("Update the contacts sheet") not in keys_in(html)  # MORN's ap2


def test_producer_sees_reviews_oldest_first_with_their_wait(
    client_for, producer, ap, ap2
):
    """Tasks in review list the longest-waiting first, with how long each has waited."""
    now = timezone.now()
    headlines = Task.objects.get(title="Write headlines for Wednesday")
    services.task_move(task=headlines, to=Task.Status.REVIEW, by=ap)  # sent up
    waits = {
        "Write headlines for Wednesday": dt.timedelta(days=3, hours=2),
        "Social clips for the health segment": dt.timedelta(days=1, hours=1),
        "Revise copy to match the shot list": dt.timedelta(hours=5),
    }
    for title, wait in waits.items():
        Task.objects.filter(title=title).update(status_changed_at=now - wait)
    html = section(client_for(producer).get(MY_WORK), "review")
    assert keys_in(html) == [title_key(title) for title in waits]
    assert "waiting" in html
    assert "3\xa0days" in html
    assert "5\xa0hours" in html


@pytest.mark.parametrize(
    ("waited", "words"),
    [
        (dt.timedelta(seconds=59), "under a minute"),
        (dt.timedelta(seconds=61), "1\xa0minute"),
        (dt.timedelta(minutes=2, seconds=59), "2\xa0minutes"),
        (dt.timedelta(days=2, hours=23, minutes=59, seconds=59), "2\xa0days"),
    ],
)
def test_a_reviews_wait_is_told_in_whole_minutes(
    client_for, producer, ap, task_of, waited, words
):
    """How long a task has waited for review: under a minute, then whole
    minutes, hours or days, never rounded up."""
    task = task_of(ap, Task.Status.REVIEW)
    now = dt.datetime(2027, 3, 10, 10, 0, 30, tzinfo=dt.UTC)
    Task.objects.filter(pk=task.pk).update(
        reviewer=None, status_changed_at=now - waited
    )
    with time_machine.travel(now, tick=False):
        html = section(client_for(producer).get(MY_WORK), "review")
    row = re.search(rf"{task.key}.*?</li>", html, re.S).group(0)
    assert f">{words}</time>" in row


def test_reviewer_without_approval_rights_still_sees_their_reviews(
    client_for, editor, task_of, ap
):
    """Someone named reviewer of a task sees it awaiting their review."""
    task = task_of(ap, Task.Status.REVIEW)
    Task.objects.filter(pk=task.pk).update(reviewer=editor)
    html = section(client_for(editor).get(MY_WORK), "review")
    assert keys_in(html) == [task.key]


def test_work_sent_up_awaits_the_approvers_review(client_for, ap, producer):
    """The writer's headlines wait for the AP, not the producer, until the AP
    sends them up; then they wait for the producer alone."""
    task = Task.objects.get(title="Write headlines for Wednesday")
    assert task.key not in keys_in(section(client_for(producer).get(MY_WORK), "review"))
    services.task_move(task=task, to=Task.Status.REVIEW, by=ap)
    assert task.key in keys_in(section(client_for(producer).get(MY_WORK), "review"))
    assert task.key not in keys_in(section(client_for(ap).get(MY_WORK), "review"))


def test_an_approver_sees_work_in_review_that_waits_for_nobody(
    client_for, producer, task_of, ap
):
    """A task in review with no reviewer waits for the production's approvers."""
    task = task_of(ap, Task.Status.REVIEW)
    Task.objects.filter(pk=task.pk).update(reviewer=None)
    assert task.key in keys_in(section(client_for(producer).get(MY_WORK), "review"))


def test_producer_sees_pitches_to_decide(client_for, producer):
    """Both MORN pitches wait for the producer's decision."""
    html = section(client_for(producer).get(MY_WORK), "pitches")
    assert sorted(keys_in(html)) == sorted(
        Task.objects.filter(
            project__code="MORN", status=Task.Status.PROPOSED
        ).values_list("key", flat=True)
    )


def test_producer_sees_the_team_load(client_for, producer, ap, morn):
    """The team load gives each crew member's open and overdue counts."""
    today = timezone.localdate()
    open_tasks = Task.objects.filter(
        project=morn, assignee=ap, status__in=Task.OPEN_STATUSES, archived=False
    )
    expected_open = open_tasks.count()
    expected_overdue = open_tasks.filter(due_date__lt=today).count()
    html = section(client_for(producer).get(MY_WORK), "team")
    row = re.search(r"<th scope=\"row\">Sam Okafor</th>(.*?)</tr>", html, re.S)
    assert row, html
    counts = re.findall(r">(\d+)</td>", row.group(1))
    assert counts == [str(expected_open), str(expected_overdue)]
    for name in ("Paula Reyes", "Jo Lindqvist", "Eddie Marsh", "Wren Adeyemi"):
        assert name in html
    assert "Olive Stone" not in html  # NITE's producer, not on MORN


def test_team_load_counts_someone_on_two_crews_once_per_task(
    client_for, producer, ap2, nite, roles
):
    """A producer of MORN and NITE sees ap2's open tasks of both, each counted once."""
    Membership.objects.create(project=nite, user=producer, role=roles["Producer"])
    expected = Task.objects.filter(
        assignee=ap2, status__in=Task.OPEN_STATUSES, archived=False
    ).count()
    html = section(client_for(producer).get(MY_WORK), "team")
    row = re.search(r"<th scope=\"row\">Jo Lindqvist</th>(.*?)</tr>", html, re.S)
    assert re.findall(r">(\d+)</td>", row.group(1))[0] == str(expected)


def test_a_producer_only_sees_their_own_productions(client_for, outsider):
    """NITE's producer sees NITE's crew and none of MORN's reviews or pitches."""
    response = client_for(outsider).get(MY_WORK)
    assert "Nothing is waiting for your review." in section(response, "review")
    assert "No pitches to decide." in section(response, "pitches")
    team = section(response, "team")
    assert "Jo Lindqvist" in team
    assert "Sam Okafor" not in team


def test_someone_on_no_production_gets_a_friendly_sentence(db):
    """A new account is told how to get started, not shown empty tables."""
    newcomer = User.objects.create_user("newcomer", password="x" * 16)
    client = Client()
    client.force_login(newcomer)
    response = client.get(MY_WORK)
    assert response.status_code == 200
    assert "You are not on any production yet." in response.content.decode()


def test_crew_with_nothing_assigned_is_told_so(client_for, outsider):
    """Crew with no open tasks of their own see a calm empty state."""
    response = client_for(outsider).get(MY_WORK)
    assert "Nothing is assigned to you right now." in response.content.decode()


def test_archived_production_work_drops_off(client_for, ap, morn):
    """Tasks of an archived production leave my work."""
    Project.objects.filter(pk=morn.pk).update(archived=True)
    response = client_for(ap).get(MY_WORK)
    assert keys_in(response.content.decode()) == []


@pytest.mark.parametrize("who", ["producer", "ap"])
def test_htmx_refresh_returns_only_the_work_region(client_for, demo, who):
    """An htmx request (the Refresh link) gets the `work` partial, not the page."""
    response = client_for(demo[who]).get(MY_WORK, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="work"')
    assert "<html" not in content
    if who == "producer":
        assert keys_in(section(response, "review"))
    else:
        assert keys_in(section(response, "overdue"))


def test_refresh_is_a_real_link(client_for, ap):
    """The Refresh control works without JavaScript: a plain link to my work."""
    content = client_for(ap).get(MY_WORK).content.decode()
    assert re.search(r'<a [^>]*href="/" hx-get="/" hx-target="#work"', content)


def test_long_groups_are_capped_and_open_on_demand(client_for, ap, morn):
    """A group of hundreds shows its first five and counts the rest; its
    "Show more" opens it to fifty, and "Show fewer" closes it again."""
    Task.objects.filter(project=morn).delete()
    Membership.objects.filter(project=morn).exclude(user=ap).delete()
    add_generated_tasks(morn, 200)
    today = timezone.localdate()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    later = (
        Task.objects.filter(
            assignee=ap, status__in=Task.OPEN_STATUSES, due_date__gt=sunday
        )
        .exclude(status=Task.Status.CHANGES)
        .count()
    )
    assert later > 50
    client = client_for(ap)
    html = section(client.get(MY_WORK), "later")
    assert len(keys_in(html)) == 5
    assert f"…and {later - 5} more." in html
    assert 'href="?open=later#later"' in html
    opened = client.get(MY_WORK, {"open": "later"})
    html = section(opened, "later")
    assert len(keys_in(html)) == 50
    assert f"…and {later - 50} more. Each production's task list has them all." in html
    assert f'href="{MY_WORK}#later">Show fewer' in html
    # Only that list is opened; the others keep their first five.
    assert len(keys_in(section(opened, "overdue"))) <= 5
    # The live region polls the list as opened, not the page as it was.
    assert 'hx-get="/?open=later"' in opened.content.decode()


def test_one_more_than_a_list_shows_says_one_more(client_for, ap, morn):
    """Six tasks due later show five and "…and 1 more."; five show all, no link."""
    Task.objects.filter(project=morn).delete()
    later = timezone.localdate() + dt.timedelta(days=30)
    add_tasks(morn, 5, assignee=ap, status=Task.Status.TODO, due_date=later)
    html = section(client_for(ap).get(MY_WORK), "later")
    assert len(keys_in(html)) == 5
    assert "more" not in html
    add_tasks(morn, 1, assignee=ap, status=Task.Status.TODO, due_date=later)
    html = section(client_for(ap).get(MY_WORK), "later")
    assert len(keys_in(html)) == 5
    assert "…and 1 more." in html


@pytest.mark.parametrize("value", ["nonsense", "", "x" * 300, "Review"])
def test_an_unknown_list_to_open_opens_none(client_for, producer, value):
    """A made-up `open` value shows my work as usual, never an error."""
    response = client_for(producer).get(MY_WORK, {"open": value})
    assert response.status_code == 200
    assert len(keys_in(section(response, "review"))) <= 5


def test_my_crews_work_is_capped_and_says_how_many_more(
    client_for, ap, editor, writer, morn
):
    """Dozens of open tasks for my crew show their first five and count the rest."""
    add_tasks(morn, 60, assignee=editor, status=Task.Status.TODO)
    total = Task.objects.filter(
        assignee__in=[editor, writer], status__in=Task.OPEN_STATUSES
    ).count()
    client = client_for(ap)
    html = section(client.get(MY_WORK), "crew-work")
    assert len(keys_in(html)) == 5
    assert f"…and {total - 5} more." in html
    opened = section(client.get(MY_WORK, {"open": "crew-work"}), "crew-work")
    assert len(keys_in(opened)) == 50
    assert f"…and {total - 50} more." in opened


def test_pitches_and_reviews_count_beyond_the_first_five(client_for, producer, morn):
    """An approver's pitches and reviews show five each, the counts all of them."""
    add_tasks(morn, 12, status=Task.Status.PROPOSED, kind=Task.Kind.PITCH)
    add_tasks(morn, 9, status=Task.Status.REVIEW)
    pitches = Task.objects.filter(project=morn, status=Task.Status.PROPOSED).count()
    response = client_for(producer).get(MY_WORK)
    html = section(response, "pitches")
    assert len(keys_in(html)) == 5
    assert f'<span class="count">{pitches}</span>' in html
    assert f"…and {pitches - 5} more." in html
    review = section(response, "review")
    assert len(keys_in(review)) == 5
    count = int(re.search(r'<span class="count">(\d+)</span>', review)[1])
    assert count >= 9
    assert f"…and {count - 5} more." in review


@pytest.mark.parametrize("who", ["producer", "ap"])
def test_query_count_is_flat_as_tasks_grow(client_for, demo, morn, who):
    """My work runs the same few queries with 5 tasks as with 200."""
    keep = Task.objects.filter(project=morn).order_by("number")[:5]
    Task.objects.filter(project=morn).exclude(pk__in=[t.pk for t in keep]).delete()
    client = client_for(demo[who])
    few = count_queries(client, MY_WORK)
    add_generated_tasks(morn, 195)
    assert Task.objects.filter(project=morn).count() == 200
    many = count_queries(client, MY_WORK)
    assert few == many
    assert many <= 15


# The login page ---------------------------------------------------------


def test_login_page_has_labelled_fields(db):
    """The login form labels its username and password fields."""
    response = Client().get(LOGIN)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in content
    assert '<label for="id_password">' in content


def test_login_leads_to_my_work(demo):
    """The right password signs you in and opens my work."""
    client = Client()
    response = client.post(LOGIN, {"username": "ap", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == MY_WORK
    assert client.get(MY_WORK).status_code == 200


def test_wrong_password_shows_an_error(demo):
    """A wrong password keeps you on the form with a clear error."""
    response = Client().post(LOGIN, {"username": "ap", "password": "not-it"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "error-message" in content
    assert "Please enter a correct username and password" in content
    assert 'value="ap"' in content


def test_login_keeps_next(demo):
    """After logging in you land on the page you first asked for."""
    client = Client()
    asked = reverse("project-list")
    page = client.get(client.get(asked)["Location"])
    assert f'name="next" value="{asked}"' in page.content.decode()
    response = client.post(
        LOGIN, {"username": "ap", "password": PASSWORD, "next": asked}
    )
    assert response["Location"] == asked


def test_logout_is_a_post_form_in_the_top_bar(client_for, ap):
    """Signed in, the top bar carries a Log out button that POSTs with CSRF."""
    content = client_for(ap).get(MY_WORK).content.decode()
    form = re.search(r'<form class="logout" method="post" action="([^"]+)">', content)
    assert form and form.group(1) == reverse("logout")
    assert "csrfmiddlewaretoken" in content


def test_an_edit_shows_on_the_next_visit(client_for, ap):
    """Rows are kept between visits (views/memo.py), yet a new title, a due
    date that moves a task to another group, a production's new name and a
    person's new name all show on the very next visit."""
    task = Task.objects.get(title="Rewrite cold open for Monday")
    crew_task = Task.objects.filter(
        assignee__username="editor", status=Task.Status.TODO
    ).first()
    Task.objects.filter(pk=crew_task.pk).update(due_date=dt.date(2027, 3, 1))
    with time_machine.travel(dt.datetime(2027, 3, 31, 12, tzinfo=dt.UTC), tick=False):
        client = client_for(ap)
        Task.objects.filter(pk=task.pk).update(due_date=dt.date(2027, 3, 31))
        before = client.get(MY_WORK)
        Task.objects.filter(pk=task.pk).update(
            title="Rewrite the cold open again", due_date=dt.date(2027, 3, 29)
        )
        Project.objects.filter(code="MORN").update(name="Morning Live Weekend")
        User.objects.filter(username="editor").update(display_name="Eddie Cutter")
        after = client.get(MY_WORK)
    assert task.key in keys_in(section(before, "today"))
    assert "Eddie Cutter" not in before.content.decode()
    assert task.key not in keys_in(section(after, "today"))
    assert task.key in keys_in(section(after, "overdue"))
    assert "Rewrite the cold open again" in section(after, "overdue")
    assert 'title="Morning Live Weekend"' in section(after, "overdue")
    assert crew_task.key in keys_in(section(after, "crew-work"))
    assert "Eddie Cutter" in section(after, "crew-work")
