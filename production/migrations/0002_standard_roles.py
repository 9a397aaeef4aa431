"""The standard crew roles of RULES.md, ready in every installation."""

from django.db import migrations

# The table itself lives beside the model, so that tests which flush the
# database can restore the same roles.
from production.models import STANDARD_ROLES


def add_roles(apps, schema_editor):
    CrewRole = apps.get_model("production", "CrewRole")
    for name, (manage, assign, approve, assignable) in STANDARD_ROLES.items():
        CrewRole.objects.update_or_create(
            project=None,
            name=name,
            defaults={
                "can_manage_crew": manage,
                "can_assign": assign,
                "can_approve": approve,
                "can_be_assigned": assignable,
            },
        )


def remove_roles(apps, schema_editor):
    CrewRole = apps.get_model("production", "CrewRole")
    CrewRole.objects.filter(project=None, name__in=STANDARD_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("production", "0001_initial")]

    operations = [migrations.RunPython(add_roles, remove_roles)]
