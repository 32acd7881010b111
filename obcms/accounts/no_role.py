"""A signed-in person without a role sees a page saying so, not the registry's figures.

Every page behind a permission already answers 403 to them; the start page (the dashboard)
needs only a sign-in, so this wraps it in the URL map.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from obcms.accounts.roles import remembered_role


def needs_a_role(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view`` for people with a role; for a signed-in person without one, a 403 page that
    tells them to ask an administrator for a role."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated and not remembered_role(request.user):
            return render(request, "accounts/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
