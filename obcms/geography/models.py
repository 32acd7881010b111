"""The four PSGC levels. Codes are the 10-digit PSGC ids; loaded by ``load_geography``."""

from __future__ import annotations

from django.db import models

from obcms.db.columns import fits_integer_column


class Place(models.Model):
    """What every level carries besides its code and name: a representative point (the map
    places communities without coordinates of their own at their barangay's) and the 2024
    census, from the ``psgc`` package (obcms/geography/data/build.py)."""

    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    population = models.PositiveIntegerField(
        "population (2024 census)", null=True, blank=True, validators=[fits_integer_column]
    )
    area_km2 = models.DecimalField(
        "land area (km²)", max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        abstract = True


class Region(Place):
    psgc_code = models.CharField("PSGC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(
        max_length=20, blank=True, help_text='How staff say it: "IX", "XII", "BARMM".'
    )

    class Meta:
        ordering = ["psgc_code"]

    def __str__(self) -> str:
        return self.name


class Province(Place):
    """A province, or a place PSGC lists at province level (a city that is not part of one,
    such as the City of Isabela)."""

    psgc_code = models.CharField("PSGC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(Place):
    class Kind(models.TextChoices):
        CITY = "city", "City"
        MUNICIPALITY = "municipality", "Municipality"
        SUBMUNICIPALITY = "submunicipality", "Sub-municipality"

    psgc_code = models.CharField("PSGC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        help_text="Empty for independent cities outside any province.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "city or municipality"
        verbose_name_plural = "cities and municipalities"

    def __str__(self) -> str:
        return f"{self.name}, {self.province.name}" if self.province_id else self.name


class Barangay(Place):
    psgc_code = models.CharField("PSGC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="barangays"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
