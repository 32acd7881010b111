"""What the daily reminders take from policy recommendations: milestones due.

Plain functions for obcms/reminders/sources.py to call; nothing here sends mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from obcms.policies.models import Milestone


def _open_milestones():
    return Milestone.objects.filter(policy__archived_at__isnull=True, done_on__isnull=True)


def reminders_due(today: date) -> Iterator[tuple[int, str]]:
    """(user id, line) for each open milestone due today: to its responsible person, else to
    whoever added it."""
    for milestone in _open_milestones().filter(due_on=today).select_related("policy"):
        user_id = milestone.responsible_id or milestone.created_by_id
        if user_id:
            yield (
                user_id,
                f"Milestone due today for the policy recommendation "
                f"{milestone.policy.title!r}: {milestone.title}",
            )
