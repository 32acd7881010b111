from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """What every registry record shares: its history, its archive, and how lists show it."""

    name = "obcms.records"
    verbose_name = "Records"

    def ready(self) -> None:
        from obcms.records import checks, figures  # noqa: F401 (system checks, receivers)
