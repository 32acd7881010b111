"""The community list's search and filters, declared once: the list page, its exports and
anything else that lists communities use this."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from obcms.communities.models import Community, EthnolinguisticGroup
from obcms.geography.models import Province, Region
from obcms.records.listing import PlainSelect, RecordFilterSet, SortFilter


class CommunityFilter(RecordFilterSet):
    q = django_filters.CharFilter(label="Search", max_length=100, method="search")
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(),
        field_name="region",
        label="Region",
        empty_label="Any",
        widget=PlainSelect,
    )
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(),
        field_name="province",
        label="Province",
        empty_label="Any",
        widget=PlainSelect,
    )
    group = django_filters.ModelChoiceFilter(
        queryset=EthnolinguisticGroup.objects.all(),
        field_name="ethnolinguistic_groups",
        label="Ethnolinguistic group",
        empty_label="Any",
        widget=PlainSelect,
        distinct=True,
    )
    verification = django_filters.ChoiceFilter(
        choices=Community.Verification.choices, empty_label="Any", widget=PlainSelect
    )
    incomplete = django_filters.BooleanFilter(
        label="Incomplete profiles only", method="only_incomplete", widget=forms.CheckboxInput
    )
    sort = SortFilter(
        fields=(
            ("name", "name"),
            ("barangay__name", "barangay"),
            ("municipality__name", "municipality"),
            ("province__name", "province"),
            ("region__psgc_code", "region"),
            ("population", "population"),
            ("verification", "verification"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Community
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(other_names__icontains=value)
            | Q(barangay__name__icontains=value)
            | Q(municipality__name__icontains=value)
        )

    def only_incomplete(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(missing_fields=[]) if value else queryset
