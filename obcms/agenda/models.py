"""Private calendar feeds: one per staff member, its secret token stored only as a hash."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from obcms.accounts.models import token_hash


class CalendarFeedQuerySet(models.QuerySet):
    def of_token(self, token: str) -> CalendarFeed | None:
        """The feed this token opens, if it is current and its owner still active."""
        return (
            self.select_related("user")
            .filter(token_hash=token_hash(token), user__is_active=True)
            .first()
        )


class CalendarFeed(models.Model):
    """A subscription address. Revoking deletes it (the old address then answers 404);
    replacing makes a new token, so the old address stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @classmethod
    def issue(cls, user: models.Model) -> str:
        """A new token for ``user``, replacing any earlier one; returned once, never stored."""
        token = secrets.token_urlsafe(32)
        with transaction.atomic():
            cls.objects.filter(user=user).delete()
            cls.objects.create(user=user, token_hash=token_hash(token))
        return token
