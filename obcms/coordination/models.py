"""Partners OOBC works with, and their engagements with communities."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from obcms.communities.models import Community


class Partner(models.Model):
    class Kind(models.TextChoices):
        BARMM = "barmm", "BARMM ministry or office"
        LGU = "lgu", "Local government unit"
        NATIONAL = "national", "National government agency"
        NGO = "ngo", "NGO or civil society organization"
        DEVELOPMENT = "development", "Development partner"

    name = models.CharField(max_length=200, unique=True)
    acronym = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    contact_person = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Engagement(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="engagements")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="engagements")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    engaged_on = models.DateField("date")
    follow_up_on = models.DateField("follow-up date", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    outcome = models.TextField(blank=True, help_text="What came of it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-engaged_on"]
        indexes = [models.Index(fields=["follow_up_on", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"

    def clean(self) -> None:
        if self.follow_up_on and self.engaged_on and self.follow_up_on < self.engaged_on:
            raise ValidationError(
                {"follow_up_on": "The follow-up cannot come before the engagement itself."}
            )
