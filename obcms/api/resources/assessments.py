"""Assessments (MANA) with their needs, and the needs on their own. As in the pages, only a
draft is edited; submitting, validating and returning to draft are actions of their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django_filters import ChoiceFilter, ModelChoiceFilter, TypedChoiceFilter
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from obcms.api.archive import ARCHIVE_FIELDS, ArchiveActions, ArchiveFields
from obcms.api.fields import StaffName
from obcms.api.filtering import ARCHIVED_HELP, ApiFilters, BooleanFilter
from obcms.api.validation import FormValidatedSerializer, error_fields
from obcms.api.viewsets import RecordViewSet
from obcms.assessments import filters
from obcms.assessments.forms import AssessmentForm, NeedFormSet
from obcms.assessments.models import Assessment, Need
from obcms.assessments.views import ReturnForm
from obcms.communities.models import Community
from obcms.records.listing import RecordFilterSet

NeedForm = NeedFormSet.form  # the form of one row of the page's needs table

ONLY_DRAFTS = "Only a draft can be edited; this assessment is {status}."


class NeedSerializer(FormValidatedSerializer):
    """A need recorded by an assessment: sector, priority, beneficiaries."""

    assessment = serializers.PrimaryKeyRelatedField(
        queryset=Assessment.objects.active(),
        help_text="The assessment (a current draft) this need belongs to; fixed once recorded.",
    )

    class Meta:
        model = Need
        form = NeedForm
        fields = ["id", "assessment", *NeedForm._meta.fields]

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
        fields = ["id", *NeedForm._meta.fields]


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


class NeedFilter(ApiFilters, RecordFilterSet):
    """Needs across assessments (no list page has them: they are listed in their
    assessment's)."""

    descriptions = {"archived": ARCHIVED_HELP}
    assessment = ModelChoiceFilter(queryset=Assessment.objects.all(), help_text="Assessment id.")
    community = ModelChoiceFilter(
        field_name="assessment__community",
        queryset=Community.objects.all(),
        help_text="Community id.",
    )
    sector = ChoiceFilter(choices=Need.Sector.choices, help_text="Sector.")
    priority = TypedChoiceFilter(
        choices=Need.Priority.choices, coerce=int, help_text="Priority: 1 high, 2 medium, 3 low."
    )

    class Meta:
        model = Need
        fields = ["assessment", "community", "sector", "priority"]


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
    """Needs, across assessments. Added and changed only while their assessment is a draft."""

    serializer_class = NeedSerializer
    filterset_class = NeedFilter
    ordering_fields = ("id", "priority")

    def records(self) -> QuerySet[Need]:
        return Need.objects.all()
