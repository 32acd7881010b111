"""``python manage.py doctor``: one readable report for an operator, exit 0 when healthy.

Configuration, database, cache, broker, migrations, the last heartbeat (beat -> broker ->
worker), and the workers answering a ping. Safe anywhere, changes nothing: usable as Coolify's
pre-deployment command, or by hand in a one-off dyno (`heroku run python manage.py doctor`).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from obcms.health.checks import READINESS_CHECKS, run_checks

HEARTBEAT_MAX_AGE = timedelta(minutes=3)  # beat sends one a minute


class Command(BaseCommand):
    help = "Report on configuration, services, migrations, beat and workers; exit 1 if unhealthy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ping-timeout",
            type=float,
            default=3.0,
            help="Seconds to wait for workers to answer (default 3).",
        )

    def handle(self, *args: object, **options: object) -> None:
        self.failures = 0
        env = settings.ENV
        problems = env.problems + env.missing
        self.line(
            "configuration",
            not problems,
            "; ".join(problems)
            if problems
            else f"{len(env.names)} variables read, "
            f"DEBUG {'on' if settings.DEBUG else 'off'}, release {settings.RELEASE}",
        )
        for name, result in run_checks(READINESS_CHECKS).items():
            self.line(name, result.ok, result.reason or self.describe(name))
        self.heartbeat()
        self.workers(float(options["ping_timeout"]))
        if self.failures:
            raise CommandError(f"{self.failures} problem(s) found")
        self.stdout.write(self.style.SUCCESS("doctor: healthy"))

    def describe(self, name: str) -> str:
        database = settings.DATABASES["default"]
        return {
            "database": f"{database['ENGINE'].rsplit('.', 1)[-1]} answers",
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] + " answers",
            "broker": settings.CELERY_BROKER_URL.split(":", 1)[0] + " broker answers",
            "migrations": "all applied",
            "disk": f"at least {settings.DATA_DIR_MIN_FREE_MB} MB free in DATA_DIR (or not used)",
        }[name]

    def heartbeat(self) -> None:
        from obcms.ops.models import TaskRun

        try:
            last = TaskRun.last("obcms.ops.tasks.heartbeat")
        except Exception as exc:
            self.line("heartbeat", False, f"cannot read task records ({type(exc).__name__})")
            return
        if last is None:
            self.line("heartbeat", False, "never ran: are beat and a worker running?")
            return
        age = timezone.now() - last.started_at
        self.line(
            "heartbeat",
            age <= HEARTBEAT_MAX_AGE,
            f"last ran {int(age.total_seconds())}s ago on {last.worker or 'a worker'}"
            + ("" if age <= HEARTBEAT_MAX_AGE else ": beat or the workers have stalled"),
        )

    def workers(self, timeout: float) -> None:
        from obcms.celery import app

        try:
            replies = app.control.ping(timeout=timeout) or []
        except Exception as exc:
            self.line("workers", False, f"cannot ask the broker ({type(exc).__name__})")
            return
        names = sorted(name for reply in replies for name in reply)
        self.line(
            "workers",
            bool(names),
            f"{len(names)} answered: {', '.join(names)}"
            if names
            else f"none answered within {timeout:g}s: is a worker running?",
        )

    def line(self, name: str, ok: bool, detail: str) -> None:
        mark = self.style.SUCCESS("ok  ") if ok else self.style.ERROR("FAIL")
        self.stdout.write(f"{mark} {name:<14} {detail}")
        if not ok:
            self.failures += 1
