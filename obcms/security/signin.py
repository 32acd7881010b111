"""Throttled sign-in: after too many failures an account, or an address, waits.

Failures are counted in the cache (Redis in production, so every web process shares them)
for LOCKOUT_WINDOW seconds: LOCKOUT_ACCOUNT_FAILURES per username, LOCKOUT_ADDRESS_FAILURES
per client address. A locked account or address is refused even with the right password,
both on the sign-in page and in the admin. A successful sign-in clears its account's count.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import user_logged_in, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The client as the platform's proxy reports it (the last hop it appended)."""
    if request is None:
        return "-"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR", "-")


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"obcms:signin:{kind}:{digest}"


def locked(request: HttpRequest | None, username: str) -> bool:
    counts = cache.get_many([_key("account", username), _key("address", client_address(request))])
    return (
        counts.get(_key("account", username), 0) >= settings.LOCKOUT_ACCOUNT_FAILURES
        or counts.get(_key("address", client_address(request)), 0)
        >= settings.LOCKOUT_ADDRESS_FAILURES
    )


def _count(key: str) -> None:
    if not cache.add(key, 1, settings.LOCKOUT_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, settings.LOCKOUT_WINDOW)


@receiver(user_login_failed)
def count_failure(
    sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object
) -> None:
    _count(_key("account", str(credentials.get("username", ""))))
    _count(_key("address", client_address(request)))


@receiver(user_logged_in)
def clear_failures(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    cache.delete(_key("account", user.get_username()))


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing locked accounts and addresses before checking a password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ):
        if username is not None and locked(request, username):
            raise PermissionDenied("too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignInForm(AuthenticationForm):
    """Says plainly when the account is locked instead of "wrong password"."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        if username and locked(self.request, username):
            minutes = settings.LOCKOUT_WINDOW // 60
            raise ValidationError(
                f"Too many failed sign-ins. Wait {minutes} minutes, or ask an administrator "
                "to check your account.",
                code="locked",
            )
        return super().clean()
