from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    """Staff accounts and their roles (viewer, encoder, administrator)."""

    name = "obcms.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from obcms.accounts import checks, signins  # noqa: F401 - registers checks, signals
        from obcms.accounts.roles import connect_permission_signals, sync_roles

        connect_permission_signals()

        # After every app's migrations, so each app's new permissions reach the roles.
        post_migrate.connect(sync_roles, dispatch_uid="obcms.sync_roles")
