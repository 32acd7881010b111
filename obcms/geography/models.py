"""The four PSGC levels. Codes are the 10-digit PSGC ids; loaded by ``load_geography``."""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    psgc_code = models.CharField("PSGC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(
        max_length=20, blank=True, help_text='How staff say it: "IX", "XII", "BARMM".'
    )

    class Meta:
        ordering = ["psgc_code"]

    def __str__(self) -> str:
        return self.name


class Province(models.Model):
    """A province, or a place PSGC lists at province level (a city that is not part of one,
    such as the City of Isabela)."""

    psgc_code = models.CharField("PSGC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
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


class Barangay(models.Model):
    psgc_code = models.CharField("PSGC code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="barangays"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
