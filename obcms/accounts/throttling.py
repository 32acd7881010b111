"""How often someone may ask for a password-reset email: like sign-in failures, per address
asked for and per client address, within the same window and limits.

The one place that knows: the sign-in throttle (obcms/security/signin.py) is due to be
reworked, and then only this function changes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from obcms.security import signin


def reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count one reset request; False once ``email`` or the client's address has reached
    the sign-in limits (LOCKOUT_ACCOUNT_FAILURES, LOCKOUT_ADDRESS_FAILURES per
    LOCKOUT_WINDOW). Counted whether or not the address has an account, so the answer says
    nothing about that."""
    by_email = signin._key("reset-email", email)
    by_address = signin._key("reset-address", signin.client_address(request))
    counts = cache.get_many([by_email, by_address])
    if (
        counts.get(by_email, 0) >= settings.LOCKOUT_ACCOUNT_FAILURES
        or counts.get(by_address, 0) >= settings.LOCKOUT_ADDRESS_FAILURES
    ):
        return False
    signin._count(by_email)
    signin._count(by_address)
    return True
