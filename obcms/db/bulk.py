"""Insert many new rows fast: PostgreSQL's COPY, else Django's ``bulk_create``.

``bulk_create`` spends most of its time in Python, preparing every value of every row through
each field (about 60 per community); COPY takes the values as they are. What stays the same:
the objects get their primary keys, ``auto_now``/``auto_now_add`` fields are set, no signals
are sent (bulk_create sends none either). ``seed_demo`` uses it for its hundred thousand
communities and the rows that go with them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


def insert(objects: Sequence[M], batch_size: int = 2000) -> Sequence[M]:
    """Insert ``objects`` (new, of one model) and return them, with their primary keys."""
    if not objects:
        return objects
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects, batch_size=batch_size)
    meta = model._meta
    pk = meta.pk
    fields = list(meta.concrete_fields)
    prepared = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    timestamps = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    with connection.cursor() as cursor:
        missing = [obj for obj in objects if getattr(obj, pk.attname) is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(meta.db_table)
        copying = cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
        # psycopg's own cursor: its errors are turned into Django's (IntegrityError...) here.
        with connection.wrap_database_errors, copying as copy:
            for obj in objects:
                for field in timestamps:
                    field.pre_save(obj, add=True)
                row = [getattr(obj, f.attname) for f in fields]
                for index, field in prepared:
                    row[index] = field.get_db_prep_save(row[index], connection)
                copy.write_row(row)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def insert_values(
    model: type[models.Model], rows: Iterable[Mapping[str, object]], batch_size: int = 2000
) -> None:
    """Insert ``rows``, each the values of one new row by field attname (the same fields in
    every row; the primary key from its sequence), without making a model instance of each:
    for many small rows such as a many-to-many table's links or history entries. Defaults,
    ``auto_now`` and signals are the caller's. A generator is consumed while COPY runs, so
    that making the next rows overlaps with PostgreSQL storing the previous ones."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in itertools.chain([first], rows)]
        model.objects.bulk_create(objects, batch_size=batch_size)
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = list(first)
    fields = [by_attname[name] for name in names]
    prepared = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        copying = cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
        with connection.wrap_database_errors, copying as copy:
            for row in itertools.chain([first], rows):
                values = [row[name] for name in names]
                for i in prepared:
                    values[i] = fields[i].get_db_prep_save(values[i], connection)
                copy.write_row(values)
