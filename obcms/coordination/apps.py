from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "obcms.coordination"
    verbose_name = "Coordination"
