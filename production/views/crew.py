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

The sheet's entries and the add form's selects are Jinja2 partials kept per
process (views/memo.py) under everything they show: Django's widget
templates for each member's Edit panel cost most of the page (BENCHMARKS.md).
MembershipForm only checks what is sent.
"""

import copy
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, Value
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

from production import csrf_tokens, services, tallies, workflow
from production.access import get_project
from production.forms import MembershipForm, add_service_errors
from production.models import CrewRole, Membership, Project, User
from production.prepared import STAND_IN_ID, Joined, Prepared
from production.views.fragments import wants_fragment
from production.views.memo import MemoPartial

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


# The page's queries, compiled once (production/prepared.py): the crew with
# their people, role and boss; the roles there are. Open tasks are counted
# from the production's tallies (production/tallies.py).
_PERSON = ["username", "display_name", "first_name", "last_name"]
_CREW_ROW = Joined(
    Membership,
    "user",
    "role",
    "reports_to",
    only={"user": [*_PERSON, "phone", "email"], "reports_to": _PERSON},
)
_CREW = Prepared(
    # Through the production, as views reach the crew (production/access.py).
    lambda project_id: (
        Project(pk=project_id)
        .memberships.in_crew_order()
        .values_list(*_CREW_ROW.columns())
    ),
    STAND_IN_ID,
)
_ROLE_ROW = Joined(CrewRole)
_ROLES = Prepared(
    lambda project_id: (
        CrewRole.objects.for_project(project_id)
        .order_by("name")
        .values_list(*_ROLE_ROW.columns())
    ),
    STAND_IN_ID,
)


def _crew(project) -> list[Membership]:
    """The members with user, role, reports-to and open task count (two queries).

    The counts are the production's, read from its tallies: a few rows,
    however many tasks it has (see BENCHMARKS.md).
    """
    open_counts = tallies.open_by_assignee(project.pk)
    crew = [_CREW_ROW.load(row)[0] for row in _CREW.rows(project.pk)]
    for member in crew:
        member.project = project
        member.open_count = open_counts.get(member.user_id, 0)
    return crew


class Choice(NamedTuple):
    """One select of a member's Edit panel."""

    options: tuple[tuple[str, str], ...]
    picked: str
    errors: tuple[str, ...] = ()


class Edit(NamedTuple):
    """A member's Edit panel: MembershipForm's fields, as the form shows them."""

    prefix: str
    action: str
    # "" on the viewer's own entry: one leaves with "Leave this production".
    remove: str
    role: Choice
    boss: Choice
    errors: tuple[str, ...] = ()
    open: bool = False


class Member(NamedTuple):
    """Everything one entry of the crew sheet shows
    (templates/jinja2/production/_crew_member.html), the key its HTML is kept
    under (views/memo.py): a change to any of it is a new render."""

    pk: int
    name: str
    username: str
    role: str
    boss: str
    phone: str
    phone_uri: str
    email: str
    open_count: int
    tasks_url: str
    edit: Edit | None


MEMBER = MemoPartial("production/_crew_member.html")
# A member's id in the reversed URLs, replaced for each member: one reverse()
# a page rather than two a member.
STAND_IN_PK = 987_654_321


def _role_options(roles) -> tuple[tuple[str, str], ...]:
    """The role select's (value, label) pairs: these roles, after the blank."""
    return (("", "Choose a role"), *((str(role.pk), role.name) for role in roles))


def _boss_options(crew, user_id) -> tuple[tuple[str, str], ...]:
    """The reports-to select's: the crew but the member themself (`user_id`),
    after Nobody."""
    return (
        ("", "Nobody"),
        *((str(person.pk), str(person)) for person in crew if person.pk != user_id),
    )


def _picked(value) -> str:
    """A select's value as Django's Select widget compares it to its options."""
    return "" if value is None else str(value)


def _edit(member, links, roles, crew, viewer, bound) -> Edit:
    """The panel of a member the viewer may change: from the form sent back
    with errors (`bound`, that member's), else from the member as stored."""
    pk = str(member.pk)
    bosses = _boss_options(crew, member.user_id)
    remove = links["remove"].replace(str(STAND_IN_PK), pk) if member != viewer else ""
    edit = Edit(
        prefix=_prefix(member),
        action=links["change"].replace(str(STAND_IN_PK), pk),
        remove=remove,
        role=Choice(roles, str(member.role_id)),
        boss=Choice(bosses, _picked(member.reports_to_id)),
    )
    if bound is None or bound.instance.pk != member.pk:
        return edit
    errors = bound.errors
    return edit._replace(
        role=Choice(roles, _picked(bound["role"].value()), _errors(errors, "role")),
        boss=Choice(
            bosses, _picked(bound["reports_to"].value()), _errors(errors, "reports_to")
        ),
        errors=tuple(bound.non_field_errors()),
        open=bool(errors),
    )


def _errors(errors, name) -> tuple[str, ...]:
    return tuple(errors.get(name, ()))


def _members(project, crew, viewer, roles, bound, token) -> list:
    """Each member's entry on the sheet, rendered (or kept from before);
    `roles`: the options of those the viewer may give, None when they may
    not manage."""
    code = project.code
    tasks_url = reverse("task-list", args=[code]) + "?assignee="
    people = [member.user for member in crew]
    changeable = ()
    if roles is not None:
        changeable = {
            member.pk
            for member in crew
            if workflow.can_change_member(viewer.role, member.role)
        }
        links = {
            name: reverse(url_name, args=[code, STAND_IN_PK])
            for name, url_name in (("change", "crew-member"), ("remove", "crew-remove"))
        }
    entries = []
    for member in crew:
        person = member.user
        edit = None
        if member.pk in changeable:
            edit = _edit(member, links, roles, people, viewer, bound)
        item = Member(
            pk=member.pk,
            name=str(person),
            username=person.username,
            role=str(member.role),
            boss=str(member.reports_to or ""),
            phone=person.phone,
            phone_uri=person.phone_uri,
            email=person.email,
            open_count=member.open_count,
            tasks_url=f"{tasks_url}{person.pk}",
            edit=edit,
        )
        entries.append(MEMBER.render(item, project_name=project.name, csrf_token=token))
    return entries


class Field(NamedTuple):
    """One of the add form's fields but the person, as MembershipForm has it."""

    name: str
    label: str
    help: str
    required: bool
    choice: Choice


ADD_FIELDS = MemoPartial("production/_crew_add_fields.html")
# The search box stands for the person field (forms.PersonPick).
SEARCH_ID = MembershipForm.base_fields["user"].widget.id_for_label("id_user")


def _add_fields(add_form, roles, bosses):
    """The add form's role and boss, as sent back with errors (`add_form`)
    or empty."""
    fields = []
    for name, options in (("role", roles), ("reports_to", bosses)):
        field = MembershipForm.base_fields[name]
        choice = Choice(options, "")
        if add_form is not None:
            value = add_form[name].value()
            choice = Choice(options, _picked(value), _errors(add_form.errors, name))
        fields.append(
            Field(name, str(field.label), str(field.help_text), field.required, choice)
        )
    return ADD_FIELDS.render(tuple(fields))


def _roles(project) -> list[CrewRole]:
    return [_ROLE_ROW.load(row)[0] for row in _ROLES.rows(project.pk)]


def _member_form(member, project, data) -> MembershipForm:
    return MembershipForm(
        data, instance=member, project=project, prefix=_prefix(member)
    )


def _prefix(member) -> str:
    return f"member-{member.pk}"


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
    """The crew page, or for htmx its `crew` partial, as the viewer may see it;
    `add_form` and `bound`: a form sent back with errors."""
    crew = _crew(project)
    viewer = next(
        (member for member in crew if member.user_id == request.user.pk), None
    )
    # Asked of the fresh list: a manager who just changed their own role
    # sees the page their new role allows.
    mine = viewer.role if viewer is not None else None
    can_manage = workflow.can_manage_crew(mine) and not project.archived
    token = csrf_tokens.token(request)
    roles = None
    if can_manage:
        roles = _role_options(
            role for role in _roles(project) if workflow.can_grant(mine, role)
        )
    context = {
        "project": project,
        "rows": _members(project, crew, viewer, roles, bound, token),
        # One token for the page's forms and the kept entries' (views/memo.py).
        "csrf_token": token,
        "can_manage": can_manage,
        "can_leave": viewer is not None and not project.archived,
        "viewer": viewer,
        "add_form": add_form if can_manage else None,
    }
    if can_manage:
        people = [member.user for member in crew]
        # The person already picked stays offered when the form comes back
        # with errors, whatever the search finds.
        search = _search(request, project)
        picked = add_form.cleaned_data.get("user") if add_form else None
        if picked is not None and picked not in search["matches"]:
            search["matches"].insert(0, picked)
        context.update(
            search,
            picked=picked.username if picked else "",
            search_id=SEARCH_ID,
            add_fields=_add_fields(add_form, roles, _boss_options(people, None)),
        )
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
