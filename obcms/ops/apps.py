from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "obcms.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from obcms.ops import checks  # noqa: F401 - registers the deployment checks
