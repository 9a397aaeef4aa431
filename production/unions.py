"""One query compiled once and sent many times over, as the parts of a UNION ALL."""

from django.db import connections

from production.models import Task


class Parts:
    """Parts of one UNION ALL, each a count or the first ids of a template
    query with its stand-in values replaced (views/calendar.py: a part per
    day of the month, each read through an index, where one query for the
    month would read every task in it). The template is compiled once:
    compiling a query costs as much as running it, and a month has 42 days.
    """

    def __init__(self, db: str):
        self.connection = connections[db]
        self.sql, self.params, self.keys = [], [], []

    @staticmethod
    def template(tasks, *order) -> tuple[str, list]:
        """The SQL and parameters of the ids of `tasks`, in this order."""
        query = tasks.order_by(*order).values_list("pk").query
        sql, params = query.sql_with_params()
        return sql, list(params)

    def add(self, key, template, values: list[tuple], limit: int | None = None):
        """The part `key`: `template` with its stand-ins replaced, `values`
        being (field, stand-in, value); its first `limit` ids, or (None) its
        count."""
        sql, params = template
        prepared = {
            self._prep(field, stand_in): self._prep(field, value)
            for field, stand_in, value in values
        }
        params = [prepared.get(param, param) for param in params]
        n = len(self.keys)
        # Django's own SQL with placeholders; every value goes in params.
        if limit is None:
            self.sql.append(f"SELECT {n}, COUNT(*) FROM ({sql}) AS part{n}")  # noqa: S608
        else:
            self.sql.append(f"SELECT {n}, part{n}.* FROM ({sql} LIMIT %s) AS part{n}")  # noqa: S608
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
