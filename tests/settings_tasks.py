"""obcms settings plus test tasks and a two-second schedule (DJANGO_SETTINGS_MODULE for the
worker and beat processes the Celery tests start)."""

import os

from obcms.settings import *  # noqa: F403
from obcms.settings import CELERY_BEAT_SCHEDULE as OBCMS_SCHEDULE
from obcms.settings import CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_BROKER_URL, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.taskapp"]
CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "tests.taskapp.tasks.tick", "schedule": 2.0, "options": {"expires": 2}},
    "sweep-jobs": OBCMS_SCHEDULE["sweep-jobs"],  # every JOB_SWEEP_INTERVAL, as in production
}
CELERY_BEAT_MAX_LOOP_INTERVAL = 1
# Each xdist worker's own queue (tests/support/parallel.py): RabbitMQ's one vhost is shared.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_CELERY_QUEUE", "celery")
BEAT_LOCK_TTL = 4
BEAT_LOCK_RETRY = 1
if CELERY_BROKER_URL.startswith("redis"):
    # Re-delivery after a killed worker within a test's patience, not 2 x 300 s + 60 s.
    # kombu sweeps for such messages every 10 s x 10 calls by default; every 2 s here.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "visibility_timeout": 8,
        "unacked_restore_interval": 2,
        "unacked_restore_throttle": 1,
    }
