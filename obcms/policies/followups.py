"""What the reminders and the calendar take from policy recommendations: milestones due.

Plain functions for the reminder and calendar machinery to call; nothing here sends mail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse

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


def calendar_events(user, start: date, end: date) -> list[dict]:
    """Open milestones due between ``start`` and ``end`` (both included)."""
    if not user.has_perm("policies.view_policy"):
        return []
    events = []
    for milestone in (
        _open_milestones()
        .filter(due_on__range=(start, end))
        .select_related("policy")
        .prefetch_related("policy__regions")
        .order_by("due_on", "pk")
    ):
        regions = [r.short_name for r in milestone.policy.regions.all()]
        events.append(
            {
                "title": f"Milestone: {milestone.title} ({milestone.policy.title})",
                "date": milestone.due_on,
                "url": reverse("policies:detail", args=[milestone.policy_id]),
                "kind": "policy_milestone",
                "region": ", ".join(regions),
            }
        )
    return events
