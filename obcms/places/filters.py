"""The community list's filters (communities/filters.py), as the map and the place profiles
take them: the same FilterSet, so a query means the same everywhere, search, groups and the
"archived" filter included. The map and the profiles start from ``records.communities()``
(current communities only), so asking them for archived communities shows none; the list and
its exports show those."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from obcms.communities.filters import CommunityFilter
from obcms.communities.models import Community
from obcms.places.lookup import PSGC_CODE, find_place


class CountableFilter(CommunityFilter):
    """The list's filters without its sorting, applied to any queryset of communities."""

    sort = None  # the map and the profiles have no order to choose

    class Meta(CommunityFilter.Meta):
        pass

    def filter_queryset(self, queryset: QuerySet[Community]) -> QuerySet[Community]:
        return without_duplicates(super().filter_queryset(queryset))

    def applied_to(self, queryset: QuerySet[Community]) -> QuerySet[Community]:
        """``queryset`` through the valid filters (an invalid value is left out, as on the
        list)."""
        self.errors  # noqa: B018 (validates)
        return self.filter_queryset(queryset.all())


class MapFilter(CountableFilter):
    """The list's filters, a place (the profile's "on the map" link) and the colouring."""

    place = django_filters.CharFilter(
        method="in_place",
        max_length=10,
        validators=[RegexValidator(PSGC_CODE, "A PSGC code is 10 digits.")],
        widget=forms.HiddenInput,
    )
    colour = django_filters.ChoiceFilter(
        label="Colour by",
        choices=[("verification", "Verification"), ("needs", "Needs")],
        empty_label=None,
        method="as_given",
        widget=forms.RadioSelect,
    )

    class Meta(CountableFilter.Meta):
        pass

    def in_place(self, queryset: QuerySet[Community], name: str, value: str) -> QuerySet:
        place = find_place(value)
        return queryset.filter(place.communities_filter()) if place else queryset.none()

    def as_given(self, queryset: QuerySet[Community], name: str, value: str) -> QuerySet:
        return queryset  # the colouring is the page's business, not a filter


class PlaceFilter(CountableFilter):
    """The list's filters inside one place: its region and province are given by the place."""

    region = None
    province = None

    class Meta(CountableFilter.Meta):
        pass


def without_duplicates(queryset: QuerySet[Community]) -> QuerySet[Community]:
    """The list's group filter joins through the groups and answers ``.distinct()``; counting
    over that with subqueries fails (and grouping it is slow), so filter by its ids instead."""
    if not queryset.query.distinct:
        return queryset
    return queryset.model.objects.filter(pk__in=queryset.values("pk"))


def describe_filters(filters: CountableFilter) -> list[str]:
    """The valid filters in words ("Ethnolinguistic group: Maranao"), for pages and PDFs."""
    filters.errors  # noqa: B018 (validates)
    described = []
    for name, field in filters.form.fields.items():
        value = filters.form.cleaned_data.get(name)
        if value in (None, "", False) or name in ("colour", "place"):
            continue
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(value, value)
        elif value is True:
            value = "yes"
        described.append(f"{field.label or name.title()}: {value}")
    return described
