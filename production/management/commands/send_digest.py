"""The daily digest: one e-mail a person, of what is late, due today, due this
week and awaiting their review, with the notifications they chose to hear of
in the digest.

Cron runs it once a day (README). Only productions the person is crew of
count, archived ones excluded. Nobody with nothing due or pending gets one.
A person's digest is claimed before it is sent, in one transaction with the
notifications it tells of: a DigestSent row for the day (the site's), unique
per person, so that a second run that day, or two at once on two machines,
sends nothing more; and the notifications' `emailed_at`, so that the next
digest does not tell them again. A send that fails gives both back, and
running the command again sends what failed.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import formats, timezone

from production.access import awaiting_review_by, open_work_of
from production.mail import render_message
from production.models import (
    DigestSent,
    Membership,
    Notification,
    NotificationPreference,
    User,
    default_delivery,
)

DIGEST = NotificationPreference.Delivery.DIGEST
# What each list shows at most; My work and the notifications page have the rest.
ROWS_PER_SECTION = 20
TASK_FIELDS = ("key", "title", "due_date", "status", "project__code")


@dataclass
class Section:
    title: str
    tasks: list = field(default_factory=list)

    @property
    def shown(self):
        return self.tasks[:ROWS_PER_SECTION]

    @property
    def more(self):
        return max(len(self.tasks) - ROWS_PER_SECTION, 0)


@dataclass
class Digest:
    user: User
    day: dt.date
    overdue: Section = field(default_factory=lambda: Section("Overdue"))
    today: Section = field(default_factory=lambda: Section("Due today"))
    week: Section = field(default_factory=lambda: Section("Due this week"))
    review: Section = field(default_factory=lambda: Section("Awaiting your review"))
    notifications: list = field(default_factory=list)
    claim: DigestSent | None = None

    @property
    def sections(self) -> list[Section]:
        return [self.overdue, self.today, self.week, self.review]

    def __bool__(self):
        return any(section.tasks for section in self.sections) or bool(
            self.notifications
        )

    @property
    def subject(self) -> str:
        counts = [
            f"{len(section.tasks)} {label}"
            for section, label in [
                (self.overdue, "overdue"),
                (self.today, "due today"),
                (self.week, "due this week"),
                (self.review, "to review"),
            ]
            if section.tasks
        ]
        if self.notifications:
            count = len(self.notifications)
            counts.append(f"{count} notification{pluralize(count)}")
        day = formats.date_format(self.day, "D j M")
        return f"[Slate] {day}: {', '.join(counts)}"


def digest_kinds(user_id: int, chosen: dict[tuple[int, str], str]) -> list[str]:
    """The kinds of event this person hears of in the digest."""
    return [
        kind
        for kind in Notification.Kind.values
        if chosen.get((user_id, kind), default_delivery(kind)) == DIGEST
    ]


def due_work(user: User, day: dt.date, digest: Digest) -> None:
    """Fill in the person's open tasks due by Sunday, and those awaiting them."""
    sunday = day + dt.timedelta(days=6 - day.weekday())
    mine = (
        open_work_of(user)
        .filter(due_date__lte=sunday)
        .only(*TASK_FIELDS)
        .order_by("due_date", "-priority", "key")
    )
    for task in mine:
        if task.due_date < day:
            digest.overdue.tasks.append(task)
        elif task.due_date == day:
            digest.today.tasks.append(task)
        else:
            digest.week.tasks.append(task)
    approver_ids = Membership.objects.filter(user=user, role__can_approve=True).values(
        "project_id"
    )
    digest.review.tasks = list(
        awaiting_review_by(user, approver_ids)
        .only(*TASK_FIELDS)
        .order_by("status_changed_at", "pk")
    )


def claim_notifications(user: User, kinds: list[str], now) -> list[Notification]:
    """The person's unread notifications for the digest not e-mailed yet, from
    productions they are still crew of, marked e-mailed (inside the claim's
    transaction); another run's, still locked, are passed over."""
    if not kinds:
        return []
    notifications = list(
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            recipient=user,
            kind__in=kinds,
            emailed_at__isnull=True,
            read_at__isnull=True,
            project__archived=False,
            project__memberships__user=user,
        )
        .select_related("task")
        .order_by("created_at", "pk")
    )
    if notifications:
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            emailed_at=now
        )
    return notifications


def claim_digest(user: User, day: dt.date, kinds: list[str]) -> Digest | None:
    """The person's digest for the day, claimed; None if it was sent already
    or there is nothing to tell."""
    with transaction.atomic():
        claim, created = DigestSent.objects.get_or_create(user=user, day=day)
        if not created:
            return None
        digest = Digest(user=user, day=day)
        due_work(user, day, digest)
        digest.notifications = claim_notifications(user, kinds, claim.sent_at)
        if not digest:
            # No digest to send: no record of one either.
            transaction.set_rollback(True)
            return None
        digest.claim = claim
    return digest


def give_back(digest: Digest) -> None:
    """Undo a claim whose e-mail failed, so that the next run sends it."""
    with transaction.atomic():
        Notification.objects.filter(
            pk__in=[n.pk for n in digest.notifications],
            emailed_at=digest.claim.sent_at,
        ).update(emailed_at=None)
        digest.claim.delete()


def people():
    """Whoever may get a digest: active, with an address, on a running production."""
    return (
        User.objects.filter(is_active=True, memberships__project__archived=False)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


class Command(BaseCommand):
    help = (
        "E-mail each person their daily digest: overdue, due today, due this "
        "week, awaiting their review, and the notifications they chose to get "
        "in it. Once a day: a second run that day sends nothing more."
    )

    def handle(self, *args, **options):
        day = timezone.localdate()
        chosen = {
            (user_id, kind): delivery
            for user_id, kind, delivery in NotificationPreference.objects.values_list(
                "user_id", "kind", "delivery"
            )
        }
        sent, failed = 0, []
        for user in people():
            digest = claim_digest(user, day, digest_kinds(user.pk, chosen))
            if digest is None:
                continue
            message = render_message(
                to=user.email,
                subject=digest.subject,
                template="digest",
                context={"digest": digest},
            )
            try:
                message.send()
            except OSError as error:
                # smtplib's errors are OSErrors, like a refused connection.
                give_back(digest)
                failed.append(f"{user.username} ({error})")
                continue
            sent += 1
        self.stdout.write(f"Sent {sent} digest{pluralize(sent)} for {day}.")
        if failed:
            raise CommandError(
                f"The digest of {', '.join(failed)} could not be sent; "
                "run the command again to send it."
            )
