"""``Authorization: Bearer <token>``: the only way a token is accepted (never in a URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from obcms.api.models import ApiToken, hash_secret

if TYPE_CHECKING:
    from rest_framework.request import Request

KEYWORD = b"bearer"


def _refused(message: str, code: str) -> AuthenticationFailed:
    """A 401 that says how to get a token that works."""
    return AuthenticationFailed(
        f"{message} Create a token at {reverse('tokens:list')} and send it as "
        "'Authorization: Bearer <token>'.",
        code=code,
    )


class BearerTokenAuthentication(BaseAuthentication):
    """Finds the token by the hash of what was sent (one indexed query, with its owner)."""

    def authenticate(self, request: Request) -> tuple[object, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None  # no token: the session may still sign the request in
        if len(parts) != 2:
            raise _refused(
                "The Authorization header holds more or less than one token.", "token_malformed"
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise _refused("That token is not one of ours.", "token_unknown") from None
        try:
            token = ApiToken.objects.select_related("owner").get(key_hash=hash_secret(secret))
        except ApiToken.DoesNotExist:
            raise _refused("That token is not one of ours.", "token_unknown") from None
        if token.revoked:
            raise _refused(f"Token {token.prefix}… was revoked.", "token_revoked")
        if token.expired:
            raise _refused(f"Token {token.prefix}… has expired.", "token_expired")
        if not token.owner.is_active:
            raise AuthenticationFailed(
                "The account this token belongs to is disabled; ask an administrator.",
                code="account_disabled",
            )
        token.touch(timezone.now())
        return token.owner, token

    def authenticate_header(self, request: Request) -> str:
        # Its presence makes refusals 401 (with this header) rather than 403.
        return 'Bearer realm="obcms"'
