"""``{% calendar_feed_of user as feed %}``: the account page shows the feed's state without
the accounts app importing the calendar."""

from __future__ import annotations

from django import template

from obcms.agenda.models import CalendarFeed

register = template.Library()


@register.simple_tag
def calendar_feed_of(user: object) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()
