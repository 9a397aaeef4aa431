"""Production settings: safe by default, loud when misconfigured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        # The browser tests' async flag is a test-only setting, not production's.
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DATABASE_URL",
            "TIME_ZONE",
        }
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="production.settings")
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def deploy_check(**env):
    """`check --deploy` under production settings with a real key, hosts and a mail server."""
    return manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="slate.example",
        EMAIL_HOST="smtp.slate.example",
        **env,
    )


def test_production_settings_pass_the_deploy_check():
    """With DEBUG off, a real key, hosts and a mail server, `check --deploy`
    finds nothing (without a mail server it refuses the console e-mail)."""
    result = deploy_check(SITE_URL="https://slate.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_when_site_url_is_left_local():
    """Without SITE_URL, `check --deploy` says the e-mails' links would lead nowhere."""
    result = deploy_check()
    assert result.returncode != 0
    assert "slate.W001" in result.stderr + result.stdout
    assert "Set SITE_URL" in result.stderr + result.stdout


def test_refuses_to_start_without_a_secret_key():
    """With DEBUG off and no SECRET_KEY, Slate stops with one line saying what to set."""
    result = manage("check")
    assert result.returncode != 0
    message = result.stderr.strip()
    assert message.count("\n") == 0
    assert "set SECRET_KEY" in message


def test_debug_is_off_unless_set():
    """DEBUG stays off when the environment says nothing about it."""
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY="x" * 50,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("count", ["one", "-1"])
def test_a_proxy_count_that_is_not_a_number_stops_slate_with_a_sentence(count):
    """TRUSTED_PROXY_COUNT=one is refused at start, not guessed at."""
    result = manage("check", DEBUG="1", TRUSTED_PROXY_COUNT=count)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be a number" in result.stderr


def site_time_zone(**env) -> str:
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TIME_ZONE)",
        DEBUG="1",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_sites_time_zone_comes_from_the_environment():
    """TIME_ZONE sets the site's clock and new productions' default; unset, UTC."""
    assert site_time_zone() == "UTC"
    assert site_time_zone(TIME_ZONE="") == "UTC"
    assert site_time_zone(TIME_ZONE="Europe/London") == "Europe/London"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd"])
def test_an_unknown_site_time_zone_stops_slate_with_a_sentence(zone):
    """A misspelt TIME_ZONE is refused at start, not at the first page."""
    result = manage("check", DEBUG="1", TIME_ZONE=zone)
    assert result.returncode != 0
    assert f"TIME_ZONE={zone!r} is not a time zone" in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_parallel_workers():
    """Slate's small indexed queries lose more to starting parallel workers
    than the workers save (BENCHMARKS.md): each PostgreSQL connection turns
    them off, keeping any options the address already gave."""
    from django.db import connection

    from production.settings import without_parallel_workers

    database = {"OPTIONS": {"options": "-c statement_timeout=5000"}}
    without_parallel_workers(database)
    assert database["OPTIONS"]["options"] == (
        "-c statement_timeout=5000 -c max_parallel_workers_per_gather=0"
    )
    if connection.vendor == "postgresql":  # the test database's own connection
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone() == ("0",)


@pytest.mark.django_db
def test_postgresql_connections_prepare_the_statements_they_repeat(producer):
    """Planning a small query costs PostgreSQL more than running it: a
    statement a connection runs again and again is prepared once and run by
    name with its generic plan, while options the address gave are kept."""
    from django.db import connection

    from production.sessions import _USER
    from production.settings import with_prepared_statements

    database = {"OPTIONS": {"prepare_threshold": 2, "options": "-c work_mem=8MB"}}
    with_prepared_statements(database)
    assert database["OPTIONS"] == {
        "prepare_threshold": 2,
        "server_side_binding": True,
        "options": "-c work_mem=8MB -c plan_cache_mode=force_generic_plan",
    }
    if connection.vendor == "postgresql":  # the test database's own connection
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone()[0] == "force_generic_plan"

        def prepared() -> int:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_prepared_statements")
                return cursor.fetchone()[0]

        before = prepared()
        for _ in range(6):  # the first five run unprepared
            assert _USER.rows(producer.pk)[0][0] == producer.pk
        assert prepared() == before + 1
        for _ in range(6):  # then by name, prepared once
            assert _USER.rows(producer.pk)[0][0] == producer.pk
        assert prepared() == before + 1
