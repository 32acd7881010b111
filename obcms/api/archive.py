"""Archived records through the API, as in the pages (obcms/records/archive.py).

Reads show current records unless ``?archived=archived`` (or ``all``) asks for the others, on
lists (the list pages' own filter) and on a record's own URL alike; writes reach current records
only (an archived one is read-only until it is restored). Administrators archive and restore
with ``POST .../{id}/archive/`` (a reason) and ``POST .../{id}/restore/``: the
``archive_<model>`` permission, as on the pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from obcms.api.docs import extend_schema
from obcms.api.fields import StaffName
from obcms.api.filtering import ARCHIVED_HELP
from obcms.records.archive import ARCHIVE_STATES, ArchivableQuerySet, ArchiveForm

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from rest_framework.request import Request

ARCHIVED_PARAM = "archived"
STATES = [value for value, _ in ARCHIVE_STATES]  # "" (current), "archived", "all"
ARCHIVED_PARAMETER = OpenApiParameter(
    ARCHIVED_PARAM, str, enum=STATES[1:], required=False, description=ARCHIVED_HELP
)
ARCHIVE_FIELDS = ["archived_at", "archived_by", "archive_reason"]


class ArchiveFields(serializers.Serializer):
    """The archive state of a record, read only: list ``ARCHIVE_FIELDS`` in Meta.fields and
    select ``archived_by`` in ``records()``."""

    archived_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When an administrator archived it (it then leaves lists, exports and "
        "totals); null while it is current.",
    )
    archived_by = StaffName(help_text="Who archived it; null while it is current.")
    archive_reason = serializers.CharField(
        read_only=True, help_text="Why it was archived; empty while it is current."
    )


class ArchiveRequestSerializer(serializers.Serializer):
    """Why the record leaves the lists; kept with it and in its history."""

    reason = serializers.CharField(
        max_length=ArchiveForm.base_fields["reason"].max_length,
        help_text=str(ArchiveForm.base_fields["reason"].help_text),
    )


def archive_state(request: Request) -> str:
    """The ``archived`` parameter of a read: "" (current), "archived" or "all"; a 400
    naming the parameter for anything else."""
    value = request.query_params.get(ARCHIVED_PARAM, "")
    if value not in STATES:
        raise serializers.ValidationError(
            {ARCHIVED_PARAM: [f"Give one of: {', '.join(STATES[1:])}, or leave it out."]}
        )
    return value


def in_state(records: QuerySet, action: str | None, request: Request) -> QuerySet:
    """What ``action`` may reach of ``records``: lists apply the state themselves (their
    FilterSet's ``archived``), a read asks for its state, ``restore`` the archived ones, and
    everything else the current ones."""
    if action == "list" or not isinstance(records, ArchivableQuerySet):
        return records
    if action == "retrieve":
        return records.in_state(archive_state(request))
    if action == "restore":
        return records.archived()
    return records.active()


def not_reachable(records: QuerySet, action: str | None, pk: str) -> NotFound:
    """The 404 for a record ``in_state`` left out: what to do when it exists elsewhere."""
    if isinstance(records, ArchivableQuerySet) and records.filter(pk=pk).exists():
        name = records.model._meta.verbose_name.capitalize()
        if action == "retrieve":
            return NotFound(
                f"{name} {pk} is archived (or belongs to an archived record); read it with "
                f"?{ARCHIVED_PARAM}=archived."
            )
        if action == "restore":
            return NotFound(f"{name} {pk} is not archived.")
        return NotFound(
            f"{name} {pk} is archived (or belongs to an archived record): an administrator "
            "restores it before it is changed."
        )
    return NotFound()


class ArchiveActions:
    """``archive`` and ``restore`` for a viewset of an Archivable model: administrators only
    (RecordPermission asks for ``archive_<model>``), as on the record's page."""

    @extend_schema(
        request=ArchiveRequestSerializer,
        summary="Archive (administrators)",
        description="The record leaves lists, exports and totals, with the reason; it stays "
        "readable with ?archived=archived and comes back with restore. Answers the record.",
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        body = ArchiveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.writing():
            try:
                record.archive(request.user, body.validated_data["reason"])
            except DjangoValidationError as error:
                raise serializers.ValidationError({"reason": error.messages}) from None
        return self.answer(record)

    @extend_schema(
        request=None,
        summary="Restore an archived record (administrators)",
        description="Back in lists, exports and totals (unless what it belongs to is archived "
        "too). Answers the record.",
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        with self.writing():
            try:
                record.restore()
            except DjangoValidationError as error:
                raise serializers.ValidationError({"archived_at": error.messages}) from None
        return self.answer(record)
