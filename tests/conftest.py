"""Shared fixtures. Two tiers:

- unit: no servers at all (SQLite, local memory). What a newcomer's ``make test`` runs.
- integration (``@pytest.mark.integration``): real PostgreSQL and Redis, given by DATABASE_URL and
  REDIS_URL (``.ci/run`` always gives them). Skipped when they are not given; when they are given
  but unreachable the run fails: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support.mailbox import Mailbox
from tests.support.processes import REPO, Process, base_env, free_port, manage
from tests.support.services import (
    DATABASE_URL,
    REDIS_URL,
    SERVICES_GIVEN,
    TEST_SECRET_KEY,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SERVICES_GIVEN:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            "CI must run the integration tier: set DATABASE_URL and REDIS_URL (.ci/run does)"
        )
    skip = pytest.mark.skip(
        reason="integration tier: set DATABASE_URL (postgres://) and "
        "REDIS_URL (redis://), as .ci/run does"
    )
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


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
    """``own_redis(n)``: the URL of Redis database ``n``, emptied, for a test whose keys or
    queue no other test may touch (3: doctor's worker pings, 4: sign-in lockout counts,
    5: the platform replays, 6: the account emails, 7: the API fuzzing run, 8: API throttle
    counts, 9: the PDF report's worker kill)."""
    import redis

    def _own(number: int) -> str:
        url = services["redis"].rsplit("/", 1)[0] + f"/{number}"
        redis.Redis.from_url(url).flushdb()
        return url

    return _own


@pytest.fixture
def fresh_database(services: dict[str, str]) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test's processes; dropped afterwards."""
    import psycopg

    name = f"obcms_it_{secrets.token_hex(4)}"
    admin = psycopg.connect(services["server"], autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(services["database"])
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def built() -> None:
    """The build step every platform runs before starting processes: collectstatic with an
    empty environment."""
    result = manage("collectstatic", "--noinput", env=base_env())
    assert result.returncode == 0, result.stderr


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
    from obcms.records.listing import CHOICES

    forget(PERMISSIONS)
    forget(CHOICES)
