"""The assessment list's filters, declared once."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from obcms.assessments.models import Assessment, Need
from obcms.geography.models import Province, Region
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


class NeedFilter(RecordFilterSet):
    """The needs register's filters; its exports and totals go through the same set."""

    q = django_filters.CharFilter(label="Search", max_length=100, method="search")
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        field_name="assessment__community__region",
        label="Region",
        empty_label="Any",
        widget=PlainSelect,
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(),
        field_name="assessment__community__province",
        label="Province",
        empty_label="Any",
        widget=PlainSelect,
    )
    sector = django_filters.ChoiceFilter(
        choices=Need.Sector.choices, empty_label="Any", widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(
        choices=Need.Status.choices, empty_label="Any", widget=PlainSelect
    )
    urgency = django_filters.ChoiceFilter(
        choices=Need.Urgency.choices, empty_label="Any", widget=PlainSelect
    )
    priority = django_filters.ChoiceFilter(
        choices=Need.Priority.choices, empty_label="Any", widget=PlainSelect
    )
    sort = SortFilter(
        fields=(
            ("assessment__community__name", "community"),
            ("sector", "sector"),
            ("status", "status"),
            ("priority", "priority"),
            ("urgency", "urgency"),
            ("beneficiaries", "people"),
            ("estimated_cost", "cost"),
            ("rank", "rank"),
        )
    )

    class Meta:
        model = Need
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(description__icontains=value)
            | Q(assessment__community__name__icontains=value)
            | Q(assessment__community__municipality__name__icontains=value)
        )
