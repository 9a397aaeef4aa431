"""One query compiled once and sent many times over, as the parts of a UNION ALL."""

from django.db import connections

from production.models import Task
from production.prepared import Compiled


class Template:
    """A part's query: the ids of some tasks, compiled with its stand-ins
    (production/prepared.py's Compiled) when first added."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.compiled = None


class Parts:
    """Parts of one UNION ALL, each the first ids of a template query with
    its stand-in values replaced (views/calendar.py: a part per day of the
    month, each read through an index, where one query for the month would
    read every task in it). The template is compiled once:
    compiling a query costs as much as running it, and a month has 42 days.
    """

    def __init__(self, db: str):
        self.db = db
        self.connection = connections[db]
        self.sql, self.params, self.keys = [], [], []

    @staticmethod
    def template(tasks, *order) -> Template:
        """The ids of `tasks`, in this order."""
        return Template(tasks.order_by(*order).values_list("pk"))

    def add(self, key, template: Template, values: list[tuple], limit: int):
        """The part `key`: `template` with its stand-ins replaced, `values`
        being (field, stand-in, value); its first `limit` ids."""
        if template.compiled is None:
            stand_ins = [self._prep(field, stand_in) for field, stand_in, _ in values]
            # A template of one time zone holds the other zones' stand-ins not.
            template.compiled = Compiled(
                template.queryset, stand_ins, using=self.db, every=False
            )
        compiled = template.compiled
        params = compiled.params(
            [self._prep(field, value) for field, _, value in values]
        )
        n = len(self.keys)
        # Django's own SQL with placeholders; every value goes in params.
        self.sql.append(
            f"SELECT {n}, part{n}.* FROM ({compiled.sql} LIMIT %s) AS part{n}"  # noqa: S608
        )
        params.append(limit)
        self.params += params
        self.keys.append(key)

    def _prep(self, field: str, value):
        return Task._meta.get_field(field).get_db_prep_value(value, self.connection)

    def rows(self) -> list[tuple]:
        """(key, value) for each row of the parts, in their order."""
        if not self.sql:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(self.sql), self.params)
            return [(self.keys[n], value) for n, value in cursor.fetchall()]
