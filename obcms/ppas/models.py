"""Requests and PPAs (programmes, projects and activities): one record type with a kind, its
status machine, and dated progress updates.

A need becomes planned when a PPA addresses it, in progress when one starts and completed when
one is completed: ``obcms.ppas.chain`` keeps the two in step after every change."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from obcms.assessments.models import Need
from obcms.communities.models import Community
from obcms.coordination.models import Partner
from obcms.db.columns import fits_integer_column
from obcms.geography.models import Region
from obcms.records import history
from obcms.records.archive import Archivable

PESOS = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
EDIT, APPROVE = "ppas.change_ppa", "ppas.approve_ppa"


class PPA(Archivable):
    class Kind(models.TextChoices):
        OBC_REQUEST = "obc_request", "OBC request"
        OOBC_PPA = "oobc_ppa", "OOBC PPA"
        MOA_PPA = "moa_ppa", "MOA PPA"

    class Status(models.TextChoices):
        # a request
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        ENDORSED = "endorsed", "Endorsed"
        APPROVED = "approved", "Approved"
        IN_PROGRESS = "in_progress", "In progress"
        DECLINED = "declined", "Declined"
        # a PPA
        PLANNED = "planned", "Planned"
        ONGOING = "ongoing", "Ongoing"
        CANCELLED = "cancelled", "Cancelled"
        # both
        COMPLETED = "completed", "Completed"

    S = Status
    # (from, to) -> the permission it takes; the reverse moves are the explicit undo.
    REQUEST_MOVES = {
        (S.SUBMITTED, S.UNDER_REVIEW): EDIT,
        (S.UNDER_REVIEW, S.ENDORSED): APPROVE,
        (S.ENDORSED, S.APPROVED): APPROVE,
        (S.APPROVED, S.IN_PROGRESS): EDIT,
        (S.IN_PROGRESS, S.COMPLETED): EDIT,
        (S.SUBMITTED, S.DECLINED): APPROVE,
        (S.UNDER_REVIEW, S.DECLINED): APPROVE,
        (S.ENDORSED, S.DECLINED): APPROVE,
        (S.COMPLETED, S.IN_PROGRESS): APPROVE,  # reopen
        (S.IN_PROGRESS, S.APPROVED): APPROVE,  # not started after all
        (S.DECLINED, S.UNDER_REVIEW): APPROVE,
    }
    PPA_MOVES = {
        (S.PLANNED, S.ONGOING): EDIT,
        (S.ONGOING, S.COMPLETED): EDIT,
        (S.PLANNED, S.CANCELLED): APPROVE,
        (S.ONGOING, S.CANCELLED): APPROVE,
        (S.COMPLETED, S.ONGOING): APPROVE,  # reopen
        (S.ONGOING, S.PLANNED): APPROVE,  # not started after all
        (S.CANCELLED, S.PLANNED): APPROVE,
    }
    STARTED = (S.IN_PROGRESS, S.ONGOING)
    CLOSED = (S.DECLINED, S.CANCELLED)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=250)
    sector = models.CharField(max_length=20, choices=Need.Sector.choices)
    description = models.TextField(blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="ppas")
    communities = models.ManyToManyField(
        Community, blank=True, related_name="ppas", verbose_name="communities covered"
    )
    requesting_community = models.ForeignKey(
        Community,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        help_text="For a request: the community that asked.",
    )
    requester = models.CharField(
        max_length=200, blank=True, help_text="For a request: who asked, and their role."
    )
    implementing_partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="ppas"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    funding_source = models.CharField(max_length=200, blank=True)
    budget_allocated = models.DecimalField("budget allocated (PHP)", default=0, **PESOS)
    budget_spent = models.DecimalField("budget spent (PHP)", default=0, **PESOS)
    target_beneficiaries = models.PositiveIntegerField(
        null=True, blank=True, validators=[fits_integer_column]
    )
    reached_beneficiaries = models.PositiveIntegerField(
        null=True, blank=True, validators=[fits_integer_column]
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="ppas")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Archivable.Meta):
        verbose_name, verbose_name_plural = "PPA", "PPAs"
        ordering = ["-fiscal_year", "title", "pk"]
        permissions = [("approve_ppa", "Can endorse, approve, decline, cancel and reopen PPAs")]
        indexes = [models.Index(fields=["fiscal_year", "sector"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ppas:detail", args=[self.pk])

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.status:
            self.status = self.first_status
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "It cannot end before it starts."})
        if self.kind != self.Kind.OBC_REQUEST and (self.requesting_community_id or self.requester):
            raise ValidationError("Only a request has a requesting community and requester.")

    @property
    def is_request(self) -> bool:
        return self.kind == self.Kind.OBC_REQUEST

    @property
    def first_status(self) -> str:
        return self.Status.SUBMITTED if self.is_request else self.Status.PLANNED

    @property
    def started_status(self) -> str:
        return self.Status.IN_PROGRESS if self.is_request else self.Status.ONGOING

    @property
    def moves(self) -> dict:
        return self.REQUEST_MOVES if self.is_request else self.PPA_MOVES

    def moves_for(self, user) -> list[tuple[str, str]]:
        """(status, label) of the moves ``user`` may make from here."""
        return [
            (to, self.Status(to).label)
            for (start, to), permission in self.moves.items()
            if start == self.status and user.has_perm(permission)
        ]

    def check_move(self, user, status: str) -> None:
        """Refuse a step the machine does not have, or one the user's role may not make."""
        permission = self.moves.get((self.status, status))
        if permission is None:
            raise ValidationError(
                f"A {self.get_kind_display()} cannot go from "
                f"{self.get_status_display().lower()} to {status.replace('_', ' ')}."
            )
        if not user.has_perm(permission):
            raise PermissionDenied("Only administrators make this change.")


class ProgressUpdate(models.Model):
    """A dated entry of a PPA's timeline. 100 % completes the PPA; any progress starts it."""

    ppa = models.ForeignKey(PPA, on_delete=models.CASCADE, related_name="updates")
    reported_on = models.DateField("date")
    percent = models.PositiveSmallIntegerField(
        "percent done", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    what_happened = models.TextField()
    next_steps = models.TextField(blank=True)
    follow_up_on = models.DateField(
        "follow-up date", null=True, blank=True, help_text="Its author is reminded that day."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["follow_up_on"])]

    def __str__(self) -> str:
        return f"{self.percent} % on {self.reported_on}"


history.track(PPA, m2m_fields=("needs", "communities"), exclude=("created_by",))
history.track(ProgressUpdate, part_of="ppa", exclude=("created_by",))
