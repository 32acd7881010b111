"""/api/: version 1 of the record endpoints, its schema and docs, and a JSON 404 for the rest.

A new record type is one ``router.register`` line here (see obcms/api/__init__.py)."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import APIRootView, DefaultRouter

from obcms.api.docs import DeferredSchema, extend_schema
from obcms.api.errors import not_found
from obcms.api.resources.assessments import AssessmentViewSet, NeedViewSet
from obcms.api.resources.communities import CommunityViewSet
from obcms.api.resources.coordination import EngagementViewSet, PartnerViewSet
from obcms.api.resources.meetings import MeetingViewSet
from obcms.api.resources.places import (
    BarangayViewSet,
    MunicipalityViewSet,
    ProvinceViewSet,
    RegionViewSet,
)
from obcms.api.resources.policies import PolicyViewSet
from obcms.api.resources.ppas import PPAViewSet
from obcms.api.throttling import AddressThrottledFirst


@extend_schema(exclude=True)
class IndexView(AddressThrottledFirst, APIRootView):
    """/api/v1/: links to every endpoint."""

    schema = DeferredSchema()


class Router(DefaultRouter):
    APIRootView = IndexView
    include_format_suffixes = False  # one URL per resource; JSON is the only format


def loaded_at_first_request(name: str, **initkwargs: object) -> Callable[..., HttpResponse]:
    """The view ``name`` of obcms/api/schema_pages.py, imported when it is first asked for:
    the schema generator it needs stays out of every web process that never serves it."""
    views: list[Callable[..., HttpResponse]] = []

    @csrf_exempt  # as DRF's own views are
    def view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not views:
            from obcms.api import schema_pages

            views.append(getattr(schema_pages, name).as_view(**initkwargs))
        return views[0](request, *args, **kwargs)

    return view


router = Router()
router.register("communities", CommunityViewSet, basename="community")
router.register("places/regions", RegionViewSet, basename="region")
router.register("places/provinces", ProvinceViewSet, basename="province")
router.register("places/municipalities", MunicipalityViewSet, basename="municipality")
router.register("places/barangays", BarangayViewSet, basename="barangay")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("needs", NeedViewSet, basename="need")
router.register("partners", PartnerViewSet, basename="partner")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("ppas", PPAViewSet, basename="ppa")
router.register("policies", PolicyViewSet, basename="policy")
router.register("meetings", MeetingViewSet, basename="meeting")

app_name = "api"
urlpatterns = [
    path("v1/schema/", loaded_at_first_request("SchemaView"), name="schema"),
    path(
        "v1/docs/",
        login_required(loaded_at_first_request("DocsView", url_name="api:schema")),
        name="docs",
    ),
    path("v1/", include(router.urls)),
    re_path(r"^", csrf_exempt(not_found)),
]
