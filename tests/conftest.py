"""Shared fixtures. Two tiers:

- unit: no servers at all (SQLite, local memory). What a newcomer's ``make test`` runs.
- integration (``@pytest.mark.integration``): real PostgreSQL and Redis, given by DATABASE_URL and
  REDIS_URL (``.ci/run`` always gives them). Skipped when they are not given; when they are given
  but unreachable the run fails: CI must never pass by skipping.

Parallel runs: ``make test`` (and so ``.ci/run``) runs the suite with pytest-xdist, ``-n 3
--dist loadfile``: three pytest processes ("workers" gw0..gw2), each test file whole in one of
them, files of different workers running at the same time. Serially (``pytest tests/x.py``)
nothing below changes anything. Rules for every test:

- Redis: use ``services["redis"]`` (the worker's own database: tests/support/parallel.py
  rewrites REDIS_URL per worker before the settings are read) or ``own_redis(n)`` for a
  database no other test touches (emptied; a distinct ``n`` per database a test needs at the
  same time, at most 4 under ``-n 3``). Never build a Redis URL with a fixed database
  number, and never FLUSHALL.
- Celery: processes started from ``released()`` (tests/support/workers.py) with
  ``tests.settings_tasks`` take tasks from the worker's own queue (TEST_CELERY_QUEUE); send
  with ``send()``. A test that points processes at RABBITMQ_URL with other settings must do the
  same: RabbitMQ has one vhost on CI, and two workers on one queue take each other's tasks.
- PostgreSQL: the ``db`` fixture's test database is pytest-django's, suffixed per worker;
  processes get ``fresh_database`` (a new, empty database of their own) or
  ``released_database`` (a new one already migrated: much cheaper than running the release
  on an empty one, for every test that does not test the release itself). Never a fixed
  database name.
- Ports: ``port`` / ``free_port()``, never a fixed number (a port in a Host header is fine).
- Files: ``tmp_path`` / ``tmp_path_factory`` (per worker), a ``DATA_DIR`` under it for every
  process started; never a fixed path in /tmp or a write into the repository. A build that must
  write into the repository (collectstatic into staticfiles/) goes through the ``built``
  fixture, or holds ``build_lock("staticfiles")``.
- One run at a time per Redis server and RabbitMQ vhost: the database blocks and queue names
  are per worker, not per run (two checkouts: two REDIS_URL servers or vhosts).
- Timeouts are guards against hangs, not measurements: CI's 2 cores may be loaded; give a
  subprocess minutes, never a budget it meets only on an idle machine.
- Cost: a module-scoped fixture is built once per file (loadfile keeps a file in one worker);
  share one started process across a file's assertions where the tests allow it.
- Transactional tests (``django_db(transaction=True)``, ``transactional_db``, ``live_server``)
  need nothing more: the rows the migrations made are back after each of them (below), so a
  later test of the process (another file's, under loadfile) finds content types, permissions
  and the terms lists as migrated.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key

from tests.support.mailbox import Mailbox
from tests.support.parallel import RUN_ID, build_lock, own_redis_numbers, with_database
from tests.support.processes import REPO, Process, base_env, free_port, manage
from tests.support.services import (
    DATABASE_URL,
    REDIS_URL,
    SERVICES_GIVEN,
    TEST_SECRET_KEY,
)


def pytest_configure(config: pytest.Config) -> None:
    # Here, not at collection: under xdist only the workers collect, and a usage error
    # raised there ends the run as an internal error that hides the message.
    if not SERVICES_GIVEN and os.environ.get("CI"):
        raise pytest.UsageError(
            "CI must run the integration tier: set DATABASE_URL and REDIS_URL (.ci/run does)"
        )


# The files that take longest (virtualenvs installed from the locks), run first so that under
# xdist (make test: --no-loadscope-reorder keeps this order) no worker starts one at the end.
LONGEST_FIRST = ("tests/platforms/test_heroku_ci.py", "tests/platforms/")


def _longest_first(item: pytest.Item) -> int:
    starts = [i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)]
    return starts[0] if starts else len(LONGEST_FIRST)


def _flushes(item: pytest.Item) -> bool:
    """Whether pytest-django runs ``item`` as a TransactionTestCase: it flushes at the end."""
    marker = item.get_closest_marker("django_db")
    if marker:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    names = {"transactional_db", "live_server", "django_db_reset_sequences"}
    return bool(names & set(getattr(item, "fixturenames", ())))


def _with_serialized_rollback(item: pytest.Item) -> None:
    """Give a transactional test serialized rollback (its other django_db arguments kept):
    pytest-django then serializes the migrated database once per process, and the test's flush
    no longer runs post_migrate, whose content types, permissions and roles under new ids
    would collide with the rows restored after it."""
    marker = item.get_closest_marker("django_db")
    _, reset_sequences, databases, serialized, available_apps = (
        validate_django_db(marker) if marker else (True, False, None, False, None)
    )
    if not serialized:
        upgraded = pytest.mark.django_db(
            transaction=True,
            reset_sequences=reset_sequences,
            databases=databases,
            serialized_rollback=True,
            available_apps=available_apps,
        )
        item.add_marker(upgraded, append=False)  # first: the closest marker wins


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_longest_first)  # stable: the order within each file is kept
    for item in items:
        if _flushes(item):
            _with_serialized_rollback(item)
    if SERVICES_GIVEN:
        return
    skip = pytest.mark.skip(
        reason="integration tier: set DATABASE_URL (postgres://) and "
        "REDIS_URL (redis://), as .ci/run does"
    )
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a transactional test, put back the rows the migrations made.

    Its flush empties every table, and Django restores the serialized contents only at the
    start of the next serialized-rollback test: without this, the next plain ``db`` test of
    the process (under xdist --dist loadfile, the next file's) finds no content types,
    permissions or terms (CI: auditlog's content type 1 missing, Language.objects.first()
    None). Here, not in a fixture: the flush is pytest-django's fixture teardown, and this
    runs after every fixture of the test is torn down. Restoring costs a few tenths of a
    second per transactional test (a handful in the suite); a cheaper partial restore is
    not worth its risk. Not after the last test: the test database is dropped by then.
    """
    if nextitem is None:
        _close_probe_connections()
    try:
        return (yield)
    finally:
        if nextitem is not None and _flushes(item):
            from django.contrib.contenttypes.models import ContentType
            from django.db import connections

            with item.config.stash[blocking_manager_key].unblock():
                for connection in connections.all():
                    if hasattr(connection, "_test_serialized_contents"):
                        contents = connection._test_serialized_contents
                        connection.creation.deserialize_db_from_string(contents)
            # Ids the test cached (a migration run, a post_migrate) may not be the restored ones.
            ContentType.objects.clear_cache()


def _close_probe_connections() -> None:
    """Before the test database is dropped: the readiness checks' threads keep their database
    connection between probes (obcms/health/checks.py), so a test that probed /ready/ in this
    process left one open, and dropping the database failed ("being accessed by other users",
    a warning in every CI run, and the database left behind)."""
    checks = sys.modules.get("obcms.health.checks")
    if checks is None:
        return
    from django.db import connections

    for lane in list(checks.LANES.values()):
        with contextlib.suppress(FutureTimeout):  # a lane a test left stuck on a blackhole
            lane.submit(connections.close_all).result(timeout=10)


@pytest.fixture(scope="session")
def services() -> dict[str, str]:
    """The real servers, checked once: unreachable means the run fails, not skips."""
    import psycopg
    import redis

    # The server's maintenance database: the one in DATABASE_URL is pytest-django's to create.
    server = urlunsplit(urlsplit(DATABASE_URL)._replace(path="/postgres"))
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.fail(f"DATABASE_URL is given but PostgreSQL is unreachable: {exc}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"REDIS_URL is given but Redis is unreachable: {exc}")
    return {"database": DATABASE_URL, "server": server, "redis": REDIS_URL}


@pytest.fixture
def own_redis(services: dict[str, str]) -> Callable[[int], str]:
    """``own_redis(n)``: the URL of a Redis database of this test's own, emptied, for a test
    whose keys or queue no other test may touch. Serially it is database ``n`` (3: doctor's
    worker pings, 4: sign-in lockout counts, 5: the platform replays, 6: the account emails,
    7: the API fuzzing run, 8: API throttle counts, 9: the PDF report's worker kill); under
    xdist, a database of the worker's own block (tests/support/parallel.py)."""
    import redis

    numbers = own_redis_numbers()

    def _own(number: int) -> str:
        url = with_database(services["redis"], numbers(number))
        redis.Redis.from_url(url).flushdb()
        return url

    return _own


def _create_database(services: dict[str, str], template: str = "") -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template`` if given), dropped afterwards."""
    import psycopg

    name = f"obcms_it_{secrets.token_hex(4)}"
    admin = psycopg.connect(services["server"], autocommit=True)
    copy = f' TEMPLATE "{template}"' if template else ""
    admin.execute(f'CREATE DATABASE "{name}"{copy}')
    parts = urlsplit(services["database"])
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def fresh_database(services: dict[str, str]) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test's processes; dropped afterwards."""
    yield from _create_database(services)


@pytest.fixture(scope="session")
def released_template(services: dict[str, str], tmp_path_factory) -> Iterator[str]:
    """The name of a database the release step has migrated, once per pytest process: the
    template of ``released_database``. Migrating takes a Django process tens of seconds on a
    loaded machine; copying a template takes PostgreSQL well under one."""
    for url in _create_database(services):
        env = base_env(
            SECRET_KEY=TEST_SECRET_KEY,
            ALLOWED_HOSTS="obcms.example.org",
            DATA_DIR=str(tmp_path_factory.mktemp("template")),
            DATABASE_URL=url,
        )
        release = manage("release", env=env)
        assert release.returncode == 0, release.stdout + release.stderr
        yield urlsplit(url).path.lstrip("/")


@pytest.fixture
def released_database(services: dict[str, str], released_template: str) -> Iterator[str]:
    """A new PostgreSQL database with every migration applied (a copy of
    ``released_template``), for tests of processes that need a released deployment, not of
    the release itself (those take ``fresh_database``). Dropped afterwards."""
    yield from _create_database(services, released_template)


@pytest.fixture(scope="session")
def released_sqlite_template(tmp_path_factory) -> Path:
    """The embedded SQLite database after the release step, once per pytest process: the
    template of ``released_sqlite``."""
    data = tmp_path_factory.mktemp("sqlite-template")
    env = base_env(
        SECRET_KEY=TEST_SECRET_KEY, ALLOWED_HOSTS="obcms.example.org", DATA_DIR=str(data)
    )
    release = manage("release", env=env)
    assert release.returncode == 0, release.stdout + release.stderr
    database = data / "obcms.sqlite3"
    with sqlite3.connect(database) as db:  # everything into the file itself, none in a WAL
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return database


@pytest.fixture(scope="session")
def released_sqlite(released_sqlite_template: Path) -> Callable[[str | Path], None]:
    """``released_sqlite(data_dir)`` puts a migrated copy of the embedded database into
    ``data_dir``: the SQLite twin of ``released_database``, for tests of processes that need
    a released deployment on the embedded defaults, not of the release itself (their own
    release then finds nothing to apply). Migrating an empty SQLite file took a loaded
    machine 20 to 40 s per test."""

    def _place(data_dir: str | Path) -> None:
        folder = Path(data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(released_sqlite_template, folder / released_sqlite_template.name)

    return _place


@pytest.fixture(scope="session")
def built() -> None:
    """The build step every platform runs before starting processes: collectstatic with an
    empty environment. Once per run: the first xdist worker builds under a lock, the others
    wait for it and find it done."""
    with build_lock("staticfiles") as done:
        if done.exists() and done.read_text() == RUN_ID:
            return
        # Compressing every file took a loaded 2-core machine over the default 120 s.
        result = manage("collectstatic", "--noinput", env=base_env(), timeout=600)
        assert result.returncode == 0, result.stderr
        assert "static file" in result.stdout
        done.write_text(RUN_ID)


@pytest.fixture
def production_env(tmp_path, built) -> dict[str, str]:
    """Production posture on embedded defaults: DEBUG off, a secret, one host; built."""
    return base_env(
        SECRET_KEY=TEST_SECRET_KEY,
        ALLOWED_HOSTS="obcms.example.org",
        DATA_DIR=str(tmp_path / "data"),
        LOG_FORMAT="json",
    )


@pytest.fixture
def start() -> Iterator:
    """``start(command, env, name=..., cwd=...)`` starts a process that is always stopped at
    teardown; ``cwd`` is the repository unless a test built a copy of it (a slug, an image)."""
    started: list[Process] = []

    def _start(
        command: str, env: dict[str, str], name: str = "process", cwd: Path = REPO
    ) -> Process:
        process = Process(command, env, name=name, cwd=cwd)
        started.append(process)
        return process

    yield _start
    for process in started:
        process.stop()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on loopback: processes given ``EMAIL_URL=mailbox.url`` mail it."""
    box = Mailbox()
    yield box
    box.close()


@pytest.fixture(autouse=True)
def _test_client_settings(settings) -> None:
    """For Django's in-process test client only: plain http and unhashed static names. Real
    processes started by tests keep the production values."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _nothing_remembered() -> None:
    """Each test's database starts over (its rows rolled back, its ids reused across runs),
    so nothing remembered in the shared cache (obcms/db/shared_cache.py) may carry over."""
    from obcms.accounts.roles import PERMISSIONS
    from obcms.db.shared_cache import forget
    from obcms.records.figures import FIGURES
    from obcms.records.listing import CHOICES

    forget(PERMISSIONS)
    forget(CHOICES)
    forget(FIGURES)
