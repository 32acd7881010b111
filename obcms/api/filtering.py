"""Query parameters: the list pages' filters (django-filter FilterSets, one per record type, in
``resources/``), and ordering. Unknown parameters are ignored; a malformed value of a known one
is a 400 naming it."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView


class Ordering(OrderingFilter):
    """``?ordering=name`` or ``-name``, among the view's ``ordering_fields``. The cursor
    paginator applies it (with ``id`` to break ties, so no row is skipped or repeated); a
    field not on offer is a 400, not silently ignored."""

    ordering_description = "Sort by one field; a leading '-' reverses it."

    def get_ordering(self, request: Request, queryset: QuerySet, view: APIView) -> tuple:
        value = request.query_params.get(self.ordering_param)
        if value is None:
            first = view.ordering
        elif value in self.choices(view):
            first = value
        else:
            raise ValidationError(
                {self.ordering_param: [f"Sort by one of: {', '.join(self.choices(view))}."]}
            )
        field = first.lstrip("-")
        if field == "id":
            return (first,)
        return (first, "-id" if first.startswith("-") else "id")

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        return queryset  # the cursor paginator orders, by get_ordering above

    @staticmethod
    def choices(view: APIView) -> list[str]:
        return [f"{sign}{name}" for name in view.ordering_fields for sign in ("", "-")]

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        if getattr(view, "action", None) != "list":
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"{self.ordering_description} Default: {view.ordering}.",
                "schema": {"type": "string", "enum": self.choices(view)},
            }
        ]


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error, where Django's NullBooleanField would
    quietly ignore the filter."""

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    """Django-filter's BooleanFilter (so the schema says boolean) with the strict field (and
    without the REST flavour's widget, which turns anything unknown into "no filter")."""

    field_class = StrictBooleanField
