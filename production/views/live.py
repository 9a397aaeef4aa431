"""Live regions: the regions of a page that poll for changes made elsewhere.

A region (static/slate/live.js) asks for itself again every few seconds
with the ETag of what it shows; the view answers 304 from one small query
(production/changes.py), read in the session's own, while nothing changed,
and the region's fragment when something did.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import condition, require_GET

from production import changes, notifications
from production.templatetags import shell
from production.views.fragments import wants_fragment


def polled(etag_func):
    """Answer a region's poll (an htmx request for a fragment) with an ETag,
    and a 304 when it matches.

    A whole page gets neither: it may carry messages for this one answer,
    which a 304 would leave unread.
    """

    def decorator(view):
        conditional = condition(etag_func=etag_func)(view)

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if wants_fragment(request):
                return conditional(request, *args, **kwargs)
            return view(request, *args, **kwargs)

        def reads_with_session(request, *args, **kwargs) -> tuple:
            """A poll's marker, for middleware.py to read with the session."""
            if wants_fragment(request):
                return etag_func.reads(*args, **kwargs)
            return ()

        # A changes.Marker's query is read with the session; kept through
        # the decorators above this one, which copy its __dict__.
        if hasattr(etag_func, "reads"):
            wrapper.reads_with_session = reads_with_session
        return wrapper

    return decorator


def _bell_etag(request, found: list[tuple]) -> str:
    """The bell shows one number: its ETag is that number, counted once for
    the ETag and the answer (templatetags/shell.py)."""
    ((request.unread_notifications,),) = found
    return changes.etag(request, request.unread_notifications)


bell_etag = changes.Marker(notifications.UNREAD_COUNT, (), _bell_etag)


@require_GET
@login_required
@polled(bell_etag)
def bell(request):
    """The top bar's bell alone: what it polls (a plain GET gets it too)."""
    # The bell's own tag, without the template engine's context processors
    # around it (a third of an answer): it reads the request and the poll.
    return HttpResponse(
        shell.bell({"request": request, **changes.live_context(request)})
    )
