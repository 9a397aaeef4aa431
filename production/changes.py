"""Pages that bring themselves up to date, at almost no cost when nothing changed.

Every write that changes what a production's pages show (a task created,
edited, moved or archived, a comment, the crew, an episode) bumps the
production's `revision` in the same transaction (services.py). A page's
live regions poll (static/slate/live.js) with the ETag of what they show:
while the markers have not moved, the answer is a 304 after one small query,
read in the session's query where this process knows the session.

A person's own pages that span productions (my work, the bell) read a
marker of their own: their productions' revisions, and their newest and
latest-read notifications.
"""

import functools
import hashlib

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from production import sessions
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


class Marker:
    """An ETag function for views/live.py's `polled`: `etag_of(request,
    rows)` from the rows of `query`, compiled once, for the user's id and
    the view's arguments `names`. A poll reads them in its session's query
    (middleware.py, sessions.rows_for_user): one round trip in all."""

    def __init__(self, query: Prepared, names: tuple[str, ...], etag_of):
        self.query, self.names, self.etag_of = query, names, etag_of

    def reads(self, *args, **kwargs) -> tuple:
        """What a poll of the view reads: (query, values) pairs."""
        return ((self.query, tuple(kwargs[name] for name in self.names)),)

    def __call__(self, request, *args, **kwargs) -> str | None:
        if not request.user.is_authenticated:
            return None
        values = (kwargs[name] for name in self.names)
        return self.etag_of(
            request, sessions.rows_for_user(request, self.query, *values)
        )


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


def _project_etag(request, found: list[tuple]) -> str | None:
    """From the revision of the production found, if the user is on its
    crew; None (no ETag: the view answers, a 404 if need be) if not."""
    if not found:
        return None
    revision, zone = found[0]
    return etag(request, revision, timezone.localdate(timezone=_clock(zone)))


@functools.cache
def _clock(zone: str):
    """A production's clock from its time zone's name, made once a name."""
    return Project(time_zone=zone).tzinfo


board_etag = Marker(_revision_of("code"), ("code",), _project_etag)
task_etag = Marker(_revision_of("tasks__key"), ("key",), _project_etag)


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


def _user_etag(request, found: list[tuple]) -> str:
    (marker,) = found
    last_read = marker[-1].timestamp() if marker[-1] else None
    return etag(request, *marker[:-1], last_read, timezone.localdate())


user_etag = Marker(_MARKER, (), _user_etag)


def live_context(request) -> dict:
    """A context processor: how often the live regions poll."""
    return {"poll_seconds": settings.SLATE_POLL_SECONDS}
