"""Serializer fields more than one record type uses."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class StaffName(serializers.RelatedField):
    """A staff member as the pages name them: full name, else user name (read only)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, user: object) -> str:
        return user.get_full_name() or user.get_username()


# A money field's keyword arguments: pesos as a decimal string ("1500.00"), never a float
# (the API's other decimals, coordinates, are numbers: COERCE_DECIMAL_TO_STRING is off).
MONEY = {"coerce_to_string": True}
