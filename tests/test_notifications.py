"""Notifications: each event reaches exactly the right people, in the change's
own transaction; the bell, the notifications page and how each person hears."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from production import mail, notifications, services
from production.models import (
    Delivery,
    Membership,
    Notification,
    NotificationPreference,
    Project,
    Task,
    deliveries_for,
    delivery_for,
)
from tests.pages import HTMX, count_queries

Kind = Notification.Kind
S = Task.Status
LIST = "/notifications/"
SETTINGS = "/notifications/settings/"


def titled(title) -> Task:
    return Task.objects.select_related("project").get(title=title)


def told(task=None) -> dict[str, list[str]]:
    """{username: [kinds]} of every notification (of `task`), oldest first."""
    found = Notification.objects.select_related("recipient").order_by("id")
    if task is not None:
        found = found.filter(task=task)
    people = {}
    for notification in found:
        people.setdefault(notification.recipient.username, []).append(notification.kind)
    return people


def latest(user) -> Notification:
    return Notification.objects.filter(recipient=user).order_by("-id").first()


@pytest.fixture
def enqueued(monkeypatch):
    """The ids of notifications whose e-mail was queued (after the commit)."""
    queued = []
    monkeypatch.setattr(mail, "enqueue_notification_email", queued.append)
    return queued


def move(task, to, by, note=""):
    return services.task_move(task=task, to=to, by=by, note=note)


# --- who hears of what -------------------------------------------------------


def test_a_new_task_tells_its_assignee_and_not_its_author(
    morn, producer, ap, enqueued, django_capture_on_commit_callbacks
):
    """The producer assigning ap a task: ap hears, by e-mail at once too."""
    with django_capture_on_commit_callbacks(execute=True):
        task = services.task_create(
            project=morn, by=producer, title="Book the chef", assignee=ap
        )
    assert told() == {"ap": [Kind.ASSIGNED]}
    notice = latest(ap)
    assert notice.summary == f"Paula Reyes assigned you {task.key} Book the chef"
    assert (notice.project, notice.task, notice.actor) == (morn, task, producer)
    assert notice.read_at is None
    assert enqueued == [notice.pk]


def test_a_pitch_and_a_task_for_oneself_tell_nobody(morn, producer, ap):
    """A pitch is its author's own idea; a producer's task for themself is theirs."""
    services.task_create(project=morn, by=ap, title="Pitch: night buses")
    services.task_create(project=morn, by=producer, title="Mine", assignee=producer)
    assert told() == {}


def test_an_ap_handing_work_to_their_editor_tells_the_editor(morn, ap, editor):
    """Delegation: the AP creates a task for someone who reports to them."""
    services.task_create(project=morn, by=ap, title="Trim the VT", assignee=editor)
    assert told() == {"editor": [Kind.ASSIGNED]}


def test_reassigning_tells_the_new_assignee_only(morn, producer, ap, ap2):
    """The new assignee hears once, of the task as it is, not of its due date."""
    task = titled("Script the traffic explainer")
    services.task_update(
        task=task,
        by=producer,
        version=task.version,
        assignee=ap2,
        due_date=task.due_date + dt.timedelta(days=1),
    )
    assert told(task) == {"ap2": [Kind.ASSIGNED]}


def test_submitting_tells_the_reviewer(producer, ap):
    """Submit for review: the reviewer (ap's producer) hears, nobody else."""
    task = titled("Cut weather package to 1:30")
    move(task, S.REVIEW, ap)
    assert told(task) == {"producer": [Kind.REVIEW]}
    assert latest(producer).summary == (
        f"Sam Okafor submitted {task.key} Cut weather package to 1:30 for your review"
    )


def test_resubmitting_after_changes_tells_the_reviewer(producer, ap):
    task = titled("Promo for Friday's cooking segment")
    move(task, S.REVIEW, ap)
    assert told(task) == {"producer": [Kind.REVIEW]}
    assert "resubmitted" in latest(producer).summary


def test_work_without_a_reviewer_waits_for_every_approver(morn, producer, ap, ap2):
    """With no reviewer, submitted work is in each approver's "Awaiting my
    review", so each approver hears; other crew do not."""
    task = titled("Cut weather package to 1:30")
    Task.objects.filter(pk=task.pk).update(reviewer=None)
    task.refresh_from_db()
    move(task, S.REVIEW, ap)
    assert told(task) == {"producer": [Kind.REVIEW]}


def test_sending_up_tells_the_approver_up_the_line(producer, ap, writer):
    """The AP checks the writer's headlines and sends them up to the producer."""
    task = titled("Write headlines for Wednesday")
    move(task, S.REVIEW, ap, note="Looks good to me.")
    assert told(task) == {"producer": [Kind.REVIEW]}
    notice = latest(producer)
    assert notice.summary == f"Sam Okafor sent {task} up to you"
    assert notice.note == "Looks good to me."


def test_approving_tells_the_assignee(producer, ap):
    task = titled("Revise copy to match the shot list")
    move(task, S.DONE, producer)
    assert told(task) == {"ap": [Kind.APPROVED]}
    assert latest(ap).summary == f"Paula Reyes approved {task}"


def test_requesting_changes_tells_the_assignee_with_the_note(producer, ap):
    task = titled("Revise copy to match the shot list")
    move(task, S.CHANGES, producer, note="Shorter <b>intro</b>, please.")
    assert told(task) == {"ap": [Kind.CHANGES]}
    assert latest(ap).note == "Shorter <b>intro</b>, please."


def test_an_approver_deciding_on_their_own_task_tells_nobody(morn, producer):
    """The producer approving work assigned to themself is told nothing."""
    task = services.task_create(
        project=morn, by=producer, title="Mine", assignee=producer
    )
    for to in (S.IN_PROGRESS, S.REVIEW, S.DONE):
        move(task, to, producer)
    assert told(task) == {}


def test_a_pitch_decided_tells_its_author(producer, ap, ap2):
    """Accepted or declined, the pitcher hears; withdrawing tells nobody."""
    accepted = titled("Pitch: school lunch investigation")
    declined = titled("Pitch: rooftop gardens feature")
    move(accepted, S.TODO, producer)
    move(declined, S.CANCELLED, producer, note="Not this season.")
    assert told(accepted) == {"ap": [Kind.PITCH_ACCEPTED]}
    assert told(declined) == {"ap2": [Kind.PITCH_DECLINED]}
    assert latest(ap2).summary == f"Paula Reyes declined your pitch {declined}"
    assert latest(ap2).note == "Not this season."


def test_withdrawing_ones_own_pitch_tells_nobody(ap):
    task = titled("Pitch: school lunch investigation")
    move(task, S.CANCELLED, ap)
    assert told(task) == {}


def test_moves_nobody_waits_on_tell_nobody(producer, ap):
    """Starting, withdrawing, cancelling: nothing anyone must act on."""
    task = titled("Rewrite cold open for Monday")
    move(task, S.IN_PROGRESS, ap)
    move(task, S.REVIEW, ap)
    Notification.objects.all().delete()
    move(task, S.IN_PROGRESS, ap)
    move(task, S.CANCELLED, producer)
    assert told(task) == {}


def test_a_comment_tells_assignee_reviewer_and_earlier_commenters(
    producer, ap, ap2, editor, writer
):
    """The writer comments on ap's task: ap (assignee), the producer (its
    reviewer) and the editor (who commented before) hear; ap2 does not."""
    task = titled("Revise copy to match the shot list")
    services.comment_add(task=task, by=editor, body="Shot 4 is missing.")
    Notification.objects.all().delete()
    services.comment_add(task=task, by=writer, body="Added it.")
    assert told(task) == {
        "ap": [Kind.COMMENTED],
        "editor": [Kind.COMMENTED],
        "producer": [Kind.COMMENTED],
    }
    assert latest(ap).summary == f"Wren Adeyemi commented on {task}"
    assert latest(ap).note == "Added it."


def test_a_mention_tells_the_crew_named_once_and_nobody_outside(
    producer, ap, ap2, outsider
):
    """@ap2 hears they were mentioned; @ap, the assignee, hears once (the
    mention); @outsider (not MORN crew) and unknown names hear nothing."""
    task = titled("Revise copy to match the shot list")
    services.comment_add(
        task=task, by=producer, body="@ap @ap2 see this; @outsider @nobody too."
    )
    assert told(task) == {"ap": [Kind.MENTIONED], "ap2": [Kind.MENTIONED]}
    assert latest(ap2).summary == f"Paula Reyes mentioned you on {task}"


def test_mentioning_oneself_tells_nobody(producer, ap):
    task = titled("Revise copy to match the shot list")
    services.comment_add(task=task, by=ap, body="Note to self, @ap.")
    assert told(task) == {"producer": [Kind.COMMENTED]}


def test_a_booking_changed_by_someone_else_tells_its_booker(producer, ap):
    """The producer moves ap's booking and changes its place: ap hears what
    it is now, in the production's zone; the booker's own edits tell nobody."""
    task = titled("Book the marathon winner")
    zone = task.project.tzinfo
    starts = dt.datetime(2031, 3, 4, 9, 0, tzinfo=zone)
    services.task_update(
        task=task,
        by=producer,
        version=task.version,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=45),
        location="Studio A",
    )
    assert told(task) == {"ap": [Kind.BOOKING_CHANGED]}
    notice = latest(ap)
    assert notice.summary == f"Paula Reyes changed your booking {task}"
    assert notice.note == (
        "Slot: Tue 4 Mar 2031, 09:00 to 09:45 (Europe/London)\nPlace: Studio A"
    )
    services.task_update(task=task, by=ap, version=task.version, confirmed=False)
    assert told(task) == {"ap": [Kind.BOOKING_CHANGED]}


def test_confirming_a_booking_tells_its_booker(producer, ap):
    task = titled("Book the marathon winner")
    services.task_update(task=task, by=producer, version=task.version, confirmed=False)
    assert latest(ap).note == "Confirmed: not any more"


def test_a_due_date_changed_tells_the_assignee(producer, ap):
    task = titled("Script the traffic explainer")
    services.task_update(
        task=task, by=producer, version=task.version, due_date=dt.date(2031, 1, 3)
    )
    services.task_update(task=task, by=producer, version=task.version, due_date=None)
    assert told(task) == {"ap": [Kind.DUE_CHANGED, Kind.DUE_CHANGED]}
    first, second = Notification.objects.filter(task=task).order_by("id")
    assert (
        first.summary == f"Paula Reyes moved the due date of {task} to Fri 3 Jan 2031"
    )
    assert second.summary == f"Paula Reyes removed the due date of {task}"


def test_other_edits_tell_nobody(producer, ap):
    """A new title or priority is nothing the assignee must act on."""
    task = titled("Script the traffic explainer")
    services.task_update(
        task=task, by=producer, version=task.version, title="New", priority=4
    )
    assert told(task) == {}


def test_changing_the_reviewer_of_work_in_review_tells_the_new_reviewer(
    morn, producer, ap, ap2
):
    task = titled("Revise copy to match the shot list")
    services.task_update(task=task, by=producer, version=task.version, reviewer=ap2)
    assert told(task) == {"ap2": [Kind.REVIEW]}
    assert latest(ap2).summary == f"Paula Reyes made you the reviewer of {task}"


def test_nobody_who_has_left_hears_anything(morn, producer, ap, editor):
    """The editor commented, then left the production: later comments and
    mentions do not reach them."""
    task = titled("Revise copy to match the shot list")
    services.comment_add(task=task, by=editor, body="Shot 4 is missing.")
    services.membership_leave(project=morn, by=editor)
    Notification.objects.all().delete()
    services.comment_add(task=task, by=ap, body="Thanks @editor, fixed.")
    assert "editor" not in told()
    assert told(task) == {"producer": [Kind.COMMENTED]}


def test_nothing_crosses_productions(nite, ap2, outsider, ap):
    """An event on a NITE task reaches NITE's crew only, even when named."""
    task = Task.objects.get(project=nite, title="Monologue jokes, first pass")
    services.comment_add(task=task, by=outsider, body="@ap @ap2 thoughts?")
    assert told() == {"ap2": [Kind.MENTIONED]}
    assert latest(ap2).project == nite
    # notify() itself refuses anyone not on the task's production.
    notifications.notify(
        kind=Kind.ASSIGNED, task=task, actor=outsider, recipients=[ap], summary="x"
    )
    assert "ap" not in told()


# --- in the change's transaction --------------------------------------------


def test_a_change_that_fails_takes_its_notifications_with_it(
    morn, producer, ap, enqueued, django_capture_on_commit_callbacks
):
    """Rolled back, the task and its notification are both gone, and no
    e-mail was queued."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.task_create(project=morn, by=producer, title="Gone", assignee=ap)
            assert told() == {"ap": [Kind.ASSIGNED]}
            raise RuntimeError("the change failed after the notification")
    assert told() == {}
    assert not Task.objects.filter(title="Gone").exists()
    assert enqueued == []


@pytest.mark.django_db(transaction=True)
def test_a_mail_queue_that_fails_after_the_commit_loses_nothing(
    demo, monkeypatch, caplog
):
    """Committed for real: the queue raising is logged, and the change and
    the notification stay."""

    def down(notification_id):
        raise ConnectionError("mail queue is down")

    monkeypatch.setattr(mail, "enqueue_notification_email", down)
    morn = Project.objects.get(code="MORN")
    task = services.task_create(
        project=morn, by=demo["producer"], title="Kept", assignee=demo["ap"]
    )
    assert Task.objects.filter(pk=task.pk).exists()
    assert told(task) == {"ap": [Kind.ASSIGNED]}
    assert "mail queue is down" in caplog.text


# --- how each person hears ---------------------------------------------------


def test_defaults_mail_what_waits_on_you_and_keep_the_rest_in_the_app(ap):
    assert delivery_for(ap, Kind.ASSIGNED) == Delivery.EMAIL
    assert delivery_for(ap.pk, Kind.CHANGES) == Delivery.EMAIL
    assert delivery_for(ap, Kind.COMMENTED) == Delivery.APP
    NotificationPreference.objects.create(
        user=ap, kind=Kind.COMMENTED, delivery=Delivery.DIGEST
    )
    assert delivery_for(ap, Kind.COMMENTED) == Delivery.DIGEST


def test_deliveries_for_many_people_cost_one_query(
    demo, ap, ap2, django_assert_num_queries
):
    NotificationPreference.objects.create(
        user=ap, kind=Kind.REVIEW, delivery=Delivery.APP
    )
    people = [user.pk for user in demo.values()]
    with django_assert_num_queries(1):
        found = deliveries_for(people, Kind.REVIEW)
    assert found[ap.pk] == Delivery.APP
    assert found[ap2.pk] == Delivery.EMAIL
    assert set(found) == set(people)


def test_only_those_who_want_mail_at_once_get_it_queued(
    producer, ap, enqueued, django_capture_on_commit_callbacks
):
    """Comments stay in the app by default; ap asked for them by e-mail."""
    NotificationPreference.objects.create(
        user=ap, kind=Kind.COMMENTED, delivery=Delivery.EMAIL
    )
    task = titled("Revise copy to match the shot list")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(task=task, by=titled_editor(), body="Looks fine.")
    assert enqueued == [latest(ap).pk]
    assert Notification.objects.filter(task=task, kind=Kind.COMMENTED).count() == 2


def titled_editor():
    return Membership.objects.get(project__code="MORN", user__username="editor").user


def test_the_settings_page_shows_and_saves_each_choice(client_for, ap):
    client = client_for(ap)
    page = client.get(SETTINGS).content.decode()
    assert re.search(r'name="assigned" value="email"[^>]*checked', page)
    assert re.search(r'name="commented" value="app"[^>]*checked', page)
    choices = dict.fromkeys(Kind.values, "app") | {"mentioned": "digest"}
    response = client.post(SETTINGS, choices)
    assert response.status_code == 302
    assert notifications.preferences_of(ap) == choices
    # Saving again changes the rows in place.
    response = client.post(SETTINGS, choices | {"mentioned": "email"})
    assert delivery_for(ap, Kind.MENTIONED) == Delivery.EMAIL
    assert NotificationPreference.objects.filter(user=ap).count() == len(Kind)
    followed = client.get(response["Location"]).content.decode()
    assert "Saved" in followed


def test_the_settings_page_refuses_nonsense_with_a_message(client_for, ap):
    response = client_for(ap).post(SETTINGS, {"assigned": "pigeon"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=ap).exists()


# --- the bell ----------------------------------------------------------------


def notify_many(user, count, *, task=None, project=None, at=None):
    project = project or task.project
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            project=project,
            task=task,
            kind=Kind.COMMENTED,
            summary=f"Comment {n}",
            created_at=at or timezone.now(),
        )
        for n in range(count)
    )


def bell(page: str) -> str | None:
    found = re.search(r'<span class="bell-count">(\d+\+?)', page)
    return found and found.group(1)


def test_the_bell_counts_unread_notifications_on_every_page(
    client_for, ap, morn, producer
):
    client = client_for(ap)
    assert bell(client.get("/").content.decode()) is None
    services.task_create(project=morn, by=producer, title="One", assignee=ap)
    services.task_create(project=morn, by=producer, title="Two", assignee=ap)
    for url in ("/", "/projects/", "/projects/MORN/", "/calendar/", LIST, SETTINGS):
        assert bell(client.get(url).content.decode()) == "2", url
    # The producer, who acted, has nothing.
    assert bell(client_for(producer).get("/").content.decode()) is None


def test_the_bell_stops_counting_at_99(client_for, ap, morn):
    notify_many(ap, 150, project=morn)
    assert bell(client_for(ap).get("/").content.decode()) == "99+"


# --- the notifications page --------------------------------------------------

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_the_page_groups_by_day_in_the_sites_zone(client_for, ap, morn):
    """Today, Yesterday, then dates; newest first, in the site's zone (UTC)."""
    task = titled("Script the traffic explainer")
    for when, text in [
        (NOW - dt.timedelta(days=9), "Older"),
        (NOW - dt.timedelta(days=2), "Two days ago"),
        (dt.datetime(2026, 11, 26, 23, 59, tzinfo=dt.UTC), "Late yesterday"),
        (dt.datetime(2026, 11, 27, 0, 1, tzinfo=dt.UTC), "Early today"),
        (NOW, "Just now"),
    ]:
        Notification.objects.create(
            recipient=ap,
            project=morn,
            task=task,
            kind=Kind.COMMENTED,
            summary=text,
            created_at=when,
        )
    page = client_for(ap).get(LIST).content.decode()
    headings = re.findall(r"<h2 id=\"day-[^\"]+\">([^<]+)</h2>", page)
    assert headings == [
        "Today",
        "Yesterday",
        "Wednesday 25 November",
        "Wednesday 18 November",
    ]
    order = [page.index(text) for text in ("Just now", "Early today", "Late yesterday")]
    assert order == sorted(order)
    assert f'href="/tasks/{task.key}/"' in page


@time_machine.travel(NOW, tick=False)
def test_last_years_days_say_their_year(client_for, ap, morn):
    notify_many(ap, 1, project=morn, at=dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC))
    page = client_for(ap).get(LIST).content.decode()
    assert "Wednesday 31 December 2025" in page


def test_the_page_shows_only_my_notifications(client_for, ap, ap2, morn):
    notify_many(ap2, 1, project=morn)
    page = client_for(ap).get(LIST).content.decode()
    assert "Comment 0" not in page
    assert "Nothing yet" in page


def test_the_page_costs_the_same_queries_for_5_as_for_200(client_for, ap, morn):
    task = titled("Script the traffic explainer")
    client = client_for(ap)
    client.get("/")
    notify_many(ap, 5, task=task)
    few = count_queries(client, LIST)
    notify_many(ap, 195, task=task)
    many = count_queries(client, LIST)
    assert few == many == 4
    assert count_queries(client, LIST, **HTMX) == 3


def test_older_notifications_are_a_page_away(client_for, ap, morn):
    notify_many(ap, 60, project=morn)
    client = client_for(ap)
    first = client.get(LIST).content.decode()
    assert first.count('class="notification ') == 50
    assert 'rel="next" href="/notifications/?page=2"' in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert second.count('class="notification ') == 10
    assert client.get(LIST, {"page": "nonsense"}).status_code == 200


def test_opening_the_task_reads_its_notifications(client_for, ap, morn, producer):
    """Clicking through to the task marks what the bell said about it read;
    a region of the page refreshing does not, nor does another task."""
    task = titled("Script the traffic explainer")
    other = titled("Rewrite cold open for Monday")
    notify_many(ap, 2, task=task)
    notify_many(ap, 1, task=other)
    client = client_for(ap)
    client.get(task.get_absolute_url(), {"part": "comments"}, **HTMX)
    assert notifications.unread_count(ap) == 3
    page = client.get(task.get_absolute_url()).content.decode()
    assert notifications.unread_count(ap) == 1
    assert bell(page) == "1"
    assert Notification.objects.get(task=other).read_at is None


def test_opening_a_task_with_nothing_unread_writes_nothing(client_for, ap, morn):
    """Most task pages have nothing to mark read: one read, no UPDATE; the
    next notification on it is still marked read by the next visit."""
    task = titled("Script the traffic explainer")
    client = client_for(ap)
    client.get(task.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(task.get_absolute_url()).status_code == 200
    written = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert written == []
    notify_many(ap, 1, task=task)
    client.get(task.get_absolute_url())
    assert notifications.unread_count(ap) == 0


def test_marking_one_read_without_javascript(client_for, ap, morn):
    notify_many(ap, 2, project=morn)
    one, other = Notification.objects.filter(recipient=ap)
    client = client_for(ap)
    response = client.post(
        reverse("notification-read", args=[one.pk]), {"next": f"{LIST}?page=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?page=1"
    one.refresh_from_db(), other.refresh_from_db()
    assert one.read_at is not None and other.read_at is None
    # Anywhere off the site goes back to the list instead.
    response = client.post(
        reverse("notification-read", args=[other.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


def test_marking_one_read_with_htmx_swaps_it_and_the_bell(client_for, ap, morn):
    notify_many(ap, 2, project=morn)
    one = Notification.objects.filter(recipient=ap).first()
    response = client_for(ap).post(reverse("notification-read", args=[one.pk]), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<li id="notification-{one.pk}" class="notification ' in page
    assert "unread" not in page.split('id="bell"')[0]
    assert 'id="bell"' in page and 'hx-swap-oob="true"' in page
    assert bell(page) == "1"


def test_someone_elses_notification_is_not_found(client_for, ap, ap2, morn):
    notify_many(ap2, 1, project=morn)
    theirs = Notification.objects.get(recipient=ap2)
    response = client_for(ap).post(reverse("notification-read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read_plain_and_with_htmx(client_for, ap, ap2, morn):
    notify_many(ap, 3, project=morn)
    notify_many(ap2, 1, project=morn)
    client = client_for(ap)
    response = client.post(reverse("notifications-read-all"))
    assert response.status_code == 302
    assert notifications.unread_count(ap) == 0
    assert notifications.unread_count(ap2) == 1
    notify_many(ap, 2, project=morn)
    response = client.post(reverse("notifications-read-all"), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('\n<section id="notifications"') or (
        '<section id="notifications"' in page
    )
    assert 'class="notification notification-commented unread"' not in page
    assert bell(page) is None and 'hx-swap-oob="true"' in page
    assert notifications.unread_count(ap) == 0


def test_a_summary_is_escaped_on_the_page(client_for, ap, morn, producer):
    task = services.task_create(
        project=morn, by=producer, title="<script>alert(1)</script>", assignee=ap
    )
    page = client_for(ap).get(LIST).content.decode()
    assert "<script>alert(1)" not in page
    assert f"{task.key} &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_production_left_takes_its_notifications_with_it(client_for, ap2, morn, nite):
    """ap2 leaves MORN: its notifications leave the bell and the page; NITE's stay."""
    notify_many(ap2, 2, project=morn)
    notify_many(ap2, 1, project=nite)
    services.membership_leave(project=morn, by=ap2)
    page = client_for(ap2).get(LIST).content.decode()
    assert bell(page) == "1"
    assert page.count('class="notification ') == 1
    theirs = Notification.objects.filter(recipient=ap2, project=morn).first()
    response = client_for(ap2).post(reverse("notification-read", args=[theirs.pk]))
    assert response.status_code == 404


def test_an_archived_tasks_notifications_leave_with_it(client_for, ap, producer):
    task = titled("Script the traffic explainer")
    notify_many(ap, 2, task=task)
    services.task_archive(task=task, by=producer)
    page = client_for(ap).get(LIST).content.decode()
    assert bell(page) is None
    assert "Nothing yet" in page
