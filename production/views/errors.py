"""Slate's own error pages, where Django's would say too little."""

from django.shortcuts import render

from production.access import ArchivedTask


def not_found(request, exception=None):
    """The 404 page (urls.handler404): the same sentence for anything not
    there or not the person's to see, except that a task's crew are told
    that it was archived, and where its record is."""
    archived = exception if isinstance(exception, ArchivedTask) else None
    return render(request, "404.html", {"archived": archived}, status=404)
