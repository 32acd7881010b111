"""Meetings with their action items, read only (they are recorded on their pages,
/meetings/). Times are in UTC with their offset, as every date-time of the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers

from obcms.api.archive import ARCHIVE_FIELDS, ArchiveFields
from obcms.api.fields import StaffName
from obcms.api.filtering import ARCHIVED_HELP, ApiFilters
from obcms.api.validation import DescribedSerializer
from obcms.api.viewsets import ReadOnlyRecordViewSet
from obcms.meetings import filters
from obcms.meetings.models import ActionItem, Meeting


class ActionItemSerializer(DescribedSerializer):
    """Something to do after the meeting, by a staff member or a partner's person."""

    assignee = StaffName(help_text="The staff member who does it; null if a partner's person.")

    class Meta:
        model = ActionItem
        fields = ["id", "what", "assignee", "assignee_name", "due_on", "done", "done_at"]


class MeetingSerializer(ArchiveFields, DescribedSerializer):
    """A coordination meeting, consultation, field visit, workshop or training: who took
    part (partners, communities, participants), its agenda and minutes, and its action
    items."""

    action_items = ActionItemSerializer(
        many=True,
        read_only=True,
        source="listed_items",
        help_text="Its action items: open ones first, by due date.",
    )
    created_by = StaffName(help_text="Who recorded it.")
    # Text, not a URI: empty when the meeting is in person only.
    online_link = serializers.CharField(
        read_only=True, help_text="Online link (https); empty if there is none."
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "venue",
            "online_link",
            "partners",
            "communities",
            "participants",
            "participants_female",
            "participants_male",
            "agenda",
            "minutes",
            "action_items",
            "created_by",
            "created_at",
            *ARCHIVE_FIELDS,
        ]
        read_only_fields = fields


class MeetingFilter(ApiFilters, filters.MeetingFilter):
    """The meeting list page's filters (obcms/meetings/filters.py)."""

    descriptions = {
        "q": "Words in the title, the venue or a community's name.",
        "kind": "Kind of meeting.",
        "when": "upcoming: not yet ended; past: ended.",
        "partner": "Partner id.",
        "region": "Region id (of a community).",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering=


class MeetingViewSet(ReadOnlyRecordViewSet):
    """Meetings with their action items (read only)."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ("id", "starts_at", "title")

    def records(self) -> QuerySet[Meeting]:
        return Meeting.objects.select_related("archived_by", "created_by").prefetch_related(
            "partners",
            "communities",
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("assignee"),
                to_attr="listed_items",
            ),
        )
