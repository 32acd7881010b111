"""Throttled sign-in: after too many failures an account, or an address, waits.

Attempts are counted in the cache (Redis in production, so every web process shares them)
for LOCKOUT_WINDOW seconds, and counted *before* the password is checked, with one atomic
increment each, so parallel attempts cannot slip past a limit between a read and a write:

- per client address, every account: LOCKOUT_ADDRESS_FAILURES;
- per account from one address: LOCKOUT_ACCOUNT_FAILURES, so a stranger guessing an
  administrator's password locks the account for themselves only;
- per account from every address: LOCKOUT_ACCOUNT_GLOBAL_FAILURES, higher, the ceiling on a
  guess spread over many addresses.

A successful sign-in gives its attempt back and clears its account's per-address count. A
locked account or address is refused even with the right password, on the sign-in page and in
the admin. The client address is the one the platform's proxies vouch for
(TRUSTED_PROXY_COUNT), never one a client wrote itself.

Without the cache (Redis unreachable) sign-in still works: the counts fall back to this
process's memory, so each web process throttles on its own (limits per process, not per site),
one warning is logged when that starts and one line when Redis is back.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import user_logged_in
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

# This process's counts while the shared cache is unreachable.
_local = LocMemCache("obcms-signin-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
# While the shared cache is down, try it again only this often: each try may wait for the
# cache's connect timeout, and a sign-in must not wait that long on every request.
RETRY_SECONDS = 30
_down_since: float | None = None


def client_address(request: HttpRequest | None) -> str:
    """The client's address as the last TRUSTED_PROXY_COUNT proxies saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N
    proxies in front of us the N-th element from the end is the one the outermost proxy saw;
    anything to its left was written by the client and is ignored. With no proxy (0) or a
    header shorter than N (a request that did not come through them), the connection's own
    address."""
    if request is None:
        return "-"
    remote = request.META.get("REMOTE_ADDR") or "-"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    return hops[-proxies][:64]


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"obcms:signin:{kind}:{digest}"


def _cache_call(operation: Callable[[object], T]) -> T:
    """``operation(cache)`` on the shared cache, or on this process's memory while the shared
    one is unreachable (one warning when that starts, one line when it is back)."""
    global _down_since
    if _down_since is not None and time.monotonic() - _down_since < RETRY_SECONDS:
        return operation(_local)
    try:
        result = operation(cache)
    except Exception as exc:  # any cache client error means "unreachable"
        if _down_since is None:
            log.warning(
                "sign-in throttle: the cache is unreachable (%s); counting sign-in attempts "
                "in each web process's memory until it is back",
                type(exc).__name__,
            )
        _down_since = time.monotonic()
        return operation(_local)
    if _down_since is not None:
        log.info("sign-in throttle: the cache is reachable again; counts are shared again")
        _down_since = None
    return result


def _incr(store: object, key: str) -> int:
    """Add one to ``key`` (created with the window's expiry) and return the new count: one
    atomic step on Redis (SET NX, then INCR)."""
    if store.add(key, 1, settings.LOCKOUT_WINDOW):
        return 1
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.add(key, 1, settings.LOCKOUT_WINDOW)
        return 1


def _count(key: str) -> int:
    return _cache_call(lambda store: _incr(store, key))


def _keys(request: HttpRequest | None, username: str) -> dict[str, str]:
    address = client_address(request)
    return {
        "address": _key("address", address),
        "account": _key("account-address", f"{username}\n{address}"),
        "global": _key("account", username),
    }


def _limits() -> dict[str, int]:
    return {
        "address": settings.LOCKOUT_ADDRESS_FAILURES,
        "account": settings.LOCKOUT_ACCOUNT_FAILURES,
        "global": settings.LOCKOUT_ACCOUNT_GLOBAL_FAILURES,
    }


def locked(request: HttpRequest | None, username: str) -> bool:
    """True when ``username`` may not try again from this client now (no attempt counted)."""
    keys, limits = _keys(request, username), _limits()
    counts = _cache_call(lambda store: store.get_many(list(keys.values())))
    return any(counts.get(keys[kind], 0) >= limits[kind] for kind in keys)


def take_attempt(request: HttpRequest | None, username: str) -> bool:
    """Count one attempt for ``username`` from this client; False when it is over a limit.
    Counted before the password is checked, so N parallel attempts are N increments and only
    the first ones within the limits go on."""
    keys, limits = _keys(request, username), _limits()
    allowed = True
    for kind, key in keys.items():
        if _count(key) > limits[kind]:
            allowed = False
    return allowed


def give_back(request: HttpRequest | None, username: str) -> None:
    """A successful sign-in: its attempt was no failure."""
    keys = _keys(request, username)

    def _undo(store: object) -> None:
        store.delete(keys["account"])
        for kind in ("address", "global"):
            try:
                store.decr(keys[kind])
            except ValueError:  # expired meanwhile
                pass

    _cache_call(_undo)


@receiver(user_logged_in)
def clear_failures(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    keys = _keys(request, user.get_username())
    _cache_call(lambda store: store.delete(keys["account"]))


class ThrottledModelBackend(ModelBackend):
    """Django's backend, counting each attempt before it checks a password and refusing
    attempts over a limit."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ):
        if username is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        if not take_attempt(request, username):
            if request is not None:
                request.signin_refused = True  # so the form says why, not "wrong password"
            raise PermissionDenied("too many failed sign-ins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            give_back(request, username)
        return user


class SignInForm(AuthenticationForm):
    """Says plainly when the account is locked instead of "wrong password"."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        if username and locked(self.request, username):
            raise self._locked()
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "signin_refused", False):
                raise self._locked() from None
            raise

    @staticmethod
    def _locked() -> ValidationError:
        minutes = settings.LOCKOUT_WINDOW // 60
        return ValidationError(
            f"Too many failed sign-ins. Wait {minutes} minutes, or ask an administrator "
            "to check your account.",
            code="locked",
        )
