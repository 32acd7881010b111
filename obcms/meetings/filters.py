"""The meeting list's filters, declared once."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from obcms.coordination.models import Partner
from obcms.geography.models import Region
from obcms.meetings.models import Meeting
from obcms.records.listing import PlainSelect, RecordFilterSet, SortFilter


class MeetingFilter(RecordFilterSet):
    q = django_filters.CharFilter(label="Search", max_length=100, method="search")
    kind = django_filters.ChoiceFilter(
        choices=Meeting.Kind.choices, empty_label="Any", widget=PlainSelect
    )
    when = django_filters.ChoiceFilter(
        label="When",
        choices=[("upcoming", "Upcoming"), ("past", "Past")],
        empty_label="Any time",
        method="by_time",
        widget=PlainSelect,
    )
    partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), field_name="partners", widget=PlainSelect
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        field_name="communities__municipality__region",
        distinct=True,
        widget=PlainSelect,
    )
    sort = SortFilter(fields=(("starts_at", "starts"), ("title", "title"), ("kind", "kind")))

    class Meta:
        model = Meeting
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value)
            | Q(venue__icontains=value)
            | Q(pk__in=Meeting.objects.filter(communities__name__icontains=value).values("pk"))
        )

    def by_time(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gte=now).order_by("starts_at", "pk")
        return queryset.filter(ends_at__lt=now)
