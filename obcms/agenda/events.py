"""What the calendar shows: one dated thing, whatever record it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Event:
    """A meeting (``start`` and ``end`` aware datetimes) or a dated thing such as a follow-up
    or a due date (``start`` a date: an all-day event, ``end`` None)."""

    uid: str  # stable across feeds and edits, e.g. "meeting-12"
    title: str
    start: datetime | date
    end: datetime | date | None = None
    url: str = ""  # the record's page, a path
    location: str = ""
    description: str = ""
    regions: frozenset[int] = field(default_factory=frozenset)  # geography.Region ids
    kind: str = ""  # set from the source's registration, see sources.SOURCES

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def day(self) -> date:
        """The day it falls on in the site's time zone (Asia/Manila)."""
        return self.start if self.all_day else timezone.localtime(self.start).date()

    @property
    def local_start(self) -> datetime | None:
        return None if self.all_day else timezone.localtime(self.start)

    @property
    def local_end(self) -> datetime | None:
        return None if self.all_day or self.end is None else timezone.localtime(self.end)

    @property
    def end_exclusive(self) -> datetime | date:
        """DTEND as RFC 5545 wants it: the day after, for an all-day event."""
        if self.all_day:
            return self.start + timedelta(days=1)
        return self.end or self.start
