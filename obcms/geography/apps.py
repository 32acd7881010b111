from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "obcms.geography"
    verbose_name = "Geography (PSGC)"
