from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "obcms.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from obcms.db.planner import no_jit
        from obcms.ops import checks  # noqa: F401 - registers the deployment checks

        connection_created.connect(no_jit, dispatch_uid="obcms.db.planner.no_jit")
