"""A production's crew page: the list, and adding, changing and removing people."""

import re

import pytest
from django.urls import reverse

from production import services
from production.management.commands.seed_demo import add_generated_tasks
from production.models import CrewRole, Membership, Task
from tests.pages import count_queries

CREW = reverse("project-crew", kwargs={"code": "MORN"})
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def roles(demo):
    return {role.name: role for role in CrewRole.objects.filter(project=None)}


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


def member_row(response, member) -> str:
    match = re.search(
        rf'<tr id="member-{member.pk}">(.*?)</tr>', response.content.decode(), re.S
    )
    return match.group(1) if match else ""


def test_crew_lists_members_roles_bosses_and_open_tasks(client_for, ap, morn):
    """Each member shows with their role, whom they report to and their open tasks."""
    response = client_for(ap).get(CREW)
    assert response.status_code == 200
    row = member_row(response, membership(morn, ap))
    open_count = Task.objects.filter(
        project=morn, assignee=ap, status__in=Task.OPEN_STATUSES, archived=False
    ).count()
    assert "Sam Okafor" in row
    assert "Associate Producer" in row
    assert "Paula Reyes" in row
    assert f'<td class="num">{open_count}</td>' in row
    assert 'aria-current="page">Crew<' in response.content.decode()


def test_an_ap_sees_the_crew_read_only(client_for, ap):
    """Crew who may not manage get the list without any form."""
    content = client_for(ap).get(CREW).content.decode()
    assert "Add someone to the crew" not in content
    assert "<select" not in content
    assert "Remove" not in content


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


def test_producer_adds_someone_by_username(client_for, producer, outsider, morn, roles):
    """The producer brings someone in with a role and a boss, and is told so."""
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
        ("", "Say who to add: their Slate username."),
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
    """The Remove button asks first (data-confirm), then takes them off the crew."""
    client = client_for(producer)
    member = membership(morn, ap2)
    row = member_row(client.get(CREW), member)
    assert remove_url(member) in row
    assert 'data-confirm="Take Jo Lindqvist off the crew of Morning Live?"' in row
    response = client.post(remove_url(member), follow=True)
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert "Jo Lindqvist is no longer on the crew." in response.content.decode()


def test_removing_with_htmx_returns_the_partial(client_for, producer, ap2, morn):
    """With htmx the removal answers with the crew partial, without that member."""
    member = membership(morn, ap2)
    response = client_for(producer).post(remove_url(member), **HTMX)
    assert response.status_code == 200
    assert not member_row(response, member)


def test_the_last_manager_cannot_be_removed(client_for, producer, morn):
    """Removing the only member who may manage is a 400 with the reason."""
    member = membership(morn, producer)
    for extra in ({}, HTMX):
        response = client_for(producer).post(remove_url(member), **extra)
        assert response.status_code == 400
        assert "Someone on the crew must still be able to manage it." in (
            response.content.decode()
        )
    assert Membership.objects.filter(pk=member.pk).exists()


def test_the_last_manager_cannot_be_demoted(client_for, producer, morn, roles):
    """Giving the only manager a role that may not manage is refused."""
    member = membership(morn, producer)
    response = client_for(producer).post(
        change_url(member), change_data(member, roles["Associate Producer"])
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Someone on the crew must still be able to manage it." in content
    assert membership(morn, producer).role.name == CrewRole.SUPERVISING_PRODUCER


def test_with_a_second_manager_a_producer_may_step_down(
    client_for, producer, editor, morn, roles
):
    """Once another member may manage, the producer can take a lesser role and the
    page turns read-only for them."""
    Membership.objects.filter(project=morn, user=editor).update(
        role=roles["Line Producer"]
    )
    member = membership(morn, producer)
    client = client_for(producer)
    response = client.post(
        change_url(member), change_data(member, roles["Producer"]), **HTMX
    )
    assert response.status_code == 200
    assert membership(morn, producer).role.name == "Producer"
    assert "Add someone to the crew" not in response.content.decode()


def test_leaving_the_crew_goes_to_my_productions(
    client_for, producer, editor, morn, roles
):
    """A manager who removes themselves (another remains) lands on their list."""
    Membership.objects.filter(project=morn, user=editor).update(
        role=roles["Line Producer"]
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


@pytest.mark.parametrize("who", ["producer", "ap"])
def test_crew_query_count_is_flat_as_tasks_grow(client_for, demo, morn, who):
    """The crew page runs the same few queries with 5 tasks as with 200."""
    keep = [task.pk for task in Task.objects.filter(project=morn)[:5]]
    Task.objects.filter(project=morn).exclude(pk__in=keep).delete()
    client = client_for(demo[who])
    few = count_queries(client, CREW)
    add_generated_tasks(morn, 195)
    many = count_queries(client, CREW)
    assert few == many <= 15


def test_open_tasks_count_this_productions_live_work_only(
    client_for, ap, producer, outsider, morn, nite, roles
):
    """A member's open count leaves out their work on another production and
    their archived tasks here."""

    def shown():
        row = member_row(client_for(producer).get(CREW), membership(morn, ap))
        return int(re.search(r'<td class="num">(\d+)</td>', row)[1])

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
