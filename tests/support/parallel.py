"""What each pytest-xdist worker owns, so that tests running at the same time in different
workers never share a Redis database, a Celery queue or a build in progress.

Loaded with ``-p tests.support.parallel`` (pyproject's addopts): a plugin given with ``-p`` is
imported before pytest-django reads the settings, so the REDIS_URL rewritten here is the one
the in-process settings (cache, throttles, lockouts) and every test see. Run serially (no
``-n``), nothing changes: REDIS_URL as given, ``own_redis(n)`` is database ``n``.

Under xdist, Redis's 16 databases are split into one block per worker: the block's first
database is the worker's REDIS_URL, the others are handed out by ``own_redis`` (one per
distinct number a test asks for). The test database is pytest-django's, already suffixed per
worker (``test_obcms_gw0``); ``fresh_database`` names are random; ``tmp_path`` is per worker.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.support.processes import REPO

# "gw0", "gw1", ... in an xdist worker; "" when the run is serial.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
# Redis's default `databases 16`; managed Redis services keep it.
REDIS_DATABASES = 16
# The Celery queue of the worker processes a test starts (tests/settings_tasks.py reads it
# from TEST_CELERY_QUEUE) and of the tasks it sends: RabbitMQ has one vhost on CI, so the
# workers of two xdist workers would otherwise take each other's tasks from "celery".
CELERY_QUEUE = f"obcms-tests-{WORKER}" if WORKER else "celery"


def _block() -> range:
    """This worker's Redis databases (all of them when serial)."""
    if not WORKER:
        return range(REDIS_DATABASES)
    size = REDIS_DATABASES // WORKERS
    if size < 2:
        raise RuntimeError(
            f"{WORKERS} xdist workers leave fewer than 2 of Redis's {REDIS_DATABASES} "
            "databases to each: use -n 8 or fewer"
        )
    index = int(WORKER.removeprefix("gw"))
    return range(index * size, (index + 1) * size)


def with_database(url: str, number: int) -> str:
    """``url`` pointing at Redis database ``number``."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


def _isolate_redis_url() -> None:
    url = os.environ.get("REDIS_URL", "")
    if WORKER and url.startswith(("redis://", "rediss://")):
        os.environ["REDIS_URL"] = with_database(url, _block()[0])


_isolate_redis_url()


def own_redis_numbers() -> Callable[[int], int]:
    """For one test: the Redis database its ``own_redis(n)`` gets. Serially ``n`` itself; under
    xdist the next free database of this worker's block for each new ``n``."""
    if not WORKER:
        return lambda number: number
    private = list(_block()[1:])
    given: dict[int, int] = {}

    def _number(number: int) -> int:
        if number not in given:
            if len(given) == len(private):
                raise RuntimeError(
                    f"a test asked for more than {len(private)} own Redis databases under "
                    f"{WORKERS} xdist workers: use fewer, or run with fewer workers"
                )
            given[number] = private[len(given)]
        return given[number]

    return _number


@contextmanager
def build_lock(name: str) -> Iterator[Path]:
    """Hold an exclusive lock shared by all workers of every run on this checkout (for a
    build writing into the repository, such as collectstatic into staticfiles/); yields a
    marker file the holder may use to note that the build is done for this run."""
    folder = REPO / ".pytest_cache"
    folder.mkdir(exist_ok=True)
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield folder / f"{name}.done"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# One identifier for the whole run, the same in every worker (xdist sets it); a serial run
# makes its own.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"serial-{os.getpid()}"
