"""API writes land in the records' history (django-auditlog, obcms/records/history.py) naming
the token's owner, as page edits name the signed-in user."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from auditlog.context import auditlog_value, set_actor
from rest_framework.request import Request


@contextlib.contextmanager
def acting_as(request: Request) -> Iterator[None]:
    """Name ``request.user`` as the actor of every history entry written inside.

    AuditlogMiddleware reads ``request.user`` before DRF has authenticated a token (DRF does
    that inside the view), so for token requests it has no actor: the viewsets set it here.

    The middleware's own context is put back on the way out. auditlog's contexts do not nest
    (django-auditlog#846): the outer one would find the inner one's id when it ends, and its
    signal receiver would stay connected for the life of the process, one more per API write.
    """
    outer = auditlog_value.get(None)
    try:
        with set_actor(request.user):  # no address: AUDITLOG_DISABLE_REMOTE_ADDR
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
