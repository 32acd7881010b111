"""nixpacks + Coolify, replayed from the repository's own files.

The plan is assembled as nixpacks assembles it: the python provider (Python version from
.python-version; Django detection, which fails without a literal WSGI_APPLICATION line), then
the Procfile provider, then nixpacks.toml, merged with nixpacks' ``...`` rule. The build runs
in a copy of the repository with a fresh virtualenv and no runtime variables; the start
command then runs with runtime variables and PORT, is probed as Coolify probes (curl: http,
Host localhost, anything below 400 passes), gets a second copy beside it (rolling update, with
the beat application rolling too) and is stopped with SIGTERM and Coolify's 30 s grace.
"""

import importlib.util
import re
import signal
import time
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.platforms.builds import (
    NOT_PUSHED,
    build_env,
    copy_repository,
    needing_a_secret_at_import,
)
from tests.support.processes import REPO, free_port, http_get, procfile, run

PYTHON_PROVIDER = {
    "setup": {"cmds": []},
    "install": {
        "cmds": [
            "python -m venv --copies /opt/venv && . /opt/venv/bin/activate && "
            "pip install -r requirements.txt"
        ]
    },
}
# src/providers/python.rs: the version regex, and the versions it maps; anything else falls
# back silently to nixpkgs' default python3.
PYTHON_VERSION = re.compile(r"""^(?:[\sa-zA-Z-"']*)(\d*)(?:\.*)(\d*)(?:\.*\d*)(?:["']?)$""")
NIX_PYTHONS = {("3", minor): f"python3{minor}" for minor in ("10", "11", "12", "13")}
WSGI_APPLICATION = re.compile(r"""WSGI_APPLICATION = ["|'](.*).application["|']""")


class PlanError(Exception):
    """nixpacks refuses to produce a plan: the deploy fails before any build step."""


def nix_python(repo: Path) -> str:
    match = PYTHON_VERSION.match((repo / ".python-version").read_text().strip())
    return NIX_PYTHONS.get(match.groups(), "python3") if match else "python3"


def django_app_name(repo: Path) -> str:
    """get_django_app_name: the first .py file with the WSGI_APPLICATION line decides. We also
    require every such line to agree, since nixpacks' file order is not ours to choose."""
    names = {
        match.group(1)
        for path in repo.rglob("*.py")
        if not set(NOT_PUSHED) & set(path.relative_to(repo).parts)  # nixpacks gets no var/
        for match in [WSGI_APPLICATION.search(path.read_text(errors="replace"))]
        if match
    }
    if not names:
        raise PlanError(
            "Failed to find your WSGI_APPLICATION django setting. Add this to continue."
        )
    assert len(names) == 1, f"several WSGI_APPLICATION lines disagree: {names}"
    return names.pop()


def fill_auto(original: list[str] | None, replacer: list[str] | None) -> list[str] | None:
    """nixpacks' merge: the later list wins; "..." in it splices the earlier one in."""
    if replacer is None:
        return original
    merged: list[str] = []
    for item in replacer:
        merged += [item, *(original or [])] if item in ("...", "@auto") else [item]
    return merged


def plan(repo: Path = REPO) -> dict:
    """Provider, then Procfile, then nixpacks.toml, lowest priority first."""
    phases = {name: dict(phase) for name, phase in PYTHON_PROVIDER.items()}
    is_django = (repo / "manage.py").exists() and "django" in (
        repo / "requirements.txt"
    ).read_text().lower()
    start = f"python manage.py migrate && gunicorn {django_app_name(repo)}" if is_django else None
    procfile = yaml.safe_load((repo / "Procfile").read_text())
    if "release" in procfile:  # the Procfile provider turns it into a build step
        phases["release"] = {"cmds": ["...", procfile["release"]]}
    start = next(iter(v for k, v in procfile.items() if k != "release"), start)
    config = tomllib.loads((repo / "nixpacks.toml").read_text())
    for name, phase in config.get("phases", {}).items():
        merged = phases.setdefault(name, {})
        merged["cmds"] = fill_auto(merged.get("cmds"), phase.get("cmds"))
    start = config.get("start", {}).get("cmd", start)
    return {
        "phases": phases,
        "start": start,
        "variables": config.get("variables", {}),
        "python": nix_python(repo),
    }


def test_the_plan_builds_static_files_never_migrates_at_build_and_starts_explicitly():
    built = plan()
    build_steps = " && ".join(
        cmd
        for phase in ("install", "build", "release")
        for cmd in built["phases"].get(phase, {}).get("cmds") or []
        if cmd != "..."
    )
    assert "collectstatic --noinput" in build_steps
    assert "migrate" not in build_steps and "manage.py release" not in build_steps
    assert built["start"].startswith("python manage.py release && exec python -m obcms.web")
    assert built["variables"] == {}
    assert built["python"] == "python312"  # .python-version, not nixpkgs' default


def test_negative_twin_a_settings_module_without_the_literal_wsgi_line_has_no_plan(tmp_path):
    app = copy_repository(tmp_path / "app")
    settings = app / "obcms" / "settings.py"
    # Built in two pieces: nixpacks scans every .py file, this one included.
    literal = "WSGI_APPLICATION" + ' = "obcms.wsgi.application"'
    assert literal in settings.read_text()
    settings.write_text(
        settings.read_text().replace(
            literal, 'WSGI_APPLICATION = f"{__package__}.wsgi.application"'
        )
    )
    with pytest.raises(PlanError, match="WSGI_APPLICATION"):
        plan(app)


@pytest.fixture(scope="module")
def image(tmp_path_factory, production_venv):
    """The built image: the repository as pushed, a virtualenv from requirements.txt (the
    lock's, ``production_venv``), and the build phase run with nothing but PATH (no runtime
    variables, no database)."""
    root = tmp_path_factory.mktemp("image")
    app = copy_repository(root / "app")
    env = build_env(production_venv)
    for cmd in plan()["phases"]["build"]["cmds"]:
        build = run(cmd, env, 300, cwd=app)
        assert build.returncode == 0, build.stderr[-2000:]
    return app, env


def test_negative_twin_settings_that_need_a_secret_at_import_fail_the_build(image, tmp_path):
    """What `docker build` would show: the build step exits non-zero, naming the variable."""
    app = needing_a_secret_at_import(copy_repository(tmp_path / "app"))
    for cmd in plan()["phases"]["build"]["cmds"]:
        build = run(cmd, image[1], 300, cwd=app)
        if build.returncode != 0:
            break
    assert build.returncode != 0 and "KeyError: 'SECRET_KEY'" in build.stderr


def test_the_build_compiles_our_code_to_hash_checked_bytecode(image):
    """nixpacks images set PYTHONDONTWRITEBYTECODE, so a module the build left uncompiled is
    compiled again at every start of every process. Hash-checked (PEP 552 flags 0b11): valid
    whatever timestamps the image's layers give the files, ignored if its source changed."""
    app, _ = image
    sources = [*(app / "obcms").rglob("*.py"), app / "gunicorn.conf.py"]
    compiled = {source: Path(importlib.util.cache_from_source(str(source))) for source in sources}
    assert not [source for source, pyc in compiled.items() if not pyc.exists()]
    flags = {int.from_bytes(pyc.read_bytes()[4:8], "little") for pyc in compiled.values()}
    assert flags == {0b11}


def coolify_probe(port: int) -> bool:
    try:
        status, _, _ = http_get(f"http://localhost:{port}/health/", timeout=5)
    except OSError:
        return False
    return status < 400


@pytest.mark.integration
def test_build_then_start_probe_roll_and_stop_like_coolify(
    start, image, production_env, fresh_database, platform_redis
):
    """Two deploys overlapping, as a rolling update overlaps them: the web application's old
    and new containers both release and both serve; the beat application's old and new
    containers (the same image, the Procfile's beat line as start command) send as one."""
    app, build_env = image
    runtime = {
        **build_env,
        "SECRET_KEY": production_env["SECRET_KEY"],
        "ALLOWED_HOSTS": "obcms.example.org",
        "DATABASE_URL": fresh_database,
        "REDIS_URL": platform_redis,
        "DATA_DIR": production_env["DATA_DIR"],
    }
    ports = [free_port(), free_port()]
    webs, beats = [], []
    for deploy, port in enumerate(ports):
        env = {**runtime, "PORT": str(port)}
        web = start(plan()["start"], env, name=f"web-{deploy}", cwd=app)
        webs.append(web)
        web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=90, host="localhost")
        beats.append(start(procfile()["beat"], runtime, name=f"beat-{deploy}", cwd=app))
    assert all(coolify_probe(port) for port in ports)  # old and new serve side by side
    releases = [web.output for web in webs]
    assert all("release: done" in output for output in releases), releases
    assert sum("release: applying" in output for output in releases) == 1, releases

    holding, standing_by = "holding the beat lock", "standing by"
    deadline = time.monotonic() + 30
    while not all(holding in b.output or standing_by in b.output for b in beats):
        assert time.monotonic() < deadline, [beat.output for beat in beats]
        time.sleep(0.2)
    holder, standby = sorted(beats, key=lambda beat: holding not in beat.output)
    assert standing_by in standby.output and holding not in standby.output

    for old in (webs[0], holder):
        old.signal(signal.SIGTERM)  # docker stop: the main process only
        assert old.wait(30) == 0, old.output
    assert coolify_probe(ports[1])
    standby.wait_for_output(holding, timeout=45)  # the lock passes on: one sender throughout
    assert (app / "staticfiles" / "staticfiles.json").exists()


def test_negative_twin_a_start_command_that_ignores_port_fails_the_probe(
    start, image, production_env
):
    port, elsewhere = free_port(), free_port()
    command = (
        f"python manage.py release && exec python -m obcms.web --config gunicorn.conf.py "
        f"--bind 127.0.0.1:{elsewhere} obcms.wsgi"
    )
    runtime = {
        "SECRET_KEY": production_env["SECRET_KEY"],
        "ALLOWED_HOSTS": "localhost",
        "DATA_DIR": production_env["DATA_DIR"],
        "PORT": str(port),
    }
    process = start(command, {**image[1], **runtime}, name="wrong-port", cwd=image[0])
    process.wait_for_http(f"http://127.0.0.1:{elsewhere}/health/", timeout=60)
    assert not coolify_probe(port)
