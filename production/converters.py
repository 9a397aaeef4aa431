"""URL parts: a production's code (MORN) and a task's key (MORN-12)."""


class ProjectCodeConverter:
    regex = "[A-Z]{2,8}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class TaskKeyConverter(ProjectCodeConverter):
    regex = "[A-Z]{2,8}-[0-9]{1,9}"
