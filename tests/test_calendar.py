"""The calendar: month and agenda pages without script, their filters, and the private ICS
feed (read by the icalendar package, as a calendar app would), its token shown once, stored
hashed, replaceable and revocable."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from obcms.agenda.models import CalendarFeed
from obcms.logs import SECRET_IN_PATH
from tests.support import factories

pytestmark = pytest.mark.django_db
MANILA = ZoneInfo("Asia/Manila")
# Next month's first day: within the feed's window whatever the date the tests run.
BASE = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
MONTH = BASE.strftime("%Y-%m")


def _day(n: int) -> date:
    return BASE + timedelta(days=n - 1)


def _dated_things():
    """A meeting at 17:00 UTC on the 1st of next month (01:00 on the 2nd in Manila) in region
    IX, a follow-up on the 3rd in region XII, an action item due the 4th, and an archived
    meeting."""
    in_ix = factories.community(barangay=factories.place("IX"))
    in_xii = factories.community(barangay=factories.place("XII"))
    meeting = factories.meeting(
        title="Night consultation",
        kind="consultation",
        starts_at=datetime.combine(_day(1), time(17, 0), tzinfo=UTC),
        communities=[in_ix],
        actions=[{"what": "Send the minutes", "assignee_name": "A. Usman", "due_on": _day(4)}],
    )
    follow_up = factories.engagement(of=in_xii, title="Relief follow-up", follow_up_on=_day(3))
    gone = factories.meeting(
        title="Cancelled meeting", starts_at=datetime.combine(_day(5), time(1, 0), tzinfo=UTC)
    )
    gone.archive(None, "cancelled")
    return meeting, follow_up, in_ix, in_xii


def _day_cell(page: str, day: int) -> str:
    """The month grid's cell of ``day`` of next month."""
    (cell,) = re.findall(rf'<td data-date="{_day(day).isoformat()}"[^>]*>(.*?)</td>', page, re.S)
    return cell


def test_the_month_shows_each_event_on_its_philippine_day_and_filters_by_region_and_kind(client):
    _, _, _, in_xii = _dated_things()
    client.force_login(factories.user("viewer"))
    url = reverse("agenda:month")
    page = client.get(url, {"month": MONTH}).content.decode()
    assert "<script" not in page.split('<main id="content">')[1]
    assert "Night consultation" in _day_cell(page, 2) and "01:00" in _day_cell(page, 2)
    assert "Night consultation" not in _day_cell(page, 1)
    assert "Relief follow-up" in _day_cell(page, 3)
    assert "Send the minutes" in _day_cell(page, 4)
    assert "Cancelled meeting" not in page

    region_xii = client.get(url, {"month": MONTH, "region": in_xii.municipality.region_id})
    text = region_xii.content.decode()
    assert "Relief follow-up" in text and "Night consultation" not in text
    assert f"region={in_xii.municipality.region_id}" in text  # the month links keep it
    only_meetings = client.get(url, {"month": MONTH, "kind": "meeting"}).content.decode()
    assert "Night consultation" in only_meetings and "Relief follow-up" not in only_meetings
    assert client.get(url, {"month": "nonsense", "kind": "x", "region": "y"}).status_code == 200


def test_the_agenda_lists_the_days_in_order(client):
    _dated_things()
    client.force_login(factories.user("encoder"))
    page = client.get(reverse("agenda:agenda"), {"from": BASE.isoformat()}).content.decode()
    order = [page.index(t) for t in ("Night consultation", "Relief follow-up", "Send the minutes")]
    assert order == sorted(order)
    second = _day(2)
    assert f"{second:%A} {second.day} {second:%B %Y}" in page
    assert "01:00\N{EN DASH}02:00" in page


def _new_feed(client) -> str:
    response = client.post(reverse("agenda:feed_new"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    (address,) = re.findall(r'value="([^"]+\.ics)"', response.content.decode())
    return address.split("testserver", 1)[-1]


def _parse(client, path: str) -> dict[str, icalendar.Event]:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_carries_utc_times_that_read_right_in_manila_and_only_what_its_owner_may_read(
    client, settings
):
    settings.SITE_URL = settings.SITE_URL_CONFIGURED = "https://obcms.example.org"
    meeting, _, _, _ = _dated_things()
    viewer = factories.user("viewer")
    client.force_login(viewer)
    path = _new_feed(client)
    client.logout()  # a calendar app has no session

    events = _parse(client, path)
    night = events["Night consultation (Consultation)"]
    assert night.decoded("DTSTART") == datetime.combine(_day(1), time(17, 0), tzinfo=UTC)
    manila = night.decoded("DTSTART").astimezone(MANILA)
    assert (manila.date(), manila.hour, manila.minute) == (_day(2), 1, 0)
    assert night.decoded("DTEND").astimezone(MANILA).hour == 2
    assert str(night["URL"]) == f"https://obcms.example.org{meeting.get_absolute_url()}"
    assert str(night["UID"]) == f"meeting-{meeting.pk}@obcms.example.org"
    follow = events["Follow-up: Relief follow-up"]
    assert follow.decoded("DTSTART") == _day(3)
    assert follow.decoded("DTEND") == _day(4)  # exclusive: a one-day event
    assert "Due: Send the minutes (A. Usman)" in events
    assert not any("Cancelled" in summary for summary in events)

    # Someone who may read engagements but not meetings gets the follow-up alone.
    partial = get_user_model().objects.create_user("partial", password="a-long-test-password")
    partial.user_permissions.add(Permission.objects.get(codename="view_engagement"))
    client.force_login(partial)
    partial_path = _new_feed(client)
    client.logout()
    assert list(_parse(client, partial_path)) == ["Follow-up: Relief follow-up"]


def test_the_feed_token_is_stored_hashed_shown_once_and_a_revoked_or_replaced_one_gets_404(
    client,
):
    _dated_things()
    user = factories.user("viewer")
    client.force_login(user)
    first = _new_feed(client)
    token = first.rsplit("/", 1)[-1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=user)
    assert token not in feed.token_hash and len(token) >= 40
    account = client.get(reverse("accounts:account")).content.decode()
    assert token not in account and "Replace the address" in account

    second = _new_feed(client)  # replacing: the first address stops at once
    client.logout()
    unknown = client.get("/calendar/feed/" + "x" * 43 + ".ics")
    replaced = client.get(first)
    assert replaced.status_code == unknown.status_code == 404
    assert replaced.content == unknown.content  # no detail: revoked looks like unknown
    assert client.get(second).status_code == 200

    client.force_login(user)
    assert client.post(reverse("agenda:feed_revoke")).status_code == 302
    client.logout()
    revoked = client.get(second)
    assert revoked.status_code == 404 and revoked.content == unknown.content
    assert not CalendarFeed.objects.exists()


def test_the_feed_of_a_deactivated_account_gets_404(client):
    user = factories.user("viewer")
    client.force_login(user)
    path = _new_feed(client)
    client.logout()
    assert client.get(path).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(path).status_code == 404


def test_the_access_log_leaves_the_feed_token_out():
    assert (
        SECRET_IN_PATH.sub(r"\1[redacted]", "/calendar/feed/abcDEF123_-.ics")
        == "/calendar/feed/[redacted]"
    )
    assert SECRET_IN_PATH.sub(r"\1[redacted]", "/calendar/feed/new/") == "/calendar/feed/new/"


def test_long_lines_fold_at_75_octets_without_splitting_a_character_and_text_is_escaped():
    from obcms.agenda import ics

    line = "SUMMARY:" + "Pagtitipon sa barangay ñ; " * 10
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_the_month_costs_the_same_queries_with_three_meetings_or_twelve(client):
    client.force_login(factories.user("viewer"))
    url = reverse("agenda:month")

    def add(n: int) -> None:
        for i in range(n):
            factories.meeting(
                starts_at=datetime.combine(_day(i + 1), time(1, 0), tzinfo=UTC),
                communities=[factories.community()],
                actions=[{"what": f"Item {i}", "assignee_name": "X", "due_on": _day(i + 2)}],
            )
            factories.engagement(follow_up_on=_day(i + 3))

    add(3)
    few = factories.queries_for(client, url, {"month": MONTH})
    add(9)
    assert factories.queries_for(client, url, {"month": MONTH}) == few


def test_the_feed_address_is_the_one_in_use_unless_site_url_is_set(client, settings):
    """``PORT=8231 make run``: the page showed the guessed http://localhost:8000."""
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.SITE_URL = "http://localhost:8000"  # the guess, SITE_URL unset
    settings.SITE_URL_CONFIGURED = ""
    client.force_login(factories.user("viewer"))
    response = client.post(reverse("agenda:feed_new"), HTTP_HOST="localhost:8231")
    (address,) = re.findall(r'value="([^"]+\.ics)"', response.content.decode())
    assert address.startswith("http://localhost:8231/calendar/feed/")

    settings.SITE_URL = settings.SITE_URL_CONFIGURED = "https://obcms.example.org"
    response = client.post(reverse("agenda:feed_new"), HTTP_HOST="localhost:8231")
    (address,) = re.findall(r'value="([^"]+\.ics)"', response.content.decode())
    assert address.startswith("https://obcms.example.org/calendar/feed/")
