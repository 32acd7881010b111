"""obcms's URLs plus one view that fails, for the error-tracker tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from obcms.urls import urlpatterns as obcms_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"view failed on purpose {request.GET.get('marker', '')}")


urlpatterns = [path("boom/", boom), *obcms_urlpatterns]
