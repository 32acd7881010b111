from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "obcms.communities"
    verbose_name = "Communities"
