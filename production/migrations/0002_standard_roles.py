"""The standard crew roles of PRODUCT.md, ready in every installation."""

from django.db import migrations

# name: (manage crew, assign tasks, approve work, can be assigned)
STANDARD_ROLES = {
    "Supervising Producer": (True, True, True, True),
    "Producer": (False, True, True, True),
    "Line Producer": (True, True, False, True),
    "Associate Producer": (False, False, False, True),
    "Editor": (False, False, False, True),
    "Writer": (False, False, False, True),
}


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
