"""How often someone may ask for a password-reset email: like sign-in failures, per address
asked for and per client address, within the same window and limits.

The one place that knows: the sign-in throttle (obcms/security/signin.py) is due to be
reworked, and then only this function changes.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from obcms.security import signin


def reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count one reset request; False once ``email`` or the client's address is over the
    sign-in limits (LOCKOUT_ACCOUNT_FAILURES, LOCKOUT_ADDRESS_FAILURES per LOCKOUT_WINDOW).
    Counted first, atomically, whether or not the address has an account, so the answer says
    nothing about that and parallel requests cannot pass a limit."""
    over_email = signin._count(signin._key("reset-email", email)) > (
        settings.LOCKOUT_ACCOUNT_FAILURES
    )
    address = signin.client_address(request)
    over_address = signin._count(signin._key("reset-address", address)) > (
        settings.LOCKOUT_ADDRESS_FAILURES
    )
    return not (over_email or over_address)
