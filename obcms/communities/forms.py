"""What staff type: the community profile, in the sections of OOBC's profile form, and its
contacts."""

from __future__ import annotations

from django import forms

from obcms.communities.models import PEOPLE, SERVICES, Community, Contact
from obcms.geography.models import Barangay, Municipality
from obcms.records.listing import is_id
from obcms.records.modelforms import ModelForm

# The profile's sections, shared by the form, the page and the admin.
SECTIONS = (
    (
        "Identity",
        (
            "name",
            "other_names",
            "purok_sitio",
            "municipality",
            "barangay",
            "settlement_type",
            "proximity_to_barmm",
            "latitude",
            "longitude",
        ),
    ),
    ("People", ("population", *PEOPLE[:13])),
    ("Access to services", SERVICES),
    ("Religious and cultural life", ("mosques", "madrasahs", "asatidz", "religious_leaders")),
    ("Organisations", ("cooperatives", "peoples_organizations")),
    ("Relationship with the LGU", ("lgu_relationship", "lgu_relationship_notes")),
    ("Challenges and aspirations", ("challenges", "aspirations")),
    ("Groups, livelihoods and languages", ("ethnolinguistic_groups", "livelihoods", "languages")),
    ("Verification and notes", ("verification", "notes")),
)


class CommunityForm(ModelForm):
    class Meta:
        model = Community
        fields = [name for _, names in SECTIONS for name in names]
        widgets = {
            "ethnolinguistic_groups": forms.CheckboxSelectMultiple,
            "livelihoods": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("lgu_relationship_notes", "challenges", "aspirations", "notes")
            },
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
            if is_id(str(municipality_id or ""))
            else barangays.none()
        )
        self.fields["barangay"].widget.attrs["data-barangays-for"] = "id_municipality"
        for name in SERVICES:  # "Unknown", not "---------": nobody has said yet
            self.fields[name].choices = [("", "Unknown"), *Community._meta.get_field(name).choices]
        for name in ("settlement_type", "proximity_to_barmm", "lgu_relationship"):
            self.fields[name].choices = [("", "Unknown"), *Community._meta.get_field(name).choices]

    @property
    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email"]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())
