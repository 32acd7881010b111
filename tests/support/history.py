"""Who the history (django-auditlog's LogEntry, obcms/records/history.py) says made the latest
change to a record."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.db import models


def last_change_by(record: models.Model) -> object | None:
    """The user named by the newest history entry of ``record``, or None if it has none."""
    entry = LogEntry.objects.get_for_object(record).order_by("-timestamp", "-pk").first()
    return entry.actor if entry is not None else None
