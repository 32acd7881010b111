"""The PPA list's filters, declared once (list, totals)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from obcms.assessments.models import Need
from obcms.coordination.models import Partner
from obcms.geography.models import Region
from obcms.ppas.models import PPA
from obcms.records.listing import PlainSelect, RecordFilterSet, SortFilter


class PPAFilter(RecordFilterSet):
    q = django_filters.CharFilter(label="Search", max_length=100, method="search")
    kind = django_filters.ChoiceFilter(
        choices=PPA.Kind.choices, empty_label="Any", widget=PlainSelect
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), label="Region", empty_label="Any", widget=PlainSelect
    )
    sector = django_filters.ChoiceFilter(
        choices=Need.Sector.choices, empty_label="Any", widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(
        choices=PPA.Status.choices, empty_label="Any", widget=PlainSelect
    )
    fiscal_year = django_filters.NumberFilter(label="Fiscal year")
    implementing_partner = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.all(), label="Partner", empty_label="Any", widget=PlainSelect
    )
    sort = SortFilter(
        fields=(
            ("title", "title"),
            ("fiscal_year", "year"),
            ("budget_allocated", "budget"),
            ("budget_spent", "spent"),
            ("status", "status"),
        )
    )

    class Meta:
        model = PPA
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value)
            | Q(funding_source__icontains=value)
            | Q(requester__icontains=value)
        )
