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
