from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The partner API (/api/v1/) and the API tokens staff create for it."""

    name = "obcms.api"
    verbose_name = "API"

    def ready(self) -> None:
        # drf-spectacular finds its extensions (the bearer scheme) by import.
        from obcms.api import schema  # noqa: F401
