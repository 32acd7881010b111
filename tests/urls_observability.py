"""obcms's URLs plus one view that fails, for the error-tracker tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from obcms.urls import urlpatterns as obcms_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"view failed on purpose {request.GET.get('marker', '')}")


def boom_file(request: HttpRequest) -> HttpResponse:
    """A file name carrying people's names, refused by Django's storage (a 400 that Django logs
    as an error, with the name in the message)."""
    from django.core.files.utils import validate_file_name

    validate_file_name(f"uploads/{request.GET.get('name', '')}.csv")
    return HttpResponse("unreachable")


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("boom/", boom),
    path("boom-file/", boom_file),
    path("refuse/", refuse),
    *obcms_urlpatterns,
]
