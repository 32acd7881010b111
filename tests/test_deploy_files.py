"""The files platforms read: Procfile, nixpacks.toml, .python-version, requirements.txt."""

import re
import shlex
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.processes import REPO, procfile

NIXPACKS = tomllib.loads((REPO / "nixpacks.toml").read_text())
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_procfile_has_the_four_process_types():
    assert list(procfile()) == ["release", "web", "worker", "beat"]


def test_procfile_parses_as_yaml_the_way_nixpacks_reads_it():
    """nixpacks reads the Procfile with a YAML parser: a command with ': ' or ' #' would change
    meaning or fail there while still working on Heroku."""
    as_yaml = yaml.safe_load((REPO / "Procfile").read_text())
    assert as_yaml == procfile()


def test_procfile_lines():
    lines = procfile()
    assert lines["release"] == "python manage.py release"
    assert lines["web"] == "python -m obcms.web --config gunicorn.conf.py obcms.wsgi"
    # --quiet: no banner, so every line a worker or beat prints is a log event (JSON in prod).
    assert shlex.split(lines["worker"])[:5] == ["celery", "--quiet", "--app", "obcms", "worker"]
    assert shlex.split(lines["beat"]) == ["celery", "--quiet", "--app", "obcms", "beat"]


def test_python_version_is_pinned_once_to_a_minor_version():
    assert (REPO / ".python-version").read_text().strip() == "3.12"
    assert not (REPO / "runtime.txt").exists()


def test_nixpacks_builds_static_files_without_a_database_then_compiles_our_code():
    collectstatic, compileall = NIXPACKS["phases"]["build"]["cmds"]
    assert collectstatic == "python manage.py collectstatic --noinput"
    assert compileall.startswith("python -m compileall -q -f --invalidation-mode checked-hash ")
    assert " obcms " in compileall


def test_nixpacks_does_not_turn_release_into_a_build_step():
    release_cmds = " ".join(NIXPACKS["phases"]["release"]["cmds"])
    assert "manage.py" not in release_cmds and "..." not in release_cmds


def test_nixpacks_start_runs_release_then_execs_gunicorn():
    start = NIXPACKS["start"]["cmd"]
    release, _, web = start.partition(" && ")
    assert release == procfile()["release"]
    assert web == f"exec {procfile()['web']}"


# Words that mark a variable as a secret (formerly the release's obcms.E004 check: the file is
# the repository's, so the suite checks it once instead of every release).
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "DATABASE_URL", "REDIS_URL", "DSN", "KEY")


def baked_secrets(plan: dict) -> list[str]:
    """Variables of a nixpacks plan that look like secrets: nixpacks bakes every plan variable
    into the image as ENV, readable by anyone who can pull it."""
    variables = plan.get("variables", {})
    return [name for name in variables if any(word in name.upper() for word in SECRET_WORDS)]


def test_nixpacks_plan_holds_no_secrets():
    assert "variables" not in NIXPACKS
    assert baked_secrets(NIXPACKS) == []


def test_negative_twin_a_secret_in_the_nixpacks_plan_is_named():
    plan = tomllib.loads('[variables]\nSECRET_KEY = "x"\nTZ = "UTC"\n')
    assert baked_secrets(plan) == ["SECRET_KEY"]


def locked() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def test_requirements_lock_pins_every_dependency_within_its_range():
    pins = locked()
    for spec in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is missing from requirements.txt: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} is outside {requirement.specifier}: run make lock"
        )


def test_requirements_lock_has_hashes_and_no_dev_tools():
    text = (REPO / "requirements.txt").read_text()
    for block in re.split(r"\n(?=[a-z])", text.split("\n", 2)[2]):
        assert "--hash=sha256:" in block, block.splitlines()[0]
    for tool in ("pytest", "ruff", "honcho"):
        assert tool not in locked()


def test_dev_lock_pins_the_same_versions_as_the_deploy_lock():
    dev = {}
    for line in (REPO / "requirements-dev.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            dev[canonicalize_name(match.group(1))] = match.group(2)
    for name, version in locked().items():
        assert dev.get(name) == version, f"{name}: run make lock"


def test_version_is_the_same_in_pyproject_and_the_package():
    import obcms

    assert PYPROJECT["project"]["version"] == obcms.__version__
