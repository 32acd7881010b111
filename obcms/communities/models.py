"""The registry: Other Bangsamoro Communities, where they are, who they are, what they have."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.urls import reverse

from obcms.db.columns import fits_integer_column
from obcms.geography.models import Barangay, Municipality, Province, Region
from obcms.records import history
from obcms.records.archive import Archivable

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


class Rating(models.TextChoices):
    """How well a service reaches the community. Empty means unknown (nobody has said)."""

    EXCELLENT = "excellent", "Excellent"
    GOOD = "good", "Good"
    FAIR = "fair", "Fair"
    POOR = "poor", "Poor"
    NONE = "none", "None (no access)"
    # Carried over from the yes/no answers: a "yes" said the service exists, not how good it
    # is (see the release notes in README.md).
    AVAILABLE = "available", "Available, not rated"


# The nine services, in the order of OOBC's profile form.
SERVICES = (
    "access_formal_education",
    "access_alternative_learning",
    "access_madrasah",
    "access_health_care",
    "access_potable_water",
    "access_sanitation",
    "access_electricity",
    "access_roads_transport",
    "access_communication",
)
# Counts of people, each within the population.
PEOPLE = (
    "families",
    "households",
    "women",
    "youth",
    "senior_citizens",
    "persons_with_disability",
    "solo_parents",
    "indigenous_people",
    "displaced_people",
    "farmers",
    "fisherfolk",
    "unemployed",
    "overseas_workers",
    "asatidz",
    "religious_leaders",
)


def count_field(label: str, help_text: str = "") -> models.PositiveIntegerField:
    """A count that may be unknown (empty), never negative, at most what PostgreSQL's integer
    column holds."""
    return models.PositiveIntegerField(
        label, null=True, blank=True, help_text=help_text, validators=[fits_integer_column]
    )


def rating_field(label: str, help_text: str = "") -> models.CharField:
    """A service rating; empty means unknown."""
    return models.CharField(
        label, max_length=10, choices=Rating.choices, blank=True, help_text=help_text
    )


class Community(Archivable):
    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        VERIFIED = "verified", "Verified"
        NEEDS_REVIEW = "needs_review", "Needs review"

    class Settlement(models.TextChoices):
        URBAN = "urban", "Urban"
        RURAL = "rural", "Rural"
        COASTAL = "coastal", "Coastal"
        UPLAND = "upland", "Upland or mountain"
        ISLAND = "island", "Island"
        RIVERINE = "riverine", "Riverine or lakeside"

    class Proximity(models.TextChoices):
        ADJACENT = "adjacent", "Adjacent (borders the BARMM)"
        NEAR = "near", "Near (a few hours' travel)"
        FAR = "far", "Far (a day's travel or more)"

    class LguRelationship(models.TextChoices):
        STRONG = "strong", "Strong: regular consultation and support"
        FAIR = "fair", "Fair: occasional contact"
        WEAK = "weak", "Weak: little or no contact"
        STRAINED = "strained", "Strained: disputes or exclusion"

    # Identity
    name = models.CharField(max_length=200, help_text="The community's name as its people use it.")
    other_names = models.CharField(
        max_length=300, blank=True, help_text="Other names it is known by, comma-separated."
    )
    purok_sitio = models.CharField(
        "purok or sitio", max_length=200, blank=True, help_text="Within the barangay."
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name="city or municipality",
    )
    barangay = models.ForeignKey(Barangay, on_delete=models.PROTECT, related_name="communities")
    # Copies of the municipality's region and province, so that the lists filter and count
    # communities by region without joining every row to its municipality (issue 19). Set by
    # save() and by the places loader (refresh_places); indexed with the name below.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="communities",
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="communities",
        help_text="Empty in independent cities outside any province.",
    )
    settlement_type = models.CharField(
        "settlement type", max_length=10, choices=Settlement.choices, blank=True
    )
    proximity_to_barmm = models.CharField(
        "proximity to the BARMM", max_length=10, choices=Proximity.choices, blank=True
    )
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
    # People (the other counts come from PEOPLE, in CommunityFields)
    population = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="People living in the community; leave empty if unknown.",
        validators=[fits_integer_column],
    )
    households = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Households; cannot exceed the population.",
        validators=[fits_integer_column],
    )
    families = count_field("families")
    women = count_field("women")
    youth = count_field("youth", "Aged 15 to 30.")
    senior_citizens = count_field("senior citizens", "Aged 60 and over.")
    persons_with_disability = count_field("persons with disability")
    solo_parents = count_field("solo parents")
    indigenous_people = count_field("indigenous people")
    displaced_people = count_field("internally displaced people")
    farmers = count_field("farmers")
    fisherfolk = count_field("fisherfolk")
    unemployed = count_field("unemployed")
    overseas_workers = count_field("overseas workers", "Overseas Filipino workers (OFWs).")
    # Access to services
    access_formal_education = rating_field("formal education")
    access_alternative_learning = rating_field("alternative learning (ALS)")
    access_madrasah = rating_field("madrasah education")
    access_health_care = rating_field("health care")
    access_potable_water = rating_field("potable water")
    access_sanitation = rating_field("sanitation")
    access_electricity = rating_field("electricity")
    access_roads_transport = rating_field("roads and transport")
    access_communication = rating_field("communication", "Mobile signal, internet, radio.")
    # Religious and cultural life
    mosques = count_field("mosques")
    madrasahs = count_field("madrasahs")
    asatidz = count_field("asatidz", "Religious teachers (ustadz, ustadzah).")
    religious_leaders = count_field("religious leaders", "Imams and other religious leaders.")
    # Organisations
    cooperatives = count_field("cooperatives")
    peoples_organizations = count_field("people's organisations")
    ethnolinguistic_groups = models.ManyToManyField(EthnolinguisticGroup, blank=True)
    livelihoods = models.ManyToManyField(Livelihood, blank=True)
    languages = models.ManyToManyField(Language, blank=True, help_text="Languages spoken.")
    # Relationship with the LGU, challenges and aspirations
    lgu_relationship = models.CharField(
        "relationship with the LGU", max_length=10, choices=LguRelationship.choices, blank=True
    )
    lgu_relationship_notes = models.TextField(
        "about the relationship",
        blank=True,
        help_text="Programmes reaching the community, consultation, representation, disputes.",
    )
    challenges = models.TextField(blank=True, help_text="As the community describes them.")
    aspirations = models.TextField(blank=True, help_text="What the community hopes for.")
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

    class Meta(Archivable.Meta):
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
            # A region's or province's page of the list, in name order, and its count from the
            # index alone (archived_at included: the lists show current records).
            models.Index(
                fields=["region", "name"],
                name="community_region_name_idx",
                include=["archived_at"],
            ),
            models.Index(
                fields=["province", "name"],
                name="community_province_name_idx",
                include=["archived_at"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:detail", args=[self.pk])

    def save(self, *args: object, **kwargs: object) -> None:
        self.place_in_municipality()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "municipality" in update_fields:
            kwargs["update_fields"] = {*update_fields, "region", "province"}
        super().save(*args, **kwargs)

    def place_in_municipality(self) -> None:
        """Region and province from the municipality (a query only when it was not loaded)."""
        if self.municipality_id is None:
            return
        municipality = self.municipality
        self.region_id = municipality.region_id
        self.province_id = municipality.province_id

    @classmethod
    def refresh_places(cls) -> int:
        """Region and province of every community whose municipality moved (the places
        loader's reloads); returns how many changed."""
        towns = Municipality.objects.filter(pk=OuterRef("municipality_id"))
        stale = cls.objects.exclude(
            Q(region_id=F("municipality__region_id"))
            & (
                Q(province_id=F("municipality__province_id"))
                | Q(province_id__isnull=True, municipality__province_id__isnull=True)
            )
        )
        return cls.objects.filter(pk__in=stale.values("pk")).update(
            region_id=Subquery(towns.values("region_id")),
            province_id=Subquery(towns.values("province_id")),
        )

    def clean(self) -> None:
        errors = self.count_errors()
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

    def count_errors(self) -> dict[str, str]:
        """Every count of people within the population."""
        if self.population is None:
            return {}
        errors = {}
        for name in PEOPLE:
            value = getattr(self, name)
            if value is None or value <= self.population:
                continue
            if name == "households":
                errors[name] = (
                    f"{value} households cannot live in a population of {self.population}; "
                    "check both numbers."
                )
            else:
                label = self._meta.get_field(name).verbose_name
                errors[name] = (
                    f"{value} {label} is more than the population of {self.population}; "
                    "check both numbers."
                )
        return errors

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

    # What the data-quality pass expects of every profile, with the words staff read.
    EXPECTED = {
        "population": "population",
        "households": "households",
        "families": "families",
        "settlement_type": "settlement type",
        "services": "access to services",
        "ethnolinguistic_groups": "ethnolinguistic groups",
        "livelihoods": "livelihoods",
        "languages": "languages",
        "contacts": "contacts",
    }
    PROFILE_RELATIONS = ("ethnolinguistic_groups", "livelihoods", "languages", "contacts")

    def find_missing_fields(self) -> list[str]:
        """What the data-quality pass expects every profile to have and this one lacks
        (prefetch PROFILE_RELATIONS when checking many)."""
        missing = [
            name
            for name in ("population", "households", "families", "settlement_type")
            if getattr(self, name) in (None, "")
        ]
        if not any(getattr(self, name) for name in SERVICES):
            missing.append("services")
        missing += [name for name in self.PROFILE_RELATIONS if not getattr(self, name).all()]
        return missing

    @property
    def missing_labels(self) -> list[str]:
        return [self.EXPECTED.get(name, name.replace("_", " ")) for name in self.missing_fields]


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


history.track(
    Community,
    m2m_fields=("ethnolinguistic_groups", "livelihoods", "languages"),
    exclude=("missing_fields", "created_by", "region", "province"),
)
history.track(Contact, part_of="community")
