"""Operations tasks, scheduled in settings.CELERY_BEAT_SCHEDULE. Each records its run
(``TaskRun``) and is idempotent: running it twice does no harm."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from obcms.ops.models import TaskRun


@contextmanager
def recorded(task: Task) -> Iterator[TaskRun]:
    """Record this run of ``task``: running while the body runs, then succeeded or failed.
    The body sets ``run.detail`` to say what it did."""
    run, _ = TaskRun.objects.update_or_create(
        task_id=task.request.id or f"local-{timezone.now().timestamp()}",
        defaults={
            "name": task.name,
            "worker": socket.gethostname(),
            "status": TaskRun.Status.RUNNING,
            "started_at": timezone.now(),
            "finished_at": None,
            "detail": "",
        },
    )
    try:
        yield run
    except Exception as exc:
        run.status, run.detail = TaskRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        raise
    else:
        run.status = TaskRun.Status.SUCCEEDED
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "detail", "finished_at"])


@shared_task(bind=True)
def heartbeat(self: Task) -> None:
    """Beat -> broker -> worker -> database, every minute. `doctor` and the admin show when it
    last ran: an old heartbeat means beat, the broker or the workers have stalled."""
    with recorded(self) as run:
        run.detail = "beat, broker, worker and database all answered"


@shared_task(bind=True)
def clear_expired_sessions(self: Task) -> None:
    """Django's own `clearsessions`: expired sign-ins are deleted (daily)."""
    from django.contrib.sessions.models import Session

    with recorded(self) as run:
        before = Session.objects.count()
        call_command("clearsessions")
        run.detail = f"deleted {before - Session.objects.count()} expired session(s)"


@shared_task(bind=True)
def purge_old_task_records(self: Task) -> None:
    """Drop task records older than TASK_RECORD_RETENTION_DAYS (weekly)."""
    with recorded(self) as run:
        cutoff = timezone.now() - timedelta(days=settings.TASK_RECORD_RETENTION_DAYS)
        deleted, _ = TaskRun.objects.filter(started_at__lt=cutoff).delete()
        run.detail = f"deleted {deleted} record(s) older than {cutoff:%Y-%m-%d}"
