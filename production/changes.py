"""Pages that bring themselves up to date, at almost no cost when nothing changed.

Every write that changes what a production's pages show (a task created,
edited, moved or archived, a comment, the crew, an episode) bumps the
production's `revision` in the same transaction (services.py). A page's
live regions poll (static/slate/live.js) with the ETag of what they show:
while the markers have not moved, the answer is a 304 after one small query.

A person's own pages that span productions (my work, the bell) read a
marker of their own: their productions' revisions, and their newest and
latest-read notifications.
"""

import hashlib

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from production.models import Membership, Notification, Project, User
from production.prepared import STAND_IN_ID, STAND_IN_TEXT, Prepared


def bump_revision(project_id: int) -> None:
    """Count a change to the production; call it inside the change's transaction.

    The UPDATE holds the production's row until the commit: writes take it
    before any of the production's tasks (services._locked), one order
    everywhere, so two writes on PostgreSQL never wait on each other in a
    circle.
    """
    Project.objects.filter(pk=project_id).update(revision=F("revision") + 1)


def etag(request, *parts) -> str:
    """What a region shows depends on its markers, on who looks (their moves,
    their bell), on the day (overdue, today) and on the address (filters)."""
    address = hashlib.blake2b(
        request.get_full_path().encode(), digest_size=8
    ).hexdigest()
    return "-".join(str(part) for part in (request.user.pk, *parts, address))


def _revision_of(lookup: str) -> Prepared:
    """The revision and clock of the production found by `lookup`, among the
    user's."""
    return Prepared(
        lambda user_id, value: Project.objects.filter(
            memberships__user_id=user_id, **{lookup: value}
        ).values_list("revision", "time_zone")[:1],
        STAND_IN_ID,
        STAND_IN_TEXT,
    )


_BY_CODE = _revision_of("code")
_BY_TASK_KEY = _revision_of("tasks__key")


def _project_etag(request, query: Prepared, value: str) -> str | None:
    """From the revision of the production `query` finds, if the user is on
    its crew; None (no ETag: the view answers, a 404 if need be) if not."""
    if not request.user.is_authenticated:
        return None
    found = query.rows(request.user.pk, value)
    if not found:
        return None
    revision, zone = found[0]
    today = timezone.localdate(timezone=Project(time_zone=zone).tzinfo)
    return etag(request, revision, today)


def board_etag(request, code, **kwargs) -> str | None:
    return _project_etag(request, _BY_CODE, code)


def task_etag(request, key, **kwargs) -> str | None:
    return _project_etag(request, _BY_TASK_KEY, key)


def _one(queryset, group: str, value) -> Subquery:
    """One aggregate of `queryset`'s rows for the outer user, as a subquery."""
    return Subquery(
        queryset.order_by().values(group).annotate(value=value).values("value")
    )


def _marker_query(user_id):
    crews = Membership.objects.filter(user=OuterRef("pk"))
    notes = Notification.objects.filter(recipient=OuterRef("pk"))
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            crews=_one(crews, "user", Count("pk")),
            newest_crew=_one(crews, "user", Max("pk")),
            revisions=_one(crews, "user", Sum("project__revision")),
            newest_note=_one(notes, "recipient", Max("pk")),
            last_read=_one(notes, "recipient", Max("read_at")),
        )
        .values_list("crews", "newest_crew", "revisions", "newest_note", "last_read")
    )


# Five subqueries: compiling them costs sixty times running them.
_MARKER = Prepared(_marker_query, STAND_IN_ID)


def user_marker(user) -> tuple:
    """A person's marker, in one query: their productions' revisions (and
    which they are on) and their notifications (a new one, or one read)."""
    (marker,) = _MARKER.rows(user.pk)
    return marker


def user_etag(request, *args, **kwargs) -> str | None:
    if not request.user.is_authenticated:
        return None
    marker = user_marker(request.user)
    last_read = marker[-1].timestamp() if marker[-1] else None
    return etag(request, *marker[:-1], last_read, timezone.localdate())


def live_context(request) -> dict:
    """A context processor: how often the live regions poll."""
    return {"poll_seconds": settings.SLATE_POLL_SECONDS}
