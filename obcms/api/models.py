"""API tokens: shown once, stored as a SHA-256 hash, scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# Tokens start with this, so a leaked one is recognisable (secret scanners, logs, chat).
TOKEN_PREFIX = "obcms_"  # noqa: S105 - a label, not a secret
# How much of a token its lists show: enough to tell tokens apart, far too little to use.
SHOWN_CHARACTERS = len(TOKEN_PREFIX) + 6
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    """The stored form of a token. A token carries 240 random bits, so a plain SHA-256 is as
    safe as a slow password hash would be, and lets a request find its token by index."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read"
        READ_WRITE = "read_write", "Read and write"

    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'MSSD dashboard' or 'pandas'."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(
        max_length=SHOWN_CHARACTERS, editable=False, help_text="The token's first characters."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        max_length=10,
        choices=Scope.choices,
        default=Scope.READ,
        help_text="Read and write still cannot do more than the owner's role allows.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls,
        owner: object,
        name: str,
        scope: str = Scope.READ,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Create a token; return it and its secret, which is never stored and cannot be
        shown again."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
        token = cls.objects.create(
            owner=owner,
            name=name,
            scope=scope,
            expires_at=expires_at,
            prefix=secret[:SHOWN_CHARACTERS],
            key_hash=hash_secret(secret),
        )
        return token, secret

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def can_write(self) -> bool:
        """The scope allows writing; the owner's role decides what (permissions.py)."""
        return self.scope == self.Scope.READ_WRITE

    def revoke(self) -> None:
        if not self.revoked:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def touch(self, now: datetime) -> None:
        """Record a use, at most once per LAST_USED_RESOLUTION."""
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION:
            self.last_used_at = now
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
