"""Where the calendar's events come from: one registration per record type.

A source is a function ``(user, start, end) -> Iterable[Event]``: the events from day
``start`` (included) to day ``end`` (excluded), Philippine days, that ``user`` may read (the
source checks the permission: the ICS feed has no other guard). Register it with one line in
SOURCES: ``(kind, label, function)``; the kind is the calendar's "kind" filter and the ICS
CATEGORIES.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from obcms.agenda.events import Event
from obcms.coordination.models import Engagement
from obcms.meetings.models import ActionItem, Meeting
from obcms.policies.models import Milestone
from obcms.ppas.models import ProgressUpdate

Source = Callable[[AbstractBaseUser, date, date], Iterable[Event]]


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def meetings(user: AbstractBaseUser, start: date, end: date) -> Iterator[Event]:
    if not user.has_perm("meetings.view_meeting"):
        return
    found = (
        Meeting.objects.active()
        .filter(starts_at__lt=local_midnight(end), ends_at__gte=local_midnight(start))
        .prefetch_related("communities__municipality", "partners")
        .order_by("starts_at", "pk")
    )
    for meeting in found:
        communities = meeting.communities.all()
        with_whom = [str(p) for p in meeting.partners.all()] + [c.name for c in communities]
        yield Event(
            uid=f"meeting-{meeting.pk}",
            title=f"{meeting.title} ({meeting.get_kind_display()})",
            start=meeting.starts_at,
            end=meeting.ends_at,
            url=meeting.get_absolute_url(),
            location=meeting.venue or meeting.online_link,
            description="With " + ", ".join(with_whom) if with_whom else "",
            regions=frozenset(c.municipality.region_id for c in communities),
        )


def engagement_follow_ups(user: AbstractBaseUser, start: date, end: date) -> Iterator[Event]:
    if not user.has_perm("coordination.view_engagement"):
        return
    due = (
        Engagement.objects.active()
        .exclude(status=Engagement.Status.COMPLETED)
        .filter(follow_up_on__gte=start, follow_up_on__lt=end)
        .select_related("partner", "community__municipality")
        .order_by("follow_up_on", "pk")
    )
    for engagement in due:
        yield Event(
            uid=f"engagement-follow-up-{engagement.pk}",
            title=f"Follow-up: {engagement.title}",
            start=engagement.follow_up_on,
            url=engagement.get_absolute_url(),
            description=f"With {engagement.partner} in {engagement.community.name}",
            regions=frozenset({engagement.community.municipality.region_id}),
        )


def action_items_due(user: AbstractBaseUser, start: date, end: date) -> Iterator[Event]:
    if not user.has_perm("meetings.view_meeting"):
        return
    due = (
        ActionItem.objects.filter(
            done=False,
            due_on__gte=start,
            due_on__lt=end,
            meeting__in=Meeting.objects.active(),
        )
        .select_related("meeting", "assignee")
        .prefetch_related("meeting__communities__municipality")
        .order_by("due_on", "pk")
    )
    for item in due:
        yield Event(
            uid=f"action-item-{item.pk}",
            title=f"Due: {item.what} ({item.who})",
            start=item.due_on,
            url=item.get_absolute_url(),
            description=f"Action item of {item.meeting.title}",
            regions=frozenset(c.municipality.region_id for c in item.meeting.communities.all()),
        )


def ppa_follow_ups(user: AbstractBaseUser, start: date, end: date) -> Iterator[Event]:
    """The follow-up dates that progress updates set on current PPAs."""
    if not user.has_perm("ppas.view_ppa"):
        return
    due = (
        ProgressUpdate.objects.filter(
            ppa__archived_at__isnull=True, follow_up_on__gte=start, follow_up_on__lt=end
        )
        .select_related("ppa")
        .order_by("follow_up_on", "pk")
    )
    for update in due:
        yield Event(
            uid=f"ppa-follow-up-{update.pk}",
            title=f"Follow up: {update.ppa.title}",
            start=update.follow_up_on,
            url=update.ppa.get_absolute_url(),
            description=update.next_steps,
            regions=frozenset({update.ppa.region_id}),
        )


def policy_milestones(user: AbstractBaseUser, start: date, end: date) -> Iterator[Event]:
    """Open implementation milestones of current policy recommendations."""
    if not user.has_perm("policies.view_policy"):
        return
    due = (
        Milestone.objects.filter(
            policy__archived_at__isnull=True,
            done_on__isnull=True,
            due_on__gte=start,
            due_on__lt=end,
        )
        .select_related("policy")
        .prefetch_related("policy__regions")
        .order_by("due_on", "pk")
    )
    for milestone in due:
        yield Event(
            uid=f"policy-milestone-{milestone.pk}",
            title=f"Milestone: {milestone.title} ({milestone.policy.title})",
            start=milestone.due_on,
            url=milestone.policy.get_absolute_url(),
            regions=frozenset(r.pk for r in milestone.policy.regions.all()),
        )


SOURCES: list[tuple[str, str, Source]] = [
    ("meeting", "Meetings", meetings),
    ("follow_up", "Engagement follow-ups", engagement_follow_ups),
    ("action_item", "Action items due", action_items_due),
    ("ppa_follow_up", "PPA follow-ups", ppa_follow_ups),
    ("policy_milestone", "Policy milestones", policy_milestones),
]
KINDS: list[tuple[str, str]] = [(kind, label) for kind, label, _ in SOURCES]


def events(
    user: AbstractBaseUser,
    start: date,
    end: date,
    *,
    kind: str = "",
    region: int | None = None,
) -> list[Event]:
    """Every source's events that ``user`` may read, in time order, all-day events first on
    their day; ``kind`` and ``region`` narrow them."""
    found = []
    for source_kind, _, source in SOURCES:
        if kind and kind != source_kind:
            continue
        for event in source(user, start, end):
            if region is None or region in event.regions:
                found.append(replace(event, kind=source_kind))
    return sorted(found, key=lambda e: (e.day, not e.all_day, e.local_start or e.day, e.uid))
