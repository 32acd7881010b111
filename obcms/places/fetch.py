"""Rows of a ``values_list`` queryset straight from the database cursor.

For the map's tens of thousands of rows, Django's per-row iteration (converters, the row
factory) costs as much as the query itself; the columns fetched this way (integers and text)
need no conversion. The queryset, its filters and its SQL stay Django's."""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet


def plain_rows(queryset: QuerySet) -> list[tuple]:
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
