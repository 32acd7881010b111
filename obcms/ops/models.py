"""What operators look back on: a record of each run of the operations tasks."""

from __future__ import annotations

from django.db import models


class TaskRun(models.Model):
    """One run of a periodic operations task. Keyed by Celery's task id, so a task delivered
    again after its worker died updates its record instead of adding a second one."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    task_id = models.CharField(max_length=64, unique=True, help_text="Celery's id for this run.")
    name = models.CharField(max_length=200, db_index=True, help_text="The task's name.")
    worker = models.CharField(max_length=200, blank=True, help_text="Host name of the worker.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True, help_text="What the run did, or why it failed.")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "task run"
        indexes = [models.Index(fields=["name", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.name} at {self.started_at:%Y-%m-%d %H:%M:%S} ({self.status})"

    @classmethod
    def last(cls, name: str) -> TaskRun | None:
        return cls.objects.filter(name=name).order_by("-started_at").first()
