"""gunicorn.conf.py as gunicorn itself reads it, under several environments."""

import gc

import pytest
from gunicorn.app.base import Application

from tests.support.processes import REPO, base_env, procfile, run

HUGE = "99999999999999999999"


class ConfigOnly(Application):
    """gunicorn's own config machinery, loading our file and nothing else."""

    def init(self, parser, opts, args):
        return None

    def load_config(self):
        self.load_config_from_file(str(REPO / "gunicorn.conf.py"))

    def load(self):
        raise AssertionError("the app is not loaded here")


@pytest.fixture(autouse=True)
def collector_back_on():
    """The file turns the garbage collector off for the app's build (when_ready turns it back
    on in a real master); this process goes on with other tests."""
    yield
    gc.enable()


def load(monkeypatch, **variables: str):
    for name in (
        "PORT",
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_TIMEOUT",
        "GUNICORN_GRACEFUL_TIMEOUT",
        "GUNICORN_KEEPALIVE",
        "GUNICORN_READ_TIMEOUT",
        "GUNICORN_MAX_REQUESTS",
        "GUNICORN_LOG_LEVEL",
        "FORWARDED_ALLOW_IPS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.argv", ["gunicorn"])
    return ConfigOnly().cfg


def test_the_app_is_built_with_the_garbage_collector_off(monkeypatch):
    gc.enable()
    load(monkeypatch)
    assert not gc.isenabled()  # until when_ready, in the master, before the first fork


def test_defaults_bind_8000_with_threads_and_limits_under_the_platforms_30s(monkeypatch):
    cfg = load(monkeypatch)
    assert cfg.bind == ["0.0.0.0:8000"]
    # gthread, reading each request in its event loop before a thread takes it (finding 2)
    assert cfg.worker_class_str == "obcms.web_worker.ReadFirstWorker"
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(cfg.worker_class, ThreadWorker)
    assert cfg.worker_class.read_timeout == 60
    assert 2 <= cfg.workers <= 4
    assert cfg.threads == 4
    assert cfg.timeout < 30
    assert cfg.graceful_timeout < 30
    assert cfg.keepalive > 90  # above Heroku's router idle timeout
    assert cfg.max_requests == 1000 and 0 < cfg.max_requests_jitter < cfg.max_requests
    assert cfg.preload_app is True
    assert cfg.accesslog == "-"


def test_port_from_the_platform(monkeypatch):
    assert load(monkeypatch, PORT="5123").bind == ["0.0.0.0:5123"]


def test_web_concurrency_sets_workers(monkeypatch):
    assert load(monkeypatch, WEB_CONCURRENCY="3").workers == 3


def test_every_knob_is_read(monkeypatch):
    cfg = load(
        monkeypatch,
        GUNICORN_THREADS="8",
        GUNICORN_TIMEOUT="20",
        GUNICORN_GRACEFUL_TIMEOUT="15",
        GUNICORN_KEEPALIVE="100",
        GUNICORN_READ_TIMEOUT="12",
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_LOG_LEVEL="warning",
        FORWARDED_ALLOW_IPS="10.0.0.1",
    )
    assert (cfg.threads, cfg.timeout, cfg.graceful_timeout, cfg.keepalive) == (8, 20, 15, 100)
    assert cfg.worker_class.read_timeout == 12
    assert (cfg.max_requests, cfg.max_requests_jitter) == (0, 0)
    assert cfg.loglevel == "warning"
    assert cfg.forwarded_allow_ips == ["10.0.0.1"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WEB_CONCURRENCY", "abc", "obcms: WEB_CONCURRENCY: expected a whole number, got 'abc'"),
        ("WEB_CONCURRENCY", "0", "obcms: WEB_CONCURRENCY: expected a whole number from 1 to 64"),
        ("PORT", "http", "obcms: PORT: expected a whole number, got 'http'"),
        ("GUNICORN_LOG_LEVEL", "chatty", "obcms: GUNICORN_LOG_LEVEL: expected one of debug"),
        # Huge values passed a minimum-only check and reached gunicorn.
        *(
            (name, HUGE, f"obcms: {name}: expected a whole number from {low} to {high}, got {HUGE}")
            for name, low, high in (
                ("WEB_CONCURRENCY", 1, 64),
                ("GUNICORN_THREADS", 1, 256),
                ("GUNICORN_TIMEOUT", 1, 3600),
                ("GUNICORN_GRACEFUL_TIMEOUT", 1, 3600),
                ("GUNICORN_READ_TIMEOUT", 1, 3600),
                ("GUNICORN_KEEPALIVE", 1, 3600),
                ("GUNICORN_MAX_REQUESTS", 0, 10_000_000),
                ("GUNICORN_DRAIN_SECONDS", 0, 25),
                ("PORT", 1, 65535),
            )
        ),
    ],
)
def test_malformed_values_stop_gunicorn_with_one_line(monkeypatch, capsys, name, value, message):
    with pytest.raises(SystemExit) as exit_info:
        load(monkeypatch, **{name: value})
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.splitlines()[0].startswith(message)


@pytest.mark.parametrize("value", ["abc", "0", "2.5", HUGE])
def test_a_malformed_web_concurrency_stops_the_web_line_with_one_line(value):
    """gunicorn reads WEB_CONCURRENCY as it is imported, before gunicorn.conf.py: obcms/web.py
    reads it first (a traceback from gunicorn's own import otherwise)."""
    web = run(procfile()["web"], base_env(DEBUG="true", WEB_CONCURRENCY=value), timeout=60)
    assert web.returncode == 1
    assert web.stderr.splitlines()[0].startswith("obcms: WEB_CONCURRENCY: expected a whole number")
    assert "Traceback" not in web.stderr


def test_the_web_line_names_every_problem_in_one_start():
    """The config's own problems (PORT, WEB_CONCURRENCY) and the settings' (DATABASE_URL, a
    missing SECRET_KEY), all at once: a deployer fixing one no longer meets the next only at
    the next start."""
    env = base_env(PORT="http", WEB_CONCURRENCY="abc", DATABASE_URL="mysql://db/obcms")
    web = run(procfile()["web"], env, timeout=60)
    assert web.returncode == 1
    named = [line.split()[1].rstrip(":") for line in web.stderr.splitlines()[:-1]]
    assert named == ["PORT", "WEB_CONCURRENCY", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"]
    assert "Traceback" not in web.stderr


def test_a_blank_web_concurrency_means_unset_for_gunicorn_too():
    """Only the malformed PORT is reported: gunicorn imported, gunicorn.conf.py ran."""
    env = base_env(DEBUG="true", WEB_CONCURRENCY=" ", PORT="http")
    web = run(procfile()["web"], env, timeout=60)
    assert web.returncode == 1
    assert web.stderr.splitlines()[0] == "obcms: PORT: expected a whole number, got 'http'"
    assert "Traceback" not in web.stderr


def test_the_drain_defaults_by_platform_under_its_grace(monkeypatch):
    from obcms.env import Env
    from obcms.platform import default_drain_seconds

    assert default_drain_seconds(Env({})) == 0
    assert default_drain_seconds(Env({"DYNO": "web.1"})) == 5
    assert default_drain_seconds(Env({"RAILWAY_ENVIRONMENT": "production"})) == 2
