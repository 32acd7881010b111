from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "obcms.ops"
    verbose_name = "Operations"
