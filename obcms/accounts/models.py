"""Staff accounts beyond Django's user: invitations, password-reset requests, sign-ins.

Secrets never rest here in the clear: an invitation keeps only the SHA-256 of its token (the
token itself exists only in the email), and a reset request keeps only the address typed in,
the reset token being Django's own (derived, never stored).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

INVITATION_VALID_FOR = timedelta(hours=72)
SIGN_INS_KEPT = 20


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256. Tokens are 256 random bits, so a fast hash is
    enough; nothing to brute-force."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor withdrawn nor expired: the one whose link would work."""
        return self.filter(
            accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An invitation to choose a password. The account exists from the start (inactive, no
    usable password, in its role); accepting sets the password and activates it. A new
    invitation for the same account withdraws the older ones, so one link at most works."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(help_text="72 hours after the link was mailed.")
    token_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="SHA-256 of the link's token, set by the worker that mails it.",
    )
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the link was mailed.")
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_staff", "Can invite staff and change their roles and status")]

    def __str__(self) -> str:
        return f"Invitation of {self.user} ({self.created_at:%Y-%m-%d})"

    def clean(self) -> None:
        if self.expires_at and self.created_at and self.expires_at <= self.created_at:
            raise ValidationError({"expires_at": "Set an expiry after the invitation was made."})

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.withdrawn_at is None
            and self.expires_at > timezone.now()
        )


class PasswordResetRequest(models.Model):
    """One "I forgot my password" form sent, whether or not the address is known: the web
    process does the same work for both (this row, one queued task), and the worker decides.
    The row also makes the task idempotent (``sent_at``)."""

    email = models.EmailField()
    address = models.CharField(max_length=64, blank=True, help_text="The client's address.")
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the worker handled it.")
    accounts_mailed = models.PositiveSmallIntegerField(
        default=0, help_text="Active accounts with this address that were sent a link."
    )

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "password-reset request"

    def __str__(self) -> str:
        return f"Reset for {self.email} at {self.requested_at:%Y-%m-%d %H:%M}"


class SignIn(models.Model):
    """A successful sign-in, shown to its owner on the account page (the last 20 are kept)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins"
    )
    at = models.DateTimeField(default=timezone.now)
    address = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "sign-in"
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.user} at {self.at:%Y-%m-%d %H:%M}"
