"""The choices a PDF report is made of: a place and the list's filters, or a region and a
period. Stored with the report and read back by the worker through the same form."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from obcms.geography.models import Region
from obcms.places.filters import PlaceFilter
from obcms.places.lookup import PSGC_CODE, PlaceRef, find_place
from obcms.reports.models import Report


class PlaceReportFields(forms.Form):
    """The form under PlaceReportForm: the place must exist."""

    place_ref: PlaceRef

    def clean_place(self) -> str:
        code = self.cleaned_data["place"]
        place = find_place(code)
        if place is None:
            raise forms.ValidationError(
                "No region, province, city or municipality has this PSGC code; open the "
                "place's profile and start the report there."
            )
        self.place_ref = place
        return code


class PlaceReportForm(PlaceFilter):
    """A place and the profile's filters (the same FilterSet as the page's)."""

    place = django_filters.CharFilter(
        required=True,
        max_length=10,
        validators=[RegexValidator(PSGC_CODE, "A PSGC code is 10 digits.")],
        method="as_given",
    )

    class Meta(PlaceFilter.Meta):
        form = PlaceReportFields

    def as_given(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # the place chooses the communities (profiles.place_communities)

    @property
    def place_ref(self) -> PlaceRef:
        return self.form.place_ref

    def report(self) -> dict:
        return {
            "kind": Report.Kind.PLACE_PROFILE,
            "title": f"{self.place_ref.kind} profile: {self.place_ref.name}",
            "filters": self.as_query(),
        }


class ManaSummaryForm(forms.Form):
    region = forms.ModelChoiceField(Region.objects.all(), to_field_name="psgc_code")
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The period ends before it starts: check both dates.")
        return cleaned

    def report(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": Report.Kind.MANA_SUMMARY,
            "title": f"MANA summary: {data['region'].name}, "
            f"{data['date_from']:%d %b %Y} to {data['date_to']:%d %b %Y}",
            "filters": {
                "region": data["region"].psgc_code,
                "date_from": data["date_from"].isoformat(),
                "date_to": data["date_to"].isoformat(),
            },
        }
