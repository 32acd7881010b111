"""The registry: Other Bangsamoro Communities, where they are, who they are, what they have."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from obcms.geography.models import Barangay, Municipality

# The Philippines' extent, with a margin: Tawi-Tawi to Batanes, Palawan to Davao Oriental.
PHILIPPINES_LATITUDE = (4.2, 21.5)
PHILIPPINES_LONGITUDE = (116.0, 127.0)


class Term(models.Model):
    """A name from a short managed list (groups, livelihoods, languages), kept in the admin."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EthnolinguisticGroup(Term):
    class Meta(Term.Meta):
        verbose_name = "ethnolinguistic group"


class Livelihood(Term):
    pass


class Language(Term):
    pass


class Community(models.Model):
    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        VERIFIED = "verified", "Verified"
        NEEDS_REVIEW = "needs_review", "Needs review"

    name = models.CharField(max_length=200, help_text="The community's name as its people use it.")
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name="city or municipality",
    )
    barangay = models.ForeignKey(Barangay, on_delete=models.PROTECT, related_name="communities")
    population = models.PositiveIntegerField(
        null=True, blank=True, help_text="People living in the community; leave empty if unknown."
    )
    households = models.PositiveIntegerField(
        null=True, blank=True, help_text="Households; cannot exceed the population."
    )
    ethnolinguistic_groups = models.ManyToManyField(EthnolinguisticGroup, blank=True)
    livelihoods = models.ManyToManyField(Livelihood, blank=True)
    languages = models.ManyToManyField(Language, blank=True, help_text="Languages spoken.")
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Where the community is, in decimal degrees (e.g. 7.825100); leave empty "
        "to place it at its barangay.",
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Decimal degrees east (e.g. 123.437000).",
    )
    has_school = models.BooleanField("school within reach", null=True, blank=True)
    has_madrasah = models.BooleanField("madrasah within reach", null=True, blank=True)
    has_health_facility = models.BooleanField("health facility within reach", null=True, blank=True)
    has_potable_water = models.BooleanField("potable water", null=True, blank=True)
    has_electricity = models.BooleanField("electricity", null=True, blank=True)
    verification = models.CharField(
        max_length=20,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        help_text="Verified once a field visit or a partner has confirmed the profile.",
    )
    notes = models.TextField(blank=True)
    missing_fields = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Set by the nightly data-quality pass: what this profile still lacks.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "barangay",
                name="unique_community_per_barangay",
                violation_error_message="A community with this name is "
                "already registered in this barangay.",
            ),
        ]
        indexes = [
            models.Index(fields=["verification"]),
            # The list is sorted by name: with this index a filtered page reads ~50 rows in
            # name order instead of sorting every match.
            models.Index(fields=["name"], name="community_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if (
            self.population is not None
            and self.households is not None
            and self.households > self.population
        ):
            errors["households"] = (
                f"{self.households} households cannot live in a population "
                f"of {self.population}; check both numbers."
            )
        if (
            self.barangay_id
            and self.municipality_id
            and (self.barangay.municipality_id != self.municipality_id)
        ):
            errors["barangay"] = (
                f"{self.barangay.name} is in {self.barangay.municipality.name}, "
                f"not in {self.municipality.name}."
            )
        errors.update(self.coordinate_errors())
        if errors:
            raise ValidationError(errors)

    def coordinate_errors(self) -> dict[str, str]:
        """Both coordinates or neither, and inside the Philippines."""
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            return {missing: "Give both latitude and longitude, or neither."}
        if self.latitude is None:
            return {}
        south, north = PHILIPPINES_LATITUDE
        west, east = PHILIPPINES_LONGITUDE
        if not (south <= self.latitude <= north and west <= self.longitude <= east):
            return {
                "latitude": f"{self.latitude}, {self.longitude} is outside the Philippines "
                f"(latitude {south} to {north}, longitude {west} to {east}); check the "
                "numbers and that latitude comes first."
            }
        return {}

    PROFILE_RELATIONS = ("ethnolinguistic_groups", "livelihoods", "languages", "contacts")

    def find_missing_fields(self) -> list[str]:
        """What the data-quality pass expects every profile to have and this one lacks
        (prefetch PROFILE_RELATIONS when checking many)."""
        missing = [name for name in ("population", "households") if getattr(self, name) is None]
        missing += [name for name in self.PROFILE_RELATIONS if not getattr(self, name).all()]
        return missing


class Contact(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", "Community leader"
        RELIGIOUS = "religious", "Religious leader (imam, ustadz)"
        OFFICIAL = "official", "Barangay official"
        FOCAL = "focal", "Focal person"
        OTHER = "other", "Other"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEADER)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class CommunityChange(models.Model):
    """Who changed what in a community profile, and when: one row per save that changed it."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(help_text='{"field": ["old", "new"], ...}')

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.community} changed {', '.join(self.changes)}"
