"""Query parameters: the list pages' own filters (the FilterSets in each app's filters.py,
subclassed in ``resources/`` with what only the API offers), and ordering. Unknown parameters
are ignored; a malformed value of a known one is a 400 naming it (the pages ignore it instead:
a person sees the list, a program should hear that its filter did nothing)."""

from __future__ import annotations

import copy
from typing import ClassVar

import django_filters
from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.forms.utils import ErrorDict, ErrorList
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView

# The list pages' "archived" filter (obcms/records/listing.py), as the schema describes it.
ARCHIVED_HELP = (
    "Which records: current ones when omitted (as in the list pages); 'archived' for archived "
    "ones (and those belonging to an archived record), 'all' for both."
)


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


class IdOrNameField(forms.ModelChoiceField):
    """A record by id (as the list pages send it) or by its exact name (as the API shows
    groups, livelihoods and languages)."""

    def to_python(self, value: object) -> object:
        if isinstance(value, str) and value and not (value.isascii() and value.isdigit()):
            try:
                return self.queryset.get(name=value)
            except ObjectDoesNotExist:
                raise DjangoValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                ) from None
        return super().to_python(value)


class IdOrNameFilter(django_filters.CharFilter):
    """Takes ``queryset=``; a CharFilter, so that the schema says string (an id or a name)."""

    field_class = IdOrNameField


class ApiFilters:
    """Mixed into every API FilterSet, before the list page's: a NUL character in a value is
    refused before any query sees it (PostgreSQL's text cannot hold one: it would be a 500),
    and ``descriptions`` describe the page's filters for the schema without changing the
    page's (a copy of each is described)."""

    descriptions: ClassVar[dict[str, str]] = {}

    @classmethod
    def get_filters(cls) -> dict:
        filters = super().get_filters()
        for name, text in cls.descriptions.items():
            filters[name] = copy.deepcopy(filters[name])
            filters[name].extra["help_text"] = text
        return filters

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        self.refused = ErrorDict()
        for name in self.filters:
            values = data.getlist(name) if hasattr(data, "getlist") else []
            if any("\x00" in value for value in values):
                self.refused[name] = ErrorList(
                    [DjangoValidationError("Remove the NUL character from this value.")]
                )

    def is_valid(self) -> bool:
        return not self.refused and super().is_valid()

    @property
    def errors(self) -> ErrorDict:
        return self.refused or self.form.errors
