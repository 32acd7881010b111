"""Overdue action items in the daily reminders and the weekly digest; one reminder email per
person per day, however many times the task runs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from obcms.reminders import sending, sources
from obcms.reminders.models import ReminderDay
from obcms.reports import tasks
from tests.support import factories

pytestmark = pytest.mark.django_db


def _overdue_meeting(assignee, author, **fields):
    today = timezone.localdate()
    return factories.meeting(
        created_by=author,
        actions=[
            {
                "what": "Send the teachers' list",
                "assignee": assignee,
                "due_on": today - timedelta(days=2),
            },
            {
                "what": "Book the hall",
                "assignee_name": "Datu Ali, LGU",
                "due_on": today - timedelta(days=1),
            },
            {"what": "Not yet due", "assignee": assignee, "due_on": today + timedelta(days=1)},
            {
                "what": "Done already",
                "assignee": assignee,
                "due_on": today - timedelta(days=5),
                "done": True,
            },
        ],
        **fields,
    )


def test_overdue_action_items_are_reminded_once_per_day_not_once_per_run():
    assignee = factories.user("encoder", email="assignee@example.org")
    author = factories.user("encoder", email="author@example.org")
    _overdue_meeting(assignee, author)

    tasks.send_reminders()
    tasks.send_reminders()  # a retry, a second beat: the same day
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert "Send the teachers' list" in by_recipient["assignee@example.org"]
    assert "Not yet due" not in by_recipient["assignee@example.org"]
    assert "Done already" not in by_recipient["assignee@example.org"]
    # A partner's person has no account: the meeting's author hears about it.
    assert "Book the hall" in by_recipient["author@example.org"]
    assert ReminderDay.objects.filter(day=timezone.localdate()).count() == 2

    mail.outbox.clear()
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert sending.send_reminders(tomorrow) == 2  # the next day, reminded again
    assert sending.send_reminders(tomorrow) == 0


def test_a_refused_email_leaves_the_day_unrecorded_so_a_retry_sends_it(settings):
    assignee = factories.user("encoder", email="assignee@example.org")
    _overdue_meeting(assignee, None)
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        tasks.send_reminders()
    assert not ReminderDay.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tasks.send_reminders()
    assert [m.to for m in mail.outbox] == [["assignee@example.org"]]


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_ticking_done_or_archiving_the_meeting_stops_its_reminders():
    assignee = factories.user("encoder")
    meeting = _overdue_meeting(assignee, None)
    today = timezone.localdate()
    assert len(sending.due_lines(today)[assignee.pk]) == 1
    meeting.action_items.filter(what="Send the teachers' list").update(done=True)
    assert assignee.pk not in sending.due_lines(today)
    meeting.action_items.update(done=False)
    meeting.archive(None, "entered twice")
    assert assignee.pk not in sending.due_lines(today)


def test_the_weekly_digest_counts_overdue_action_items():
    factories.user("administrator")
    _overdue_meeting(factories.user("encoder"), None, title="Madrasah consultation")
    tasks.send_weekly_digest()
    (message,) = mail.outbox
    assert "Overdue action items: 2" in message.body
    assert "Send the teachers' list (Madrasah consultation)" in message.body


def test_every_registered_source_takes_today_and_gives_user_ids_with_lines():
    assignee = factories.user("encoder")
    _overdue_meeting(assignee, None)
    today = timezone.localdate()
    for source in sources.DAILY:
        for user_id, line in source(today):
            assert isinstance(user_id, int) and isinstance(line, str) and line
    assert all(isinstance(line, str) for line in sending.digest_lines(today))
