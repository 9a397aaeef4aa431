"""Live regions: the regions of a page that poll for changes made elsewhere.

A region (static/slate/live.js) asks for itself again every few seconds
with the ETag of what it shows; the view answers 304 from one small query
(production/changes.py) while nothing changed, and the region's fragment
when something did.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import condition, require_GET

from production import changes, notifications
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

        return wrapper

    return decorator


def bell_etag(request, *args, **kwargs) -> str | None:
    """The bell shows one number: its ETag is that number, counted once for
    the ETag and the answer (templatetags/bell.py)."""
    if not request.user.is_authenticated:
        return None
    request.unread_notifications = notifications.unread_count(request.user)
    return changes.etag(request, request.unread_notifications)


@require_GET
@login_required
@polled(bell_etag)
def bell(request):
    """The top bar's bell alone: what it polls (a plain GET gets it too)."""
    return render(request, "_base.html#bell")
