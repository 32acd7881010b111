"""The account emails (invitation, password reset): how they are queued and what they say.

A request never sends mail itself: it saves a row and queues a task with the row's id once the
transaction commits. The worker makes the token, so no password or token ever travels through
the broker, a task's arguments or a log line; it exists only in the email.
"""

from __future__ import annotations

import logging
from functools import partial

from celery import Task
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def queue(task: Task, pk: int) -> None:
    """Publish ``task(pk)`` after commit. A broker that is down is logged, not a 500: the
    person can ask again (reset), or an administrator sees "not sent yet" and resends."""
    transaction.on_commit(partial(_publish, task, pk))


def _publish(task: Task, pk: int) -> None:
    try:
        task.delay(pk)
    except Exception:
        logger.exception("could not queue %s for %s", task.name, pk)


def link(path: str) -> str:
    """An absolute link on the configured site (SITE_URL), whatever Host a request carried."""
    if not settings.SITE_URL:
        raise ImproperlyConfigured(
            "SITE_URL is not set and no host could be derived from ALLOWED_HOSTS: set it to "
            "the address staff open, e.g. https://obcms.example.org"
        )
    return f"{settings.SITE_URL}{path}"


def message(template: str, to: AbstractUser, context: dict) -> EmailMessage:
    """``accounts/email/<template>.txt``: the first line is the subject, the rest the body."""
    context = {**context, "user": to, "site_url": settings.SITE_URL}
    subject, _, body = render_to_string(f"accounts/email/{template}.txt", context).partition("\n")
    return EmailMessage(subject.strip(), body.lstrip("\n"), to=[to.email])
