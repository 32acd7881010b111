"""The policy list's filters."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from obcms.geography.models import Region
from obcms.policies.models import Policy
from obcms.records.listing import PlainSelect, RecordFilterSet, SortFilter


class PolicyFilter(RecordFilterSet):
    q = django_filters.CharFilter(label="Search", max_length=100, method="search")
    category = django_filters.ChoiceFilter(
        choices=Policy.Category.choices, empty_label="Any", widget=PlainSelect
    )
    scope = django_filters.ChoiceFilter(
        choices=Policy.Scope.choices, empty_label="Any", widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(
        choices=Policy.Status.choices, empty_label="Any", widget=PlainSelect
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        field_name="regions",
        label="Region",
        empty_label="Any",
        widget=PlainSelect,
        distinct=True,
    )
    sort = SortFilter(fields=(("title", "title"), ("status", "status"), ("created_at", "created")))

    class Meta:
        model = Policy
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value)
            | Q(agency_addressed__icontains=value)
            | Q(recommendation__icontains=value)
        )
