"""A production's pages on its own clock."""

from django.shortcuts import render
from django.utils import timezone


def render_on_project_clock(request, template, context, project, *, status=200):
    """Render in the production's time zone: the crew works to its clock,
    not the server's, and booking slots read in it."""
    with timezone.override(project.tzinfo):
        return render(request, template, context, status=status)
