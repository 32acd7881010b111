"""Sending the daily reminders, once per person per day however often the task runs."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from obcms.reminders import sources
from obcms.reminders.models import ReminderDay


def due_lines(today: date) -> dict[int, list[str]]:
    """Every registered source's lines, by user id."""
    todo: dict[int, list[str]] = defaultdict(list)
    for source in sources.DAILY:
        for user_id, line in source(today):
            todo[user_id].append(line)
    return todo


def send_reminders(today: date) -> int:
    """One email per active user with an address and something due, unless they were
    reminded already on ``today``. The day is recorded in the email's transaction: if the
    mail server refuses, nothing is recorded and a retry sends it; two runs at once wait on
    the unique (user, day) row and only one sends. Returns how many were sent."""
    todo = due_lines(today)
    already = set(ReminderDay.objects.filter(day=today).values_list("user_id", flat=True))
    users = (
        get_user_model()
        .objects.filter(pk__in=set(todo) - already, is_active=True)
        .exclude(email="")
    )
    sent = 0
    for user in users:
        with transaction.atomic():
            _, created = ReminderDay.objects.get_or_create(user=user, day=today)
            if not created:
                continue
            send_mail(
                "OBCMS reminders",
                "\n".join(f"- {line}" for line in todo[user.pk]),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            sent += 1
    return sent


def digest_lines(today: date) -> list[str]:
    """The registered digest sources' lines, in order."""
    return [line for source in sources.DIGEST for line in source(today)]
