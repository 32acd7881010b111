"""MANA: mapping and needs assessment of a community, by sector, with a review workflow."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from obcms.communities.models import Community
from obcms.db.columns import fits_integer_column, fits_smallint_column
from obcms.records import history
from obcms.records.archive import Archivable, ArchivableQuerySet


class Assessment(Archivable):
    class Method(models.TextChoices):
        SURVEY = "survey", "Household survey"
        FOCUS_GROUP = "focus_group", "Focus group discussion"
        KEY_INFORMANT = "key_informant", "Key informant interview"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        VALIDATED = "validated", "Validated"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField("date of assessment")
    team = models.CharField(
        max_length=300, help_text="Names of the assessment team, comma-separated."
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(
        "returned for changes because",
        blank=True,
        help_text="Why an administrator sent it back to draft; shown to its author.",
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)

    archive_parents = ("community",)  # out of lists while its community is archived

    class Meta(Archivable.Meta):
        ordering = ["-assessed_on", "-id"]
        permissions = [("validate_assessment", "Can validate submitted assessments")]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The list's own order: a page walks the index instead of sorting every match.
            models.Index(fields=["-assessed_on", "-id"], name="assessment_date_idx"),
        ]

    def __str__(self) -> str:
        # A date given as a string (a fixture, a script) stays one until reloaded.
        day = (
            f"{self.assessed_on:%d %b %Y}"
            if hasattr(self.assessed_on, "year")
            else self.assessed_on
        )
        return f"{self.community} · {day} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.pk])

    def clean(self) -> None:
        if self.assessed_on and self.assessed_on > timezone.localdate():
            raise ValidationError({"assessed_on": "An assessment cannot be dated in the future."})

    def submit(self) -> None:
        if self.status != self.Status.DRAFT:
            raise ValidationError("Only a draft can be submitted.")
        if not self.needs.exists():
            raise ValidationError("Record at least one need before submitting.")
        self.status, self.submitted_at = self.Status.SUBMITTED, timezone.now()
        self.save(update_fields=["status", "submitted_at"])

    def return_to_draft(self, user, reason: str) -> None:
        """An administrator sends a submitted assessment back to its author for changes; the
        reason shows on its page until it is submitted again (and stays in its history)."""
        if not user.has_perm("assessments.validate_assessment"):
            raise PermissionDenied("Only administrators return assessments to draft.")
        if self.status != self.Status.SUBMITTED:
            raise ValidationError("Only a submitted assessment can be returned to draft.")
        reason = reason.strip()
        if not reason:
            raise ValidationError("Say what to change: the author sees the reason.")
        self.status, self.submitted_at = self.Status.DRAFT, None
        self.returned_reason, self.returned_by, self.returned_at = reason, user, timezone.now()
        self.save(
            update_fields=[
                "status",
                "submitted_at",
                "returned_reason",
                "returned_by",
                "returned_at",
            ]
        )

    def validate_by(self, user) -> None:
        if not user.has_perm("assessments.validate_assessment"):
            raise PermissionDenied("Only administrators validate assessments.")
        if self.status != self.Status.SUBMITTED:
            raise ValidationError("Only a submitted assessment can be validated.")
        self.status, self.validated_by, self.validated_at = (
            self.Status.VALIDATED,
            user,
            timezone.now(),
        )
        self.save(update_fields=["status", "validated_by", "validated_at"])


class Need(models.Model):
    """A need the community named, by sector; recorded with its assessment, then followed in
    the needs register (/needs/) from identified to completed.

    Administrators validate, prioritise, defer and reject (``validate_need``); planned, in
    progress and completed follow the PPAs that address it (``obcms.ppas.chain``), never a
    hand edit, so the two records cannot disagree."""

    class Sector(models.TextChoices):
        EDUCATION = "education", "Education"
        HEALTH = "health", "Health"
        LIVELIHOOD = "livelihood", "Livelihood"
        INFRASTRUCTURE = "infrastructure", "Infrastructure"
        WASH = "wash", "Water and sanitation"
        SOCIAL_PROTECTION = "social_protection", "Social protection"
        PEACE_ORDER = "peace_order", "Peace and order"
        RELIGIOUS_CULTURAL = "religious_cultural", "Religious and cultural"

    class Priority(models.IntegerChoices):
        HIGH = 1, "High"
        MEDIUM = 2, "Medium"
        LOW = 3, "Low"

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        VALIDATED = "validated", "Validated"
        PRIORITIZED = "prioritized", "Prioritized"
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        DEFERRED = "deferred", "Deferred"
        REJECTED = "rejected", "Rejected"

    class Urgency(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate"
        SHORT = "short", "Short term"
        MEDIUM = "medium", "Medium term"
        LONG = "long", "Long term"

    # Statuses a PPA may take a need from (and gives back when its last PPA goes).
    ACTIONABLE = (Status.VALIDATED, Status.PRIORITIZED)
    FOLLOWS_PPAS = (Status.PLANNED, Status.IN_PROGRESS, Status.COMPLETED)

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="needs")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    description = models.TextField(help_text="What is needed, as the community put it.")
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.MEDIUM, validators=[fits_smallint_column]
    )
    beneficiaries = models.PositiveIntegerField(
        "people affected",
        null=True,
        blank=True,
        help_text="People who would benefit; leave empty if unknown.",
        validators=[fits_integer_column],
    )
    households = models.PositiveIntegerField(
        "households affected",
        null=True,
        blank=True,
        help_text="Leave empty if unknown.",
        validators=[fits_integer_column],
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)
    estimated_cost = models.DecimalField(
        "estimated cost (PHP)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.IDENTIFIED, db_index=True
    )
    status_reason = models.TextField(
        "reason", blank=True, help_text="Why it was deferred or rejected."
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    rank = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Its place among the prioritized needs of its region and sector (1 first).",
        validators=[fits_integer_column],
    )
    forwarded_to = models.ForeignKey(
        "coordination.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forwarded_needs",
        help_text="The partner the need was forwarded to, if any.",
    )

    objects = ArchivableQuerySet.as_manager()
    archive_parents = ("assessment",)  # leaves totals with its assessment or community

    class Meta:
        ordering = ["priority", "sector"]
        permissions = [("validate_need", "Can validate, prioritise, defer and reject needs")]
        indexes = [
            # The register's own order (status, rank, priority, newest first): a page walks
            # the index instead of sorting a region's 150,000 needs (issue 19).
            models.Index(
                fields=["status", "rank", "priority", "-id"], name="need_register_order_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()}: {self.description[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("needs:detail", args=[self.pk])

    def _decide(self, user, allowed_from: tuple[str, ...], verb: str) -> None:
        if not user.has_perm("assessments.validate_need"):
            raise PermissionDenied(f"Only administrators {verb} needs.")
        if self.status not in allowed_from:
            raise ValidationError(
                f"A need that is {self.get_status_display().lower()} cannot be {verb}d."
            )

    def validate_by(self, user) -> None:
        self._decide(user, (self.Status.IDENTIFIED, self.Status.DEFERRED), "validate")
        self.status, self.status_reason = self.Status.VALIDATED, ""
        self.validated_by, self.validated_at = user, timezone.now()
        self.save(update_fields=["status", "status_reason", "validated_by", "validated_at"])

    def prioritize_by(self, user, rank: int) -> None:
        self._decide(user, self.ACTIONABLE, "prioritise")
        if rank < 1:
            raise ValidationError("A rank starts at 1.")
        self._meta.get_field("rank").run_validators(rank)  # saved without full_clean()
        self.status, self.rank = self.Status.PRIORITIZED, rank
        self.save(update_fields=["status", "rank"])

    def _set_aside(self, user, status: str, reason: str, verb: str) -> None:
        self._decide(user, (self.Status.IDENTIFIED, *self.ACTIONABLE, self.Status.DEFERRED), verb)
        if self.ppas.exists():
            raise ValidationError("Unlink the PPAs that address it first.")
        reason = reason.strip()
        if not reason:
            raise ValidationError("Say why: the reason is kept with the need.")
        self.status, self.status_reason, self.rank = status, reason, None
        self.save(update_fields=["status", "status_reason", "rank"])

    def defer_by(self, user, reason: str) -> None:
        self._set_aside(user, self.Status.DEFERRED, reason, "defer")

    def reject_by(self, user, reason: str) -> None:
        self._set_aside(user, self.Status.REJECTED, reason, "reject")


history.track(Assessment, exclude=("created_by",))
history.track(Need, part_of="assessment")
