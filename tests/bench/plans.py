"""Query plans of the task queries a page runs: do they find rows by index?

The page is rendered once while an execute wrapper records each SELECT on
the task table with its parameters; each is then explained on the same
database. SQLite: EXPLAIN QUERY PLAN, as Slate runs it (no ANALYZE).
PostgreSQL: EXPLAIN with sequential scans priced out, which shows whether an
index can serve the query at all (on a few thousand rows the planner rightly
prefers a sequential scan, so the natural plan proves nothing either way).
"""

import json
import re

from django.db import connection, transaction
from django.test import Client

TASK_TABLE = "production_task"
# Django aliases a table that appears twice T1, T2... and in subqueries U0...
TASK_ALIAS = re.compile(rf'"{TASK_TABLE}"\s+(?:AS\s+)?"?([A-Z]\d+)\b')

TABLE_SCAN = "table scan"
INDEX_WALK = "whole-index scan"
INDEX_SEARCH = "index search"


def capture(client: Client, url: str) -> tuple[int, list[tuple[str, tuple]]]:
    """The page's status and its distinct SELECTs on the task table."""
    seen = {}

    def record(execute, sql, params, many, context):
        text = sql.lstrip()
        if text[:6].upper() == "SELECT" and f'"{TASK_TABLE}"' in text:
            seen.setdefault((text, repr(params)), (text, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    return response.status_code, list(seen.values())


def task_aliases(sql: str) -> set[str]:
    """The names the task table goes by in this SQL (Django aliases joins)."""
    names = {TASK_TABLE}
    names.update(TASK_ALIAS.findall(sql))
    return names


def sqlite_plan(sql: str, params: tuple) -> tuple[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        rows = cursor.fetchall()
    names = task_aliases(sql)
    lines = [row[3] for row in rows]
    verdict = INDEX_SEARCH
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] == "SCAN" and words[1] in names:
            if "INDEX" in words:
                verdict = INDEX_WALK if verdict == INDEX_SEARCH else verdict
            else:
                verdict = TABLE_SCAN
    return verdict, lines


def _nodes(node: dict, depth: int = 0):
    yield depth, node
    for child in node.get("Plans", []):
        yield from _nodes(child, depth + 1)


def postgresql_plan(sql: str, params: tuple) -> tuple[str, list[str]]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    verdict = INDEX_SEARCH
    lines = []
    for depth, node in _nodes(plan[0]["Plan"]):
        kind = node["Node Type"]
        table = node.get("Relation Name", "")
        index = node.get("Index Name", "")
        lines.append(
            "  " * depth
            + " ".join(
                part
                for part in (kind, f"using {index}" if index else "", table)
                if part
            )
        )
        if table == TASK_TABLE and kind == "Seq Scan":
            verdict = TABLE_SCAN
        elif table == TASK_TABLE and "Index" in kind and not node.get("Index Cond"):
            verdict = INDEX_WALK if verdict == INDEX_SEARCH else verdict
    return verdict, lines


def explain(client: Client, url: str) -> list[dict]:
    """Each task query of the page at `url` with its plan and a verdict."""
    status, queries = capture(client, url)
    if status != 200:
        return [
            {
                "url": url,
                "status": status,
                "sql": "",
                "verdict": "",
                "sorts": False,
                "plan": [],
            }
        ]
    planner = postgresql_plan if connection.vendor == "postgresql" else sqlite_plan
    results = []
    for sql, params in queries:
        verdict, lines = planner(sql, params)
        results.append(
            {
                "url": url,
                "status": status,
                "sql": sql,
                "verdict": verdict,
                # Rows found by index but ordered afterwards, in memory.
                "sorts": any(
                    "TEMP B-TREE FOR ORDER BY" in line
                    or line.strip() in ("Sort", "Incremental Sort")
                    for line in lines
                ),
                "plan": lines,
            }
        )
    return results
