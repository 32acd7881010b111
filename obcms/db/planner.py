"""Fresh planner statistics after a bulk load.

PostgreSQL plans from table statistics that autovacuum refreshes only after a delay (its
naptime, then 10% of the rows changed). Right after a bulk load the planner still believes the
tables are nearly empty and picks nested loops and full sorts: the registry's list took 20 ms
instead of 13 ms in-process until the next autoanalyze. ANALYZE samples at most 30,000 rows a
table, so it costs milliseconds.

And no JIT compilation (``no_jit``): PostgreSQL compiles a query whose estimated cost passes
``jit_above_cost`` (100,000), which a region's aggregates at 100,000 communities do; compiling
took 5.6 s of the region's place profile's 7.3 s, for queries that run in milliseconds (issue 19).
"""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model


def analyze(*models: type[Model]) -> None:
    """ANALYZE the tables of ``models`` (and their many-to-many tables) on PostgreSQL; SQLite
    plans without statistics, so there is nothing to do there."""
    if connection.vendor != "postgresql":
        return
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            tables.append(field.remote_field.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def no_jit(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """``connection_created``: turn JIT off for the session. A SET once per connection (kept
    CONN_MAX_AGE seconds), not the libpq ``options`` startup parameter, which some connection
    poolers (PgBouncer without ``ignore_startup_parameters``) refuse."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
