"""The two probe views. They are reached through ProbeMiddleware, ahead of host validation and
the HTTPS redirect, and through the URLconf as well so ``reverse()`` knows them."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from obcms.health.checks import READINESS_CHECKS, run_checks
from obcms.health.drain import draining

ALLOWED_METHODS = ("GET", "HEAD")


def _answer(request: HttpRequest, payload: dict, status: int) -> HttpResponse:
    if request.method not in ALLOWED_METHODS:
        response = HttpResponse(status=405)
        response["Allow"] = ", ".join(ALLOWED_METHODS)
    else:
        response = JsonResponse(payload, status=status)
        if request.method == "HEAD":
            response.content = b""
    add_never_cache_headers(response)
    return response


@transaction.non_atomic_requests
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No I/O, so a database blip restarts nothing."""
    return _answer(
        request,
        {"status": "healthy", "service": "obcms", "version": settings.RELEASE},
        200,
    )


@transaction.non_atomic_requests
def ready(request: HttpRequest) -> HttpResponse:
    """Readiness: database, cache, broker and migrations, each bounded; 503 when any fails."""
    if request.method not in ALLOWED_METHODS:
        return _answer(request, {}, 405)
    if draining():  # shutting down: routers should send new requests elsewhere
        response = _answer(request, {"status": "draining"}, 503)
        # Expected, not an error: django.request would log every probe of the drain as one.
        # The drain itself is logged once, by gunicorn.conf.py.
        response._has_been_logged = True  # what django.utils.log.log_response looks at
        return response
    results = run_checks(READINESS_CHECKS)
    ok = all(result.ok for result in results.values())
    payload = {
        "status": "ready" if ok else "unavailable",
        "checks": {name: result.ok for name, result in results.items()},
    }
    if not ok:
        payload["errors"] = {name: r.reason for name, r in results.items() if not r.ok}
    return _answer(request, payload, 200 if ok else 503)
