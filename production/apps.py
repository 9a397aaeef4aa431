from django.apps import AppConfig


class ProductionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "production"
    verbose_name = "Slate"

    def ready(self):
        from django.conf import settings

        from production import (
            checks,  # noqa: F401 - registers the deploy checks
            psycopg_cache,
        )

        if any(
            database["ENGINE"].endswith("postgresql")
            for database in settings.DATABASES.values()
        ):
            psycopg_cache.widen()
