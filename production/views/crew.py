"""A production's crew: who is on it, in what role, and whom they report to.

Everyone on the crew sees the list; crew whose role may manage it add,
change and remove people. With htmx each form swaps the `crew` partial
(the table and the add form); a refusal by the rules is a 403, bad input
a 400 whose sentence sits in an `.error-message` for slate.js to show.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from production import services, workflow
from production.access import get_project, tasks_for
from production.forms import MembershipForm, add_service_errors, error_sentences
from production.models import CrewRole, Task
from production.views.fragments import wants_fragment
from production.workflow import NotAllowed

TEMPLATE = "production/crew.html"


def _check_manager(membership) -> None:
    if not workflow.can_manage_crew(membership.role):
        raise NotAllowed("Only crew whose role may manage the crew can change it.")


def _crew(project, user) -> list:
    """The members with user, role, reports-to and open task count (two queries).

    The counts come from the production's open tasks grouped by assignee,
    not from each member's tasks in every production (23 ms at 5,000).
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
    form = MembershipForm(
        data, instance=member, project=project, prefix=f"member-{member.pk}", **choices
    )
    # The selects sit in the table's cells, the form in the last one.
    for field in form.fields.values():
        field.widget.attrs["form"] = form.prefix
    return form


def _render(request, project, *, add_form=None, bound=None, error="", status=200):
    """The crew page, or for htmx its `crew` partial, as the viewer may see it."""
    crew = _crew(project, request.user)
    viewer = next(
        (member for member in crew if member.user_id == request.user.pk), None
    )
    # Asked of the fresh list: a manager who just changed their own role
    # sees the page their new role allows.
    can_manage = viewer is not None and workflow.can_manage_crew(viewer.role)
    rows = [{"member": member, "form": None} for member in crew]
    if can_manage:
        choices = {"roles": _roles(project), "crew": [member.user for member in crew]}
        for row in rows:
            member = row["member"]
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
        "add_form": add_form if can_manage else None,
        "error": error,
    }
    template = TEMPLATE + "#crew" if wants_fragment(request) else TEMPLATE
    return render(request, template, context, status=status)


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
    _check_manager(membership)
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
    return _render(
        request,
        project,
        add_form=form,
        error=" ".join(error_sentences(form)),
        status=400,
    )


def _managed_member(request, code, pk):
    """The production, which the user may manage, and one of its crew; or 404."""
    project, membership = get_project(request.user, code)
    _check_manager(membership)
    member = get_object_or_404(
        project.memberships.select_related("user", "role"), pk=pk
    )
    member.project = project
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
    return _render(
        request, project, bound=form, error=" ".join(error_sentences(form)), status=400
    )


@require_POST
@login_required
def crew_remove(request, code, pk):
    """Take someone off the crew; someone who may manage it must remain."""
    project, member = _managed_member(request, code, pk)
    try:
        services.membership_remove(membership=member, by=request.user)
    except ValidationError as error:
        return _render(request, project, error=" ".join(error.messages), status=400)
    if member.user_id == request.user.pk:
        messages.success(request, f"You have left the crew of {project.name}.")
        if request.htmx:
            return HttpResponseClientRedirect(reverse("project-list"))
        return redirect("project-list")
    messages.success(request, f"{member.user} is no longer on the crew.")
    return _done(request, project)
