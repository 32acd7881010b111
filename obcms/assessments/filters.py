"""The assessment list's filters, declared once."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from obcms.assessments.models import Assessment
from obcms.geography.models import Region
from obcms.records.listing import PlainSelect, RecordFilterSet, SortFilter


class AssessmentFilter(RecordFilterSet):
    q = django_filters.CharFilter(label="Community", max_length=100, method="search")
    status = django_filters.ChoiceFilter(
        choices=Assessment.Status.choices, empty_label="Any", widget=PlainSelect
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        field_name="community__region",
        widget=PlainSelect,
    )
    assessed_from = django_filters.DateFilter(
        field_name="assessed_on",
        lookup_expr="gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    assessed_to = django_filters.DateFilter(
        field_name="assessed_on",
        lookup_expr="lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    team = django_filters.CharFilter(lookup_expr="icontains", max_length=100)
    returned = django_filters.BooleanFilter(
        label="Returned for changes", method="only_returned", widget=forms.CheckboxInput
    )
    sort = SortFilter(
        fields=(
            ("assessed_on", "date"),
            ("community__name", "community"),
            ("community__region__psgc_code", "region"),
            ("team", "team"),
            ("status", "status"),
        )
    )

    class Meta:
        model = Assessment
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(community__name__icontains=value) | Q(community__barangay__name__icontains=value)
        )

    def only_returned(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status=Assessment.Status.DRAFT, returned_at__isnull=False)
