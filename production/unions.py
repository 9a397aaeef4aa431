"""One query compiled once and sent many times over, as the parts of a UNION ALL."""

from django.db import connections

from production.models import Task
from production.prepared import Compiled


class Query:
    """A queryset compiled once and kept, to be run again as it is: its SQL,
    its params and the converters of its columns."""

    def __init__(self, queryset, db: str):
        compiler = queryset.query.get_compiler(db)
        self.db = db
        self.sql, self.params = compiler.as_sql()
        columns = [column for column, _, _ in compiler.select]
        self.converters = list(compiler.get_converters(columns).items())

    def rows(self) -> list[tuple]:
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            found = cursor.fetchall()
        return [converted(row, self.converters, connection) for row in found]


def converted(row, converters, connection) -> tuple:
    """`row` as Django reads it (a date from SQLite's text, say)."""
    if not converters:
        return tuple(row)
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        # Django's converters leave a NULL as None: most of a day's rows
        # are due dates, without a slot's times.
        if value is None:
            continue
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return tuple(row)


class Template:
    """A part's query: some columns of some tasks, compiled with its
    stand-ins (production/prepared.py's Compiled) when first added."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.compiled = None
        self.converters = []


class Parts:
    """Parts of one UNION ALL, each the first rows of a template query with
    its stand-in values replaced (views/calendar.py: a part per day of the
    month, each read through an index, where one query for the month would
    read every task in it). The template is compiled once:
    compiling a query costs as much as running it, and a month has 42 days.
    """

    def __init__(self, db: str):
        self.db = db
        self.connection = connections[db]
        self.sql, self.params, self.keys, self.templates = [], [], [], []

    @staticmethod
    def template(tasks, *order, fields=("pk",)) -> Template:
        """The `fields` of `tasks`, in this order: the same fields for every
        template of one union."""
        return Template(tasks.order_by(*order).values_list(*fields))

    def add(self, key, template: Template, values: list[tuple], limit: int):
        """The part `key`: `template` with its stand-ins replaced, `values`
        being (field, stand-in, value), the value prepared for the database
        as the query holds it; its first `limit` rows."""
        if template.compiled is None:
            stand_ins = [self._prep(field, stand_in) for field, stand_in, _ in values]
            # A template of one time zone holds the other zones' stand-ins not.
            template.compiled = Compiled(
                template.queryset, stand_ins, using=self.db, every=False
            )
            compiler = template.compiled.compiler
            columns = [column for column, _, _ in compiler.select]
            template.converters = list(compiler.get_converters(columns).items())
        compiled = template.compiled
        params = compiled.params([value for _, _, value in values])
        n = len(self.keys)
        # Django's own SQL with placeholders; every value goes in params.
        self.sql.append(
            f"SELECT {n}, part{n}.* FROM ({compiled.sql} LIMIT %s) AS part{n}"  # noqa: S608
        )
        params.append(limit)
        self.params += params
        self.keys.append(key)
        self.templates.append(template)

    def _prep(self, field: str, value):
        return Task._meta.get_field(field).get_db_prep_value(value, self.connection)

    def rows(self) -> list[tuple]:
        """(key, row) for each row of the parts, in their order; each row's
        values as Django reads them (a date from SQLite's text, say)."""
        if not self.sql:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(self.sql), self.params)
            found = cursor.fetchall()
        return [
            (
                self.keys[n],
                converted(row, self.templates[n].converters, self.connection),
            )
            for n, *row in found
        ]
