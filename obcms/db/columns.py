"""The largest number an integer column holds on PostgreSQL, as a validator for every number a
person types (a population, people reached, a rank, a priority).

PostgreSQL's ``integer`` is 32 bits, its ``smallint`` 16. SQLite keeps any integer in 64, and
Django checks a model's integer field against the range of the database in use
(``connection.ops.integer_field_range``): without this cap, a population of
99,999,999,999,999 was accepted on SQLite (the embedded default) and refused on PostgreSQL, or
reached it unchecked and came back as a DataError (a 500). With it, both databases refuse the
same values with the same message, wherever the model's validators run: the pages' forms and the
admin (``full_clean``), the CSV import (``full_clean`` per row) and the API (DRF's
ModelSerializer makes a model's MaxValueValidator its field's ``max_value``).

A MaxValueValidator, so that Django adds no second, 64-bit or generic, maximum of its own.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import connections, models
from django.utils.deconstruct import deconstructible

INTEGER_MAX = 2_147_483_647  # PostgreSQL integer: IntegerField, PositiveIntegerField
SMALLINT_MAX = 32_767  # PostgreSQL smallint: SmallIntegerField, PositiveSmallIntegerField


@deconstructible(path="obcms.db.columns.ColumnLimit")
class ColumnLimit(MaxValueValidator):
    """At most ``limit_value``, the largest number the column holds, said in plain words."""

    def __init__(self, limit_value: int) -> None:
        super().__init__(
            limit_value,
            message=f"Enter a number up to {limit_value:,}: the database cannot hold a larger one.",
        )


fits_integer_column = ColumnLimit(INTEGER_MAX)
fits_smallint_column = ColumnLimit(SMALLINT_MAX)


def holds(field: models.Field, value: object, using: str) -> bool:
    """False for an integer the column of ``field`` cannot hold on database ``using`` (an id
    of 99999999999999999999 sent for a choice): no record has it, and SQLite cannot even bind
    it in a query (OverflowError). True for anything else, a non-number included: the field's
    own checks deal with those."""
    if not isinstance(field, models.IntegerField):  # AutoField and BigAutoField included
        return True
    try:
        number = int(str(value))
    except ValueError:
        return True
    low, high = connections[using].ops.integer_field_range(field.get_internal_type())
    return (low is None or number >= low) and (high is None or number <= high)
