"""The private iCal feed: each person's due dates and bookings, by secret URL.

A feed is read without logging in (calendar apps cannot log in), so its
address is the only key. The address carries a random nonce signed with
SECRET_KEY; the database keeps only the nonce (User.calendar_token, indexed
and unique). So a feed is found with one indexed lookup, the signature is
checked in constant time (django.core.signing), and a copy of the database
alone is not enough to read anyone's feed. Making a new nonce makes every
older address stop working at once.
"""

import datetime as dt
import secrets

from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from production.access import tasks_for
from production.bookings import conflicts_for, slot_start
from production.models import Task, User

FEED_SALT = "production.ical.feed"
# Calendar apps keep what they have fetched; the feed only needs the recent
# past and everything ahead.
HISTORY_DAYS = 90
PRODID = "-//Slate//Production calendar//EN"


def _signer() -> signing.Signer:
    # "." cannot occur in a token_urlsafe nonce or in the signature.
    return signing.Signer(salt=FEED_SALT, sep=".")


def feed_token(user: User) -> str | None:
    """The secret part of this user's feed address, or None before they made one."""
    if not user.calendar_token:
        return None
    return _signer().sign(user.calendar_token)


def feed_token_reset(*, user: User) -> str:
    """A new feed address for this user; the old one stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return feed_token(user)


def user_for_feed_token(token: str) -> User | None:
    """The active user whose feed this token opens, or None."""
    try:
        nonce = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return User.objects.filter(calendar_token=nonce, is_active=True).first()


def feed_tasks(user: User):
    """What the feed shows: this user's due dates and their productions' bookings.

    Archived tasks, archived productions and cancelled tasks are left out.
    """
    since = timezone.localdate() - dt.timedelta(days=HISTORY_DAYS)
    since_at = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    return (
        tasks_for(user)
        .filter(project__archived=False)
        .exclude(status=Task.Status.CANCELLED)
        .filter(
            Q(assignee=user, due_date__gte=since)
            | Q(kind=Task.Kind.BOOKING, starts_at__gte=since_at)
        )
        .select_related("assignee")
        .order_by("due_date", "starts_at", "key")
    )


def _has_slot(task: Task) -> bool:
    return task.is_booking and task.starts_at is not None


def _description(task: Task, link: str, clashes: list[Task]) -> str:
    lines = []
    if _has_slot(task):
        lines += [
            f"Guest: {task.guest or '—'}",
            f"Contact: {task.contact or '—'}",
            f"Confirmed: {'yes' if task.confirmed else 'not yet'}",
        ]
        if clashes:
            keys = ", ".join(other.key for other in clashes)
            lines.append(f"Conflicts with {keys}")
    lines += [
        f"Status: {task.get_status_display()}",
        f"Assignee: {task.assignee or 'nobody yet'}",
        f"Production: {task.project}",
        link,
    ]
    return "\n".join(lines)


def build_feed(user: User, *, base_url: str, uid_domain: str) -> bytes:
    """The user's feed as RFC 5545 text.

    `base_url` (scheme and host) makes the links back to tasks; `uid_domain`
    keeps each event's UID the same on every fetch, so apps update events
    instead of duplicating them.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = f"Slate — {user}"
    calendar.add(
        "refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"}
    )

    tasks = list(feed_tasks(user))
    clashes = conflicts_for([task for task in tasks if _has_slot(task)], user=user)
    for task in tasks:
        link = base_url.rstrip("/") + task.get_absolute_url()
        description = _description(task, link, clashes.get(task.pk, []))
        slot_day = None
        if _has_slot(task):
            slot_day = slot_start(task).date()
            calendar.add_component(_slot_event(task, link, description, uid_domain))
        if task.due_date and task.assignee_id == user.pk and task.due_date != slot_day:
            calendar.add_component(_due_event(task, link, description, uid_domain))
    if not calendar.subcomponents:
        # RFC 5545 wants at least one component; times here are all UTC, so
        # UTC's definition is the one harmless component an empty feed can have.
        calendar.add_component(Timezone.from_tzid("UTC"))
    return calendar.to_ical()


def _event(task: Task, link: str, description: str, uid: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", task.updated_at)
    event.add("last-modified", task.updated_at)
    event.add("sequence", task.version)
    event.add("url", link)
    event.add("description", description)
    return event


def _slot_event(task: Task, link: str, description: str, domain: str) -> Event:
    event = _event(task, link, description, f"task-{task.pk}-slot@{domain}")
    event.add("summary", f"{task.key} {task.title}")
    event.add("dtstart", task.starts_at.astimezone(dt.UTC))
    if task.ends_at:
        event.add("dtend", task.ends_at.astimezone(dt.UTC))
    if task.location:
        event.add("location", task.location)
    event.add("status", "CONFIRMED" if task.confirmed else "TENTATIVE")
    return event


def _due_event(task: Task, link: str, description: str, domain: str) -> Event:
    event = _event(task, link, description, f"task-{task.pk}-due@{domain}")
    event.add("summary", f"Due: {task.key} {task.title}")
    event.add("dtstart", task.due_date)
    if task.due_date < dt.date.max:
        event.add("dtend", task.due_date + dt.timedelta(days=1))
    # else (a date stored before Slate kept to its range): RFC 5545 makes a
    # day's event without an end last that day anyway.
    # A deadline takes no time in the day: it leaves the person free.
    event.add("transp", "TRANSPARENT")
    return event


def feed_path(token: str) -> str:
    return reverse("calendar-feed", kwargs={"token": token})
