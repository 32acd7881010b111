"""/api/v1/schema/ and /api/v1/docs/: imported at their first request (obcms/api/urls.py), so
the schema generator stays out of the web processes that never serve them."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from obcms.api.throttling import AddressThrottledFirst


class SchemaView(AddressThrottledFirst, SpectacularAPIView):
    """The OpenAPI 3 schema: YAML, or JSON with Accept: application/json."""


class DocsView(AddressThrottledFirst, SpectacularSwaggerSplitView):
    """Swagger UI from our own static files; its start-up script is a separate request, so
    the page runs under the site's CSP (scripts from our origin only, nothing inline)."""
