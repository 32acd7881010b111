"""Policy recommendations to policy makers: what the office learned, the evidence it rests on
(needs, assessments, documents), each status change dated with who made it, and the
milestones of its implementation."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.geography.models import Region
from obcms.records import history
from obcms.records.archive import Archivable

EDIT, DECIDE = "policies.change_policy", "policies.decide_policy"


class Policy(Archivable):
    class Category(models.TextChoices):
        ECONOMIC = "economic", "Economic"
        SOCIAL = "social", "Social"
        CULTURAL = "cultural", "Cultural"
        RIGHTS = "rights_welfare", "Rights and welfare"
        GOVERNANCE = "governance", "Governance"
        PEACE = "peace_security", "Peace and security"

    class Scope(models.TextChoices):
        REGIONAL = "regional", "Regional"
        PROVINCIAL = "provincial", "Provincial"
        NATIONAL = "national", "National"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        UNDER_REVIEW = "under_review", "Under review"
        SUBMITTED = "submitted", "Submitted"
        ADOPTED = "adopted", "Adopted"
        NOT_ADOPTED = "not_adopted", "Not adopted"
        IN_IMPLEMENTATION = "in_implementation", "In implementation"
        IMPLEMENTED = "implemented", "Implemented"

    S = Status
    MOVES = {
        (S.DRAFT, S.UNDER_REVIEW): EDIT,
        (S.UNDER_REVIEW, S.DRAFT): DECIDE,
        (S.UNDER_REVIEW, S.SUBMITTED): DECIDE,
        (S.SUBMITTED, S.ADOPTED): DECIDE,
        (S.SUBMITTED, S.NOT_ADOPTED): DECIDE,
        (S.ADOPTED, S.IN_IMPLEMENTATION): DECIDE,
        (S.IN_IMPLEMENTATION, S.IMPLEMENTED): DECIDE,
    }

    title = models.CharField(max_length=250)
    category = models.CharField(max_length=20, choices=Category.choices)
    scope = models.CharField(max_length=12, choices=Scope.choices)
    regions = models.ManyToManyField(Region, blank=True, related_name="policies")
    communities = models.ManyToManyField(Community, blank=True, related_name="policies")
    agency_addressed = models.CharField(max_length=250)
    problem = models.TextField()
    recommendation = models.TextField()
    expected_impact = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    needs = models.ManyToManyField(Need, blank=True, related_name="policies")
    assessments = models.ManyToManyField(Assessment, blank=True, related_name="policies")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Archivable.Meta):
        verbose_name_plural = "policy recommendations"
        verbose_name = "policy recommendation"
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_policy", "Can submit, and record decisions on, policies")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.pk])

    def moves_for(self, user) -> list[tuple[str, str]]:
        return [
            (to, self.Status(to).label)
            for (start, to), permission in self.MOVES.items()
            if start == self.status and user.has_perm(permission)
        ]

    def move_to(self, user, status: str, note: str = "") -> StatusChange:
        permission = self.MOVES.get((self.status, status))
        if permission is None:
            raise ValidationError(
                f"A {self.get_status_display().lower()} recommendation cannot go to "
                f"{status.replace('_', ' ')}."
            )
        if not user.has_perm(permission):
            raise PermissionDenied("Only administrators make this change.")
        change = StatusChange.objects.create(
            policy=self, before=self.status, after=status, changed_by=user, note=note.strip()
        )
        self.status = status
        self.save(update_fields=["status"])
        return change


class StatusChange(models.Model):
    """Each status change, dated, with who made it (and a note)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="changes")
    before = models.CharField(max_length=20, choices=Policy.Status.choices)
    after = models.CharField(max_length=20, choices=Policy.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_before_display()} → {self.get_after_display()}"


class Milestone(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=250)
    due_on = models.DateField("due date")
    done_on = models.DateField(null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Reminded on the due date (else whoever added it).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return self.title


history.track(
    Policy, m2m_fields=("needs", "assessments", "regions", "communities"), exclude=("created_by",)
)
history.track(Milestone, part_of="policy", exclude=("created_by",))
