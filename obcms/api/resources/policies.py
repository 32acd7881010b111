"""Policy recommendations, read only: each with its evidence (needs, assessments), its dated
status history and its implementation milestones. They are drafted and decided on their
pages (/policies/)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from obcms.api.archive import ARCHIVE_FIELDS, ArchiveFields
from obcms.api.fields import StaffName
from obcms.api.filtering import ARCHIVED_HELP, ApiFilters
from obcms.api.validation import DescribedSerializer
from obcms.api.viewsets import ReadOnlyRecordViewSet
from obcms.policies import filters
from obcms.policies.models import Milestone, Policy, StatusChange


class StatusChangeSerializer(DescribedSerializer):
    """One status change, dated, with who made it and their note."""

    changed_by = StaffName(help_text="Who changed the status.")

    class Meta:
        model = StatusChange
        fields = ["id", "before", "after", "changed_by", "changed_at", "note"]


class MilestoneSerializer(DescribedSerializer):
    """A step of the recommendation's implementation, due on a date."""

    responsible = StaffName(help_text="Who is reminded on the due date; null: its author.")

    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "done_on", "responsible"]


class PolicySerializer(ArchiveFields, DescribedSerializer):
    """A recommendation to policy makers: the problem, what is recommended and to which
    agency, the needs and assessments it rests on, its status history (newest first) and its
    milestones."""

    changes = StatusChangeSerializer(
        many=True, read_only=True, source="listed_changes", help_text="Status history."
    )
    milestones = MilestoneSerializer(
        many=True, read_only=True, source="listed_milestones", help_text="Milestones, by date."
    )
    created_by = StaffName(help_text="Who drafted it.")

    class Meta:
        model = Policy
        fields = [
            "id",
            "title",
            "category",
            "scope",
            "regions",
            "communities",
            "agency_addressed",
            "problem",
            "recommendation",
            "expected_impact",
            "status",
            "needs",
            "assessments",
            "changes",
            "milestones",
            "created_by",
            "created_at",
            *ARCHIVE_FIELDS,
        ]
        read_only_fields = fields


class PolicyFilter(ApiFilters, filters.PolicyFilter):
    """The policy list page's filters (obcms/policies/filters.py)."""

    descriptions = {
        "q": "Words in the title, the agency addressed or the recommendation.",
        "category": "Category.",
        "scope": "Scope.",
        "status": "Status.",
        "region": "Region id.",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering=


class PolicyViewSet(ReadOnlyRecordViewSet):
    """Policy recommendations (read only)."""

    serializer_class = PolicySerializer
    filterset_class = PolicyFilter
    ordering_fields = ("id", "title", "created_at")

    def records(self) -> QuerySet[Policy]:
        return Policy.objects.select_related("archived_by", "created_by").prefetch_related(
            "regions",
            "communities",
            "needs",
            "assessments",
            Prefetch(
                "changes",
                queryset=StatusChange.objects.select_related("changed_by"),
                to_attr="listed_changes",
            ),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("responsible"),
                to_attr="listed_milestones",
            ),
        )
