"""Report material: the statistics rollup, and exports and imports built in the background.

Files live in Django's default storage (a local folder, or an S3 bucket when configured),
because web and worker run in separate containers that share no disk."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

EXPORT_LIFETIME = timedelta(days=7)


class StatisticsSnapshot(models.Model):
    """The dashboard's figures, computed every 15 minutes by ``refresh_statistics``."""

    computed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-computed_at"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"Statistics of {self.computed_at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The job rules (obcms/reports/jobs.py): queued, the time by which a worker should have
    # started it; running, the lease its worker renews. Past it, the sweeper sends it again.
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    # Incremented by every claim: a worker writes only while the row still carries its number.
    claim = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def delayed(self) -> bool:
        """Queued past its start deadline (the broker was unreachable, or a worker died): the
        sweeper sends it again; the page says so instead of promising a file."""
        return (
            self.status == self.Status.QUEUED
            and self.lease_until is not None
            and self.lease_until <= timezone.now()
        )


class Export(Job):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    format = models.CharField(max_length=4, choices=Format.choices, default=Format.CSV)
    filters = models.JSONField(default=dict, help_text="The community list's filters, as given.")
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta(Job.Meta):
        pass

    def __str__(self) -> str:
        return f"Export #{self.pk} ({self.get_format_display()}, {self.get_status_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.expires_at:
            self.expires_at = timezone.now() + EXPORT_LIFETIME
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:export", args=[self.pk])


class Import(Job):
    file = models.FileField(upload_to="imports/%Y/%m/")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(
        default=0, help_text="Rows with an id whose community was edited."
    )
    unchanged_count = models.PositiveIntegerField(
        default=0, help_text="Rows with an id whose community already had every value."
    )
    errors = models.JSONField(default=list, help_text='[{"row": 3, "errors": {...}}, ...]')

    class Meta(Job.Meta):
        pass

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:import", args=[self.pk])


class Report(Job):
    """A PDF built in the background: a place profile, or a MANA summary of a region and a
    period. The row holds the truth (state, progress, the file); the task only fills it."""

    class Kind(models.TextChoices):
        PLACE_PROFILE = "place_profile", "Place profile"
        MANA_SUMMARY = "mana_summary", "MANA summary"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300, help_text="What the report is of, as listed.")
    filters = models.JSONField(default=dict, help_text="The report's place and filters, as given.")
    file = models.FileField(upload_to="reports/", blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta(Job.Meta):
        verbose_name = "PDF report"

    def __str__(self) -> str:
        return f"Report #{self.pk}: {self.title} ({self.get_status_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.expires_at:
            self.expires_at = timezone.now() + EXPORT_LIFETIME
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:pdf", args=[self.pk])
