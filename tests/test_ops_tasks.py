"""The operations tasks (obcms/ops/tasks.py), run in-process: each records its run and is
idempotent."""

from datetime import timedelta

import pytest


@pytest.mark.django_db
def test_task_runs_are_recorded_once_per_task_id():
    from obcms.ops.models import TaskRun
    from obcms.ops.tasks import heartbeat

    heartbeat.apply(task_id="same-id")
    heartbeat.apply(task_id="same-id")  # delivered again after a worker died
    (run,) = TaskRun.objects.filter(task_id="same-id")
    assert run.status == TaskRun.Status.SUCCEEDED and run.finished_at


@pytest.mark.django_db
def test_clear_expired_sessions_deletes_only_expired_ones():
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from obcms.ops.tasks import clear_expired_sessions

    live = SessionStore()
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    clear_expired_sessions.apply()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


@pytest.mark.django_db
def test_purge_old_task_records_keeps_recent_ones(settings):
    from django.utils import timezone

    from obcms.ops.models import TaskRun
    from obcms.ops.tasks import purge_old_task_records

    now = timezone.now()
    TaskRun.objects.create(task_id="old", name="x", started_at=now - timedelta(days=31))
    TaskRun.objects.create(task_id="new", name="x", started_at=now - timedelta(days=29))
    purge_old_task_records.apply(task_id="purge")
    assert set(TaskRun.objects.values_list("task_id", flat=True)) == {"new", "purge"}
