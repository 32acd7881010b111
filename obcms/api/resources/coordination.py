"""Partners (BARMM ministries, LGUs, agencies, NGOs) and their engagements with communities."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django_filters import CharFilter, DateFilter
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from obcms.api.archive import ARCHIVE_FIELDS, ArchiveActions, ArchiveFields
from obcms.api.docs import extend_schema
from obcms.api.filtering import ARCHIVED_HELP, ApiFilters
from obcms.api.validation import FormValidatedSerializer, error_fields
from obcms.api.viewsets import RecordViewSet
from obcms.communities.models import Community
from obcms.coordination import filters
from obcms.coordination.forms import CloseForm, EngagementForm, PartnerForm
from obcms.coordination.models import Engagement, Partner


class PartnerSerializer(ArchiveFields, FormValidatedSerializer):
    """A partner: a BARMM ministry, LGU, national agency, NGO or development partner.
    ``is_active`` false: OOBC no longer works with them (they stay listed, with their
    engagements, but new engagements cannot name them)."""

    # Text, so the form's rule applies as on the page: "example.org" becomes https://example.org.
    website = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Web address."
    )

    class Meta:
        model = Partner
        form = PartnerForm
        fields = ["id", *PartnerForm.Meta.fields, *ARCHIVE_FIELDS]


class EngagementSerializer(ArchiveFields, FormValidatedSerializer):
    """An engagement of a partner with a community, with its follow-up and outcome. Closing
    it (the close action) marks it completed with its outcome and stops its follow-up
    reminders."""

    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.active(),
        help_text="The community engaged with (a current one).",
    )
    closed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When it was closed with its outcome; null while open or if it was marked "
        "completed by an edit.",
    )

    class Meta:
        model = Engagement
        form = EngagementForm
        fields = ["id", "community", *EngagementForm.Meta.fields, "closed_at", *ARCHIVE_FIELDS]


class CloseSerializer(serializers.Serializer):
    """What came of the engagement; closing marks it completed."""

    outcome = serializers.CharField(
        max_length=CloseForm.base_fields["outcome"].max_length,
        help_text="What came of it; required.",
    )


class PartnerFilter(ApiFilters, filters.PartnerFilter):
    """The partner list page's filters (obcms/coordination/filters.py)."""

    descriptions = {
        "q": "Words in the name, acronym or contact person.",
        "kind": "Kind of partner.",
        "is_active": "yes: partners OOBC works with now; no: the others; omitted: both.",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering=


class EngagementFilter(ApiFilters, filters.EngagementFilter):
    """The engagement list page's filters (obcms/coordination/filters.py), with the community
    also by id, and follow-up dates for a program."""

    descriptions = {
        "q": "Words in the title.",
        "partner": "Partner id.",
        "status": "Status.",
        "follow_up": "overdue: open engagements whose follow-up date has passed; week: open "
        "ones due within a week (overdue included); none: no follow-up date.",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering=
    community = CharFilter(
        max_length=100,
        method="by_community",
        help_text="Community id, or words in its name (as the engagement list page searches).",
    )
    follow_up_from = DateFilter(
        field_name="follow_up_on", lookup_expr="gte", help_text="Follow-up on or after (date)."
    )
    follow_up_to = DateFilter(
        field_name="follow_up_on", lookup_expr="lte", help_text="Follow-up on or before (date)."
    )

    def by_community(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not (value.isascii() and value.isdigit()):
            return super().by_community(queryset, name, value)
        # An id beyond the database's integers matches nothing (not a database error).
        return queryset.filter(community_id=value) if int(value) < 2**63 else queryset.none()


class PartnerViewSet(ArchiveActions, RecordViewSet):
    """Partners OOBC works with. Encoders and administrators add and change them (and mark them
    inactive); administrators archive and restore them."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    ordering_fields = ("id", "name")

    def records(self) -> QuerySet[Partner]:
        return Partner.objects.select_related("archived_by")


class EngagementViewSet(ArchiveActions, RecordViewSet):
    """Engagements of partners with communities. Encoders and administrators add, change and
    close them; administrators archive and restore them."""

    serializer_class = EngagementSerializer
    filterset_class = EngagementFilter
    ordering_fields = ("id", "engaged_on")
    action_permissions = {"close": "coordination.change_engagement"}

    def records(self) -> QuerySet[Engagement]:
        return Engagement.objects.select_related("archived_by")

    def save_new(self, serializer: EngagementSerializer) -> None:
        serializer.save(created_by=self.request.user)

    @extend_schema(
        request=CloseSerializer,
        summary="Close with its outcome",
        description="Marks it completed with what came of it; its follow-up reminders stop. "
        "Answers the closed engagement.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        engagement = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with self.writing():
            try:
                engagement.close(body.validated_data["outcome"])
            except DjangoValidationError as error:
                raise serializers.ValidationError(error_fields(error, "status")) from None
        return self.answer(engagement)
