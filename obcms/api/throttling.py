"""Throttles counted in the shared cache (Redis in production), so every web process sees the
same counts: per token (or signed-in user) at API_THROTTLE_RATE, and per client address at
API_ADDRESS_THROTTLE_RATE. The address is counted before authentication, so guessing tokens is
throttled too. A refusal is 429 with Retry-After (errors.py)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from obcms.api.models import ApiToken
from obcms.security.signin import client_address

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def cache_key(kind: str, value: str) -> str:
    """Where the history of ``kind`` (token, user, address) ``value`` is counted."""
    return f"obcms:api:throttle:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


class TokenThrottle(SimpleRateThrottle):
    """Per token; per user for the pages' own (session) requests."""

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE  # read per request, so tests may change it

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiToken):
            return cache_key("token", str(request.auth.pk))
        if request.user and request.user.is_authenticated:
            return cache_key("user", str(request.user.pk))
        return None  # anonymous requests are refused before throttles run


class AddressThrottle(SimpleRateThrottle):
    def get_rate(self) -> str:
        return settings.API_ADDRESS_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return cache_key("address", client_address(request))


class AddressThrottledFirst:
    """For every API view: count the address before DRF authenticates (DRF runs throttles
    after authentication and permissions, so a wrong token would never be counted)."""

    def perform_authentication(self, request: Request) -> None:
        throttle = AddressThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
        super().perform_authentication(request)
