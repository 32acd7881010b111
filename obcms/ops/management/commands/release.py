"""``python manage.py release``: everything a new version needs before it serves.

Run by the Procfile's ``release`` line (Heroku, Dokku, Render) and at container start before
gunicorn (nixpacks/Coolify). Safe to run anywhere, any number of times, several at once: the
migrations run under one lock, and a run with nothing to do changes nothing.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection

from obcms.db.migration_state import pending
from obcms.env import stop_on_problems
from obcms.locks import LockTimeout, hold, migration_lock


class Command(BaseCommand):
    help = "Check the environment and deployment, then apply migrations under a lock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=600,
            help="Seconds to wait for another release holding the migration lock (default 600).",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        stop_on_problems(serving=True)
        self.step(f"waiting for the migration lock ({connection.vendor})")
        try:
            with hold(migration_lock(), float(options["lock_timeout"]), self.report_wait):
                # Inside the lock, because the check opens the first connection, and on SQLite
                # that switches a new database to WAL, which two processes cannot do at once.
                self.step("checking the deployment")
                # Errors stop the release; warnings are printed and left to the operator.
                call_command(
                    "check",
                    deploy=not settings.DEBUG,
                    fail_level="ERROR",
                    databases=[DEFAULT_DB_ALIAS],
                )
                missing = pending()
                if missing:
                    self.step(f"applying {len(missing)} migration(s)")
                    self.migrate()
                else:
                    self.step("no migrations to apply")
        except LockTimeout as exc:
            raise CommandError(
                f"another release has held the migration lock for {exc.waited:.0f}s; is a "
                "release stuck? Retry when it has finished."
            ) from exc
        except OperationalError as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CommandError(
                f"cannot reach the database ({reason}); check DATABASE_URL and that the "
                "database accepts connections from here, then run the release again."
            ) from exc
        self.step(f"done in {time.monotonic() - started:.1f}s")

    def migrate(self) -> None:
        try:
            call_command("migrate", interactive=False, verbosity=1)
        except Exception as exc:
            # The failed migration's transaction was rolled back (PostgreSQL runs DDL in
            # transactions); the lock is released on the way out.
            still_pending = ", ".join(".".join(key) for key in pending()[:3])
            raise CommandError(
                f"migration failed ({type(exc).__name__}: {exc}); still pending: "
                f"{still_pending}. Fix the migration and deploy again."
            ) from exc

    def report_wait(self, waited: float) -> None:
        self.step(f"another release holds the migration lock; waited {waited:.0f}s")

    def step(self, message: str) -> None:
        self.stdout.write(f"release: {message}")
