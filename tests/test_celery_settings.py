"""The Celery settings: reliable delivery, time limits, the schedule."""

from tests.support.processes import base_env, manage, settings_values


def test_schedule_entries_all_expire_and_name_real_tasks():
    from django.conf import settings

    from obcms.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] > 0, name


def test_reliability_settings():
    from django.conf import settings

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT


def test_redis_visibility_timeout_outlasts_the_hard_limit_twice(tmp_path):
    visibility, hard = settings_values(
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.CELERY_TASK_TIME_LIMIT",
        REDIS_URL="redis://cache:6379/0",
        CELERY_TASK_TIME_LIMIT="120",
        DATA_DIR=str(tmp_path),
    )
    assert visibility > 2 * hard


def test_soft_limit_above_hard_limit_is_a_problem(tmp_path):
    result = manage(
        "check",
        env=base_env(
            DEBUG="true",
            DATA_DIR=str(tmp_path),
            CELERY_TASK_TIME_LIMIT="60",
            CELERY_TASK_SOFT_TIME_LIMIT="90",
        ),
    )
    assert result.returncode == 1
    assert "obcms: CELERY_TASK_SOFT_TIME_LIMIT: expected fewer seconds than" in result.stderr


def test_redis_broker_commands_give_up_after_seconds_not_never(tmp_path):
    """A hung Redis fails a publish within seconds (the job is then delayed, not the page);
    the timeout stays above kombu's 1 s BRPOP poll, so an idle worker never times out."""
    (options,) = settings_values(
        "s.CELERY_BROKER_TRANSPORT_OPTIONS",
        REDIS_URL="redis://cache:6379/0",
        DATA_DIR=str(tmp_path),
    )
    assert 1 < options["socket_timeout"] <= 10
    assert 0 < options["socket_connect_timeout"] <= 10
