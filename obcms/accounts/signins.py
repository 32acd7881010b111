"""Every successful sign-in is recorded (time, address, browser) for its owner's account page;
the newest SIGN_INS_KEPT per account are kept."""

from __future__ import annotations

import re

from django.contrib.auth import user_logged_in
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Subquery
from django.dispatch import receiver
from django.http import HttpRequest

from obcms.accounts.models import SIGN_INS_KEPT, SignIn
from obcms.security.signin import client_address

# Headers are the client's to choose: control characters (NUL breaks PostgreSQL text) go.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(value: str, length: int) -> str:
    """A header's value fit to store: no control characters, at most ``length`` long."""
    return _CONTROL.sub("", value)[:length]


@receiver(user_logged_in, dispatch_uid="obcms.accounts.record_sign_in")
def record_sign_in(
    sender: object, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object
) -> None:
    meta = request.META if request is not None else {}
    SignIn.objects.create(
        user=user,
        address=printable(client_address(request), 64),
        user_agent=printable(meta.get("HTTP_USER_AGENT", ""), 300),
    )
    # Older than the SIGN_INS_KEPT-th newest (ids grow with time): one DELETE, no read.
    kept = SignIn.objects.filter(user=user).order_by("-pk").values("pk")
    SignIn.objects.filter(
        user=user, pk__lt=Subquery(kept[SIGN_INS_KEPT - 1 : SIGN_INS_KEPT])
    ).delete()
