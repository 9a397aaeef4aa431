"""A production's crew: a contact sheet of who is on it, in what role, whom
they report to, and how to reach them.

Everyone on the crew sees the sheet and may leave it; crew whose role may
manage it add people in roles within their own rights (found by a search on
name or e-mail), and change and remove members whose rights are within
theirs (workflow.py). An archived production's crew no longer changes. With
htmx each form swaps the `crew` partial (the sheet and the add form), and
the search as one types swaps the `person-matches` partial; a refusal by the
rules is a 403, bad input a 400: the partial with the form's errors, which
htmx swaps in place.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from production import services, workflow
from production.access import get_project, tasks_for
from production.forms import MembershipForm, add_service_errors
from production.models import CrewRole, Task, User
from production.views.fragments import wants_fragment

TEMPLATE = "production/crew.html"
# A search of fewer letters finds too many people to be of use; past ten
# matches one types on.
SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 100
SEARCH_LIMIT = 10
SEARCH_MAX_WORDS = 5


def _require_may_change(project, membership) -> None:
    """A 403 before any form is read: the user may not change this crew now."""
    workflow.require_manage_crew(membership.role)
    workflow.require_crew_open(project)


def _crew(project, user) -> list:
    """The members with user, role, reports-to and open task count (two queries).

    The counts come from the production's open tasks grouped by assignee,
    not from each member's tasks in every production (see BENCHMARKS.md).
    """
    open_counts = dict(
        tasks_for(user)
        .filter(project=project, status__in=Task.OPEN_STATUSES)
        .order_by()
        .values_list("assignee_id")
        .annotate(open_count=Count("pk"))
    )
    crew = list(project.memberships.with_people().in_crew_order())
    for member in crew:
        member.open_count = open_counts.get(member.user_id, 0)
    return crew


def _roles(project) -> list[CrewRole]:
    return list(CrewRole.objects.for_project(project).order_by("name"))


def _member_form(member, project, data=None, **choices) -> MembershipForm:
    return MembershipForm(
        data, instance=member, project=project, prefix=f"member-{member.pk}", **choices
    )


def _search_words(request) -> list[str]:
    """The words of ?q= (none when too short to search on)."""
    query = request.GET.get("q", "")[:SEARCH_MAX_LENGTH].strip()
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    return query.split()[:SEARCH_MAX_WORDS]


def _people_to_add(project, words: list[str]) -> list[User]:
    """Up to ten active people not on the crew whose name, username or
    e-mail holds every word: "sam oka" finds Sam Okafor (one query)."""
    if not words:
        return []
    people = User.objects.filter(is_active=True).exclude(memberships__project=project)
    for word in words:
        people = people.filter(
            Q(display_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    shown = Coalesce(NullIf("display_name", Value("")), "first_name")
    return list(people.order_by(shown, "last_name", "username")[:SEARCH_LIMIT])


def _search(request, project) -> dict:
    """The people ?q= finds, with what the page says of the search."""
    words = _search_words(request)
    return {
        "matches": _people_to_add(project, words),
        "q": request.GET.get("q", "")[:SEARCH_MAX_LENGTH],
        "searched": bool(words),
    }


def _render(request, project, *, add_form=None, bound=None, status=200):
    """The crew page, or for htmx its `crew` partial, as the viewer may see it."""
    crew = _crew(project, request.user)
    viewer = next(
        (member for member in crew if member.user_id == request.user.pk), None
    )
    # Asked of the fresh list: a manager who just changed their own role
    # sees the page their new role allows.
    mine = viewer.role if viewer is not None else None
    can_manage = workflow.can_manage_crew(mine) and not project.archived
    rows = [{"member": member, "form": None} for member in crew]
    if can_manage:
        roles = [role for role in _roles(project) if workflow.can_grant(mine, role)]
        choices = {"roles": roles, "crew": [member.user for member in crew]}
        for row in rows:
            member = row["member"]
            if not workflow.can_change_member(mine, member.role):
                continue
            if bound is not None and bound.instance.pk == member.pk:
                bound.use_choices(**choices)
                row["form"] = bound
            else:
                row["form"] = _member_form(member, project, **choices)
        if add_form is None:
            add_form = MembershipForm(project=project, **choices)
        else:
            add_form.use_choices(**choices)
    context = {
        "project": project,
        "rows": rows,
        "can_manage": can_manage,
        "can_leave": viewer is not None and not project.archived,
        "viewer": viewer,
        "add_form": add_form if can_manage else None,
    }
    if can_manage:
        # The person already picked stays offered when the form comes back
        # with errors, whatever the search finds.
        search = _search(request, project)
        picked = add_form.cleaned_data.get("user") if add_form.is_bound else None
        if picked is not None and picked not in search["matches"]:
            search["matches"].insert(0, picked)
        context.update(search, picked=picked.username if picked else "")
    template = TEMPLATE + "#crew" if wants_fragment(request) else TEMPLATE
    return render(request, template, context, status=status)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def crew_search(request, code):
    """People to add, found by name or e-mail: for htmx the list of matches,
    else the crew page with them (the search without JavaScript)."""
    project, membership = get_project(request.user, code)
    # Only those who may add people learn who else is on Slate.
    _require_may_change(project, membership)
    if not wants_fragment(request):
        return _render(request, project)
    context = {"project": project, **_search(request, project)}
    return render(request, TEMPLATE + "#person-matches", context)


def _done(request, project):
    """After a change: the fresh partial for htmx, else back to the page (PRG)."""
    if request.htmx:
        return _render(request, project)
    return redirect("project-crew", code=project.code)


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def crew(request, code):
    """The crew list; crew who may manage it add a person here (POST)."""
    project, membership = get_project(request.user, code)
    if request.method == "GET":
        return _render(request, project)
    _require_may_change(project, membership)
    form = MembershipForm(request.POST, project=project)
    if form.is_valid():
        try:
            added = services.membership_add(
                project=project, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{added.user} joined the crew as {added.role}.")
            return _done(request, project)
    return _render(request, project, add_form=form, status=400)


def _managed_member(request, code, pk):
    """The production and one of its crew whom the user may change; or 404, 403."""
    project, membership = get_project(request.user, code)
    _require_may_change(project, membership)
    member = get_object_or_404(
        project.memberships.select_related("user", "role"), pk=pk
    )
    member.project = project
    workflow.require_change_member(membership.role, member)
    return project, member


@require_POST
@login_required
def crew_member(request, code, pk):
    """Change a member's role or whom they report to."""
    project, member = _managed_member(request, code, pk)
    # Validating a ModelForm writes the new values onto its instance; the
    # service must see the member as stored, to guard the last manager.
    form = _member_form(copy.copy(member), project, request.POST)
    if form.is_valid():
        try:
            services.membership_change(
                membership=member,
                by=request.user,
                role=form.cleaned_data["role"],
                reports_to=form.cleaned_data["reports_to"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            boss = member.reports_to
            reporting = f", reporting to {boss}" if boss else ""
            messages.success(request, f"{member.user} is now {member.role}{reporting}.")
            return _done(request, project)
    return _render(request, project, bound=form, status=400)


@require_POST
@login_required
def crew_remove(request, code, pk):
    """Take someone off the crew; someone who may manage it and approve remains."""
    project, member = _managed_member(request, code, pk)
    # The rules refuse (403) the removal of the crew's last leader.
    services.membership_remove(membership=member, by=request.user)
    if member.user_id == request.user.pk:
        return _left(request, project)
    messages.success(
        request,
        f"{member.user} is no longer on the crew; their open tasks are unassigned.",
    )
    return _done(request, project)


@require_POST
@login_required
def crew_leave(request, code):
    """Leave the crew: the production is gone from my pages and feed at once."""
    project, _ = get_project(request.user, code)
    services.membership_leave(project=project, by=request.user)
    return _left(request, project)


def _left(request, project):
    """After leaving: to my productions, where this one no longer is."""
    messages.success(
        request,
        f"You have left the crew of {project.name}; your open tasks there are "
        "unassigned.",
    )
    if request.htmx:
        return HttpResponseClientRedirect(reverse("project-list"))
    return redirect("project-list")
