"""Assessments (MANA) with their needs, and the needs on their own. As in the pages, only a
draft is edited; submitting, validating and returning to draft are actions of their own."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django_filters import ChoiceFilter, ModelChoiceFilter, TypedChoiceFilter
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from obcms.api.archive import ARCHIVE_FIELDS, ArchiveActions, ArchiveFields
from obcms.api.docs import extend_schema
from obcms.api.fields import MONEY, StaffName
from obcms.api.filtering import ARCHIVED_HELP, ApiFilters, BooleanFilter
from obcms.api.validation import FormValidatedSerializer, error_fields
from obcms.api.viewsets import RecordViewSet
from obcms.assessments import filters
from obcms.assessments.forms import AssessmentForm, NeedDecisionForm, NeedForm
from obcms.assessments.models import Assessment, Need
from obcms.assessments.views import ReturnForm
from obcms.communities.models import Community
from obcms.db.columns import INTEGER_MAX

ONLY_DRAFTS = "Only a draft can be edited; this assessment is {status}."


class NeedSerializer(FormValidatedSerializer):
    """A need recorded by an assessment, followed in the needs register: identified, then
    validated, prioritised (ranked), planned, in progress and completed (the last three follow
    the PPAs that address it), or deferred or rejected with a reason."""

    assessment = serializers.PrimaryKeyRelatedField(
        queryset=Assessment.objects.active(),
        help_text="The assessment (a current draft) this need belongs to; fixed once recorded.",
    )
    validated_by = StaffName(help_text="Who validated it; null until an administrator does.")

    class Meta:
        model = Need
        form = NeedForm  # the register's edit form
        fields = [
            "id",
            "assessment",
            *NeedForm.Meta.fields,
            "status",
            "status_reason",
            "rank",
            "validated_at",
            "validated_by",
        ]
        read_only_fields = ["status", "status_reason", "rank", "validated_at"]
        extra_kwargs = {"estimated_cost": MONEY}

    def validate(self, attrs: dict) -> dict:
        assessment = attrs.get("assessment") or self.instance.assessment
        if self.instance is not None and assessment.pk != self.instance.assessment_id:
            raise serializers.ValidationError(
                {"assessment": "A need stays with its assessment; record it on the other one."}
            )
        if assessment.status != Assessment.Status.DRAFT:
            status = assessment.get_status_display().lower()
            raise serializers.ValidationError({"assessment": ONLY_DRAFTS.format(status=status)})
        return super().validate(attrs)


class AssessmentNeedSerializer(NeedSerializer):
    """A need as listed inside its assessment."""

    class Meta(NeedSerializer.Meta):
        fields = [name for name in NeedSerializer.Meta.fields if name != "assessment"]


class AssessmentSerializer(ArchiveFields, FormValidatedSerializer):
    """A needs assessment (MANA) of a community, with its needs. Draft, then submitted, then
    validated; an administrator may return a submitted one to draft with a reason its author
    sees (``returned_reason``)."""

    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.active(),
        help_text="The community assessed (a current one); fixed once recorded.",
    )
    returned_by = StaffName(help_text="Who last returned it to draft; null if nobody has.")
    needs = AssessmentNeedSerializer(
        many=True,
        read_only=True,
        source="listed_needs",
        help_text="Its needs; add them through /api/v1/needs/.",
    )

    class Meta:
        model = Assessment
        form = AssessmentForm
        fields = [
            "id",
            "community",
            *AssessmentForm.Meta.fields,
            "status",
            "needs",
            "created_at",
            "submitted_at",
            "validated_at",
            "returned_reason",
            "returned_at",
            "returned_by",
            *ARCHIVE_FIELDS,
        ]
        read_only_fields = [
            "status",
            "created_at",
            "submitted_at",
            "validated_at",
            "returned_reason",
            "returned_at",
        ]

    def validate_community(self, community: Community) -> Community:
        if self.instance is not None and community.pk != self.instance.community_id:
            raise serializers.ValidationError(
                "An assessment stays with its community; record a new one for the other."
            )
        return community

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None and self.instance.status != Assessment.Status.DRAFT:
            raise serializers.ValidationError(
                ONLY_DRAFTS.format(status=self.instance.get_status_display().lower())
            )
        return super().validate(attrs)


class ReturnSerializer(serializers.Serializer):
    """What the author should change; shown on the assessment until it is submitted again."""

    reason = serializers.CharField(
        max_length=ReturnForm.base_fields["reason"].max_length,
        help_text="What the author should change; required.",
    )


class AssessmentFilter(ApiFilters, filters.AssessmentFilter):
    """The assessment list page's filters (obcms/assessments/filters.py), and the community
    and method."""

    descriptions = {
        "q": "Words in the community's name or barangay.",
        "status": "Review status.",
        "region": "Region id (of the community).",
        "assessed_from": "Assessed on or after (date).",
        "assessed_to": "Assessed on or before (date).",
        "team": "Words in the names of the assessment team.",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering=
    returned = BooleanFilter(
        method="only_returned",
        help_text="true: only drafts an administrator returned for changes.",
    )
    community = ModelChoiceFilter(queryset=Community.objects.all(), help_text="Community id.")
    method = ChoiceFilter(choices=Assessment.Method.choices, help_text="Method used.")


class NeedReasonSerializer(serializers.Serializer):
    """Why the need is deferred or rejected; kept with it."""

    reason = serializers.CharField(
        max_length=NeedDecisionForm.base_fields["reason"].max_length,
        help_text="Why; required, kept with the need.",
    )


class NeedRankSerializer(serializers.Serializer):
    """Its place among the prioritised needs of its region and sector."""

    rank = serializers.IntegerField(
        min_value=1, max_value=INTEGER_MAX, help_text="Its place, 1 first (a whole number from 1)."
    )


class NeedFilter(ApiFilters, filters.NeedFilter):
    """The needs register's filters (obcms/assessments/filters.py), and the assessment and
    community by id."""

    descriptions = {
        "q": "Words in the description, the community's name or its municipality's.",
        "region": "Region id (of the community).",
        "province": "Province id (of the community).",
        "sector": "Sector.",
        "status": "Status in the register.",
        "urgency": "Urgency.",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering=
    assessment = ModelChoiceFilter(queryset=Assessment.objects.all(), help_text="Assessment id.")
    community = ModelChoiceFilter(
        field_name="assessment__community",
        queryset=Community.objects.all(),
        help_text="Community id.",
    )
    priority = TypedChoiceFilter(
        choices=Need.Priority.choices, coerce=int, help_text="Priority: 1 high, 2 medium, 3 low."
    )


class AssessmentViewSet(ArchiveActions, RecordViewSet):
    """Needs assessments (MANA). Encoders add them and change drafts; submitting, validating
    and returning to draft are actions of their own, as in the pages; administrators archive
    and restore them."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ("id", "assessed_on", "created_at")
    action_permissions = {
        "submit": "assessments.change_assessment",
        "validate": "assessments.validate_assessment",
        "return_to_draft": "assessments.validate_assessment",
    }

    def records(self) -> QuerySet[Assessment]:
        return Assessment.objects.select_related("archived_by", "returned_by").prefetch_related(
            Prefetch("needs", to_attr="listed_needs")
        )

    def save_new(self, serializer: AssessmentSerializer) -> None:
        serializer.save(created_by=self.request.user)

    @extend_schema(
        request=None,
        summary="Submit a draft for validation",
        description="The draft needs at least one need. Answers the submitted assessment.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        with self.writing():
            try:
                assessment.submit()
            except DjangoValidationError as error:
                raise serializers.ValidationError({"status": error.messages}) from None
        return self.answer(assessment)

    @extend_schema(
        request=None,
        summary="Validate a submitted assessment (administrators)",
        description="Answers the validated assessment.",
    )
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        with self.writing():
            try:
                assessment.validate_by(request.user)
            except DjangoPermissionDenied as error:
                raise PermissionDenied(str(error)) from None
            except DjangoValidationError as error:
                raise serializers.ValidationError({"status": error.messages}) from None
        return self.answer(assessment)

    @extend_schema(
        request=ReturnSerializer,
        summary="Return a submitted assessment to draft (administrators)",
        description="Back to its author as a draft, with the reason, which shows on it until "
        "it is submitted again. Answers the returned assessment.",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_draft(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.writing():
            try:
                assessment.return_to_draft(request.user, body.validated_data["reason"])
            except DjangoPermissionDenied as error:
                raise PermissionDenied(str(error)) from None
            except DjangoValidationError as error:
                raise serializers.ValidationError(error_fields(error, "status")) from None
        return self.answer(assessment)


class NeedViewSet(RecordViewSet):
    """The needs register, across assessments. Added and changed only while their assessment
    is a draft; administrators validate, prioritise, defer and reject them, as in the register
    (/needs/)."""

    serializer_class = NeedSerializer
    filterset_class = NeedFilter
    ordering_fields = ("id", "priority", "rank", "estimated_cost")
    action_permissions = {
        name: "assessments.validate_need" for name in ("validate", "prioritize", "defer", "reject")
    }

    def records(self) -> QuerySet[Need]:
        return Need.objects.select_related("validated_by")

    def decide(self, how: Callable[[Need], None]) -> Response:
        """One decision of the register on the need, refused as the page refuses it."""
        need = self.get_object()
        with self.writing():
            try:
                how(need)
            except DjangoPermissionDenied as error:
                raise PermissionDenied(str(error)) from None
            except DjangoValidationError as error:
                raise serializers.ValidationError(error_fields(error, "status")) from None
        return self.answer(need)

    @extend_schema(
        request=None,
        summary="Validate an identified or deferred need (administrators)",
        description="Answers the validated need.",
    )
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str | None = None) -> Response:
        return self.decide(lambda need: need.validate_by(request.user))

    @extend_schema(
        request=NeedRankSerializer,
        summary="Prioritise a validated need with its rank (administrators)",
        description="Its place among the prioritised needs of its region and sector. Answers "
        "the prioritised need.",
    )
    @action(detail=True, methods=["post"])
    def prioritize(self, request: Request, pk: str | None = None) -> Response:
        body = NeedRankSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rank = body.validated_data["rank"]
        return self.decide(lambda need: need.prioritize_by(request.user, rank))

    @extend_schema(
        request=NeedReasonSerializer,
        summary="Defer a need, with the reason (administrators)",
        description="Not while PPAs address it. Answers the deferred need.",
    )
    @action(detail=True, methods=["post"])
    def defer(self, request: Request, pk: str | None = None) -> Response:
        body = NeedReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.decide(lambda need: need.defer_by(request.user, body.validated_data["reason"]))

    @extend_schema(
        request=NeedReasonSerializer,
        summary="Reject a need, with the reason (administrators)",
        description="Not while PPAs address it. Answers the rejected need.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        body = NeedReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.decide(lambda need: need.reject_by(request.user, body.validated_data["reason"]))
