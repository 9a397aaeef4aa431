"""E-mail: a notification's message, sent by a worker outside the request.

notifications.notify() queues send_notification_email after the change is
committed, for each person who wants that kind of event by e-mail at once;
a worker (`manage.py db_worker`, started by `make run`) takes it from the
queue table and sends it. The request never waits for a mail server, and a
server that is down costs a retry later, never the in-app notification.

Never twice: a worker claims a notification by setting its `emailed_at` in
a short transaction before it sends (locked with SKIP LOCKED on PostgreSQL,
so several workers on several machines pass over each other's rows; an
IMMEDIATE transaction on SQLite takes them in turn), and a claimed one is
not sent again. A failed send gives the claim back and queues the next try.
A worker that dies between the claim and the send loses that e-mail:
at most once is the promise, the bell keeps the notification.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from production.models import Notification

logger = logging.getLogger(__name__)

# Minutes before each new try after a failed send (about 13 hours in all);
# after the last the e-mail is given up, and the task records the error.
RETRY_MINUTES = (1, 5, 25, 125, 625)


def site_link(path: str) -> str:
    """An absolute address on this Slate, for a message read outside it."""
    return settings.SITE_URL + path


def render_message(
    *, to: str, subject: str, template: str, context: dict
) -> EmailMultiAlternatives:
    """A message in plain text and HTML from templates/production/email/
    `template`.txt and .html (user text is escaped in the HTML one only)."""
    context = {
        **context,
        "site_url": settings.SITE_URL,
        # Every message says where to choose how one hears of each kind of event.
        "settings_link": site_link(reverse("notification-settings")),
    }
    text = render_to_string(f"production/email/{template}.txt", context)
    html = render_to_string(f"production/email/{template}.html", context)
    # A header is one line: a title's stray line break must not end it.
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    return render_message(
        to=notification.recipient.email,
        subject=f"[{notification.project.code}] {notification.summary}",
        template="notification",
        context={
            "notification": notification,
            "link": site_link(notification.get_absolute_url()),
        },
    )


def enqueue_notification_email(notification_id: int) -> None:
    """Queue the e-mail of one notification (called after the commit)."""
    send_notification_email.enqueue(notification_id)


@task
def send_notification_email(notification_id: int, attempt: int = 1) -> str:
    """Send one notification's e-mail unless it went out already; after a
    failure, queue the next try with a longer wait."""
    notification = _claim(notification_id)
    if notification is None:
        return "already sent, or nobody to send it to"
    try:
        notification_message(notification).send()
    except OSError:
        # smtplib's errors are OSErrors, like a refused or timed-out connection.
        _give_back(notification)
        if attempt <= len(RETRY_MINUTES):
            run_after = timezone.now() + dt.timedelta(
                minutes=RETRY_MINUTES[attempt - 1]
            )
            send_notification_email.using(run_after=run_after).enqueue(
                notification_id, attempt + 1
            )
            logger.warning(
                "E-mail of notification %s failed (try %s); next try at %s.",
                notification_id,
                attempt,
                run_after.isoformat(timespec="seconds"),
            )
        else:
            logger.error(
                "E-mail of notification %s failed %s times; given up.",
                notification_id,
                attempt,
            )
        # The queue records this try as failed, with the error.
        raise
    return "sent"


def _claim(notification_id: int) -> Notification | None:
    """The notification, marked e-mailed, if it is not yet and has somewhere
    to go; None if another worker has it or had it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "project", "task", "actor")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .filter(recipient__is_active=True)
            .exclude(recipient__email="")
            .first()
        )
        if notification is None:
            return None
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return notification


def _give_back(notification: Notification) -> None:
    """Undo our claim, so that the next try may take it again."""
    Notification.objects.filter(
        pk=notification.pk, emailed_at=notification.emailed_at
    ).update(emailed_at=None)
