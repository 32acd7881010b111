"""Every error under /api/ is JSON of one shape, never HTML and never a traceback:

    {"code": "invalid", "message": "One or more fields or query parameters are not valid; ...",
     "errors": {"households": ["60 households cannot live in a population of 50; ..."]}}

``code`` is stable and meant for programs; ``message`` says what to do next; ``errors`` maps a
field or query parameter to its problems (``non_field_errors`` for the record as a whole) and is
empty when no field is at fault.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"

MESSAGES = {
    "invalid": "One or more fields or query parameters are not valid; see errors.",
    "unsupported_media_type": "Send the request body as JSON (Content-Type: application/json).",
}


def body(code: str, message: str, errors: Mapping[str, list[str]] | None = None) -> dict:
    return {"code": code, "message": message, "errors": dict(errors or {})}


def flatten(detail: object, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as ``{"field": ["message", ...]}`` with dotted names for
    nested fields (``needs.0.sector``), so the shape never depends on the serializer."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten(value, name).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    if isinstance(detail, list) and any(isinstance(item, (list, Mapping)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            for field, messages in flatten(
                item, f"{prefix}.{index}" if prefix else str(index)
            ).items():
                flat.setdefault(field, []).extend(messages)
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler (status, Retry-After, WWW-Authenticate), with our body. Exceptions DRF
    does not know stay unhandled, so Django logs them, Sentry hears of them, and handler500
    below answers."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code, message, errors = "invalid", MESSAGES["invalid"], flatten(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        code = exc.detail.code if hasattr(exc.detail, "code") else exc.default_code
        message = MESSAGES.get(code, str(exc.detail))
        errors = {}
        if isinstance(exc, exceptions.NotAuthenticated):
            message = (
                f"Sign in, or send an API token as 'Authorization: Bearer <token>' (create "
                f"one at {reverse('tokens:list')})."
            )
        elif isinstance(exc, exceptions.Throttled):
            later = f"in {exc.wait:.0f} seconds" if exc.wait is not None else "later"
            message = f"Too many requests; try again {later} (see Retry-After)."
        elif isinstance(exc, exceptions.NotFound) and exc.detail == exc.default_detail:
            message = "There is no such record."  # else it says why (an archived one, say)
    else:  # Http404 and PermissionDenied from Django, which DRF converts
        code = "not_found" if response.status_code == 404 else "permission_denied"
        message = "There is no such record." if code == "not_found" else "Not allowed."
        errors = {}
    response.data = body(str(code), message, errors)
    return response


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Anything under /api/ that matches no endpoint (the last route of api/urls.py), so
    Django's HTML 404 and its slash-appending redirect never answer an API client."""
    hint = "See the endpoints at /api/v1/docs/."
    if not request.path.endswith("/"):
        try:
            resolve(request.path + "/")
            hint = f"Did you mean {request.path}/ (with the trailing slash)?"
        except Resolver404:
            pass
    return JsonResponse(body("not_found", f"There is no endpoint here. {hint}"), status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (urls.py): JSON under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            body("bad_request", "The request could not be understood; check its URL and headers."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (urls.py): JSON under /api/, Django's page elsewhere. Django has already
    logged the exception (and Sentry has it); the client learns nothing of its insides."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            body(
                "server_error",
                "Something went wrong on our side and has been logged; try again later, and "
                "tell OOBC if it keeps happening.",
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return defaults.server_error(request)
