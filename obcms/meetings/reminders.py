"""What the meetings add to the daily reminders and the weekly digest (registered in
obcms/reminders/sources.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from obcms.meetings.models import ActionItem


def overdue_action_items(today: date) -> Iterator[tuple[int, str]]:
    """Each overdue action item, to its staff member, or to the meeting's author when a
    partner's person has it. Ticking it done or archiving the meeting stops it."""
    for item in ActionItem.objects.overdue(today).select_related("assignee"):
        user_id = item.assignee_id or item.meeting.created_by_id
        if user_id:
            yield (
                user_id,
                f"Action item overdue since {item.due_on} ({item.who}): {item.what}, "
                f"from {item.meeting.title}.",
            )


def overdue_action_items_digest(today: date) -> Iterator[str]:
    overdue = ActionItem.objects.overdue(today)
    count = overdue.count()
    yield f"Overdue action items: {count}"
    for item in overdue.select_related("assignee")[:10]:
        yield f"  - due {item.due_on}, {item.who}: {item.what} ({item.meeting.title})"
    if count > 10:
        yield f"  - and {count - 10} more"
