"""The web process's bound on each SQL statement (settings.DATABASE_STATEMENT_TIMEOUT).

Set on every new PostgreSQL connection with one ``SET``, once per connection (they are kept
for CONN_MAX_AGE), rather than as libpq's ``options`` startup parameter: PgBouncer and the
poolers of managed databases refuse that parameter and the connection with it. A statement
past the bound is cancelled by the server (``QueryCanceled``, a 500 page), so a lock wait or a
runaway query cannot hold a web thread without limit. The worker, beat and the release run
unbounded (0): migrations and long jobs have their own limits.
"""

from __future__ import annotations

from django.conf import settings
from django.db.backends.signals import connection_created


def bound_statements(sender: object, connection: object, **kwargs: object) -> None:
    seconds = getattr(settings, "DATABASE_STATEMENT_TIMEOUT", 0)
    if seconds and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{seconds}s"])


def install() -> None:
    """Called once at start-up (obcms/health/apps.py)."""
    connection_created.connect(bound_statements, dispatch_uid="obcms.db.timeouts")
