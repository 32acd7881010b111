"""What the daily reminders take from PPAs: progress updates' follow-up dates.

Plain functions for obcms/reminders/sources.py to call; nothing here sends mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from obcms.ppas.models import ProgressUpdate


def _follow_ups():
    return ProgressUpdate.objects.filter(
        ppa__archived_at__isnull=True, follow_up_on__isnull=False
    ).select_related("ppa__region")


def reminders_due(today: date) -> Iterator[tuple[int, str]]:
    """(user id, message line) for each follow-up due today, to the update's author."""
    for update in _follow_ups().filter(follow_up_on=today, created_by__isnull=False):
        yield (
            update.created_by_id,
            f"Follow up on the PPA {update.ppa.title!r} ({update.percent} % on "
            f"{update.reported_on:%d %b %Y}): {update.next_steps or 'see its last update'}",
        )
