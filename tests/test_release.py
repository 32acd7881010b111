"""`python manage.py release`: safe wherever, whenever and however often a platform runs it."""

import threading
import time

import psycopg
import pytest

from obcms.locks import MIGRATION_KEY
from tests.support.processes import free_port, http_get, manage, procfile


def migration_rows(database_url: str) -> list[tuple[str, str]]:
    with psycopg.connect(database_url) as db:
        return db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()


def lock_is_free(database_url: str) -> bool:
    with psycopg.connect(database_url) as db:
        taken = db.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_KEY]).fetchone()[0]
        if taken:
            db.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_KEY])
        return taken


@pytest.mark.integration
def test_four_releases_at_once_apply_every_migration_exactly_once(
    start, production_env, fresh_database
):
    env = {**production_env, "DATABASE_URL": fresh_database}
    releases = [start(procfile()["release"], env, name=f"release-{i}") for i in range(4)]
    codes = [release.wait(120) for release in releases]
    outputs = [release.output for release in releases]

    assert codes == [0, 0, 0, 0], outputs
    for output in outputs:
        assert "Error" not in output and "Traceback" not in output, output
    rows = migration_rows(fresh_database)
    assert len(rows) == len(set(rows))
    applied_by = [output for output in outputs if "applying" in output]
    assert len(applied_by) == 1  # the others waited, then found nothing to do
    assert sum("no migrations to apply" in output for output in outputs) == 3
    assert lock_is_free(fresh_database)


@pytest.mark.integration
def test_release_is_idempotent(production_env, fresh_database):
    env = {**production_env, "DATABASE_URL": fresh_database}
    first = manage("release", env=env)
    assert first.returncode == 0, first.stderr
    rows = migration_rows(fresh_database)
    second = manage("release", env=env)
    assert second.returncode == 0, second.stderr
    assert "no migrations to apply" in second.stdout
    assert migration_rows(fresh_database) == rows


@pytest.mark.integration
def test_release_while_web_serves_fails_no_request(start, production_env, fresh_database, port):
    env = {**production_env, "DATABASE_URL": fresh_database}
    partial = manage("migrate", "auth", "0011", env={**env, "DEBUG": "true"})
    assert partial.returncode == 0, partial.stderr
    start(procfile()["web"], {**env, "PORT": str(port)}, name="web").wait_for_http(
        f"http://127.0.0.1:{port}/health/"
    )

    statuses: list[int] = []
    done = threading.Event()

    def hammer() -> None:
        while not done.is_set():
            for path, headers in (
                ("/health/", {}),
                ("/admin/login/", {"X-Forwarded-Proto": "https"}),
            ):
                statuses.append(
                    http_get(
                        f"http://127.0.0.1:{port}{path}", host="obcms.example.org", headers=headers
                    )[0]
                )

    client = threading.Thread(target=hammer)
    client.start()
    time.sleep(0.3)
    release = manage("release", env=env)
    time.sleep(0.3)
    done.set()
    client.join(10)

    assert release.returncode == 0, release.stderr
    assert "applying" in release.stdout
    assert statuses and all(status < 500 for status in statuses), sorted(set(statuses))


@pytest.mark.integration
def test_a_failing_migration_fails_cleanly_and_frees_the_lock(production_env, fresh_database):
    env = {
        **production_env,
        "DATABASE_URL": fresh_database,
        "DJANGO_SETTINGS_MODULE": "tests.settings_brokenapp",
    }
    for _attempt in range(2):  # the second run reports the same failure, not a stuck lock
        result = manage("release", env=env, timeout=60)
        assert result.returncode == 1
        assert "migration failed (DataError: division by zero" in result.stderr
        assert "still pending: brokenapp.0001_initial" in result.stderr
        assert "Traceback" not in result.stderr
        assert lock_is_free(fresh_database)
    assert ("brokenapp", "0001_initial") not in migration_rows(fresh_database)
    assert ("sessions", "0001_initial") in migration_rows(fresh_database)


@pytest.mark.integration
def test_release_waits_for_a_held_lock_then_gives_up_clearly(production_env, fresh_database):
    env = {**production_env, "DATABASE_URL": fresh_database}
    with psycopg.connect(fresh_database) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_KEY])
        result = manage("release", "--lock-timeout", "1", env=env)
    assert result.returncode == 1
    assert "another release has held the migration lock" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.integration
def test_release_without_secret_key_leaves_the_database_untouched(production_env, fresh_database):
    env = {**production_env, "DATABASE_URL": fresh_database}
    del env["SECRET_KEY"]
    result = manage("release", env=env)
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("obcms: ")]
    assert problems[0].startswith("obcms: SECRET_KEY is not set")
    assert len(problems) == 2  # the problem, then where every variable is described
    with psycopg.connect(fresh_database) as db:
        tables = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone()[0] == 0


def test_release_against_an_unreachable_database_says_so_in_one_line(production_env):
    closed = free_port()  # bound and released: nothing listens there
    env = {**production_env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed}/obcms"}
    result = manage("release", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("CommandError: cannot reach the database (connection failed")
    assert "check DATABASE_URL" in line


def test_release_on_sqlite_serialises_locally_and_is_idempotent(production_env):
    first = manage("release", env=production_env)
    second = manage("release", env=production_env)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "applying" in first.stdout
    assert "no migrations to apply" in second.stdout


def test_release_twice_at_once_on_sqlite(start, production_env):
    releases = [start(procfile()["release"], production_env, name=f"r{i}") for i in range(2)]
    codes = [release.wait(60) for release in releases]
    outputs = [release.output for release in releases]
    assert codes == [0, 0], outputs
    assert sum("applying" in output for output in outputs) == 1
