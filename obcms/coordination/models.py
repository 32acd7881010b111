"""Partners OOBC works with, and their engagements with communities."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from obcms.communities.models import Community
from obcms.records import history
from obcms.records.archive import Archivable


class Partner(Archivable):
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
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick when OOBC no longer works with them: they stay listed, with their "
        "engagements, but are not offered for new ones.",
    )

    class Meta(Archivable.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("coordination:partner", args=[self.pk])


class Engagement(Archivable):
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
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    archive_parents = ("partner", "community")  # out of lists while either is archived

    class Meta(Archivable.Meta):
        ordering = ["-engaged_on", "-id"]
        indexes = [models.Index(fields=["follow_up_on", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"

    def get_absolute_url(self) -> str:
        return reverse("coordination:engagement", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.COMPLETED

    def clean(self) -> None:
        errors = {}
        if self.follow_up_on and self.engaged_on and self.follow_up_on < self.engaged_on:
            errors["follow_up_on"] = "The follow-up cannot come before the engagement itself."
        if self.status == self.Status.COMPLETED and not self.outcome.strip():
            errors["outcome"] = "Say what came of it before marking it completed."
        if errors:
            raise ValidationError(errors)

    def close(self, outcome: str) -> None:
        """Completed, with what came of it: its follow-up reminders stop."""
        if not self.is_open:
            raise ValidationError("This engagement is closed already.")
        if not outcome.strip():
            raise ValidationError({"outcome": "Say what came of it: the outcome is required."})
        self.status, self.outcome, self.closed_at = (
            self.Status.COMPLETED,
            outcome.strip(),
            timezone.now(),
        )
        self.save(update_fields=["status", "outcome", "closed_at"])


history.track(Partner)
history.track(Engagement, exclude=("created_by",))
