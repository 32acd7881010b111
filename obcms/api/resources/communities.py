"""Communities with their place (barangay up to region) and full profile (people, nine rated
services, religious life, organisations, the LGU, groups, livelihoods, languages, contacts).
Writes go through the community page's form and land in the same history as page edits
(django-auditlog, through the viewset's writing())."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet
from django_filters import IsoDateTimeFilter, ModelChoiceFilter
from rest_framework import serializers

from obcms.api.archive import ARCHIVE_FIELDS, ArchiveActions, ArchiveFields
from obcms.api.filtering import ARCHIVED_HELP, ApiFilters, BooleanFilter, IdOrNameFilter
from obcms.api.resources.places import PlaceRef
from obcms.api.validation import DescribedSerializer, FormValidatedSerializer
from obcms.api.viewsets import RecordViewSet
from obcms.communities import filters
from obcms.communities.forms import CommunityForm
from obcms.communities.models import (
    PEOPLE,
    SERVICES,
    Community,
    Contact,
    EthnolinguisticGroup,
    Language,
    Livelihood,
)
from obcms.geography.models import Barangay, Municipality

RATED = (
    "'available' says the service exists without rating it (a 'yes' carried over from the "
    "old yes/no questions)."
)
# Read from plain lists, prefetched once per page (TermList).
LISTED = ("ethnolinguistic_groups", "livelihoods", "languages", "contacts")


class TermField(serializers.SlugRelatedField):
    """A term of a managed list (groups, livelihoods, languages) by its name."""

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class TermList(serializers.ManyRelatedField):
    """Terms by name: written to the many-to-many field, read from the list that
    ``records()`` prefetched into ``listed_<field>`` (a plain list is far cheaper than
    Django's per-row prefetch querysets: a third of a 100-row page's time)."""

    def get_attribute(self, instance: Community) -> list:
        return getattr(instance, f"listed_{self.source}")


def terms(model: type, help_text: str) -> TermList:
    return TermList(
        child_relation=TermField(slug_field="name", queryset=model.objects.all()),
        required=False,
        help_text=help_text,
    )


class PlaceSerializer(serializers.Serializer):
    """Where a community is: its barangay, city or municipality, province and region."""

    region = PlaceRef(source="municipality.region", read_only=True, help_text="Its region.")
    province = PlaceRef(
        source="municipality.province",
        read_only=True,
        allow_null=True,
        help_text="Its province; null for an independent city outside any province.",
    )
    municipality = PlaceRef(read_only=True, help_text="Its city or municipality.")
    barangay = PlaceRef(read_only=True, help_text="Its barangay.")


class ContactSerializer(DescribedSerializer):
    """A community's leader, official or focal person."""

    class Meta:
        model = Contact
        fields = ["id", "name", "role", "phone", "email"]


def describe(model_field: models.Field, text: str) -> str:
    """A profile field's description: its help text (else its name), and what a count, a
    rating or an unknown answer looks like in JSON."""
    label, help_text = str(model_field.verbose_name), str(model_field.help_text)
    if model_field.name in SERVICES:
        parts = [f"Access to {label}, rated; empty when unknown (nobody has said).", RATED]
        return " ".join([*parts, help_text]).strip()
    if model_field.name in PEOPLE:
        extra = "" if "population" in help_text else help_text
        parts = [f"Number of {label}.", extra, "At most the population; null when unknown."]
        return " ".join(part for part in parts if part)
    if isinstance(model_field, models.PositiveIntegerField) and model_field.null:
        text = text if help_text else f"Number of {label}."
        return text if "unknown" in text else f"{text} Null when unknown."
    if model_field.choices and model_field.blank:
        return f"{text} Empty when unknown."
    return text


class CommunitySerializer(ArchiveFields, FormValidatedSerializer):
    """A community's full profile, in the sections of OOBC's profile form: identity, people,
    access to nine services, religious and cultural life, organisations, the relationship with
    the LGU, challenges and aspirations; with its place and contacts. Written fields are
    checked by the community page's own rules (every count within the population, coordinates
    inside the Philippines)."""

    ethnolinguistic_groups = terms(
        EthnolinguisticGroup, "Ethnolinguistic groups, by name (e.g. Maranao)."
    )
    livelihoods = terms(Livelihood, "Livelihoods, by name.")
    languages = terms(Language, "Languages spoken, by name.")
    place = PlaceSerializer(
        source="*", read_only=True, help_text="Where it is, barangay up to region."
    )
    contacts = ContactSerializer(
        many=True,
        read_only=True,
        source="listed_contacts",
        help_text="Leaders and focal persons (edited in the pages).",
    )
    missing_fields = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What the profile still lacks, as found by the nightly data-quality pass.",
    )

    class Meta:
        model = Community
        form = CommunityForm
        fields = [
            "id",
            *CommunityForm.Meta.fields,
            "place",
            "contacts",
            "missing_fields",
            *ARCHIVE_FIELDS,
            "created_at",
            "updated_at",
        ]

    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        try:
            model_field = model_class._meta.get_field(field_name)
        except FieldDoesNotExist:
            return field_class, kwargs
        if not model_field.is_relation:
            kwargs["help_text"] = describe(model_field, kwargs["help_text"])
        return field_class, kwargs


class CommunityFilter(ApiFilters, filters.CommunityFilter):
    """The community list page's filters (obcms/communities/filters.py), and what only a
    program needs: the city or barangay, and changes since a time."""

    descriptions = {
        "q": "Words in the name, other names, barangay or city.",
        "region": "Region id.",
        "province": "Province id.",
        "verification": "Verification status.",
        "archived": ARCHIVED_HELP,
    }
    sort = None  # the API sorts with ?ordering= (its cursor pages need the order it gives)
    group = IdOrNameFilter(
        field_name="ethnolinguistic_groups",
        queryset=EthnolinguisticGroup.objects.all(),
        distinct=True,
        help_text="Ethnolinguistic group: its id (as the list page sends it) or its name "
        "(e.g. Maranao).",
    )
    incomplete = BooleanFilter(
        method="only_incomplete", help_text="true: only profiles that still lack something."
    )
    municipality = ModelChoiceFilter(
        queryset=Municipality.objects.all(), help_text="City or municipality id."
    )
    barangay = ModelChoiceFilter(queryset=Barangay.objects.all(), help_text="Barangay id.")
    updated_after = IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only communities changed at or after this time (ISO 8601), for syncing.",
    )


class CommunityViewSet(ArchiveActions, RecordViewSet):
    """Communities with their place and profile. Viewers read; encoders and administrators
    also add and change them (the same rules and history as the pages). Nothing is deleted
    through the API."""

    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    ordering_fields = ("id", "name", "created_at")

    def records(self) -> QuerySet[Community]:
        return Community.objects.select_related(
            "barangay", "municipality__province", "municipality__region", "archived_by"
        ).prefetch_related(
            *(Prefetch(name, to_attr=f"listed_{name}") for name in LISTED),
        )

    def save_new(self, serializer: CommunitySerializer) -> None:
        serializer.save(created_by=self.request.user)
