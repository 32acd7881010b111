"""What staff type: the community profile, its contacts, and the list's filters."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from obcms.communities.models import Community, Contact, EthnolinguisticGroup
from obcms.geography.models import Barangay, Municipality, Province, Region


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = [
            "name",
            "municipality",
            "barangay",
            "population",
            "households",
            "latitude",
            "longitude",
            "ethnolinguistic_groups",
            "livelihoods",
            "languages",
            "has_school",
            "has_madrasah",
            "has_health_facility",
            "has_potable_water",
            "has_electricity",
            "verification",
            "notes",
        ]
        widgets = {
            "ethnolinguistic_groups": forms.CheckboxSelectMultiple,
            "livelihoods": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.select_related("province")
        # Only the chosen municipality's barangays: a whole region's would be thousands.
        municipality_id = self.data.get(self.add_prefix("municipality")) or getattr(
            self.instance, "municipality_id", None
        )
        barangays = Barangay.objects.select_related("municipality")
        self.fields["barangay"].queryset = (
            barangays.filter(municipality_id=municipality_id)
            if str(municipality_id or "").isdigit()
            else barangays.none()
        )
        self.fields["barangay"].widget.attrs["data-barangays-for"] = "id_municipality"

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


ContactFormSet = forms.inlineformset_factory(
    Community, Contact, fields=["name", "role", "phone", "email"], extra=1, can_delete=True
)


class PlainSelect(forms.Select):
    """A <select> rendered in Python. Django renders each option through a template, about a
    tenth of a millisecond apiece; the list page shows some fifty on every request."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.plain_choices()
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)

    def plain_choices(self) -> list[tuple[object, str]]:
        """Model choices from one ordinary query: ModelChoiceIterator uses ``.iterator()``,
        which on PostgreSQL costs a server-side cursor (DECLARE, FETCH, CLOSE) per select."""
        if not isinstance(self.choices, ModelChoiceIterator):
            return list(self.choices)
        field = self.choices.field
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]


class CommunityFilterForm(forms.Form):
    """The list's search and filters. Unknown values are ignored, never an error page."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    region = forms.ModelChoiceField(Region.objects.all(), required=False, widget=PlainSelect)
    province = forms.ModelChoiceField(Province.objects.all(), required=False, widget=PlainSelect)
    group = forms.ModelChoiceField(
        EthnolinguisticGroup.objects.all(),
        required=False,
        label="Ethnolinguistic group",
        widget=PlainSelect,
    )
    verification = forms.ChoiceField(
        choices=[("", "Any"), *Community.Verification.choices],
        required=False,
        widget=PlainSelect,
    )
    incomplete = forms.BooleanField(required=False, label="Incomplete profiles only")

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(
                Q(name__icontains=data["q"])
                | Q(barangay__name__icontains=data["q"])
                | Q(municipality__name__icontains=data["q"])
            )
        if data["region"]:
            queryset = queryset.filter(municipality__region=data["region"])
        if data["province"]:
            queryset = queryset.filter(municipality__province=data["province"])
        if data["group"]:
            queryset = queryset.filter(ethnolinguistic_groups=data["group"])
        if data["verification"]:
            queryset = queryset.filter(verification=data["verification"])
        if data["incomplete"]:
            queryset = queryset.exclude(missing_fields=[])
        return queryset.distinct() if data["group"] else queryset

    def as_query(self) -> dict[str, str]:
        """The valid filters as plain strings, to store with an export or put in a link."""
        if not self.is_valid():
            return {}
        return {
            name: str(getattr(value, "pk", value))
            for name, value in self.cleaned_data.items()
            if value not in ("", None, False)
        }
