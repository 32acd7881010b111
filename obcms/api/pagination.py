"""Cursor pages: stable while records are added (a page starts after the last row seen, not at
a count that shifts), 100 rows by default, no COUNT(*) over the whole table."""

from __future__ import annotations

from base64 import b64decode
from urllib.parse import parse_qs

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class CursorPages(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "id"  # views and the ordering parameter choose otherwise
    cursor_query_description = (
        "Where the page starts: copy it from the previous answer's 'next' or 'previous' link."
    )
    page_size_query_description = (
        f"Rows a page ({PAGE_SIZE} unless given, at most {MAX_PAGE_SIZE})."
    )

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list | None:
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
            raise ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return int(value)

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF answers 404 to a damaged cursor and lets a forged position reach the database
        (a 500 on an id that is not a number): both are a 400 naming the parameter here."""
        problem = {
            self.cursor_query_param: [
                "This cursor is damaged: use the 'next' or 'previous' link exactly as given."
            ]
        }
        if not self._well_formed(request.query_params.get(self.cursor_query_param)):
            raise ValidationError(problem)
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError(problem) from None
        if cursor is None or cursor.position is None:
            return cursor
        try:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            field.to_python(cursor.position)
        except (FieldDoesNotExist, DjangoValidationError):
            raise ValidationError(problem) from None
        if "\x00" in cursor.position:
            raise ValidationError(problem)
        return cursor

    @staticmethod
    def _well_formed(encoded: str | None) -> bool:
        """Whether ``encoded`` is what encode_cursor makes: base64 of o=, r= and p= at most once
        each. DRF decodes anything else that is base64 (``eyJ4Ijoi``, '{"x":"') to the first
        page, silently. Absent or blank is the first page, as a blank filter is no filter."""
        if encoded is None or not encoded.strip():
            return True
        try:
            text = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse_qs(text, keep_blank_values=True, strict_parsing=True)
        except ValueError:  # binascii.Error and UnicodeError are ValueErrors
            return False
        return set(tokens) <= {"o", "r", "p"} and all(len(v) == 1 for v in tokens.values())

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=MAX_PAGE_SIZE, default=PAGE_SIZE)
        return parameters
