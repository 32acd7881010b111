"""obcms test-task settings with Celery's reliability defaults put back, for comparison."""

from tests.settings_tasks import *  # noqa: F403

CELERY_TASK_ACKS_LATE = False
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
