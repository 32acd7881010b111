"""Which migrations the database still lacks, by Django's own reckoning.

The readiness probe, the release command and the worker's and beat's wait at start all ask
here. The answer is Django's migration plan to every leaf, as ``migrate`` itself and
runserver's "unapplied migrations" warning compute it: a squashed migration counts as applied
when everything it replaces is, which a comparison of the files on disk with the rows of
``django_migrations`` gets wrong (it would wait forever for a row that ``migrate`` writes only
when it has something to do).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

# The plan follows from the code, which cannot change under a running process, and from the
# rows of django_migrations. It is worked out again only when those rows change, so a probe
# costs two small queries instead of a reading of every migration file (about 3 ms).
_PLANS: dict[frozenset[tuple[str, str]], list[tuple[str, str]]] = {}


def pending(connection: BaseDatabaseWrapper = default_connection) -> list[tuple[str, str]]:
    """``(app, name)`` of every migration this code ships that ``connection``'s database has
    not applied, in the order ``migrate`` would apply them. Raises when the database cannot be
    reached; a database with no ``django_migrations`` table has everything pending."""
    applied = _applied(connection)
    keys = _PLANS.get(applied)
    if keys is None:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        keys = [(migration.app_label, migration.name) for migration, _backwards in plan]
        # Kept only if nothing was migrated meanwhile, and only for the latest rows.
        if _applied(connection) == applied:
            _PLANS.clear()
            _PLANS[applied] = keys
    return list(keys)


def _applied(connection: BaseDatabaseWrapper) -> frozenset[tuple[str, str]]:
    return frozenset(MigrationRecorder(connection).applied_migrations())


def wait_until_none_pending(
    timeout: float, on_wait: Callable[[str], None], interval: float = 2.0
) -> bool:
    """Block until nothing is pending, at most ``timeout`` seconds; False when time ran out.

    Worker and beat may start before the release step has run (a Coolify application starts
    as soon as it is built; a Heroku dyno may restart mid-release). They wait here instead of
    crashing on a missing table.
    """
    started = time.monotonic()
    while True:
        try:
            # A connection the last attempt left broken is reopened, not reused.
            default_connection.close_if_unusable_or_obsolete()
            missing = pending()
            if not missing:
                return True
            reason = f"{len(missing)} migration(s) not applied; run: python manage.py release"
        except Exception as exc:  # the database itself is not there yet
            reason = f"database unreachable ({type(exc).__name__})"
        waited = time.monotonic() - started
        if waited >= timeout:
            return False
        on_wait(f"waiting for the release step: {reason} (waited {waited:.0f}s of {timeout:.0f}s)")
        time.sleep(interval)
