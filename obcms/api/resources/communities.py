"""Communities with their place (barangay up to region) and profile (groups, livelihoods,
languages, services, contacts). Writes go through the community page's form and land in the
same history as page edits (django-auditlog, through the viewset's writing())."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django_filters import IsoDateTimeFilter, ModelChoiceFilter
from rest_framework import serializers

from obcms.api.filtering import ARCHIVED_HELP, ApiFilters, BooleanFilter, IdOrNameFilter
from obcms.api.resources.places import PlaceRef
from obcms.api.validation import DescribedSerializer, FormValidatedSerializer
from obcms.api.viewsets import RecordViewSet
from obcms.communities import filters
from obcms.communities.forms import CommunityForm
from obcms.communities.models import (
    Community,
    Contact,
    EthnolinguisticGroup,
    Language,
    Livelihood,
)
from obcms.geography.models import Barangay, Municipality

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


class CommunitySerializer(FormValidatedSerializer):
    """A community: where it is, who lives there, what they have. Written fields are checked
    by the community page's own rules."""

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
            "created_at",
            "updated_at",
        ]


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


class CommunityViewSet(RecordViewSet):
    """Communities with their place and profile. Viewers read; encoders and administrators
    also add and change them (the same rules and history as the pages). Nothing is deleted
    through the API."""

    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    ordering_fields = ("id", "name", "created_at")

    def records(self) -> QuerySet[Community]:
        return Community.objects.select_related(
            "barangay", "municipality__province", "municipality__region"
        ).prefetch_related(
            *(Prefetch(name, to_attr=f"listed_{name}") for name in LISTED),
        )

    def save_new(self, serializer: CommunitySerializer) -> None:
        serializer.save(created_by=self.request.user)
