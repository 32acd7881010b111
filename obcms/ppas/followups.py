"""What the reminders and the calendar take from PPAs: progress updates' follow-up dates.

Plain functions for the reminder and calendar machinery to call; nothing here sends mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse

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


def calendar_events(user, start: date, end: date) -> list[dict]:
    """The follow-ups between ``start`` and ``end`` (both included) that ``user`` may see."""
    if not user.has_perm("ppas.view_ppa"):
        return []
    return [
        {
            "title": f"Follow up: {update.ppa.title}",
            "date": update.follow_up_on,
            "url": reverse("ppas:detail", args=[update.ppa_id]),
            "kind": "ppa_follow_up",
            "region": update.ppa.region.short_name,
        }
        for update in _follow_ups()
        .filter(follow_up_on__range=(start, end))
        .order_by("follow_up_on", "pk")
    ]
