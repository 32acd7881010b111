from django.apps import AppConfig
from django.contrib.staticfiles import apps as staticfiles


class ApiConfig(AppConfig):
    """The partner API (/api/v1/) and the API tokens staff create for it."""

    name = "obcms.api"
    verbose_name = "API"


class StaticFilesConfig(staticfiles.StaticFilesConfig):
    """Django's staticfiles, leaving out the static files no page uses: ReDoc (the sidecar ships
    it beside Swagger UI) and DRF's browsable API (we render JSON only). Every build compresses
    each collected file twice (gzip and Brotli): these were most of its time."""

    ignore_patterns = [*staticfiles.StaticFilesConfig.ignore_patterns, "redoc", "rest_framework"]
