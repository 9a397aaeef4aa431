"""My productions: the list with counts, creating one, archiving one."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from production.forms import ProjectForm
from production.management.commands.seed_demo import add_generated_tasks
from production.models import CrewRole, Membership, Project, Task, User
from tests.pages import HTMX, count_queries
from tests.test_permissions import database_snapshot

LIST = reverse("project-list")
CREATE = reverse("project-create")


def archive_url(code):
    return reverse("project-archive", kwargs={"code": code})


def row(response, code) -> str:
    match = re.search(
        rf'<tr id="project-{code}">(.*?)</tr>', response.content.decode(), re.S
    )
    return match.group(1) if match else ""


def new_production(**changes):
    return {
        "name": "Evening Bulletin",
        "code": "EVE",
        "kind": Project.Kind.NEWS,
        "description": "",
        "starts_on": "",
        "ends_on": "",
        "time_zone": "Europe/London",
    } | changes


def test_list_shows_only_my_productions(client_for, outsider, producer, ap2):
    """Each person sees the productions they are crew of, and no others."""
    assert row(client_for(outsider).get(LIST), "NITE")
    assert not row(client_for(outsider).get(LIST), "MORN")
    assert "Morning Live" not in client_for(outsider).get(LIST).content.decode()
    assert row(client_for(producer).get(LIST), "MORN")
    assert not row(client_for(producer).get(LIST), "NITE")
    both = client_for(ap2).get(LIST)
    assert row(both, "MORN") and row(both, "NITE")


def test_list_counts_open_and_overdue_tasks(client_for, producer, morn):
    """Each production shows how many tasks are open and how many are overdue."""
    open_tasks = Task.objects.filter(
        project=morn, status__in=Task.OPEN_STATUSES, archived=False
    )
    overdue = open_tasks.filter(due_date__lt=timezone.localdate()).count()
    html = row(client_for(producer).get(LIST), "MORN")
    counts = re.findall(r'<td class="num[^"]*">(\d+)</td>', html)
    assert counts == [str(open_tasks.count()), str(overdue)]
    assert "Supervising Producer" in html


def test_archived_productions_are_listed_apart(client_for, ap2, nite):
    """An archived production moves to its own "Archived" section."""
    Project.objects.filter(pk=nite.pk).update(archived=True)
    content = client_for(ap2).get(LIST).content.decode()
    assert "Archived" in content
    assert content.index('id="project-MORN"') < content.index("Archived</h2>")
    assert content.index("Archived</h2>") < content.index('id="project-NITE"')


def test_archive_button_only_for_who_may_manage(client_for, producer, ap):
    """The producer sees an Archive button with a confirmation; an AP sees none."""
    mine = row(client_for(producer).get(LIST), "MORN")
    assert archive_url("MORN") in mine
    assert "data-confirm=" in mine
    assert archive_url("MORN") not in row(client_for(ap).get(LIST), "MORN")


NOT_ALLOWED = (
    "Only people allowed to start productions may create one; ask an administrator."
)


def test_only_who_may_create_sees_the_new_production_button(
    client_for, producer, ap, outsider
):
    """The producer (given the permission) sees "New production"; others do not,
    nor the empty list's invitation to start one."""
    assert CREATE in client_for(producer).get(LIST).content.decode()
    for person in (ap, outsider):
        assert CREATE not in client_for(person).get(LIST).content.decode()
    Membership.objects.filter(user=outsider).delete()
    empty = client_for(outsider).get(LIST).content.decode()
    assert CREATE not in empty
    assert "Ask the producer of your production to add you to its crew" in empty


def test_someone_on_no_production_is_told_who_to_ask_and_their_username(
    client_for, outsider
):
    """With no production and no right to start one, the list says to ask a
    producer and gives the username they will need."""
    Membership.objects.filter(user=outsider).delete()
    content = client_for(outsider).get(LIST).content.decode()
    assert "You are not on any active production yet." in content
    assert "they need your username, <strong>outsider</strong>" in content
    assert "site administrator" in content


def test_a_producer_with_no_production_is_led_to_start_one(client_for, demo):
    """Someone allowed to start productions and on none gets the button to do so."""
    boss = User.objects.create_superuser("boss", "boss@slate.example", "x")
    content = client_for(boss).get(LIST).content.decode()
    assert "You are not on any active production yet." in content
    assert f'<a href="{CREATE}">Start a production</a>' in content
    assert "your username is <strong>boss</strong>" in content


@pytest.mark.parametrize("who", ["ap", "editor", "outsider"])
def test_creating_without_the_permission_is_a_403(client_for, demo, who):
    """The issue's path: anyone else signed in gets a 403 with the reason on the
    form and on a valid post, plain or htmx, and nothing is made."""
    client = client_for(demo[who])
    before = database_snapshot()
    for response in (
        client.get(CREATE),
        client.post(CREATE, new_production()),
        client.post(CREATE, new_production(), **HTMX),
        client.post(CREATE, new_production(code="no")),
    ):
        assert response.status_code == 403
        assert NOT_ALLOWED in response.content.decode()
    assert database_snapshot() == before


def test_the_permission_given_in_the_admin_lets_them_create(client_for, ap):
    """Once an administrator gives an AP the permission, they may start one."""
    ap.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="production", codename="add_project"
        )
    )
    client = client_for(ap)
    assert CREATE in client.get(LIST).content.decode()
    assert client.post(CREATE, new_production()).status_code == 302
    assert Membership.objects.get(project__code="EVE").user == ap


def test_a_superuser_may_create(client_for, demo):
    """Superusers hold every permission, this one included."""
    boss = User.objects.create_superuser("boss", "boss@slate.example", "x")
    client = client_for(boss)
    assert client.get(CREATE).status_code == 200
    assert client.post(CREATE, new_production()).status_code == 302


def test_create_form_renders(client_for, producer):
    """The producer may open the new-production form, with labelled fields."""
    response = client_for(producer).get(CREATE)
    content = response.content.decode()
    assert response.status_code == 200
    for name in ("name", "code", "kind", "time_zone"):
        assert f'<label for="id_{name}"' in content


def test_create_makes_me_its_supervising_producer(client_for, producer):
    """Creating a production leads to its board, with me as supervising producer."""
    response = client_for(producer).post(CREATE, new_production())
    project = Project.objects.get(code="EVE")
    assert response.status_code == 302
    assert response["Location"] == reverse("project-board", kwargs={"code": "EVE"})
    membership = Membership.objects.get(project=project)
    assert membership.user == producer
    assert membership.role.name == CrewRole.SUPERVISING_PRODUCER


def test_a_lower_case_code_is_taken_as_capitals(client_for, producer):
    """Typing "eve" gives the code EVE."""
    client_for(producer).post(CREATE, new_production(code="eve"))
    assert Project.objects.filter(code="EVE").exists()


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("E1", "Use 2 to 8 capital letters"),
        ("E", "Use 2 to 8 capital letters"),
        ("TOOLONGCODE", "at most 8 characters"),
        ("MORN", "That code is taken; choose another."),
        ("", "This field is required."),
    ],
)
def test_a_bad_code_is_refused_with_a_form_error(client_for, producer, code, sentence):
    """A malformed or taken code re-shows the form with the reason; nothing is made."""
    before = Project.objects.count()
    response = client_for(producer).post(CREATE, new_production(code=code))
    content = response.content.decode()
    assert response.status_code == 400
    assert sentence in content
    assert 'id="id_code_error"' in content
    assert Project.objects.count() == before


def test_a_production_cannot_end_before_it_starts(client_for, producer):
    """End before start is refused with a sentence saying so."""
    response = client_for(producer).post(
        CREATE, new_production(starts_on="2030-05-01", ends_on="2030-04-01")
    )
    assert response.status_code == 400
    assert "A production cannot end before it starts." in response.content.decode()
    assert not Project.objects.filter(code="EVE").exists()


def test_an_unknown_time_zone_is_refused(client_for, producer):
    """The time zone must be a real one."""
    response = client_for(producer).post(
        CREATE, new_production(time_zone="Mars/Olympus")
    )
    assert response.status_code == 400
    assert "“Mars/Olympus” is not a time zone Slate knows" in response.content.decode()
    assert not Project.objects.filter(code="EVE").exists()


def datalist(content: str) -> list[str]:
    """The time zones the new-production form suggests, in order."""
    block = re.search(r'<datalist id="time-zones">(.*?)</datalist>', content, re.S)
    return re.findall(r'<option value="([^"]+)"', block.group(1))


def test_the_time_zone_picker_offers_common_zones_first_without_aliases(
    client_for, producer
):
    """The time zone is typed with suggestions: common zones first, then every
    canonical zone once, and no obsolete alias."""
    content = client_for(producer).get(CREATE).content.decode()
    zones = datalist(content)
    assert 'list="time-zones"' in content
    assert zones[:3] == ["Europe/London", "America/New_York", "America/Chicago"]
    assert zones.index("UTC") < zones.index("Africa/Abidjan")
    assert len(zones) == len(set(zones))
    assert {"Asia/Kathmandu", "America/Argentina/Buenos_Aires"} <= set(zones)
    for alias in ("US/Eastern", "GB", "Europe/Belfast", "Etc/GMT+5", "Asia/Calcutta"):
        assert alias not in zones
    # Searchable by country, not only by city.
    assert 'value="Europe/Berlin" label="Germany' in content


def test_the_time_zone_defaults_to_the_sites_setting(client_for, producer, settings):
    """A new production starts on the site's TIME_ZONE."""
    settings.TIME_ZONE = "Australia/Sydney"
    content = client_for(producer).get(CREATE).content.decode()
    assert re.search(
        r'<input type="text" name="time_zone" value="Australia/Sydney"', content
    )


def test_a_time_zone_typed_in_lower_case_is_taken_as_meant(client_for, producer):
    """Typing "europe/paris" gives Europe/Paris."""
    response = client_for(producer).post(
        CREATE, new_production(time_zone=" europe/paris ")
    )
    assert response.status_code == 302
    assert Project.objects.get(code="EVE").time_zone == "Europe/Paris"


def test_a_production_on_an_alias_zone_still_validates_and_shows(morn):
    """Stored aliases (older productions) stay valid: hidden from the picker only."""
    morn.time_zone = "US/Eastern"
    morn.full_clean()
    morn.save()
    assert morn.tzinfo.key == "US/Eastern"
    form = ProjectForm(instance=morn)
    assert 'value="US/Eastern"' in str(form["time_zone"])


def test_producer_archives_and_unarchives(client_for, producer, morn):
    """The same button archives, then brings back, with a message each time."""
    client = client_for(producer)
    response = client.post(archive_url("MORN"), follow=True)
    morn.refresh_from_db()
    assert morn.archived
    assert "Morning Live is archived" in response.content.decode()
    response = client.post(archive_url("MORN"), follow=True)
    morn.refresh_from_db()
    assert not morn.archived
    assert "Morning Live is active again." in response.content.decode()


def test_archive_is_refused_to_who_may_not_manage(client_for, ap, morn):
    """An AP gets a 403 with the reason, and the production stays as it was."""
    response = client_for(ap).post(archive_url("MORN"))
    morn.refresh_from_db()
    assert response.status_code == 403
    assert "may manage the crew can archive" in response.content.decode()
    assert not morn.archived


def test_archive_of_someone_elses_production_is_a_404(client_for, outsider, morn):
    """An outsider cannot even learn that MORN exists."""
    assert client_for(outsider).post(archive_url("MORN")).status_code == 404
    morn.refresh_from_db()
    assert not morn.archived


def test_archive_is_post_only(client_for, producer):
    """A GET to the archive address does nothing (405)."""
    assert client_for(producer).get(archive_url("MORN")).status_code == 405


def test_pages_need_a_login():
    """The list and the form send an anonymous visitor to log in."""
    for url in (LIST, CREATE):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_list_query_count_is_flat_as_tasks_grow(client_for, ap2, morn):
    """The list runs the same few queries with 5 tasks as with 200."""
    keep = [task.pk for task in Task.objects.filter(project=morn)[:5]]
    Task.objects.filter(project=morn).exclude(pk__in=keep).delete()
    client = client_for(ap2)
    few = count_queries(client, LIST)
    add_generated_tasks(morn, 195)
    many = count_queries(client, LIST)
    assert few == many <= 15
