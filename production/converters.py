"""URL parts: a production's code (MORN) and a task's key (MORN-12)."""

from django.urls.converters import StringConverter


class ProjectCodeConverter(StringConverter):
    regex = "[A-Z]{2,8}"


class TaskKeyConverter(StringConverter):
    regex = "[A-Z]{2,8}-[0-9]{1,9}"
