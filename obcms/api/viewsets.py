"""The two kinds of record endpoint. Each record type subclasses one in ``resources/`` and says
which rows it has (``records()``), how they look (a serializer), how they are filtered (a
FilterSet, the list page's where there is one) and sorted (``ordering_fields``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from obcms.api.archive import in_state, not_reachable
from obcms.api.docs import DeferredSchema
from obcms.api.filtering import Ordering
from obcms.api.history import acting_as
from obcms.api.permissions import RecordPermission
from obcms.api.throttling import AddressThrottledFirst


class ReadOnlyRecordViewSet(AddressThrottledFirst, viewsets.ReadOnlyModelViewSet):
    permission_classes = [RecordPermission]
    schema = DeferredSchema()  # loaded with the schema generator (obcms/api/docs.py)
    filter_backends = [DjangoFilterBackend, Ordering]
    # Ids in paths are digits, or the request is a 404 before any query.
    lookup_value_regex = r"[0-9]+"
    ordering = "id"
    ordering_fields: tuple[str, ...] = ("id",)

    def records(self) -> QuerySet:
        """Every row of this endpoint, archived ones included, with what the serializer reads
        joined: the one place to leave rows out for good and to join. Which of them a request
        reaches (current ones unless ``?archived=`` says otherwise) is archive.in_state's."""
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return in_state(self.records(), self.action, self.request)

    def get_object(self) -> Model:
        try:
            return super().get_object()
        except Http404:
            raise not_reachable(self.records(), self.action, self.kwargs["pk"]) from None

    def answer(self, record: Model) -> Response:
        """The record as a read shows it (its joins and lists), after an action changed it."""
        return Response(self.get_serializer(self.records().get(pk=record.pk)).data)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Filters are the list's; a detail request ignores them like any unknown parameter.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class RecordViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ReadOnlyRecordViewSet):
    """Adds create (POST) and update (PUT, PATCH). Nothing is deleted through the API.

    A record type changes what a write does beside saving (who created it) in ``save_new`` and
    ``save_changes``; both run in one transaction with the requesting user as the history's
    actor, and the answer shows the record as a read would."""

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One transaction, with the history naming the requesting user."""
        with transaction.atomic(), acting_as(self.request):
            yield

    def save_new(self, serializer: Serializer) -> None:
        serializer.save()

    def save_changes(self, serializer: Serializer) -> None:
        serializer.save()

    def perform_create(self, serializer: Serializer) -> None:
        with self.writing():
            self.save_new(serializer)
        self.reread(serializer)

    def perform_update(self, serializer: Serializer) -> None:
        with self.writing():
            self.save_changes(serializer)
        self.reread(serializer)

    def reread(self, serializer: Serializer) -> None:
        """Answer with the saved record as ``records()`` reads it (its joins and lists)."""
        serializer.instance = self.records().get(pk=serializer.instance.pk)
