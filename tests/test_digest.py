"""The daily digest (`manage.py send_digest`), received by a real SMTP server:
what each demo person reads on a Wednesday morning, nothing for someone with
nothing, once a day, and nothing from a production one has left or that is
archived.
"""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from production import notifications, services
from production.management.commands.send_digest import ROWS_PER_SECTION
from production.models import (
    DigestSent,
    Notification,
    NotificationPreference,
    Task,
    User,
)
from tests.conftest import free_port, run_twice_at_once

S = Task.Status
# A Wednesday at 06:00 UTC, when cron runs it: "this week" runs to Sunday the 14th.
WEDNESDAY = dt.datetime(2027, 3, 10, 6, 0, tzinfo=dt.UTC)
SECTIONS = (
    "Overdue",
    "Due today",
    "Due this week",
    "Awaiting your review",
    "Since your last digest",
)
ITEM = re.compile(r"^- (?P<key>[A-Z]+-\d+) (?P<title>.*?)(?: \(due [^)]*\))?$")


@pytest.fixture(autouse=True)
def wednesday():
    """The demo is made and the digest sent on WEDNESDAY (the clock runs on)."""
    with time_machine.travel(WEDNESDAY, tick=True) as traveller:
        yield traveller


def send_digest() -> str:
    out = io.StringIO()
    call_command("send_digest", stdout=out)
    return out.getvalue()


def read(message) -> dict[str, set[str]]:
    """The digest's plain-text part as {section: {task titles or summaries}}."""
    sections, current = {}, None
    for line in message.get_body(("plain",)).get_content().splitlines():
        if line in SECTIONS:
            current = sections.setdefault(line, set())
        elif line.startswith("- ") and current is not None:
            match = ITEM.match(line)
            if current is sections.get("Since your last digest"):
                current.add(line[2:])
            elif match:
                current.add(match["title"])
    return sections


def digest_of(inbox, user) -> dict[str, set[str]]:
    [message] = inbox.to(user)
    return read(message)


def test_each_demo_person_reads_their_own_day(smtp_server, demo):
    """Overdue, due today, due this week (to Sunday) and awaiting review, for each person."""
    send_digest()

    assert digest_of(smtp_server, demo["ap"]) == {
        "Overdue": {"Cut weather package to 1:30"},
        "Due today": {"Rewrite cold open for Monday"},
        "Due this week": {
            "Promo for Friday's cooking segment",
            "Revise copy to match the shot list",
            "Book the marathon winner",
        },
        "Awaiting your review": {"Write headlines for Wednesday"},
    }
    assert digest_of(smtp_server, demo["ap2"]) == {
        # NITE's work too: ap2 is on both crews.
        "Due today": {"Monologue jokes, first pass"},
        "Due this week": {
            "Book the chef for the cooking segment",
            "Book the city councillor on housing",
            "Social clips for the health segment",
            "Book the band for Friday",
            "Teleprompter for the weekend edition",
        },
    }
    assert digest_of(smtp_server, demo["producer"]) == {
        "Awaiting your review": {
            "Revise copy to match the shot list",
            "Social clips for the health segment",
        }
    }
    assert digest_of(smtp_server, demo["editor"]) == {
        "Due today": {"Cue up tapes for the 7am block"},
        "Due this week": {"Select shots for the mayor interview"},
    }
    assert digest_of(smtp_server, demo["writer"]) == {
        "Overdue": {"Write headlines for Wednesday"},
    }
    # The outsider runs NITE and has nothing due or to review: no e-mail.
    assert smtp_server.to(demo["outsider"]) == []
    assert len(smtp_server.messages) == 5


def test_the_message_has_both_parts_links_and_a_subject_that_counts(
    smtp_server, settings, ap, task_of
):
    """The subject sums the day up; both parts link each task on this Slate."""
    settings.SITE_URL = "https://slate.example.org"
    send_digest()

    [message] = smtp_server.to(ap)
    assert " ".join(message["Subject"].split()) == (
        "[Slate] Wed 10 Mar: 1 overdue, 1 due today, 3 due this week, 1 to review"
    )
    overdue = Task.objects.get(title="Cut weather package to 1:30")
    link = f"https://slate.example.org/tasks/{overdue.key}/"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()


def test_twice_on_a_day_sends_once_and_the_next_day_again(smtp_server, ap, wednesday):
    """A second run the same day sends nothing; the next morning's run sends anew."""
    send_digest()
    send_digest()
    assert len(smtp_server.to(ap)) == 1
    assert DigestSent.objects.filter(user=ap, day=WEDNESDAY.date()).count() == 1

    wednesday.shift(dt.timedelta(days=1))
    send_digest()
    assert len(smtp_server.to(ap)) == 2


def test_notifications_chosen_for_the_digest_come_once(
    smtp_server, client_for, producer, ap, task_of, wednesday
):
    """A comment the AP chose to hear of in the digest is in the next one, and
    not in the one after."""
    NotificationPreference.objects.create(user=ap, kind="commented", delivery="digest")
    task = task_of(ap, S.TODO)
    response = client_for(producer).post(
        reverse("task-comment", kwargs={"key": task.key}),
        {"body": "Can we open on the weather?"},
    )
    assert response.status_code == 302
    send_digest()

    summary = f"Paula Reyes commented on {task.key} {task.title}"
    assert digest_of(smtp_server, ap)["Since your last digest"] == {summary}
    wednesday.shift(dt.timedelta(days=1))
    send_digest()
    assert "Since your last digest" not in read(smtp_server.to(ap)[-1])


def test_nothing_from_a_production_left_or_archived(smtp_server, ap2, outsider, nite):
    """After leaving NITE, ap2's digest has neither its tasks nor its
    notifications; an archived production's tasks are left out too."""
    NotificationPreference.objects.create(
        user=ap2, kind="due_changed", delivery="digest"
    )
    band = Task.objects.get(project=nite, title="Book the band for Friday")
    notifications.notify(
        kind=Notification.Kind.DUE_CHANGED,
        task=band,
        actor=outsider,
        recipients=[ap2],
        summary=f"Olive Stone moved the due date of {band}",
    )
    services.membership_leave(project=nite, by=ap2)
    send_digest()

    digest = digest_of(smtp_server, ap2)
    assert "Since your last digest" not in digest
    titles = set().union(*digest.values())
    assert titles.isdisjoint(
        {"Book the band for Friday", "Monologue jokes, first pass"}
    )
    assert "Book the chef for the cooking segment" in titles


def test_an_archived_production_is_left_out(smtp_server, ap2, outsider, nite):
    """ap2 is still NITE's crew, but NITE is archived: its work is not in the digest."""
    services.project_archive(project=nite, by=outsider)
    send_digest()

    titles = set().union(*digest_of(smtp_server, ap2).values())
    assert "Monologue jokes, first pass" not in titles
    assert "Book the chef for the cooking segment" in titles


def test_a_mail_server_that_is_down_sends_on_the_next_run(
    smtp_server, settings, client_for, producer, ap, task_of
):
    """SMTP down: the command fails loudly, claims nothing, and the next run sends it all."""
    NotificationPreference.objects.create(user=ap, kind="commented", delivery="digest")
    task = task_of(ap, S.TODO)
    client_for(producer).post(
        reverse("task-comment", kwargs={"key": task.key}), {"body": "Looks good."}
    )
    smtp_server.point_at(settings, free_port())
    with pytest.raises(CommandError, match="run the command again"):
        send_digest()
    assert not DigestSent.objects.exists()
    assert Notification.objects.get(recipient=ap, kind="commented").emailed_at is None

    smtp_server.point_at(settings, smtp_server.port)
    send_digest()
    assert "Since your last digest" in digest_of(smtp_server, ap)
    assert len(smtp_server.messages) == 5


def test_the_queries_do_not_grow_with_the_tasks(smtp_server, ap, morn, producer):
    """Each person costs the same few queries, however many tasks they have due."""
    with CaptureQueriesContext(connection) as before:
        send_digest()
    DigestSent.objects.all().delete()
    for day in range(10):
        services.task_create(
            project=morn,
            by=producer,
            title=f"Extra duty {day}",
            assignee=ap,
            due_date=WEDNESDAY.date() + dt.timedelta(days=day - 5),
        )
    with CaptureQueriesContext(connection) as after:
        send_digest()
    assert len(after) == len(before)
    # Two to start, then per person: the claim (a few statements with its
    # savepoints), their tasks, what awaits their review.
    assert len(before) <= 2 + 9 * User.objects.count()


def test_a_long_list_shows_the_first_ones_and_how_many_more(
    smtp_server, ap, morn, producer
):
    """25 overdue tasks: the digest lists 20 of them and links My work for the rest."""
    for number in range(24):
        services.task_create(
            project=morn,
            by=producer,
            title=f"Late duty {number}",
            assignee=ap,
            due_date=WEDNESDAY.date() - dt.timedelta(days=3),
        )
    send_digest()

    [message] = smtp_server.to(ap)
    text = message.get_body(("plain",)).get_content()
    assert len(read(message)["Overdue"]) == ROWS_PER_SECTION == 20
    assert f"- and 5 more: {settings.SITE_URL}/" in text.splitlines()
    assert "25 overdue" in " ".join(message["Subject"].split())


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_digest_once(smtp_server, demo):
    """Cron on two machines at once: every person still gets one digest."""
    smtp_server.delay = 0.1

    errors = run_twice_at_once(send_digest)

    assert errors == []
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(
        demo[name].email for name in ("producer", "ap", "ap2", "editor", "writer")
    )
    assert DigestSent.objects.count() == 5
