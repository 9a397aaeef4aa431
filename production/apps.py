from django.apps import AppConfig


class ProductionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "production"
    verbose_name = "Slate"

    def ready(self):
        from production import checks  # noqa: F401 - registers the deploy checks
