"""Backups of the embedded database, taken while people keep working."""

import os
import secrets
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from production import services
from production.management.commands.seed_demo import seed_base
from production.models import Comment, Task, User

ROOT = Path(__file__).resolve().parent.parent


def count(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_backup_under_concurrent_writes_restores_intact(tmp_path):
    """A backup taken mid-stream of comments is consistent and opens in Slate."""
    seed_base()
    if connection.vendor != "sqlite":
        with pytest.raises(CommandError, match="pg_dump"):
            call_command("backup", str(tmp_path / "copy.sqlite3"))
        return
    task = Task.objects.get(key="MORN-3")
    comments_before = Comment.objects.count()
    ap = User.objects.get(username="ap")
    stop = threading.Event()
    written = []

    def keep_commenting():
        try:
            while not stop.is_set() and len(written) < 400:
                services.comment_add(task=task, by=ap, body=f"note {len(written)}")
                written.append(1)
        finally:
            connections.close_all()

    writer = threading.Thread(target=keep_commenting)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        target = tmp_path / "copy.sqlite3"
        call_command("backup", str(target), stdout=open(os.devnull, "w"))  # noqa: SIM115
    finally:
        stop.set()
        writer.join(timeout=60)

    comments = count(target, "select count(*) from production_comment")
    recorded = count(
        target, "select count(*) from production_activity where verb = 'commented'"
    )
    added = comments - comments_before
    assert 20 <= added <= len(written)
    assert added == recorded  # each comment and its record, or neither

    restored = tmp_path / "restored.sqlite3"
    restored.write_bytes(target.read_bytes())
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(50)}
    env.update(
        DATABASE_URL=f"sqlite:///{restored}",
        DJANGO_SETTINGS_MODULE="production.settings",
    )
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from production.models import Comment; print(Comment.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(comments)


@pytest.mark.django_db
def test_backup_will_not_overwrite_by_accident(tmp_path):
    """An existing file is kept unless --overwrite is given."""
    target = tmp_path / "existing.sqlite3"
    target.write_text("keep me")
    with pytest.raises(CommandError):
        call_command("backup", str(target))
    assert target.read_text() == "keep me"
