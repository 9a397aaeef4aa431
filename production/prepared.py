"""Hot queries compiled once per process, then only run.

Building and compiling a queryset costs Django many times what running a
small query costs the database: a session or a user read by key through the
ORM takes 0.16-0.18 ms here, 0.03 ms compiled once; a person's change
marker (five subqueries) 1.4 ms against 0.02 ms. The few queries every
logged-in request, production page or poll makes (the session and its user,
the membership, the task, the markers, the bell's count) are compiled once
per database with stand-in values and run with the real ones. Timings in
BENCHMARKS.md.
"""

from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet

# Values no request passes, to compile a query with: no row has a negative
# id, no key or code a NUL (Slate refuses one at the door, middleware.py).
STAND_IN_ID = -7_000_000_001
STAND_IN_TEXT = "\x00stand-in"


class Prepared:
    """`build(*values)` is a `values_list(...)` queryset; `stand_ins` are
    values no caller passes, one for each of `build`'s arguments, in order,
    each found again among the compiled parameters by equality.

    Rows come back as Django's own would: the backend's converters (a date
    read from SQLite's text, say) applied.
    """

    def __init__(self, build: Callable[..., QuerySet], *stand_ins):
        self.build = build
        self.stand_ins = stand_ins
        self.model = None
        self.compiled: dict[tuple[str, str], tuple] = {}

    def _compile(self, alias: str) -> tuple:
        compiler = self.build(*self.stand_ins).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        # For each parameter: the index of the caller's value it takes, or
        # the query's own constant.
        slots = [
            (self.stand_ins.index(param), None)
            if param in self.stand_ins
            else (None, param)
            for param in params
        ]
        if {at for at, _ in slots if at is not None} != set(range(len(self.stand_ins))):
            raise ValueError("A stand-in is not among the query's parameters.")
        columns = [column for column, _, _ in compiler.select]
        return sql, slots, list(compiler.get_converters(columns).items())

    def rows(self, *values) -> list[tuple]:
        if self.model is None:
            self.model = self.build(*self.stand_ins).model
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        key = (alias, connection.vendor)
        if key not in self.compiled:
            self.compiled[key] = self._compile(alias)
        sql, slots, converters = self.compiled[key]
        params = [const if at is None else values[at] for at, const in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(tuple(row))
        return converted


class Joined:
    """A model and the rows of its foreign keys `relations`, as
    select_related reads them: the columns to ask for, and the instances
    made from a row of them (a relation left empty is None)."""

    def __init__(self, model, *relations: str):
        self.parts = [
            (name, related, [field.attname for field in related._meta.concrete_fields])
            for name, related in [
                (None, model),
                *(
                    (name, model._meta.get_field(name).related_model)
                    for name in relations
                ),
            ]
        ]

    def columns(self) -> list[str]:
        return [
            f"{name}__{column}" if name else column
            for name, _, columns in self.parts
            for column in columns
        ]

    def load(self, row: tuple) -> tuple:
        """The instance of `row`'s first columns, its relations set, and the
        columns after them."""
        db = router.db_for_read(self.parts[0][1])
        instance = None
        for name, model, columns in self.parts:
            values, row = row[: len(columns)], row[len(columns) :]
            if name is None:
                instance = model.from_db(db, columns, values)
            else:
                empty = values[columns.index(model._meta.pk.attname)] is None
                related = None if empty else model.from_db(db, columns, values)
                setattr(instance, name, related)
        return instance, row
