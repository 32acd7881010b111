from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommunitiesConfig(AppConfig):
    name = "obcms.communities"
    verbose_name = "Communities"

    def ready(self) -> None:
        from obcms.roles import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="obcms.sync_roles")
