from django.apps import AppConfig


class PpasConfig(AppConfig):
    name = "obcms.ppas"
    verbose_name = "Requests and PPAs"
