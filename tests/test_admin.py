"""Django's admin: every model is there, listed, filtered and searchable."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

MODELS = [model for model in apps.get_app_config("production").get_models()]


def test_every_model_is_registered():
    """The site administrator can reach every kind of record Slate keeps."""
    missing = [
        model.__name__ for model in MODELS if not admin.site.is_registered(model)
    ]
    assert missing == []


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelists_list_filter_and_search(demo, client, model):
    """Each list opens, searches and filters without an error for a superuser."""
    from production.models import User

    boss = User.objects.create_superuser("root", "root@slate.example", "x" * 16)
    client.force_login(boss)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(url).status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert client.get(url, {"q": "MORN"}).status_code == 200
    for name in model_admin.list_filter:
        field = opts.get_field(name)
        if field.get_internal_type() == "BooleanField":
            assert client.get(url, {f"{name}__exact": "1"}).status_code == 200


def test_task_list_shows_useful_columns(demo, client):
    """The task list in the admin shows key, title, status and assignee."""
    from production.models import User

    boss = User.objects.create_superuser("root", "root@slate.example", "x" * 16)
    client.force_login(boss)
    page = client.get(reverse("admin:production_task_changelist")).content.decode()
    for heading in ("Key", "Title", "Status", "Assignee", "Due date"):
        assert heading in page
    assert "MORN-3" in page


# --- odd input: ignored (Django's ?e=1), a 400, or a filter that matches nothing ----

# Django's admin answers a filter it cannot apply by going back to the whole
# list (a redirect to ?e=1); the NUL middleware refuses a NUL with a 400.
IGNORED, REFUSED, MATCHES_NONE, SHOWS_ALL = "ignored", "400", "none", "all"

ODD_FILTERS = [
    # The date drill-down: years past 9999, numbers past Python's integers.
    ("task", "due_date__year=99999999999", IGNORED),
    ("task", "due_date__year=9999", IGNORED),
    ("task", "due_date__year=9999&due_date__month=12&due_date__day=31", IGNORED),
    ("task", "due_date__year=2026&due_date__month=99999999999", IGNORED),
    ("task", "due_date__year=2026&due_date__month=2&due_date__day=30", IGNORED),
    ("task", "due_date__year=-5", IGNORED),
    ("task", "due_date__year=abc", IGNORED),
    ("activity", "created_at__year=99999999999", IGNORED),
    ("activity", "created_at__year=9999&created_at__month=12", IGNORED),
    # Ids and choices: a number no row has matches nothing; a word is ignored.
    ("task", "project__id__exact=99999999999999999999", MATCHES_NONE),
    ("task", "project__id__exact=-1", MATCHES_NONE),
    ("task", "project__id__exact=abc", IGNORED),
    ("task", "priority__exact=99999999999999999999", MATCHES_NONE),
    ("membership", "role__id__exact=99999999999999999999", MATCHES_NONE),
    # Booleans.
    ("task", "archived__exact=2", IGNORED),
    ("task", "archived__exact=99999999999999999999", IGNORED),
    ("crewrole", "can_approve__exact=maybe", IGNORED),
    # Pages and orderings past the end.
    ("task", "p=99999999999999999999", SHOWS_ALL),
    ("task", "o=99999999999999999999", SHOWS_ALL),
    # NUL characters, which PostgreSQL refuses in a query: a 400 at the door.
    ("task", "status__exact=%00", REFUSED),
    ("task", "archived__exact=%00", REFUSED),
    ("task", "project__id__exact=%00", REFUSED),
    ("task", "q=MORN%00", REFUSED),
    ("activity", "verb__exact=%00", REFUSED),
    ("episode", "q=%00", REFUSED),
    ("user", "q=%00", REFUSED),
]


@pytest.fixture
def boss_client(demo, client):
    from production.models import User

    boss = User.objects.create_superuser("root", "root@slate.example", "x" * 16)
    client.force_login(boss)
    return client


@pytest.mark.parametrize(("model", "query", "answer"), ODD_FILTERS)
def test_odd_filters_are_ignored_or_refused_never_a_500(
    boss_client, model, query, answer
):
    """An impossible filter in the admin's lists goes back to the whole list,
    a NUL is a 400, and an id no row has lists nothing."""
    model_class = apps.get_model("production", model)
    url = reverse(f"admin:production_{model}_changelist")
    response = boss_client.get(f"{url}?{query}")
    if answer == REFUSED:
        assert response.status_code == 400
        assert "NUL" in response.content.decode()
        return
    if answer == IGNORED:
        assert response.status_code == 302
        assert response["Location"] == f"{url}?e=1"
        response = boss_client.get(response["Location"])
    assert response.status_code == 200
    expected = 0 if answer == MATCHES_NONE else model_class.objects.count()
    assert response.context["cl"].result_count == expected


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("term=%00", 400),
        ("term=ap%00", 400),
        ("term=ap&page=99999999999999999999", 404),
        ("term=" + "9" * 30, 200),
    ],
)
def test_the_autocomplete_refuses_odd_input(boss_client, query, status):
    """The admin's person search answers a NUL with a 400, a page past the end
    with a 404, and a huge number with no one; never a 500."""
    response = boss_client.get(
        "/admin/autocomplete/?app_label=production&model_name=task"
        f"&field_name=assignee&{query}"
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    "object_id", ["99999999999999999999", "-1", "abc", "%00", "1%00"]
)
def test_an_odd_id_in_the_address_is_not_found(boss_client, object_id):
    """A change page for an id no task has goes back to the list, or is a 400."""
    response = boss_client.get(f"/admin/production/task/{object_id}/change/")
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
