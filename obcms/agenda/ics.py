"""Events as an iCalendar file (RFC 5545), written by hand: some forty lines, where a library
would be a runtime dependency for the one shape obcms writes.

Times are written in UTC (``DTSTART:20261201T010000Z``), which every client converts to its
own zone; ``X-WR-TIMEZONE`` tells Google Calendar and Outlook the calendar's home zone.
All-day events are dates (``DTSTART;VALUE=DATE``), DTEND the day after (exclusive).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.conf import settings
from django.utils import timezone

from obcms.agenda.events import Event

PRODID = "-//OOBC//OBC Management System//EN"


def escape(text: str) -> str:
    """TEXT values (3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space (3.1),
    never splitting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _moment(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return ":" + value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ";VALUE=DATE:" + value.strftime("%Y%m%d")


def calendar(events: Iterable[Event], name: str, site_url: str, host: str) -> str:
    """The VCALENDAR text, CRLF line ends. ``site_url`` makes each event's link absolute;
    ``host`` makes UIDs globally unique (``meeting-12@obcms.example.org``)."""
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART{_moment(event.start)}",
            f"DTEND{_moment(event.end_exclusive)}",
            f"SUMMARY:{escape(event.title)}",
        ]
        if event.kind:
            lines.append(f"CATEGORIES:{escape(event.kind)}")
        if event.location:
            lines.append(f"LOCATION:{escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url and site_url:
            lines.append(f"URL:{site_url}{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
