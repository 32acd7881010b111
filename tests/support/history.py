"""Who the history says made the latest change to a record, whichever mechanism keeps it.

Communities keep CommunityChange rows today; django-auditlog's LogEntry replaces them. Tests ask
this one function, so the switch is made here once.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models


def last_change_by(record: models.Model) -> object | None:
    """The user named by the newest history entry of ``record``, or None if it has none."""
    if apps.is_installed("auditlog"):
        from auditlog.models import LogEntry

        entry = LogEntry.objects.get_for_object(record).order_by("-timestamp").first()
        if entry is not None:
            return entry.actor
    from obcms.communities.models import Community, CommunityChange

    if isinstance(record, Community):
        change = CommunityChange.objects.filter(community=record).order_by("-pk").first()
        return change.changed_by if change else None
    return None
