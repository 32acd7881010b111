"""A laptop: honcho runs the Procfile's web, worker and beat with no configuration beyond
DEBUG (as `make run` does), and a scheduled task runs through the filesystem broker."""

import time

from tests.support.processes import REPO, base_env, manage


def test_honcho_runs_the_whole_procfile_and_a_scheduled_task_runs(start, tmp_path, built, port):
    env = base_env(
        DEBUG="true", DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tests.settings_tasks"
    )
    assert manage("release", env=env).returncode == 0
    honcho = start(
        f"honcho --procfile {REPO / 'Procfile'} start --port {port} web worker beat",
        env,
        name="honcho",
    )
    honcho.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=60, host="localhost")
    ticks = tmp_path / "ticks.log"
    started = time.monotonic()
    while not (ticks.exists() and len(ticks.read_text().splitlines()) >= 2):
        assert honcho.alive(), honcho.output
        assert time.monotonic() - started < 45, honcho.output
        time.sleep(0.5)
    for process in ("web.1", "worker.1", "beat.1"):
        assert f"{process} started" in honcho.output
    assert "stopped" not in honcho.output
