"""The partner and engagement lists' filters, declared once."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from obcms.coordination.models import Engagement, Partner
from obcms.records.listing import PlainSelect, RecordFilterSet, SortFilter


class PartnerFilter(RecordFilterSet):
    q = django_filters.CharFilter(label="Search", max_length=100, method="search")
    kind = django_filters.ChoiceFilter(
        choices=Partner.Kind.choices, empty_label="Any", widget=PlainSelect
    )
    is_active = django_filters.ChoiceFilter(
        label="Working with us",
        choices=[("yes", "Active"), ("no", "Inactive")],
        empty_label="Active or not",
        method="by_activity",
        widget=PlainSelect,
    )
    sort = SortFilter(
        fields=(("name", "name"), ("kind", "kind"), ("engagement_count", "engagements"))
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(acronym__icontains=value)
            | Q(contact_person__icontains=value)
        )

    def by_activity(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_active=value == "yes")


class EngagementFilter(RecordFilterSet):
    FOLLOW_UP = [
        ("overdue", "Overdue"),
        ("week", "Due within a week"),
        ("none", "No follow-up date"),
    ]

    q = django_filters.CharFilter(label="Title", field_name="title", lookup_expr="icontains")
    partner = django_filters.ModelChoiceFilter(queryset=Partner.objects.all(), widget=PlainSelect)
    community = django_filters.CharFilter(label="Community", max_length=100, method="by_community")
    status = django_filters.ChoiceFilter(
        choices=Engagement.Status.choices, empty_label="Any", widget=PlainSelect
    )
    follow_up = django_filters.ChoiceFilter(
        label="Follow-up",
        choices=FOLLOW_UP,
        empty_label="Any",
        method="by_follow_up",
        widget=PlainSelect,
    )
    sort = SortFilter(
        fields=(
            ("engaged_on", "date"),
            ("title", "title"),
            ("partner__name", "partner"),
            ("community__name", "community"),
            ("follow_up_on", "follow_up"),
            ("status", "status"),
        )
    )

    class Meta:
        model = Engagement
        fields: list[str] = []

    def by_community(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(community__name__icontains=value)

    def by_follow_up(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Follow-ups of open engagements only: a completed one needs none."""
        today = timezone.localdate()
        open_ = queryset.exclude(status=Engagement.Status.COMPLETED)
        if value == "overdue":
            return open_.filter(follow_up_on__lt=today)
        if value == "week":
            return open_.filter(follow_up_on__lte=today + timedelta(days=7))
        return queryset.filter(follow_up_on__isnull=True)
