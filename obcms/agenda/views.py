"""The calendar pages (month and agenda, plain HTML: links and a GET form, no script) and
the private ICS feed with the account page's actions on it."""

from __future__ import annotations

import calendar as monthly
from collections import defaultdict
from datetime import date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from obcms.agenda import ics
from obcms.agenda.models import CalendarFeed
from obcms.agenda.sources import KINDS, events
from obcms.geography.models import Region
from obcms.records.listing import PlainSelect

AGENDA_DAYS = 30
FEED_PAST = timedelta(days=90)
FEED_AHEAD = timedelta(days=400)


class CalendarFilter(forms.Form):
    region = forms.ModelChoiceField(
        Region.objects.all(), required=False, empty_label="Any region", widget=PlainSelect
    )
    kind = forms.ChoiceField(choices=[("", "Anything"), *KINDS], required=False, widget=PlainSelect)

    def chosen(self) -> dict:
        """The valid filters; a malformed one is ignored, never an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        region = data.get("region")
        return {"kind": data.get("kind") or "", "region": region.pk if region else None}

    def query(self) -> str:
        chosen = self.chosen()
        return urlencode({k: v for k, v in chosen.items() if v})


def _parse(value: str | None, fmt: str) -> date | None:
    try:
        return datetime.strptime(value or "", fmt).date()
    except ValueError:
        return None


@login_required
def month(request: HttpRequest) -> HttpResponse:
    """A month as a grid of weeks, Monday first, each day with its events."""
    today = timezone.localdate()
    first = _parse(request.GET.get("month"), "%Y-%m") or today.replace(day=1)
    filters = CalendarFilter(request.GET)
    weeks = monthly.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
    by_day = defaultdict(list)
    for event in events(request.user, start, end, **filters.chosen()):
        by_day[event.day].append(event)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "agenda/month.html",
        {
            "filters": filters,
            "query": filters.query(),
            "first": first,
            "previous": previous,
            "following": following,
            "today": today,
            "weekdays": [monthly.day_abbr[(i) % 7] for i in range(7)],
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
        },
    )


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    """The next 30 days (from ``?from=``) as a list, day by day: what a phone shows best."""
    today = timezone.localdate()
    start = _parse(request.GET.get("from"), "%Y-%m-%d") or today
    end = start + timedelta(days=AGENDA_DAYS)
    filters = CalendarFilter(request.GET)
    by_day = defaultdict(list)
    for event in events(request.user, start, end, **filters.chosen()):
        by_day[event.day].append(event)
    return render(
        request,
        "agenda/agenda.html",
        {
            "filters": filters,
            "query": filters.query(),
            "start": start,
            "last": end - timedelta(days=1),
            "previous": start - timedelta(days=AGENDA_DAYS),
            "following": end,
            "today": today,
            "days": sorted(by_day.items()),
        },
    )


def _site(request: HttpRequest) -> str:
    """The site's address for links shown to the person asking: SITE_URL when it is set, else
    the address they are using (``PORT=8231 make run`` is not http://localhost:8000)."""
    return settings.SITE_URL_CONFIGURED or request.build_absolute_uri("/").rstrip("/")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed: no session (a calendar app has none); the token is the key. Revoked,
    replaced or unknown tokens, and inactive owners, all get the same plain 404."""
    subscription = CalendarFeed.objects.of_token(token)
    if subscription is None:
        raise Http404
    CalendarFeed.objects.filter(pk=subscription.pk).update(last_used_at=timezone.now())
    today = timezone.localdate()
    found = events(subscription.user, today - FEED_PAST, today + FEED_AHEAD)
    host = urlsplit(settings.SITE_URL).hostname or "obcms"  # in UIDs: stable, whoever asks
    text = ics.calendar(found, "OBCMS", _site(request), host)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="obcms.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def feed_new(request: HttpRequest) -> HttpResponse:
    """A new address (the old one, if any, stops working), shown on this page only."""
    token = CalendarFeed.issue(request.user)
    path = reverse("agenda:feed", args=[token])
    address = f"{_site(request)}{path}"
    response = render(request, "agenda/feed_created.html", {"address": address})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def feed_revoke(request: HttpRequest) -> HttpResponse:
    deleted, _ = CalendarFeed.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, "Calendar feed revoked: its address no longer works.")
    return redirect("accounts:account")
