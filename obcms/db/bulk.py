"""Insert many new rows fast: PostgreSQL's COPY, else Django's ``bulk_create``.

``bulk_create`` spends most of its time in Python, preparing every value of every row through
each field (about 60 per community); COPY takes the values as they are. What stays the same:
the objects get their primary keys, ``auto_now``/``auto_now_add`` fields are set, no signals
are sent (bulk_create sends none either). ``seed_demo`` uses it for its hundred thousand
communities and the rows that go with them.

``update`` is the same for rows that exist: COPY into a temporary table, then one ``UPDATE ...
FROM`` it. ``bulk_update`` writes one ``CASE WHEN pk = ...`` per field and batch, which
PostgreSQL evaluates row by row against every branch: two minutes for 30,000 needs.

Instead of a signal per row, ``written`` is sent once per call of each (sender: the model), so
that what is remembered about the rows (obcms/records/figures.py) is forgotten.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from django.db import connections, models, router, transaction
from django.dispatch import Signal

M = TypeVar("M", bound=models.Model)
written = Signal()


class JsonText(str):
    """A JSONField's value already written as JSON: ``insert_values`` passes it to COPY as it
    is, instead of encoding the value (for values made in bulk, such as history diffs)."""


def insert(objects: Sequence[M], batch_size: int = 2000) -> Sequence[M]:
    """Insert ``objects`` (new, of one model) and return them, with their primary keys."""
    if not objects:
        return objects
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        made = model.objects.bulk_create(objects, batch_size=batch_size)
        written.send(sender=model)
        return made
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
    written.send(sender=model)
    return objects


def update(objects: Sequence[M], fields: Sequence[str]) -> int:
    """Write the ``fields`` (names) of ``objects`` (saved, of one model) as they are in Python;
    returns how many rows changed. No signal per row, as with ``bulk_update``."""
    if not objects:
        return 0
    model = type(objects[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        changed = model.objects.bulk_update(objects, fields, batch_size=1000)
        written.send(sender=model)
        return changed
    meta = model._meta
    chosen = [meta.get_field(name) for name in fields]
    columns = [meta.pk, *chosen]
    quote = connection.ops.quote_name
    table, temp = quote(meta.db_table), quote(f"bulk_update_{meta.db_table}")
    listed = ", ".join(quote(f.column) for f in columns)
    assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in chosen)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # Same column types as the table's; dropped below (or by the rollback on error). The
        # names are the model's, quoted: nothing from a user reaches these statements.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} AS SELECT {listed} FROM {table} LIMIT 0"  # noqa: S608
        )
        with cursor.cursor.copy(f"COPY {temp} ({listed}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [
                        field.get_db_prep_save(getattr(obj, field.attname), connection)
                        if isinstance(field, models.JSONField)
                        else getattr(obj, field.attname)
                        for field in columns
                    ]
                )
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM {temp} AS s "  # noqa: S608
            f"WHERE t.{quote(meta.pk.column)} = s.{quote(meta.pk.column)}"
        )
        changed = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    written.send(sender=model)
    return changed


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
        objects = [
            model(**{k: json.loads(v) if isinstance(v, JsonText) else v for k, v in row.items()})
            for row in itertools.chain([first], rows)
        ]
        model.objects.bulk_create(objects, batch_size=batch_size)
        written.send(sender=model)
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
                    if values[i].__class__ is not JsonText:
                        values[i] = fields[i].get_db_prep_save(values[i], connection)
                copy.write_row(values)
    written.send(sender=model)
