"""A consistent copy of the SQLite database, safe to take while Slate runs."""

import re
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Copy the SQLite database to PATH with SQLite's online backup, "
        "consistent even while Slate is serving and writing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the copy (a new file).")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace PATH if it exists."
        )

    def handle(self, *args, path, overwrite, **options):
        if connection.vendor != "sqlite":
            raise CommandError(
                "backup copies the embedded SQLite database; for PostgreSQL "
                "use pg_dump."
            )
        target = Path(path)
        if target.exists() and not overwrite:
            raise CommandError(f"{target} exists; pass --overwrite to replace it.")
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        source = Path(connection.settings_dict["NAME"])
        partial = target.with_name(target.name + ".partial")
        # SQLite's backup API copies page by page and restarts when a writer
        # changes a page it already copied, so the copy is one consistent
        # moment; writers keep working meanwhile.
        with (
            sqlite3.connect(source, timeout=30) as live,
            sqlite3.connect(partial) as copy,
        ):
            live.backup(copy, pages=1024)
        copy.close()
        live.close()
        check = sqlite3.connect(partial)
        # Our CHECK constraints use REGEXP, which Django provides to its own
        # connections; the integrity check evaluates them too.
        check.create_function(
            "REGEXP", 2, lambda pattern, value: bool(re.search(pattern, value or ""))
        )
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if result != "ok":
            partial.unlink()
            raise CommandError(f"The copy failed its integrity check: {result}")
        partial.replace(target)
        self.stdout.write(f"Backed up {source.name} to {target}.")
