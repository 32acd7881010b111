"""A record's state change asked for by a button: one transaction, the outcome as a message.

The models refuse a change they do not allow with ``ValidationError`` (the wrong state, a
missing reason); the page then says why and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def decided(
    request: HttpRequest, record: Model, change: Callable[[], None], done: Callable[[], str]
) -> HttpResponse:
    """Run ``change`` atomically; report ``done()`` (read after the change) or the refusal,
    and go back to ``record``'s page."""
    try:
        with transaction.atomic():
            change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done())
    return redirect(record)
