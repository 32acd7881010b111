from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "obcms.health"
    verbose_name = "Health probes"
