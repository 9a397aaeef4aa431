"""A production's crew page: the list, adding, changing and removing people, leaving."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from production import ical, services
from production.management.commands.seed_demo import add_generated_tasks
from production.models import CrewRole, Membership, Task, User
from production.workflow import LAST_LEADER
from tests.pages import HTMX, assert_marked, count_queries, error_summary
from tests.test_permissions import database_snapshot

CREW = reverse("project-crew", kwargs={"code": "MORN"})
LEAVE = reverse("crew-leave", kwargs={"code": "MORN"})
ARCHIVED = "This production is archived; its crew can no longer change."


@pytest.fixture
def roles(demo):
    return {role.name: role for role in CrewRole.objects.filter(project=None)}


def give(project, user, role):
    Membership.objects.filter(project=project, user=user).update(role=role)


def membership(project, user):
    return Membership.objects.select_related("role", "reports_to").get(
        project=project, user=user
    )


def change_url(member):
    return reverse("crew-member", kwargs={"code": "MORN", "pk": member.pk})


def remove_url(member):
    return reverse("crew-remove", kwargs={"code": "MORN", "pk": member.pk})


def change_data(member, role, reports_to=None):
    prefix = f"member-{member.pk}"
    return {
        f"{prefix}-role": role.pk,
        f"{prefix}-reports_to": reports_to.pk if reports_to else "",
    }


# What follows the crew sheet: where the last member's entry ends.
AFTER_SHEET = re.compile(r'<li class="member" id=|<div class="add-member">|</section>')


def member_row(response, member) -> str:
    """One member's entry on the crew sheet ("" when they are not on it)."""
    content = response.content.decode()
    start = content.find(f'<li class="member" id="member-{member.pk}">')
    if start == -1:
        return ""
    start = content.index(">", start) + 1
    end = AFTER_SHEET.search(content, start)
    return content[start : end.start() if end else len(content)]


def open_count(row: str) -> int:
    return int(re.search(r'<span class="open-count">(\d+)</span>', row)[1])


def test_crew_lists_members_roles_bosses_and_open_tasks(client_for, ap, morn):
    """Each member shows with their role, whom they report to and their open
    tasks, which link to that work on the task list."""
    response = client_for(ap).get(CREW)
    assert response.status_code == 200
    row = member_row(response, membership(morn, ap))
    expected = Task.objects.filter(
        project=morn, assignee=ap, status__in=Task.OPEN_STATUSES, archived=False
    ).count()
    assert "Sam Okafor" in row
    assert "Associate Producer" in row
    assert "reports to Paula Reyes" in row
    assert open_count(row) == expected
    tasks = reverse("task-list", kwargs={"code": "MORN"})
    assert f'href="{tasks}?assignee={ap.pk}"' in row
    assert 'aria-current="page">Crew<' in response.content.decode()


def test_the_crew_page_is_a_contact_sheet(client_for, ap, ap2, morn):
    """Each member's phone is a tel: link and their e-mail a mailto: link, for
    everyone on the crew; someone who gave neither says so."""
    User.objects.filter(pk=ap.pk).update(phone="+44 20 7946-0958")
    User.objects.filter(pk=ap2.pk).update(email="", phone="")
    response = client_for(ap2).get(CREW)
    row = member_row(response, membership(morn, ap))
    assert 'href="tel:+442079460958"' in row
    assert ">+44 20 7946-0958</a>" in row
    assert 'href="mailto:ap@slate.example"' in row
    assert "No phone or e-mail given" in member_row(response, membership(morn, ap2))


def test_a_display_name_shows_on_the_sheet_and_in_its_order(
    client_for, producer, ap, morn
):
    """A person's display name replaces their first and last name on the
    sheet, in reports-to lines, and sorts the sheet."""
    User.objects.filter(pk=producer.pk).update(display_name="Abby P.")
    response = client_for(ap).get(CREW)
    content = response.content.decode()
    assert "Paula Reyes" not in content
    assert "reports to Abby P." in member_row(response, membership(morn, ap))
    names = re.findall(r'<h2 class="member-name">([^<]+?) <span', content)
    assert names[0] == "Abby P."
    assert names == sorted(names)


def test_an_ap_sees_the_crew_read_only(client_for, ap):
    """Crew who may not manage get the list without any form."""
    content = client_for(ap).get(CREW).content.decode()
    assert "Add someone to the crew" not in content
    assert "<select" not in content
    assert "member-edit" not in content
    assert "Remove" not in content
    assert "Find a person" not in content


def test_an_outsider_gets_a_404(client_for, outsider, morn, producer):
    """Someone not on MORN cannot see or change its crew, nor learn it exists."""
    client = client_for(outsider)
    member = membership(morn, producer)
    assert client.get(CREW).status_code == 404
    assert client.post(CREW, {"user": "outsider"}).status_code == 404
    assert client.post(remove_url(member)).status_code == 404
    assert Membership.objects.filter(project=morn).count() == 5


def test_an_ap_gets_403_on_every_crew_post(client_for, ap, ap2, morn, roles):
    """The AP's add, change and remove requests are refused and change nothing."""
    client = client_for(ap)
    other = membership(morn, ap2)
    refused = [
        client.post(CREW, {"user": "outsider", "role": roles["Editor"].pk}),
        client.post(change_url(other), change_data(other, roles["Producer"])),
        client.post(remove_url(other)),
    ]
    for response in refused:
        assert response.status_code == 403
        assert "may manage the crew can change it" in response.content.decode()
    assert membership(morn, ap2).role.name == CrewRole.ASSOCIATE_PRODUCER
    assert not Membership.objects.filter(project=morn, user__username="outsider")


def test_producer_adds_the_person_picked(client_for, producer, outsider, morn, roles):
    """The producer brings in the person picked, with a role and a boss, and is
    told so."""
    response = client_for(producer).post(
        CREW,
        {"user": "outsider", "role": roles["Editor"].pk, "reports_to": producer.pk},
        follow=True,
    )
    added = membership(morn, outsider)
    assert (added.role.name, added.reports_to) == ("Editor", producer)
    assert "Olive Stone joined the crew as Editor." in response.content.decode()
    assert "Olive Stone" in member_row(response, added)


def test_adding_with_htmx_swaps_the_crew_table(
    client_for, producer, outsider, morn, roles
):
    """With htmx the answer is the crew partial with the new member and the message."""
    response = client_for(producer).post(
        CREW, {"user": "outsider", "role": roles["Writer"].pk}, **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert content.lstrip().startswith('<section id="crew"')
    assert member_row(response, membership(morn, outsider))
    assert 'hx-swap-oob="innerHTML:#messages"' in content
    assert "Olive Stone joined the crew as Writer." in content


@pytest.mark.parametrize(
    ("username", "sentence"),
    [
        ("nobody-here", "There is no Slate user by that name."),
        ("ap", "This person is already on the crew."),
        ("", "Choose who to add: find them by name or e-mail, then pick them."),
    ],
)
def test_adding_a_wrong_person_is_a_400_with_the_reason(
    client_for, producer, roles, username, sentence
):
    """An unknown or already-present person is refused, saying why, plain and htmx."""
    client = client_for(producer)
    data = {"user": username, "role": roles["Editor"].pk}
    for extra in ({}, HTMX):
        response = client.post(CREW, data, **extra)
        content = response.content.decode()
        assert response.status_code == 400
        assert "error-message" in content
        assert sentence in content
    assert Membership.objects.filter(project__code="MORN").count() == 5


def test_producer_changes_a_role_and_boss(client_for, producer, ap, ap2, morn, roles):
    """The change form saves the new role and reports-to, then shows the page again."""
    member = membership(morn, ap)
    response = client_for(producer).post(
        change_url(member), change_data(member, roles["Writer"], ap2)
    )
    assert response.status_code == 302
    assert response["Location"] == CREW
    member = membership(morn, ap)
    assert (member.role.name, member.reports_to) == ("Writer", ap2)


def test_changing_with_htmx_returns_the_partial(client_for, producer, ap, morn, roles):
    """With htmx the change answers with the refreshed crew partial."""
    member = membership(morn, ap)
    response = client_for(producer).post(
        change_url(member), change_data(member, roles["Editor"], producer), **HTMX
    )
    assert response.status_code == 200
    assert "Sam Okafor is now Editor, reporting to Paula Reyes." in (
        response.content.decode()
    )
    assert "selected>Editor</option>" in member_row(response, member)


def test_nobody_reports_to_themselves(client_for, producer, ap, morn, roles):
    """Choosing someone as their own boss is refused with a sentence."""
    member = membership(morn, ap)
    response = client_for(producer).post(
        change_url(member), change_data(member, roles["Editor"], ap)
    )
    assert response.status_code == 400
    assert "Nobody reports to themselves." in response.content.decode()
    assert membership(morn, ap).role.name == CrewRole.ASSOCIATE_PRODUCER


def test_producer_removes_someone_after_a_confirmation(client_for, producer, ap2, morn):
    """The Remove button, in the member's Edit panel, asks first (data-confirm),
    then takes them off the crew."""
    client = client_for(producer)
    member = membership(morn, ap2)
    row = member_row(client.get(CREW), member)
    assert remove_url(member) in row
    assert 'data-confirm="Take Jo Lindqvist off the crew of Morning Live?"' in row
    response = client.post(remove_url(member), follow=True)
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert (
        "Jo Lindqvist is no longer on the crew; their open tasks are unassigned."
        in response.content.decode()
    )


def test_removing_with_htmx_returns_the_partial(client_for, producer, ap2, morn):
    """With htmx the removal answers with the crew partial, without that member."""
    member = membership(morn, ap2)
    response = client_for(producer).post(remove_url(member), **HTMX)
    assert response.status_code == 200
    assert not member_row(response, member)


def test_the_last_leader_cannot_be_removed(client_for, producer, morn):
    """Removing the only member who may manage and approve is a 403 with the reason."""
    member = membership(morn, producer)
    before = database_snapshot()
    for extra in ({}, HTMX):
        response = client_for(producer).post(remove_url(member), **extra)
        assert response.status_code == 403
        assert LAST_LEADER in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.parametrize("lesser", ["Associate Producer", "Line Producer", "Producer"])
def test_the_last_leader_cannot_step_down(client_for, producer, morn, roles, lesser):
    """Giving the only member who may manage and approve a role without either
    right is refused, the page saying why."""
    member = membership(morn, producer)
    before = database_snapshot()
    response = client_for(producer).post(
        change_url(member), change_data(member, roles[lesser])
    )
    assert response.status_code == 403
    assert LAST_LEADER in response.content.decode()
    assert database_snapshot() == before


def test_with_a_second_leader_a_producer_may_step_down(
    client_for, producer, editor, morn, roles
):
    """Once another member may manage and approve, the producer can take a lesser
    role and the page turns read-only for them."""
    Membership.objects.filter(project=morn, user=editor).update(
        role=roles["Supervising Producer"]
    )
    member = membership(morn, producer)
    client = client_for(producer)
    response = client.post(
        change_url(member), change_data(member, roles["Producer"]), **HTMX
    )
    assert response.status_code == 200
    assert membership(morn, producer).role.name == "Producer"
    assert "Add someone to the crew" not in response.content.decode()


def test_a_manager_removing_themself_lands_on_my_productions(
    client_for, producer, editor, morn, roles
):
    """A manager who removes themselves (another leader remains) lands on their list."""
    Membership.objects.filter(project=morn, user=editor).update(
        role=roles["Supervising Producer"]
    )
    response = client_for(producer).post(remove_url(membership(morn, producer)))
    assert response.status_code == 302
    assert response["Location"] == reverse("project-list")


def test_a_member_of_another_production_is_a_404(client_for, producer, nite, outsider):
    """A membership pk from NITE cannot be changed or removed through MORN."""
    other = membership(nite, outsider)
    client = client_for(producer)
    assert client.post(remove_url(other)).status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("who", ["producer", "ap", "editor"])
def test_crew_query_count_is_flat_as_tasks_grow(client_for, demo, morn, roles, who):
    """The crew page runs the same few queries with 5 tasks as with 200 (the
    editor as a line producer, who may change some rows and not others)."""
    give(morn, demo["editor"], roles["Line Producer"])
    keep = [task.pk for task in Task.objects.filter(project=morn)[:5]]
    Task.objects.filter(project=morn).exclude(pk__in=keep).delete()
    client = client_for(demo[who])
    few = count_queries(client, CREW)
    add_generated_tasks(morn, 195)
    many = count_queries(client, CREW)
    assert few == many <= 15


@pytest.mark.parametrize("who", ["producer", "ap", "editor"])
def test_crew_query_count_is_flat_as_the_crew_grows(client_for, demo, morn, roles, who):
    """Twenty more members, each with their own change form, add no queries."""
    give(morn, demo["editor"], roles["Line Producer"])
    client = client_for(demo[who])
    few = count_queries(client, CREW)
    for n in range(20):
        extra = User.objects.create(username=f"extra{n}", first_name=f"Extra {n}")
        Membership.objects.create(
            project=morn, user=extra, role=roles["Editor"], reports_to=demo["producer"]
        )
    many = count_queries(client, CREW)
    assert few == many <= 15


def test_open_tasks_count_this_productions_live_work_only(
    client_for, ap, producer, outsider, morn, nite, roles
):
    """A member's open count leaves out their work on another production and
    their archived tasks here."""

    def shown():
        return open_count(
            member_row(client_for(producer).get(CREW), membership(morn, ap))
        )

    expected = Task.objects.filter(
        project=morn, assignee=ap, status__in=Task.OPEN_STATUSES, archived=False
    ).count()
    assert shown() == expected
    Membership.objects.create(project=nite, user=ap, role=roles["Associate Producer"])
    services.task_create(project=nite, by=outsider, title="Elsewhere", assignee=ap)
    assert shown() == expected
    mine = Task.objects.filter(
        project=morn, assignee=ap, status__in=Task.OPEN_STATUSES
    ).first()
    services.task_archive(task=mine, by=producer)
    assert shown() == expected - 1


# --- bounded rights ------------------------------------------------------------


def options(html: str, name: str) -> list[str]:
    """The labels a <select name=...> offers, placeholder left out."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    labels = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select[1])
    return [label for _, label in labels]


def test_a_line_producer_is_offered_only_what_they_may_do(
    client_for, producer, ap, editor, morn, roles
):
    """A line producer may give only roles within their rights, and gets no
    controls on the producer's row."""
    give(morn, editor, roles["Line Producer"])
    response = client_for(editor).get(CREW)
    within = ["Associate Producer", "Editor", "Line Producer", "Writer"]
    assert options(response.content.decode(), "role") == within
    ap_row = member_row(response, membership(morn, ap))
    assert options(ap_row, f"member-{membership(morn, ap).pk}-role") == within
    assert remove_url(membership(morn, ap)) in ap_row
    boss_row = member_row(response, membership(morn, producer))
    assert "<select" not in boss_row
    assert "Remove" not in boss_row
    assert "Supervising Producer" in boss_row
    # Their own row: a change form, and leaving is the Leave button's.
    own_row = member_row(response, membership(morn, editor))
    assert "<select" in own_row and "Remove" not in own_row
    assert "member-edit" not in boss_row and "member-edit" in ap_row


def test_a_supervising_producer_is_offered_every_role(client_for, producer):
    """The producer may give any of the standard roles."""
    html = client_for(producer).get(CREW).content.decode()
    assert options(html, "role") == sorted(
        ["Associate Producer", "Editor", "Line Producer", "Producer"]
        + ["Supervising Producer", "Writer"]
    )


def test_a_productions_own_roles_are_offered_there_only(
    client_for, producer, ap, morn, nite
):
    """A role a production made for itself is offered in its add form and
    every panel, beside the standard ones; another production's is not."""
    CrewRole.objects.create(project=morn, name="Runner")
    CrewRole.objects.create(project=nite, name="Grip")
    response = client_for(producer).get(CREW)
    offered = options(response.content.decode(), "role")
    assert "Runner" in offered and "Grip" not in offered
    member = membership(morn, ap)
    assert options(member_row(response, member), f"member-{member.pk}-role") == (
        offered
    )


def test_a_line_producer_cannot_take_over_the_production(
    client_for, producer, editor, outsider, morn, roles
):
    """The issue's path: a line producer giving themself the supervising
    producer's role, removing the producer or adding someone as a producer is
    refused with a sentence, and the producer keeps their production."""
    give(morn, editor, roles["Line Producer"])
    client = client_for(editor)
    own = membership(morn, editor)
    boss = membership(morn, producer)
    attempts = [
        (
            change_url(own),
            change_data(own, roles["Supervising Producer"]),
            "You may not give the role Supervising Producer: it may approve work, "
            "and yours may not.",
        ),
        (
            remove_url(boss),
            {},
            "You may not change or remove Paula Reyes: their role may approve "
            "work, and yours may not.",
        ),
        (
            CREW,
            {"user": "outsider", "role": roles["Producer"].pk},
            "You may not give the role Producer: it may approve work, and yours "
            "may not.",
        ),
    ]
    before = database_snapshot()
    for url, data, sentence in attempts:
        for extra in ({}, HTMX):
            response = client.post(url, data, **extra)
            assert response.status_code == 403
            assert sentence in response.content.decode()
    assert database_snapshot() == before
    assert (
        client_for(producer).get(reverse("project-board", args=["MORN"])).status_code
        == 200
    )


def test_a_line_producer_manages_the_roles_within_their_own(
    client_for, ap2, editor, outsider, morn, roles
):
    """Within their rights a line producer adds, changes and removes people."""
    give(morn, editor, roles["Line Producer"])
    client = client_for(editor)
    client.post(CREW, {"user": "outsider", "role": roles["Writer"].pk})
    assert membership(morn, outsider).role.name == "Writer"
    member = membership(morn, ap2)
    client.post(change_url(member), change_data(member, roles["Editor"], editor))
    changed = membership(morn, ap2)
    assert (changed.role.name, changed.reports_to) == ("Editor", editor)
    client.post(remove_url(member))
    assert not Membership.objects.filter(pk=member.pk).exists()


# --- leaving -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["producer", "ap", "editor", "writer", "ap2"])
def test_every_member_may_leave_after_a_confirmation(client_for, demo, who):
    """The crew page offers each member a Leave button that asks first."""
    html = client_for(demo[who]).get(CREW).content.decode()
    form = re.search(
        rf'<form class="leave-crew form-actions" method="post" action="{LEAVE}"[^>]*>',
        html,
    )
    assert form
    assert 'data-confirm="Leave the crew of Morning Live?' in form[0]
    assert ">Leave this production</button>" in html


def test_leaving_takes_the_production_off_my_pages_and_feed_at_once(
    client_for, ap, morn
):
    """After leaving, the production is gone from the list, its pages are a 404
    and the calendar feed drops its tasks."""
    client = client_for(ap)
    feed = reverse("calendar-feed", kwargs={"token": ical.feed_token_reset(user=ap)})
    task = Task.objects.filter(project=morn, assignee=ap).first()
    assert "MORN-" in client.get(feed).content.decode()
    response = client.post(LEAVE, follow=True)
    content = response.content.decode()
    assert response.redirect_chain == [(reverse("project-list"), 302)]
    assert (
        "You have left the crew of Morning Live; your open tasks there are unassigned."
        in content
    )
    assert 'id="project-MORN"' not in content
    for url in (CREW, reverse("project-board", args=["MORN"]), task.get_absolute_url()):
        assert client.get(url).status_code == 404
    assert "MORN-" not in client.get(feed).content.decode()
    assert "MORN-" not in client.get(reverse("my-work")).content.decode()


def test_leaving_with_htmx_redirects_the_page(client_for, ap):
    """An htmx leave answers with a client redirect to my productions."""
    response = client_for(ap).post(LEAVE, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("project-list")


def test_work_left_behind_says_why_on_the_task_page(client_for, producer, ap, morn):
    """The leaver's open tasks are unassigned, and their history says why."""
    task = Task.objects.filter(
        project=morn, assignee=ap, status=Task.Status.TODO
    ).first()
    client_for(ap).post(LEAVE)
    task.refresh_from_db()
    assert task.assignee is None
    page = client_for(producer).get(task.get_absolute_url()).content.decode()
    assert "unassigned because Sam Okafor left the crew" in page


def test_the_last_leader_cannot_leave(client_for, producer):
    """The only member who may manage and approve is refused, saying why."""
    before = database_snapshot()
    for extra in ({}, HTMX):
        response = client_for(producer).post(LEAVE, **extra)
        assert response.status_code == 403
        assert LAST_LEADER in response.content.decode()
    assert database_snapshot() == before


def test_someone_added_by_a_producer_can_leave(
    client_for, producer, outsider, morn, roles
):
    """The issue's path: a person brought onto a crew can take themselves off it."""
    client_for(producer).post(CREW, {"user": "outsider", "role": roles["Editor"].pk})
    assert membership(morn, outsider)
    response = client_for(outsider).post(LEAVE)
    assert response.status_code == 302
    assert not Membership.objects.filter(project=morn, user=outsider).exists()


def test_an_outsider_cannot_leave_what_they_are_not_on(client_for, outsider):
    """Leaving a production you are not on is a 404, as if it did not exist."""
    before = database_snapshot()
    assert client_for(outsider).post(LEAVE).status_code == 404
    assert database_snapshot() == before


# --- archived productions ------------------------------------------------------


def test_an_archived_productions_crew_page_is_read_only(client_for, producer, morn):
    """No add, change, remove or leave controls, and a line saying why."""
    services.project_archive(project=morn, by=producer)
    html = client_for(producer).get(CREW).content.decode()
    assert "Morning Live is archived: its crew can no longer change." in html
    for control in ("<select", "Add someone to the crew", "Remove", LEAVE):
        assert control not in html


def test_crew_changes_on_an_archived_production_are_refused(
    client_for, producer, ap, ap2, morn, roles
):
    """The issue's path: adding, changing, removing and leaving are 403s on an
    archived production and change nothing."""
    services.project_archive(project=morn, by=producer)
    member = membership(morn, ap2)
    attempts = [
        (producer, CREW, {"user": "outsider", "role": roles["Editor"].pk}),
        (producer, CREW, {"user": "", "role": ""}),
        (producer, change_url(member), change_data(member, roles["Writer"])),
        (producer, remove_url(member), {}),
        (ap, LEAVE, {}),
    ]
    before = database_snapshot()
    for who, url, data in attempts:
        for extra in ({}, HTMX):
            response = client_for(who).post(url, data, **extra)
            assert response.status_code == 403, url
            assert ARCHIVED in response.content.decode()
    assert database_snapshot() == before


def test_unarchiving_brings_the_crew_controls_back(client_for, producer, morn):
    """A manager can still bring an archived production back, and its crew can
    change again."""
    client = client_for(producer)
    services.project_archive(project=morn, by=producer)
    client.post(reverse("project-archive", args=["MORN"]))
    html = client.get(CREW).content.decode()
    assert "Add someone to the crew" in html and LEAVE in html


# --- each member's Edit panel ------------------------------------------------------


def test_each_changeable_member_has_one_folded_form(client_for, producer, ap, morn):
    """A manager's sheet folds each member's role, boss, Save and Remove into
    that member's own Edit panel (a <details>), closed until opened."""
    row = member_row(client_for(producer).get(CREW), membership(morn, ap))
    panel = re.search(
        r"<details class=\"member-edit\"([^>]*)>(.*)</details>", row, re.S
    )
    assert panel and "open" not in panel[1]
    assert re.search(
        r"<summary[^>]*>Edit<span class=\"visually-hidden\"> Sam Okafor", row
    )
    assert panel[2].count("<select") == 2
    assert panel[2].count('type="submit"') == 2  # Save, and Remove
    assert change_url(membership(morn, ap)) in panel[2]


def test_a_refused_change_comes_back_open_with_its_errors(
    client_for, producer, ap, morn, roles
):
    """The member whose change failed has their panel open with the error
    summary inside it; the other panels stay closed."""
    member = membership(morn, ap)
    for extra in ({}, HTMX):
        response = client_for(producer).post(
            change_url(member), change_data(member, roles["Editor"], ap), **extra
        )
        assert response.status_code == 400
        row = member_row(response, member)
        assert '<details class="member-edit" open>' in row
        assert error_summary(row) == [(None, "Nobody reports to themselves.")]
        assert (
            response.content.decode().count('<details class="member-edit" open>') == 1
        )


def picked(html: str, name: str) -> str:
    """The label of the option a <select name=...> has selected."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.search(r"<option [^>]*selected>([^<]*)</option>", select[1])[1]


def test_a_refused_change_keeps_what_was_picked_and_marks_the_field(
    client_for, producer, ap, ap2, morn, roles
):
    """The panel sent back shows the role and boss just picked, not those
    stored, and a field in error is marked and described by its error."""
    member = membership(morn, ap)
    prefix = f"member-{member.pk}"
    response = client_for(producer).post(
        change_url(member), change_data(member, roles["Editor"], ap)
    )
    assert picked(member_row(response, member), f"{prefix}-role") == "Editor"
    data = {f"{prefix}-role": "99999", f"{prefix}-reports_to": ap2.pk}
    row = member_row(client_for(producer).post(change_url(member), data), member)
    assert error_summary(row)[0][0] == f"id_{prefix}-role"
    assert_marked(row, f"id_{prefix}-role", "Select a valid choice.")
    assert picked(row, f"{prefix}-reports_to") == "Jo Lindqvist"


# --- kept renders (views/memo.py) ---------------------------------------------------


def test_an_edit_shows_at_once_on_the_next_render(
    client_for, producer, ap, ap2, editor, writer, morn, roles
):
    """Each entry's HTML is kept per process, under everything it shows: a new
    name, phone, role, boss or open task shows on the very next page, in the
    member's entry and in the panels that name them."""
    client = client_for(producer)
    before = open_count(member_row(client.get(CREW), membership(morn, ap)))
    User.objects.filter(pk=ap.pk).update(display_name="Sammy O.", phone="+44 1632 960")
    give(morn, ap, roles["Editor"])
    Membership.objects.filter(project=morn, user=writer).update(reports_to=ap2)
    services.task_create(project=morn, by=producer, title="One more", assignee=ap)
    response = client.get(CREW)
    row = member_row(response, membership(morn, ap))
    assert '<h2 class="member-name">Sammy O. <span' in row
    assert '<p class="member-role">Editor <span' in row
    assert 'href="tel:+441632960"' in row
    assert open_count(row) == before + 1
    assert picked(row, f"member-{membership(morn, ap).pk}-role") == "Editor"
    # The editor reports to Sam, under his new name; the writer to Jo now.
    for who, boss in ((editor, "Sammy O."), (writer, "Jo Lindqvist")):
        member = membership(morn, who)
        row = member_row(response, member)
        assert f"reports to {boss}<" in row
        assert picked(row, f"member-{member.pk}-reports_to") == boss
    # The same people, seen by someone who may change none of them.
    content = client_for(ap).get(CREW).content.decode()
    assert "Sammy O." in content and "<select" not in content


def test_each_kept_panel_carries_the_viewers_own_csrf_token(producer, ap, morn, roles):
    """A panel kept from another session's page still posts with this
    session's token: the change goes through with CSRF checks on."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        client.force_login(producer)
    member = membership(morn, ap)
    first.get(CREW)
    row = member_row(second.get(CREW), member)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row)[1]
    data = change_data(member, roles["Editor"]) | {"csrfmiddlewaretoken": token}
    response = second.post(change_url(member), data)
    assert response.status_code == 302
    assert membership(morn, ap).role == roles["Editor"]


# --- finding someone to add ----------------------------------------------------------

SEARCH = reverse("crew-search", kwargs={"code": "MORN"})
NITE_SEARCH = reverse("crew-search", kwargs={"code": "NITE"})


def found(response) -> list[str]:
    """The usernames a search answer offers to pick."""
    return re.findall(
        r'<input type="radio" name="user" value="([^"]+)"', response.content.decode()
    )


@pytest.mark.parametrize(
    "query", ["Sam Okafor", "sam", "okafor", "OKA sam", "ap@slate"]
)
def test_sam_okafor_is_found_by_name_or_e_mail(client_for, outsider, query):
    """NITE's producer finds Sam by first or last name, both in any order and
    case, or by e-mail, and is offered him to pick."""
    response = client_for(outsider).get(NITE_SEARCH, {"q": query}, **HTMX)
    assert response.status_code == 200
    assert found(response) == ["ap"]
    assert "<html" not in response.content.decode()
    assert "Sam Okafor" in response.content.decode()


def test_a_display_name_is_found_too(client_for, producer, outsider):
    """Someone known by a display name is found by it."""
    User.objects.filter(pk=outsider.pk).update(display_name="Liv the Booker")
    response = client_for(producer).get(SEARCH, {"q": "booker"}, **HTMX)
    assert found(response) == ["outsider"]
    assert "Liv the Booker" in response.content.decode()


def test_the_search_leaves_out_the_crew_and_inactive_people(client_for, producer):
    """People already on the crew, and accounts switched off, are never offered."""
    User.objects.create(username="sally", first_name="Sally", is_active=False)
    User.objects.create(username="samira", first_name="Samira")
    response = client_for(producer).get(SEARCH, {"q": "sa"}, **HTMX)
    assert found(response) == ["samira"]


def test_a_search_under_two_letters_finds_nobody_and_says_why(client_for, producer):
    """One letter is too few: the answer asks for two, and offers nobody."""
    response = client_for(producer).get(SEARCH, {"q": " o "}, **HTMX)
    assert found(response) == []
    assert "Type at least two letters." in response.content.decode()
    response = client_for(producer).get(SEARCH, {"q": "zz-nobody"}, **HTMX)
    assert "Nobody off the crew matches “zz-nobody”." in response.content.decode()


def test_the_search_offers_ten_at_most_in_one_query(client_for, producer):
    """However many match, ten are offered, in name order, for the same queries."""
    client = client_for(producer)
    client.get(SEARCH, {"q": "extra"}, **HTMX)
    few = count_queries(client, SEARCH, {"q": "extra"}, **HTMX)
    User.objects.bulk_create(
        User(username=f"extra{n:02}", first_name="Extra", last_name=f"{n:02}")
        for n in range(25)
    )
    many = count_queries(client, SEARCH, {"q": "extra"}, **HTMX)
    response = client.get(SEARCH, {"q": "extra"}, **HTMX)
    assert found(response) == [f"extra{n:02}" for n in range(10)]
    assert few == many


def test_without_javascript_the_search_shows_the_crew_page_with_matches(
    client_for, producer, outsider, roles, morn
):
    """Find, without htmx, opens the crew page with the matches to pick from in
    the add form; picking one and adding works as ever."""
    client = client_for(producer)
    response = client.get(SEARCH, {"q": "olive"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" in content and "Add someone to the crew" in content
    assert found(response) == ["outsider"]
    assert 'value="olive"' in content
    client.post(CREW, {"user": "outsider", "role": roles["Writer"].pk})
    assert membership(morn, outsider).role.name == "Writer"


def test_the_person_picked_stays_picked_when_the_form_comes_back(
    client_for, producer, outsider
):
    """Adding without a role is a 400 that keeps the person picked."""
    response = client_for(producer).post(CREW, {"user": "outsider", "role": ""}, **HTMX)
    assert response.status_code == 400
    assert found(response) == ["outsider"]
    assert re.search(
        r'value="outsider" id="id_user_0" required checked', response.content.decode()
    )
    assert error_summary(response.content.decode()) == [
        ("id_role", "Role Choose a role.")
    ]


def test_a_missing_person_links_to_the_search(client_for, producer, roles):
    """The error for nobody picked leads to the search box, labelled as such."""
    response = client_for(producer).post(CREW, {"role": roles["Writer"].pk})
    content = response.content.decode()
    assert error_summary(content)[0][0] == "id_user_search"
    assert '<label for="id_user_search">Find a person</label>' in content
    assert '<input type="search" name="q" id="id_user_search"' in content
    assert_marked(content, "id_user_search", "Choose who to add")


def test_only_crew_managers_may_search_for_people(
    client_for, ap, editor, outsider, producer, morn
):
    """Crew who may not manage get a 403 (the AP learns nobody's e-mail),
    outsiders a 404, and an archived production's search is refused."""
    for who, status in ((ap, 403), (editor, 403), (outsider, 404)):
        for extra in ({}, HTMX):
            response = client_for(who).get(SEARCH, {"q": "olive"}, **extra)
            assert response.status_code == status
            assert "outsider@slate.example" not in response.content.decode()
    services.project_archive(project=morn, by=producer)
    assert client_for(producer).get(SEARCH, {"q": "olive"}).status_code == 403


def test_crew_pages_show_no_e_mail_of_people_off_the_crew(client_for, ap, producer):
    """The sheet lists its own crew's addresses only, for every viewer."""
    for who in (ap, producer):
        content = client_for(who).get(CREW).content.decode()
        assert "ap@slate.example" in content
        assert "outsider@slate.example" not in content


def test_every_id_on_the_crew_page_is_unique(client_for, producer, morn):
    """Labels, the error summary's links and #member-N addresses each find
    one element: a member's entry and its edit form are told apart."""
    content = client_for(producer).get(f"/projects/{morn.code}/crew/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', content)
    assert len(ids) > 20
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
