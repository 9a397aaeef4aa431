"""Page or fragment: what every view that answers htmx with a partial asks."""

from django.shortcuts import render
from django.utils import timezone


def wants_fragment(request) -> bool:
    """An htmx request for a region of the page.

    A boosted link, or htmx restoring history it had no copy of, wants the
    whole page, like a plain request.
    """
    return bool(request.htmx) and not (
        request.htmx.boosted or request.htmx.history_restore_request
    )


def render_in_zone(request, template, context, project, *, status=200):
    """Render in the production's time zone: the crew works to its clock,
    not the server's, and booking slots read in it."""
    with timezone.override(project.tzinfo):
        return render(request, template, context, status=status)
