"""The community list's filters, as the map and the place profiles take them."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from obcms.communities.forms import CommunityFilterForm
from obcms.communities.models import Community
from obcms.places.lookup import PSGC_CODE, find_place


class MapFilterForm(CommunityFilterForm):
    """The list's filters, a place (the profile's "on the map" link) and the colouring."""

    place = forms.CharField(
        required=False,
        max_length=10,
        validators=[RegexValidator(PSGC_CODE, "A PSGC code is 10 digits.")],
        widget=forms.HiddenInput,
    )
    colour = forms.ChoiceField(
        label="Colour by",
        choices=[("verification", "Verification"), ("needs", "Needs")],
        required=False,
        widget=forms.RadioSelect,
    )

    def filter(self, queryset: QuerySet[Community]) -> QuerySet[Community]:
        queryset = without_duplicates(super().filter(queryset))
        if self.is_valid() and self.cleaned_data["place"]:
            place = find_place(self.cleaned_data["place"])
            queryset = queryset.filter(place.communities_filter()) if place else queryset.none()
        return queryset


class PlaceFilterForm(CommunityFilterForm):
    """The list's filters inside one place: its region and province are given by the place."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["region"], self.fields["province"]

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned.update(region=None, province=None)
        return cleaned

    def filter(self, queryset: QuerySet[Community]) -> QuerySet[Community]:
        return without_duplicates(super().filter(queryset))


def without_duplicates(queryset: QuerySet[Community]) -> QuerySet[Community]:
    """The list's group filter joins through the groups and answers ``.distinct()``; counting
    over that with subqueries fails (and grouping it is slow), so filter by its ids instead."""
    if not queryset.query.distinct:
        return queryset
    return queryset.model.objects.filter(pk__in=queryset.values("pk"))


def describe_filters(form: CommunityFilterForm) -> list[str]:
    """The valid filters in words ("Ethnolinguistic group: Maranao"), for pages and PDFs."""
    if not form.is_valid():
        return []
    described = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", False) or name in ("colour", "place"):
            continue
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(value, value)
        elif value is True:
            value = "yes"
        described.append(f"{field.label or name.title()}: {value}")
    return described
