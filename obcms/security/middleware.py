"""Headers Django 5.2 does not set itself, a ceiling on request size, and 400 for the odd
values that would reach the database as they are."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import get_resolver, get_urlconf

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


class NumberRangeMiddleware:
    """Answer 400 to a number too large for what it is given to (OverflowError).

    Only a number from the request gets that large: a year beyond what ``datetime`` takes
    in the admin's date drill-down (``?at__year=99999999999999999999``, which Django's
    ChangeList does not catch), or an integer beyond 64 bits on SQLite, which cannot bind it
    (Django guards integer fields' own lookups since 5.0, not a foreign key's, nor ``__in``:
    the admin's list filters). PostgreSQL compares such an integer as numeric and finds
    nothing. tests/test_odd_values.py tries both databases. A form's multiple choice refuses
    such an id itself, as "Select a valid choice" (obcms/records/modelforms.py), so that the
    form is shown again with what the person typed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OverflowError):
            return None
        # The project's 400 page (JSON under /api/), as Django answers a BadRequest, without
        # the traceback Django would log for one raised here.
        bad_request = get_resolver(get_urlconf()).resolve_error_handler(400)
        return bad_request(request, BadRequest("A number in the request is too large."))


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)
