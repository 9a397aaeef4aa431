"""Hot queries compiled once per process, then only run.

Building and compiling a queryset costs Django many times what running a
small query costs the database: a session or a user read by key through the
ORM takes 0.16-0.18 ms here, 0.03 ms compiled once; a person's change
marker (five subqueries) 1.4 ms against 0.02 ms. The few queries every
logged-in request, production page or poll makes (the session and its user,
the membership, the task, the markers, the bell's count) are compiled once
per database with stand-in values and run with the real ones. Timings in
BENCHMARKS.md.

`Compiled` is the technique itself (stand-ins found among a compiled
query's parameters, real values put in their place), also used by the
queries compiled once a request: the calendar's days (production/unions.py).
"""

import re
from collections.abc import Callable, Sequence

from django.db import connections, router
from django.db.models import QuerySet, Value

# Values no request passes, to compile a query with: no row has a negative
# id, no key or code a NUL (Slate refuses one at the door, middleware.py).
STAND_IN_ID = -7_000_000_001
STAND_IN_TEXT = "\x00stand-in"


class Written(Value):
    """A name-like constant (a status) written into the SQL, not sent as a
    parameter: a query whose terms repeat a partial index's condition word
    for word, as SQLite needs to read that index, without the parameter it
    would plan the query again for on every run."""

    def as_sql(self, compiler, connection):
        if not isinstance(self.value, str) or not re.fullmatch(r"[a-z_]+", self.value):
            raise ValueError(
                f"Only a lower-case name is written into SQL: {self.value!r}"
            )
        return f"'{self.value}'", []


class Compiled:
    """A queryset's SQL compiled with `stand_ins` among its values, and the
    parameters that run the same SQL with real values in their place.

    Each stand-in is found among the compiled parameters by equality, so it
    must be as the query holds it (a date prepared for the database, say)
    and equal to no other parameter. `every`: each stand-in must be found
    (a query that lost one would silently run with the stand-in).
    """

    def __init__(
        self, queryset: QuerySet, stand_ins: Sequence, *, using: str, every=True
    ):
        self.compiler = queryset.query.get_compiler(using)
        self.sql, params = self.compiler.as_sql()
        stand_ins = list(stand_ins)
        # For each parameter: the index of the caller's value it takes, or
        # the query's own constant.
        self.slots = [
            (stand_ins.index(param), None) if param in stand_ins else (None, param)
            for param in params
        ]
        found = {at for at, _ in self.slots if at is not None}
        if every and found != set(range(len(stand_ins))):
            raise ValueError("A stand-in is not among the query's parameters.")

    def params(self, values: Sequence) -> list:
        """The parameters with `values` (one for each stand-in, in order)."""
        return [const if at is None else values[at] for at, const in self.slots]


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
        compiled = Compiled(self.build(*self.stand_ins), self.stand_ins, using=alias)
        compiler = compiled.compiler
        columns = [column for column, _, _ in compiler.select]
        return compiled, list(compiler.get_converters(columns).items())

    @staticmethod
    def _width(compiled: Compiled) -> int:
        """How many columns the compiled query's rows have."""
        return len(compiled.compiler.select)

    def counted(self) -> "Prepared":
        """How many rows this query finds, counted by the database: always
        one row of one number."""
        return Counted(self.build, *self.stand_ins)

    def rows(self, *values) -> list[tuple]:
        connection, compiled, converters = self._compiled()
        return self._run(connection, compiled.sql, compiled.params(values), converters)

    def firsts(self, parts: Sequence[tuple[Sequence, int, int]]) -> list[tuple]:
        """For each (values, limit, offset) of `parts`, the query's rows from
        `offset` on, `limit` at most: one UNION ALL of the parts, each read
        through its own index (the board's columns)."""
        if not parts:
            return []
        connection, compiled, converters = self._compiled()
        sql, params = [], []
        for n, (values, limit, offset) in enumerate(parts):
            # Django's own SQL with placeholders; every value goes in params
            # but the counts, written in: PostgreSQL plans a LIMIT it cannot
            # see for a tenth of the rows, so a prepared statement never took
            # its generic plan and was planned again on every board.
            sql.append(
                f"SELECT * FROM ({compiled.sql} LIMIT {int(limit)}"  # noqa: S608
                f" OFFSET {int(offset)}) AS part{n}"
            )
            params += compiled.params(values)
        return self._run(connection, " UNION ALL ".join(sql), params, converters)

    def rows_beside(
        self, values: Sequence, *others: tuple["Prepared", Sequence]
    ) -> list[tuple] | None:
        """This query's rows, each as (its row, then for each (query, values)
        of `others` that query's one row, or None where it finds none), in
        one round trip: on PostgreSQL a query costs a trip to the server,
        worth more than the query itself. Each of `others` finds one row at
        most. None when they read different databases (ask each then)."""
        connection, compiled, converters = self._compiled()
        sql = [f"SELECT * FROM ({compiled.sql}) AS this_part"]  # noqa: S608
        params = compiled.params(values)
        converters = list(converters)
        # (where its "found" flag is, how many columns follow) of each other.
        parts = [(None, self._width(compiled))]
        for n, (other, other_values) in enumerate(others):
            other_connection, other_compiled, other_converters = other._compiled()
            if other_connection is not connection:
                return None
            # The flag tells a row found from one of NULLs, which a LEFT JOIN
            # gives when the part finds none.
            sql.append(
                f"LEFT JOIN (SELECT 1 AS found, part.* FROM ({other_compiled.sql})"  # noqa: S608
                f" AS part) AS part{n} ON 1 = 1"
            )
            params += other_compiled.params(other_values)
            flag = sum(1 + width for _, width in parts) - 1
            converters += [(flag + 1 + at, convert) for at, convert in other_converters]
            parts.append((flag, other._width(other_compiled)))
        rows = self._run(connection, " ".join(sql), params, converters)
        return [
            tuple(
                None if flag is not None and row[flag] is None else row[at : at + width]
                for flag, width in parts
                for at in [0 if flag is None else flag + 1]
            )
            for row in rows
        ]

    def _compiled(self) -> tuple:
        """The connection to read from, and the query compiled for it."""
        if self.model is None:
            self.model = self.build(*self.stand_ins).model
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        key = (alias, connection.vendor)
        if key not in self.compiled:
            self.compiled[key] = self._compile(alias)
        return connection, *self.compiled[key]

    @staticmethod
    def _run(connection, sql: str, params: list, converters) -> list[tuple]:
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


class Counted(Prepared):
    """Prepared.counted(): the query's rows counted, one number."""

    def _compile(self, alias: str) -> tuple:
        queryset = self.build(*self.stand_ins)
        # No order changes a count (a slice's rows are as many in any order).
        queryset.query.clear_ordering(force=True)
        compiled = Compiled(queryset, self.stand_ins, using=alias)
        compiled.sql = f"SELECT COUNT(*) AS counted FROM ({compiled.sql}) AS found"  # noqa: S608
        return compiled, []

    @staticmethod
    def _width(compiled: Compiled) -> int:
        return 1


class Joined:
    """A model and the rows of its foreign keys `relations`, as
    select_related reads them: the columns to ask for, and the instances
    made from a row of them (a relation left empty is None). `only`: for
    the model (None) or a relation, the fields to read, as only() would
    (their primary key always); the others are deferred."""

    def __init__(self, model, *relations: str, only: dict | None = None):
        only = only or {}
        self.parts = [
            (name, related, self._attnames(related, only.get(name)))
            for name, related in [
                (None, model),
                *(
                    (name, model._meta.get_field(name).related_model)
                    for name in relations
                ),
            ]
        ]

    @staticmethod
    def _attnames(model, only) -> list[str]:
        fields = model._meta.concrete_fields
        if only is not None:
            fields = [
                field
                for field in fields
                if field.primary_key or {field.name, field.attname} & set(only)
            ]
        return [field.attname for field in fields]

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
