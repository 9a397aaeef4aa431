"""psycopg's cache of converted statements, widened to hold Slate's unions.

psycopg turns a statement's `%s` placeholders into PostgreSQL's `$1, $2...`
once per distinct statement and keeps the result, but only for statements
of up to 4 KB and 50 parameters, so that an ORM's ever-different INSERTs do
not crowd it. Slate's hot statements are few and fixed (compiled once,
production/prepared.py), and its biggest are unions: the calendar's month
of days (30 KB, 261 parameters) was converted again on every request, 0.36
ms, and its slot counts (7 KB, 173 parameters) 0.23 ms (BENCHMARKS.md).
The cache itself keeps psycopg's bound: its 128 most recent statements.
"""

STATEMENT_BYTES = 64 * 1024
STATEMENT_PARAMS = 1024


def widen() -> bool:
    """Raise psycopg's limits to these; False where its cache is not as
    described above (another version), which is then left as it is."""
    try:
        from psycopg import _queries
    except ImportError:
        return False
    names = ("MAX_CACHED_STATEMENT_LENGTH", "MAX_CACHED_STATEMENT_PARAMS")
    if not all(isinstance(getattr(_queries, name, None), int) for name in names):
        return False
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(
        _queries.MAX_CACHED_STATEMENT_LENGTH, STATEMENT_BYTES
    )
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(
        _queries.MAX_CACHED_STATEMENT_PARAMS, STATEMENT_PARAMS
    )
    return True
