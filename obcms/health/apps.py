from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "obcms.health"
    verbose_name = "Health probes"

    def ready(self) -> None:
        # Where Redis is used, its client is imported now, not by a probe's thread (see
        # obcms/db/redis.py); the embedded defaults never load it.
        from obcms.db import timeouts
        from obcms.db.redis import load_client_modules

        load_client_modules()
        # The web process's bound on SQL statements (settings.DATABASE_STATEMENT_TIMEOUT).
        timeouts.install()
