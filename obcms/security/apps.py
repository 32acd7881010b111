from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "obcms.security"
    verbose_name = "Security"

    def ready(self) -> None:
        from obcms.security import signin  # noqa: F401 - connects the sign-in signals
