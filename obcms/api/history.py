"""API writes leave the same history as page edits, naming the token's owner."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.apps import apps
from rest_framework.request import Request

from obcms.security.signin import client_address


@contextlib.contextmanager
def acting_as(request: Request) -> Iterator[None]:
    """Name ``request.user`` as the actor of every history record written inside.

    django-auditlog's middleware reads ``request.user`` before DRF has authenticated a token
    (DRF does that inside the view), so for API requests it would record no actor: the viewsets
    set it here instead. Without auditlog installed this does nothing, and the record types
    that keep their own history (CommunityChange) pass the user themselves.
    """
    if not apps.is_installed("auditlog"):
        yield
        return
    from auditlog.context import set_actor

    with set_actor(request.user, remote_addr=client_address(request)):
        yield
