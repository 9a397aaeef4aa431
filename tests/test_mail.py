"""E-mail at once: each notification goes out once, from a worker, through a
real SMTP server; a mail server that is down costs a later try, never the
change, its answer or the in-app notification.

The queue is django-tasks-db's real table and the worker its own, run in
this process for one pass (as `db_worker --batch` does). The tests are
transactional: as in production, the e-mail is queued only once the change
is committed, and racing workers use database connections of their own.
The file runs on PostgreSQL too (tools/with-postgres), where the workers
pass over each other's locked rows.
"""

import datetime as dt

import pytest
import time_machine
from django.tasks import DEFAULT_TASK_QUEUE_NAME
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from production import mail, notifications
from production.models import Notification, NotificationPreference, Task
from tests.conftest import free_port, run_twice_at_once
from tests.test_settings import manage

pytestmark = pytest.mark.django_db(transaction=True)

S = Task.Status
SITE = "https://slate.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def run_worker() -> None:
    """One pass of django-tasks-db's worker over the tasks that are due."""
    Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    ).run()


def request_changes(client, task, note="Tighten the second paragraph."):
    return client.post(
        reverse("task-move", kwargs={"key": task.key}),
        {"to": S.CHANGES, "note": note},
    )


@pytest.fixture
def in_review(ap, task_of):
    """The AP's task waiting for the producer's review."""
    return task_of(ap, S.REVIEW)


def subject(message) -> str:
    # A long subject is folded onto a second line; a mail reader unfolds it.
    return " ".join(message["Subject"].split())


def bodies(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_changes_requested_reach_the_assignee_once_as_text_and_html(
    smtp_server, client_for, producer, ap, in_review
):
    """The AP gets one message, plain and HTML, with the note and a link to the task."""
    response = request_changes(client_for(producer), in_review)
    assert response.status_code == 302
    # The request only queued it: nothing went out while it was answered.
    assert smtp_server.messages == []

    run_worker()
    run_worker()

    [message] = smtp_server.messages
    assert message["To"] == ap.email
    assert subject(message) == (
        f"[MORN] Paula Reyes requested changes to {in_review.key} {in_review.title}"
    )
    text, html = bodies(message)
    link = f"{SITE}/tasks/{in_review.key}/"
    assert "Tighten the second paragraph." in text
    assert link in text
    assert "Tighten the second paragraph." in html
    assert f'href="{link}"' in html
    assert f"{SITE}/notifications/settings/" in text
    notification = Notification.objects.get(recipient=ap, kind="changes")
    assert notification.emailed_at is not None


def test_user_text_is_escaped_in_the_html_part_only(
    smtp_server, client_for, producer, in_review
):
    """A note with markup reads as typed in the text part, and as text in the HTML one."""
    note = '<script>alert("x")</script> & <b>bold</b>'
    request_changes(client_for(producer), in_review, note=note)
    run_worker()

    [message] = smtp_server.messages
    text, html = bodies(message)
    assert note in text
    assert "<script>" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in html


def test_in_the_app_only_sends_nothing(
    smtp_server, client_for, producer, ap, in_review
):
    """Someone who wants changes requested in the app only gets no e-mail, only the bell."""
    NotificationPreference.objects.create(user=ap, kind="changes", delivery="app")
    request_changes(client_for(producer), in_review)
    run_worker()

    assert smtp_server.messages == []
    assert Notification.objects.filter(recipient=ap, kind="changes").exists()


def test_two_workers_racing_send_each_message_once(smtp_server, producer, ap, morn):
    """Two workers over one queue in which every e-mail is queued twice: each goes out once."""
    tasks = list(Task.objects.filter(project=morn, assignee=ap)[:5])
    made = [
        notifications.notify(
            kind=Notification.Kind.ASSIGNED,
            task=task,
            actor=producer,
            recipients=[ap],
            summary=f"Paula Reyes assigned you {task}",
        )[0]
        for task in tasks
    ]
    for notification in made:
        mail.enqueue_notification_email(notification.pk)
    assert DBTaskResult.objects.ready().count() == 2 * len(made)
    # A slow server keeps both workers busy at once.
    smtp_server.delay = 0.2

    errors = run_twice_at_once(run_worker)

    assert errors == []
    subjects = sorted(subject(message) for message in smtp_server.to(ap))
    assert subjects == sorted(f"[MORN] {n.summary}" for n in made)
    # Each e-mail's second task found it claimed, and sent nothing.
    outcomes = sorted(DBTaskResult.objects.values_list("return_value", flat=True))
    assert outcomes == ["already sent, or nobody to send it to"] * 5 + ["sent"] * 5
    assert not Notification.objects.filter(
        pk__in=[n.pk for n in made], emailed_at=None
    ).exists()


def test_a_mail_server_that_is_down_is_tried_again_later_with_a_longer_wait(
    smtp_server, settings, client_for, producer, ap, in_review
):
    """SMTP down: the change is made and answered, the bell has it, and the
    e-mail goes out on a later try (1 minute, then 5) once the server is back."""
    smtp_server.point_at(settings, free_port())
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = request_changes(client_for(producer), in_review)
        assert response.status_code == 302
        in_review.refresh_from_db()
        assert in_review.status == S.CHANGES
        run_worker()

    notification = Notification.objects.get(recipient=ap, kind="changes")
    assert notification.emailed_at is None
    assert notification.read_at is None
    page = client_for(ap).get(reverse("notifications")).content.decode()
    assert f"requested changes to {in_review.key}" in page
    [failed] = DBTaskResult.objects.failed()
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after == start + dt.timedelta(minutes=1)
    assert retry.args_kwargs["args"] == [notification.pk, 2]

    # Not due yet: a pass now does nothing.
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        run_worker()
    assert DBTaskResult.objects.failed().count() == 1

    # Due, and the server is still down: the next wait is 5 minutes.
    second = start + dt.timedelta(minutes=1, seconds=1)
    with time_machine.travel(second, tick=False):
        run_worker()
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after == second + dt.timedelta(minutes=5)
    assert smtp_server.messages == []

    smtp_server.point_at(settings, smtp_server.port)
    with time_machine.travel(second + dt.timedelta(minutes=5), tick=False):
        run_worker()
    [message] = smtp_server.to(ap)
    assert in_review.key in subject(message)
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_after_the_last_try_the_email_is_given_up(smtp_server, settings, ap, in_review):
    """The last try's failure queues nothing more; the notification stays in the app."""
    smtp_server.point_at(settings, free_port())
    notification = Notification.objects.create(
        recipient=ap,
        project=in_review.project,
        task=in_review,
        kind=Notification.Kind.CHANGES,
        summary=f"Paula Reyes requested changes to {in_review}",
    )
    last = len(mail.RETRY_MINUTES) + 1
    mail.send_notification_email.enqueue(notification.pk, last)
    run_worker()

    assert DBTaskResult.objects.failed().count() == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert Notification.objects.filter(pk=notification.pk, emailed_at=None).exists()


def test_email_settings_come_from_the_environment():
    """Console e-mail by default; EMAIL_HOST and friends switch to SMTP."""
    show = (
        "from django.core import mail; from django.conf import settings; "
        "m = mail.mailers.default; "
        "print(type(m).__module__, getattr(m, 'host', ''), getattr(m, 'port', ''), "
        "getattr(m, 'use_tls', ''), settings.DEFAULT_FROM_EMAIL, settings.SITE_URL, "
        "sep='|')"
    )
    result = manage("shell", "-c", show, DEBUG="1")
    assert "django.core.mail.backends.console|" in result.stdout, result.stderr
    result = manage(
        "shell",
        "-c",
        show,
        DEBUG="1",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="2525",
        EMAIL_USE_TLS="0",
        DEFAULT_FROM_EMAIL="Slate <slate@example.org>",
        SITE_URL="https://slate.example.org/",
    )
    assert (
        "django.core.mail.backends.smtp|smtp.example.org|2525|False|"
        "Slate <slate@example.org>|https://slate.example.org"
    ) in result.stdout, result.stderr
    result = manage("check", DEBUG="1", EMAIL_HOST="smtp.example.org", EMAIL_PORT="x")
    assert result.returncode != 0
    assert "EMAIL_PORT must be a number" in result.stderr
