"""Headers Django 5.2 does not set itself, and a ceiling on request size."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict

from obcms.maptiles import tile_origin

# Scripts only from our own origin (no inline script, no eval); inline style attributes are
# allowed for the dashboard's bar widths. Nothing may frame us, nothing is loaded from a CDN;
# images also come from the map's tile server, that one origin (MAP_TILES_URL).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: {tiles}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Content-Security-Policy",
            CONTENT_SECURITY_POLICY.format(tiles=tile_origin(settings.MAP_TILES_URL)),
        )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RequestSizeLimitMiddleware:
    """Refuse a body larger than MAX_REQUEST_BYTES with 413 before anything reads it (Django
    limits form fields in memory, not the size of an upload)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(
                "Malformed Content-Length.\n", status=400, content_type="text/plain"
            )
        if length > settings.MAX_REQUEST_BYTES:
            limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            return HttpResponse(
                f"Request too large: the limit is {limit} MB.\n",
                status=413,
                content_type="text/plain",
            )
        return self.get_response(request)


class AdminValuesMiddleware:
    """Refuse with 400 a NUL character in a query parameter or form field sent to the admin.

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"). Our own pages
    already cope (forms refuse it with a field error, list filters ignore values they do not
    know, the API answers its JSON 400), but the admin's list filters, search and autocomplete
    hand query values to the database as they are: a 500. No person types a NUL; this answers
    them before the admin sees it. tests/test_odd_values.py crawls every page with odd values.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(f"/{settings.ADMIN_URL}") and (
            _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST))
        ):
            return HttpResponse(
                "Bad request: a NUL character in the address or a form field.\n",
                status=400,
                content_type="text/plain",
            )
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)
