"""Where reminders come from: one registration per record type.

A daily source is a function ``due(today) -> Iterable[(user_id, line)]``: one line for each
thing due that this user should hear about. A digest source is ``lines(today) ->
Iterable[str]``, lines added to the administrators' weekly digest. PPAs or policy milestones
plug in with one line in each list, e.g. ``overdue_milestones,`` in DAILY.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta

from django.utils import timezone

from obcms.assessments.models import Assessment
from obcms.coordination.models import Engagement
from obcms.meetings.reminders import overdue_action_items, overdue_action_items_digest
from obcms.policies import followups as policy_followups
from obcms.ppas import followups as ppa_followups

DRAFT_REMINDER_AGE = timedelta(days=14)

Due = Callable[[date], Iterable[tuple[int, str]]]
DigestLines = Callable[[date], Iterable[str]]


def stale_drafts(today: date) -> Iterator[tuple[int, str]]:
    """Drafts older than 14 days, to their authors."""
    stale = Assessment.objects.active().filter(
        status=Assessment.Status.DRAFT, created_at__lt=timezone.now() - DRAFT_REMINDER_AGE
    )
    for assessment in stale.select_related("community"):
        if assessment.created_by_id:
            yield (
                assessment.created_by_id,
                f"Draft assessment of {assessment.community} ({assessment.assessed_on}) is "
                f"still not submitted.",
            )


def engagement_follow_ups(today: date) -> Iterator[tuple[int, str]]:
    """Follow-ups due, to whoever recorded the engagement. Closing an engagement (completed,
    with its outcome) or archiving it stops its reminders."""
    due = (
        Engagement.objects.active()
        .exclude(status=Engagement.Status.COMPLETED)
        .filter(follow_up_on__lte=today)
    )
    for engagement in due.select_related("community", "partner"):
        if engagement.created_by_id:
            yield (
                engagement.created_by_id,
                f"Follow-up due {engagement.follow_up_on}: {engagement.title} with "
                f"{engagement.partner} in {engagement.community}.",
            )


DAILY: list[Due] = [
    stale_drafts,
    engagement_follow_ups,
    overdue_action_items,
    ppa_followups.reminders_due,
    policy_followups.reminders_due,
]

DIGEST: list[DigestLines] = [
    overdue_action_items_digest,
]
