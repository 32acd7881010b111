"""Fresh planner statistics after a bulk load.

PostgreSQL plans from table statistics that autovacuum refreshes only after a delay (its
naptime, then 10% of the rows changed). Right after a bulk load the planner still believes the
tables are nearly empty and picks nested loops and full sorts: the registry's list took 20 ms
instead of 13 ms in-process until the next autoanalyze. ANALYZE samples at most 30,000 rows a
table, so it costs milliseconds.
"""

from __future__ import annotations

from django.db import connection
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
