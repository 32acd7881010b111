"""Requests and PPAs (programmes, projects and activities) with their progress updates. As in
the pages, encoders add and change them through the PPA form and add progress updates; an
update moves the status (any progress starts it, 100 % completes it) and the needs it
addresses follow (obcms.ppas.chain)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from obcms.api.archive import ARCHIVE_FIELDS, ArchiveActions, ArchiveFields
from obcms.api.docs import extend_schema
from obcms.api.fields import MONEY, StaffName
from obcms.api.filtering import ARCHIVED_HELP, ApiFilters
from obcms.api.validation import FormValidatedSerializer, error_fields
from obcms.api.viewsets import RecordViewSet
from obcms.ppas import chain, filters
from obcms.ppas.forms import PPAForm, ProgressUpdateForm
from obcms.ppas.models import PPA, ProgressUpdate


class ProgressUpdateSerializer(FormValidatedSerializer):
    """A dated entry of the PPA's timeline: how far along it is and what happened."""

    created_by = StaffName(help_text="Who reported it.")

    class Meta:
        model = ProgressUpdate
        form = ProgressUpdateForm
        fields = ["id", *ProgressUpdateForm.Meta.fields, "created_by", "created_at"]
        read_only_fields = ["created_at"]


class PPASerializer(ArchiveFields, FormValidatedSerializer):
    """A request from a community (``obc_request``) or a PPA of OOBC or a ministry, with its
    budget (pesos, as decimal strings), the needs it addresses and its progress updates. Its
    status moves on its own machine; a progress update starts or completes it."""

    needs = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the needs it addresses (linked on its page); they follow its status.",
    )
    created_by = StaffName(help_text="Who recorded it.")
    updates = ProgressUpdateSerializer(
        many=True,
        read_only=True,
        source="listed_updates",
        help_text="Its progress updates, newest first; add one with the updates action.",
    )

    class Meta:
        model = PPA
        form = PPAForm
        fields = [
            "id",
            *PPAForm.Meta.fields,
            "status",
            "needs",
            "updates",
            "created_by",
            "created_at",
            *ARCHIVE_FIELDS,
        ]
        read_only_fields = ["status", "created_at"]
        extra_kwargs = {"budget_allocated": MONEY, "budget_spent": MONEY}

    def validate_kind(self, kind: str) -> str:
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError(
                "The kind decides the status machine: it is fixed once recorded."
            )
        return kind


class MoveSerializer(serializers.Serializer):
    """The status to move to: one step of the PPA's machine."""

    status = serializers.ChoiceField(
        choices=PPA.Status.choices,
        help_text="A request: submitted, under review, endorsed, approved, in progress, "
        "completed (declined aside); a PPA: planned, ongoing, completed (cancelled aside). "
        "Endorsing, approving, declining, cancelling and reopening are administrators'.",
    )


class PPAFilter(ApiFilters, filters.PPAFilter):
    """The PPA list page's filters (obcms/ppas/filters.py)."""

    descriptions = {
        "q": "Words in the title, funding source or requester.",
        "kind": "Kind: a community's request, an OOBC PPA or a ministry's (MOA) PPA.",
        "region": "Region id.",
        "sector": "Sector.",
        "status": "Status.",
        "fiscal_year": "Fiscal year.",
        "implementing_partner": "Implementing partner id.",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering=


class PPAViewSet(ArchiveActions, RecordViewSet):
    """Requests and PPAs. Encoders and administrators add and change them and add progress
    updates; administrators archive and restore them."""

    serializer_class = PPASerializer
    filterset_class = PPAFilter
    ordering_fields = ("id", "fiscal_year", "title", "budget_allocated", "budget_spent")
    # A move takes the change permission here; the model refuses the administrators' moves
    # (endorse, approve, decline, cancel, reopen) to others, as on the page.
    action_permissions = {"updates": "ppas.add_progressupdate", "move": "ppas.change_ppa"}

    def records(self) -> QuerySet[PPA]:
        return PPA.objects.select_related("archived_by", "created_by").prefetch_related(
            "communities",
            "needs",
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.select_related("created_by"),
                to_attr="listed_updates",
            ),
        )

    def save_new(self, serializer: PPASerializer) -> None:
        serializer.save(created_by=self.request.user)

    @extend_schema(
        request=ProgressUpdateSerializer,
        summary="Add a progress update",
        description="Any progress starts a planned or approved PPA, 100 % completes a started "
        "one, and the needs it addresses follow. A declined or cancelled one takes no updates. "
        "Answers the PPA with its updates.",
        responses=PPASerializer,
    )
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: str | None = None) -> Response:
        ppa = self.get_object()
        if ppa.status in PPA.CLOSED:
            raise serializers.ValidationError(
                {"status": [f"A {ppa.get_status_display().lower()} PPA takes no updates."]}
            )
        body = ProgressUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.writing():
            body.save(ppa=ppa, created_by=request.user)
            chain.record_progress(ppa, body.instance)
        return self.answer(ppa)

    @extend_schema(
        request=MoveSerializer,
        summary="Move to another status",
        description="One step of its status machine, as on its page; the needs it addresses "
        "follow. Answers the PPA.",
        responses=PPASerializer,
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        ppa = self.get_object()
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.writing():
            try:
                chain.move(ppa, request.user, body.validated_data["status"])
            except DjangoPermissionDenied as error:
                raise PermissionDenied(str(error)) from None
            except DjangoValidationError as error:
                raise serializers.ValidationError(error_fields(error, "status")) from None
        return self.answer(ppa)
