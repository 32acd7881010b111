"""Heroku, replayed from the repository's own files.

The Python buildpack's build (one package-manager file, ``.python-version``, requirements.txt
into a fresh environment, ``collectstatic`` with no config vars), the config vars the Deploy
button derives from app.json (values, generated secrets, add-on URLs, dyno metadata), the
Procfile's ``release`` once, then ``web``, ``worker`` and ``beat`` dynos behind a router that
speaks plain http with X-Forwarded-Proto, and SIGTERM to every process of each dyno with 30 s
to exit. app.json itself is checked against the schema in ``app_json_schema.py``;
``environments.test`` is run as Heroku CI runs it in test_heroku_ci.py (a file of its own, so
that its long install runs in parallel with these replays).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.platforms.app_json_schema import problems
from tests.platforms.builds import build_env, copy_repository, needing_a_secret_at_import
from tests.support.processes import REPO, Process, free_port, http_get, procfile, run

APP_JSON = json.loads((REPO / "app.json").read_text())
PACKAGE_MANAGER_FILES = ("requirements.txt", "uv.lock", "poetry.lock", "Pipfile.lock")
BUILDPACK_COLLECTSTATIC = "python manage.py collectstatic --noinput"
DOMAIN = "obcms-example-1234.herokuapp.com"


def buildpack_compile(app: Path, venv: Path) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    """bin/compile, as far as it concerns us: refuse ambiguous package managers, install (the
    lock's virtualenv, ``production_venv``), then collectstatic (manage.py at the root and
    Django installed) with no config vars."""
    found = [name for name in PACKAGE_MANAGER_FILES if (app / name).exists()]
    assert found == ["requirements.txt"], f"the buildpack refuses more than one of {found}"
    assert not (app / "runtime.txt").exists(), "runtime.txt is deprecated: .python-version only"
    assert (app / ".python-version").read_text().strip().count(".") == 1  # major.minor
    env = build_env(venv)
    return env, run(BUILDPACK_COLLECTSTATIC, env, 300, cwd=app)


@pytest.fixture(scope="module")
def slug(tmp_path_factory, production_venv) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("slug")
    app = copy_repository(root / "app")
    env, collectstatic = buildpack_compile(app, production_venv)
    assert collectstatic.returncode == 0, collectstatic.stderr[-2000:]
    assert (app / "staticfiles" / "staticfiles.json").exists()
    return app, env


def config_vars(database_url: str, redis_url: str) -> dict[str, str]:
    """What the Deploy button sets from app.json: each `value`, a generated secret for each
    `generator`, and each add-on's URL under its `as` name; plus dyno metadata."""
    config = {}
    for name, spec in APP_JSON["env"].items():
        if isinstance(spec, str):
            config[name] = spec
        elif spec.get("generator") == "secret":
            config[name] = secrets.token_hex(32)
        elif "value" in spec:
            config[name] = spec["value"]
        assert not spec.get("required") or name in config, f"the button would ask for {name}"
    attached = {addon["as"]: addon["plan"] for addon in APP_JSON["addons"]}
    assert set(attached) == {"DATABASE", "REDIS"}
    config |= {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    config |= {"HEROKU_APP_DEFAULT_DOMAIN_NAME": DOMAIN, "HEROKU_SLUG_COMMIT": "a1b2c3d4e5f6"}
    return config


def dyno(start, command: str, env: dict[str, str], app: Path, name: str, port: int) -> Process:
    """A dyno: the command in the slug, with DYNO and PORT as Heroku sets them."""
    return start(command, {**env, "DYNO": name, "PORT": str(port)}, name=name, cwd=app)


def router_get(port: int, path: str, forwarded_proto: str = "https"):
    """A request as Heroku's router forwards it: plain http, the app's host, the client's scheme."""
    headers = {"X-Forwarded-Proto": forwarded_proto}
    return http_get(f"http://127.0.0.1:{port}{path}", host=DOMAIN, headers=headers)


@pytest.mark.integration
def test_release_once_then_web_worker_and_beat_dynos_serve_and_stop_within_30s(
    start, slug, fresh_database, platform_redis
):
    app, build_env = slug
    env = {**build_env, **config_vars(fresh_database, platform_redis), "WEB_CONCURRENCY": "2"}
    lines = procfile()

    release = run(lines["release"], {**env, "DYNO": "release.1"}, 300, cwd=app)
    assert release.returncode == 0, release.stdout + release.stderr

    port = free_port()
    dynos = [
        dyno(start, lines["web"], env, app, "web.1", port),
        dyno(start, lines["worker"], env, app, "worker.1", free_port()),
        dyno(start, lines["beat"], env, app, "beat.1", free_port()),
    ]
    web, worker, beat = dynos
    web.wait_for_http(f"http://127.0.0.1:{port}/ready/", timeout=60, host=DOMAIN)
    status, _, body = router_get(port, "/ready/")
    assert status == 200, body
    status, _, body = router_get(port, "/health/")
    assert status == 200 and b"a1b2c3d4e5f6" in body
    assert router_get(port, "/accounts/login/")[0] == 200
    status, headers, _ = router_get(port, "/accounts/login/", forwarded_proto="http")
    assert status == 301 and headers["Location"].startswith(f"https://{DOMAIN}/")
    beat.wait_for_output("holding the beat lock", timeout=30)

    # `heroku run`: a one-off dyno queues a heartbeat; the worker dyno runs it.
    one_off = run(
        "python manage.py shell -c "
        + shlex.quote("from obcms.ops.tasks import heartbeat; heartbeat.delay()"),
        env,
        300,
        cwd=app,
    )
    assert one_off.returncode == 0, one_off.stderr
    started = time.monotonic()
    while (doctor := run("python manage.py doctor", env, 300, cwd=app)).returncode != 0:
        assert time.monotonic() - started < 30, doctor.stdout + doctor.stderr + worker.output
        time.sleep(1)
    assert "doctor: healthy" in doctor.stdout

    postdeploy = run(APP_JSON["scripts"]["postdeploy"], env, 300, cwd=app)
    assert postdeploy.returncode == 0, postdeploy.stdout + postdeploy.stderr

    for process in dynos:  # Heroku signals every process in the dyno, children included
        os.killpg(process.pid, signal.SIGTERM)
    for process in dynos:
        assert process.wait(30) == 0, f"{process.name} after SIGTERM:\n{process.output}"
        assert "Traceback" not in process.output, process.output


@pytest.mark.integration
def test_negative_twin_a_procfile_without_release_never_gets_ready(
    start, slug, fresh_database, platform_redis
):
    """No release line, no release phase: nothing migrates, and /ready/ says so."""
    app, build_env = slug
    env = {**build_env, **config_vars(fresh_database, platform_redis)}
    port = free_port()
    web = dyno(start, procfile()["web"], env, app, "web.1", port)
    web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=60, host=DOMAIN)
    status, _, body = router_get(port, "/ready/")
    assert status == 503 and json.loads(body)["checks"]["migrations"] is False, body


def test_negative_twin_settings_that_need_a_secret_at_import_fail_the_build(slug, tmp_path):
    """The buildpack's collectstatic fails, and with it the build, naming the variable."""
    app = needing_a_secret_at_import(copy_repository(tmp_path / "app"))
    build = run(BUILDPACK_COLLECTSTATIC, slug[1], 300, cwd=app)
    assert build.returncode != 0 and "KeyError: 'SECRET_KEY'" in build.stderr


def test_app_json_follows_the_schema_field_by_field():
    assert problems(APP_JSON, procfile()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a: a["env"]["DEBUG"].update(required="false"), "env.DEBUG.required"),
        (lambda a: a["env"].update({"LOG-LEVEL": "info"}), "env: 'LOG-LEVEL'"),
        (lambda a: a["formation"]["web"].update(quantity="1"), "formation.web.quantity"),
        (lambda a: a["formation"].update(clock={"quantity": 1}), "formation: clock"),
        (lambda a: a["addons"][0].update({"as": "database"}), "addons.0.as"),
        (lambda a: a.update(scripts={"post-deploy": "true"}), "scripts"),
        (lambda a: a.update(name="x"), "name"),
        (lambda a: a.update(description="x" * 141), "description"),
        (lambda a: a["healthchecks"]["web"][0].update(path="ready"), "healthchecks.web.0.path"),
    ],
    ids=[
        "required-as-string",
        "bad-variable-name",
        "quantity-as-string",
        "formation-not-in-procfile",
        "attachment-name-lowercase",
        "unknown-script",
        "name-too-short",
        "description-too-long",
        "healthcheck-path-relative",
    ],
)
def test_negative_twins_the_schema_names_what_heroku_would_reject(change, expected):
    broken = json.loads(json.dumps(APP_JSON))
    change(broken)
    found = problems(broken, procfile())
    assert any(problem.startswith(expected) for problem in found), found


def test_negative_twin_a_procfile_without_beat_leaves_formation_pointing_nowhere():
    lines = {name: command for name, command in procfile().items() if name != "beat"}
    assert "formation: beat is not a process type of the Procfile" in problems(APP_JSON, lines)
