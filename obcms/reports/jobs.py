"""The job rules: the row is the truth, the broker only a doorbell.

Every background job a person waits for (an export, an import, a PDF report) is a row with a
state and a deadline (``lease_until``). Its task is published once the row is committed; when
publishing fails, the row stays queued with its deadline passed, and the page says the job is
delayed. A worker *claims* the row with one conditional UPDATE that also increments
``claim``; it renews its lease from a thread while it runs, and every write it makes (progress,
the result) is fenced by its claim number, so a second delivery of the same task (a sweeper's
re-send, kombu's re-delivery after the visibility timeout) finds the job taken or finished and
does nothing, and a worker that lost its claim writes nothing. The sweeper (beat, every
``JOB_SWEEP_INTERVAL``) sends again every job queued or running past its deadline: an emptied
Redis, a failed publish or a killed worker costs a sweep, not the job.

Transient outages (database, cache, broker) are retried with capped exponential backoff for
``TASK_RETRY_WINDOW`` seconds, counted from the first failure; then the job fails with a
message a person understands, the error is logged and sent to Sentry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from celery import Task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from obcms.celery import transient_errors

logger = logging.getLogger("obcms.jobs")

BACKOFF_FIRST = 2  # seconds before the first retry; doubled each time...
BACKOFF_CAP = 60  # ...up to this
MAX_CLAIMS = 5  # a job whose worker died this many times fails instead of killing a sixth
OUTAGE_MESSAGE = (
    "The database or the task queue was unreachable for more than {minutes} minute(s). "
    "Start it again; if it fails again, tell an administrator."
)
INTERRUPTED_MESSAGE = (
    "The job was interrupted {times} times (its worker stopped each time). Tell an administrator."
)


class LostClaim(Exception):
    """Another delivery of the task took the job over: this one must not write its result."""


def lease() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE)


def publish(job: Model, task: Task) -> None:
    """Send ``task`` for ``job`` once the current transaction commits. A broker that cannot
    be reached leaves the row queued and overdue (the page says delayed; the sweeper sends it
    again), with one log line, never an error for the person who asked."""
    model = type(job)
    model.objects.filter(pk=job.pk).update(lease_until=timezone.now() + lease())

    def send() -> None:
        if not send_now(model, job.pk, task):
            model.objects.filter(pk=job.pk, status="queued").update(lease_until=timezone.now())

    transaction.on_commit(send)


def send_now(model: type[Model], pk: int, task: Task) -> bool:
    """Publish at once, without Celery's publish retries (the sweeper is the retry)."""
    try:
        task.apply_async(args=[pk], retry=False)
    except Exception as exc:
        logger.warning(
            "%s %s: cannot publish its task (%s); the sweeper will send it again",
            model._meta.model_name,
            pk,
            type(exc).__name__,
            extra={"job": model._meta.model_name, "job_id": pk},
        )
        return False
    return True


def claim(model: type[Model], pk: int, held: int | None = None) -> int | None:
    """Take the job: queued, or running past its lease, or still held by ``held`` (this task's
    own earlier attempt). Returns the new claim number, or None when the job is finished or
    another worker holds it."""
    now = timezone.now()
    expired = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    free = Q(status="queued") | (Q(status="running") & expired)
    if held is not None:
        free |= Q(status="running", claim=held)
    with transaction.atomic():
        taken = (
            model.objects.filter(pk=pk)
            .filter(free)
            .update(status="running", claim=F("claim") + 1, lease_until=now + lease())
        )
        if not taken:
            return None
        return model.objects.filter(pk=pk).values_list("claim", flat=True).get()


def fenced(model: type[Model], pk: int, token: int):
    """The job's row, only while ``token`` still holds it (for progress and result writes)."""
    return model.objects.filter(pk=pk, claim=token, status="running")


def finish(model: type[Model], pk: int, token: int, **fields: object) -> None:
    """Write the job's outcome, or raise LostClaim when another delivery took it over."""
    fields.setdefault("finished_at", timezone.now())
    if not fenced(model, pk, token).update(lease_until=None, **fields):
        raise LostClaim(f"{model._meta.model_name} {pk}: claim {token} was taken over")


@contextmanager
def renewing(model: type[Model], pk: int, token: int) -> Iterator[None]:
    """Renew the lease every third of it from a thread while the body runs, so a long step
    (a big file, a slow bucket) never looks like a dead worker."""
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(settings.JOB_LEASE / 3):
                try:
                    if not fenced(model, pk, token).update(lease_until=timezone.now() + lease()):
                        return  # taken over or finished: the fenced writes will tell
                except Exception as exc:  # an outage: the next renewal may pass
                    logger.warning("%s %s: lease not renewed (%s)", model.__name__, pk, exc)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"lease-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def run(
    task: Task,
    model: type[Model],
    pk: int,
    work: Callable[[int], dict],
    *,
    held: int | None = None,
    window_ends: float | None = None,
    on_lost: Callable[[dict], None] | None = None,
) -> None:
    """Claim the job, run ``work(token)`` (which returns the fields of the finished row) under
    a renewed lease, and write its outcome. A transient outage is retried with backoff until
    ``TASK_RETRY_WINDOW`` is spent, then the job fails with a readable message."""
    token, fields = held, {}
    try:
        token = claim(model, pk, held)
        if token is None:
            logger.info("%s %s: finished or held by another worker", model.__name__, pk)
            return
        with renewing(model, pk, token):
            fields = work(token)
        finish(model, pk, token, **fields)
    except LostClaim as exc:
        logger.warning("%s; this delivery's result is dropped", exc)
        if on_lost is not None:
            on_lost(fields)
    except transient_errors() as exc:
        now = timezone.now().timestamp()
        if window_ends is None:
            window_ends = now + settings.TASK_RETRY_WINDOW
        if now < window_ends:
            countdown = min(BACKOFF_CAP, BACKOFF_FIRST * 2**task.request.retries)
            logger.warning(
                "%s %s: %s; retrying in %ss (until the retry window ends)",
                model.__name__,
                pk,
                type(exc).__name__,
                countdown,
            )
            # If even this publish fails, the row's lease runs out and the sweeper re-sends.
            raise task.retry(
                args=[pk],
                kwargs={"held": token, "window_ends": window_ends},
                countdown=countdown,
                max_retries=None,
                exc=exc,
            ) from exc
        minutes = max(1, round(settings.TASK_RETRY_WINDOW / 60))
        give_up(model, pk, token, OUTAGE_MESSAGE.format(minutes=minutes), exc)
    except Exception as exc:  # a bug or bad data: the job ends failed, never stuck running
        give_up(model, pk, token, type(exc).__name__, exc)


def give_up(model: type[Model], pk: int, token: int | None, message: str, exc: Exception) -> None:
    """Fail the job with ``message``; log and report ``exc``. When even that write fails, the
    row stays for the sweeper, which sends the job again."""
    import sentry_sdk  # here, not on top: 0.1 s of loading the URL map, for a failed task

    logger.error("%s %s failed: %s", model.__name__, pk, message, exc_info=exc)
    sentry_sdk.capture_exception(exc)
    rows = model.objects.filter(pk=pk).exclude(status__in=("done", "failed"))
    if token is not None:
        rows = rows.filter(claim=token)
    try:
        rows.update(status="failed", message=message, lease_until=None, finished_at=timezone.now())
    except Exception:
        logger.exception("%s %s: cannot record the failure", model.__name__, pk)


def sweep(jobs: dict[type[Model], Task]) -> int:
    """Send again every job queued or running past its deadline; fail those interrupted
    ``MAX_CLAIMS`` times. Returns how many were sent."""
    sent = 0
    now = timezone.now()
    for model, task in jobs.items():
        overdue = model.objects.filter(status__in=("queued", "running"), lease_until__lt=now)
        overdue.filter(claim__gte=MAX_CLAIMS).update(
            status="failed",
            message=INTERRUPTED_MESSAGE.format(times=MAX_CLAIMS),
            lease_until=None,
            finished_at=now,
        )
        for pk, deadline in overdue.values_list("pk", "lease_until"):
            # Back to queued with a new deadline; only one sweeper wins the row.
            if not model.objects.filter(pk=pk, lease_until=deadline).update(
                status="queued", lease_until=now + lease()
            ):
                continue
            logger.info(
                "%s %s: past its deadline; sent again",
                model.__name__,
                pk,
                extra={"job": model._meta.model_name, "job_id": pk},
            )
            if send_now(model, pk, task):
                sent += 1
            else:
                model.objects.filter(pk=pk, status="queued").update(lease_until=now)
    return sent
