"""Telling people what happened to their work: who hears of which event.

The services call the event functions below inside their own transaction,
so a notification is written with the change or not at all, and a mail
server that is down loses nothing: the e-mail is only queued once the
change is committed. Nobody hears of what they did themselves, nor of a
production they are not (or no longer) crew of.
"""

import functools

from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import Truncator

from production import mail, mentions
from production.models import (
    Comment,
    Delivery,
    Membership,
    Notification,
    NotificationPreference,
    Task,
    User,
    default_delivery,
    deliveries_for,
    delivery_for,
)
from production.prepared import STAND_IN_ID, Prepared

Kind = Notification.Kind
S = Task.Status

__all__ = ["deliveries_for", "delivery_for", "notify"]

SUMMARY_LENGTH = Notification._meta.get_field("summary").max_length
# Enough of a comment to know what it says; the task page has the rest.
EXCERPT_LENGTH = 500
# A booking's details whose change its booker must hear of: slot, place, confirmed.
BOOKING_FIELDS = ("starts_at", "ends_at", "location", "confirmed")
# What the bell shows at most; a bigger number tells nobody more.
BELL_CAP = 99


def notify(
    *, kind: str, task: Task, actor, recipients, summary: str, note: str = ""
) -> list[Notification]:
    """Tell each of `recipients` (users or ids) of an event on `task`, once.

    Call it inside the transaction that makes the change. Leaves out the
    actor and anyone not on the task's production's crew; queues the e-mail
    of those who want one at once, after the commit.
    """
    actor_id = getattr(actor, "pk", actor)
    wanted = {getattr(person, "pk", person) for person in recipients}
    wanted -= {None, actor_id}
    if not wanted:
        return []
    crew = sorted(
        set(
            Membership.objects.filter(
                project_id=task.project_id, user_id__in=wanted
            ).values_list("user_id", flat=True)
        )
    )
    if not crew:
        return []
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=person,
            project_id=task.project_id,
            task=task,
            actor_id=actor_id,
            kind=kind,
            summary=Truncator(summary).chars(SUMMARY_LENGTH),
            note=note,
        )
        for person in crew
    )
    deliveries = deliveries_for(crew, kind)
    for notification in notifications:
        if deliveries[notification.recipient_id] == Delivery.EMAIL:
            # robust: a queue that is down is logged, and never undoes the
            # change or breaks the answer to the person who made it.
            transaction.on_commit(
                functools.partial(_enqueue_email, notification.pk), robust=True
            )
    return notifications


def _enqueue_email(notification_id: int) -> None:
    # Looked up at commit time, so that the mail module can be replaced.
    mail.enqueue_notification_email(notification_id)


def _excerpt(text: str) -> str:
    return Truncator(text).chars(EXCERPT_LENGTH)


# --- the events, each called by the service that makes the change -----------


def task_created(*, task: Task, by) -> None:
    """A task made for someone else tells them it is theirs (a pitch is its
    author's own)."""
    if task.status != S.PROPOSED:
        _assigned(task, by)


def _assigned(task: Task, by) -> None:
    notify(
        kind=Kind.ASSIGNED,
        task=task,
        actor=by,
        recipients=[task.assignee_id],
        summary=f"{by} assigned you {task}",
    )


def task_updated(*, task: Task, by, changes, reviewer_before) -> None:
    """An edit: a new assignee, a new reviewer of work in review, the
    assignee's due date or booking changed."""
    changed = {change.field for change in changes}
    assigned = "assignee" in changed
    if assigned:
        _assigned(task, by)
    if task.status == S.REVIEW and task.reviewer_id != reviewer_before:
        notify(
            kind=Kind.REVIEW,
            task=task,
            actor=by,
            recipients=[task.reviewer_id],
            summary=f"{by} made you the reviewer of {task}",
        )
    # A new assignee hears of the task as it is now, once.
    if assigned:
        return
    if "due_date" in changed:
        if task.due_date:
            day = formats.date_format(task.due_date, "D j M Y")
            summary = f"{by} moved the due date of {task} to {day}"
        else:
            summary = f"{by} removed the due date of {task}"
        notify(
            kind=Kind.DUE_CHANGED,
            task=task,
            actor=by,
            recipients=[task.assignee_id],
            summary=summary,
        )
    if task.is_booking and (booking := changed.intersection(BOOKING_FIELDS)):
        notify(
            kind=Kind.BOOKING_CHANGED,
            task=task,
            actor=by,
            recipients=[task.assignee_id],
            summary=f"{by} changed your booking {task}",
            note=booking_details(task, booking),
        )


def booking_details(task: Task, fields) -> str:
    """The changed details of a booking as they are now, in its production's zone."""
    lines = []
    if {"starts_at", "ends_at"} & set(fields):
        zone = task.project.tzinfo
        if task.starts_at:
            start = timezone.localtime(task.starts_at, zone)
            slot = formats.date_format(start, "D j M Y, H:i")
            if task.ends_at:
                end = timezone.localtime(task.ends_at, zone)
                same_day = end.date() == start.date()
                slot += " to " + formats.date_format(
                    end, "H:i" if same_day else "D j M Y, H:i"
                )
            lines.append(f"Slot: {slot} ({task.project.time_zone})")
        else:
            lines.append("Slot: not set")
    if "location" in fields:
        lines.append(f"Place: {task.location or 'not set'}")
    if "confirmed" in fields:
        lines.append(f"Confirmed: {'yes' if task.confirmed else 'not any more'}")
    return "\n".join(lines)


def task_moved(*, task: Task, by, move, note: str = "") -> None:
    """A move that waits on someone, or decides someone's work or pitch."""
    if move.sends_up:
        notify(
            kind=Kind.REVIEW,
            task=task,
            actor=by,
            recipients=[task.reviewer_id],
            summary=f"{by} sent {task} up to you",
            note=note,
        )
    elif move.target == S.REVIEW:
        resubmitted = move.source == S.CHANGES
        notify(
            kind=Kind.REVIEW,
            task=task,
            actor=by,
            recipients=_reviewers(task),
            summary=f"{by} {'resubmitted' if resubmitted else 'submitted'} "
            f"{task} for your review",
        )
    elif move.source == S.REVIEW and move.target == S.DONE:
        notify(
            kind=Kind.APPROVED,
            task=task,
            actor=by,
            recipients=[task.assignee_id],
            summary=f"{by} approved {task}",
            note=note,
        )
    elif move.target == S.CHANGES:
        notify(
            kind=Kind.CHANGES,
            task=task,
            actor=by,
            recipients=[task.assignee_id],
            summary=f"{by} requested changes to {task}",
            note=note,
        )
    elif move.source == S.PROPOSED and move.is_decision:
        accepted = move.target == S.TODO
        notify(
            kind=Kind.PITCH_ACCEPTED if accepted else Kind.PITCH_DECLINED,
            task=task,
            actor=by,
            recipients=[task.created_by_id],
            summary=f"{by} {'accepted' if accepted else 'declined'} your pitch {task}",
            note=note,
        )


def _reviewers(task: Task) -> list[int]:
    """Whom submitted work waits for: its reviewer, or, with none, every
    approver (it is in each one's "Awaiting my review")."""
    if task.reviewer_id:
        return [task.reviewer_id]
    return list(
        Membership.objects.filter(
            project_id=task.project_id, role__can_approve=True
        ).values_list("user_id", flat=True)
    )


def comment_added(*, comment: Comment, task: Task, by) -> None:
    """Crew named with @ hear they were mentioned; the task's assignee and
    reviewer, and whoever commented on it before, hear of the comment."""
    excerpt = _excerpt(comment.body)
    named = mentions.mentioned_crew(
        task.project_id, mentions.mentioned_names(comment.body)
    )
    mentioned = {membership.user_id for membership in named.values()}
    notify(
        kind=Kind.MENTIONED,
        task=task,
        actor=by,
        recipients=mentioned,
        summary=f"{by} mentioned you on {task}",
        note=excerpt,
    )
    earlier = (
        Comment.objects.filter(task=task)
        .exclude(pk=comment.pk)
        .values_list("author_id", flat=True)
        .distinct()
    )
    following = {task.assignee_id, task.reviewer_id, *earlier}
    notify(
        kind=Kind.COMMENTED,
        task=task,
        actor=by,
        recipients=following - mentioned,
        summary=f"{by} commented on {task}",
        note=excerpt,
    )


# --- reading them ---------------------------------------------------------------


def notifications_for(user):
    """This person's notifications, of the productions they are still crew
    of and the tasks still on their pages: the rest went with them."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient=user, project__memberships__user=user
    ).exclude(task__archived=True)


# The bell asks on every page and every poll: compiled once (prepared.py);
# its poll reads it with the session (views/live.py).
UNREAD_COUNT = Prepared(
    lambda user_id: (
        notifications_for(User(pk=user_id))
        .filter(read_at__isnull=True)
        .values_list("pk")[: BELL_CAP + 1]
    ),
    STAND_IN_ID,
).counted()


def unread_count(user) -> int:
    """The bell's number: one small query, counting at most past BELL_CAP."""
    return UNREAD_COUNT.rows(user.pk)[0][0] if user.is_authenticated else 0


# Every task page marks its notifications read, and there are seldom any:
# a compiled SELECT of their ids (0.04 ms here) instead of building the
# UPDATE each time (1.6 ms, a sixth of the page), which then runs only when
# there is something to mark.
_UNREAD_OF_TASK = Prepared(
    lambda user_id, task_id: (
        notifications_for(User(pk=user_id))
        .filter(read_at__isnull=True, task_id=task_id)
        .values_list("pk")
    ),
    STAND_IN_ID,
    STAND_IN_ID - 1,
)


def mark_read(user, *, pk=None, task=None) -> int:
    """Mark this person's notifications read: one, those of a task, or all."""
    ids = None
    if task is not None and pk is None:
        if not user.is_authenticated:
            return 0
        ids = [row[0] for row in _UNREAD_OF_TASK.rows(user.pk, task.pk)]
        if not ids:
            return 0
    unread = notifications_for(user).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    if pk is not None:
        unread = unread.filter(pk=pk)
    if task is not None:
        unread = unread.filter(task=task)
    return unread.update(read_at=timezone.now())


def preferences_of(user) -> dict[str, str]:
    """{kind: delivery} for every kind, the defaults where none was chosen."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user).values_list("kind", "delivery")
    )
    return {kind: chosen.get(kind) or default_delivery(kind) for kind in Kind.values}


def set_preferences(user, choices: dict[str, str]) -> None:
    """Keep this person's choices, one row a kind, in one query."""
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=user, kind=kind, delivery=delivery)
            for kind, delivery in choices.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["delivery"],
    )
