"""Meetings and their action items.

Times are stored in UTC (USE_TZ) and shown in the site's time zone (Asia/Manila). An action
item is done by a staff account (reminded by email when overdue) or by a partner's person,
named as text (then the meeting's author is reminded).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from obcms.communities.models import Community
from obcms.coordination.models import Partner
from obcms.db.columns import fits_integer_column
from obcms.records import history
from obcms.records.archive import Archivable


class Meeting(Archivable):
    class Kind(models.TextChoices):
        COORDINATION = "coordination", "Coordination meeting"
        CONSULTATION = "consultation", "Consultation"
        FIELD_VISIT = "field_visit", "Field visit"
        WORKSHOP = "workshop", "Workshop"
        TRAINING = "training", "Training"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    venue = models.CharField(max_length=300, blank=True)
    online_link = models.URLField("online link", blank=True)
    partners = models.ManyToManyField(Partner, blank=True, related_name="meetings")
    communities = models.ManyToManyField(Community, blank=True, related_name="meetings")
    participants = models.TextField(
        blank=True,
        help_text="One per line: name, organisation. For a large consultation, give the "
        "counts by sex below instead.",
    )
    participants_female = models.PositiveIntegerField(
        "women present", null=True, blank=True, validators=[fits_integer_column]
    )
    participants_male = models.PositiveIntegerField(
        "men present", null=True, blank=True, validators=[fits_integer_column]
    )
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(Archivable.Meta):
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = "A meeting cannot end before it starts."
        if not self.venue.strip() and not self.online_link:
            errors["venue"] = "Give a venue, an online link, or both."
        if errors:
            raise ValidationError(errors)

    @property
    def participant_list(self) -> list[tuple[str, str]]:
        """The participants as (name, organisation) pairs, from the lines typed in."""
        people = []
        for line in self.participants.splitlines():
            if line.strip():
                name, _, organisation = line.partition(",")
                people.append((name.strip(), organisation.strip()))
        return people

    @property
    def participant_count(self) -> int:
        counted = (self.participants_female or 0) + (self.participants_male or 0)
        return counted or len(self.participant_list)


class ActionItemQuerySet(models.QuerySet):
    def overdue(self, today) -> ActionItemQuerySet:
        """Not done, due before ``today``, of a current meeting."""
        return self.filter(
            done=False, due_on__lt=today, meeting__archived_at__isnull=True
        ).select_related("meeting")


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    what = models.CharField(max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="staff member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    assignee_name = models.CharField(
        "or partner's person",
        max_length=200,
        blank=True,
        help_text="Someone outside OOBC, as text (name, organisation).",
    )
    due_on = models.DateField("due")
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["done", "due_on", "id"]
        indexes = [models.Index(fields=["done", "due_on"])]

    def __str__(self) -> str:
        return self.what

    def save(self, *args: object, **kwargs: object) -> None:
        if self.done and self.done_at is None:
            self.done_at = timezone.now()
        elif not self.done:
            self.done_at = None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url() + f"#action-{self.pk}"

    @property
    def who(self) -> str:
        if self.assignee_id:
            return self.assignee.get_full_name() or self.assignee.get_username()
        return self.assignee_name or "—"

    def clean(self) -> None:
        if not self.assignee_id and not self.assignee_name.strip():
            raise ValidationError({"assignee_name": "Say who does it: a staff member or a name."})


history.track(Meeting, m2m_fields=("partners", "communities"), exclude=("created_by",))
history.track(ActionItem, part_of="meeting", exclude=("done_at",))
