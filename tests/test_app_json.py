"""app.json is the schema of every environment variable: valid for Heroku and Dokku, and in
sync with what the code reads, both ways."""

import ast
import functools
import json
import re

import pytest

from tests.support.processes import REPO, base_env, procfile, run

APP = json.loads((REPO / "app.json").read_text())

# Top-level keys of Heroku's app.json schema, plus Dokku's healthchecks and cron.
HEROKU_KEYS = {
    "name",
    "description",
    "keywords",
    "website",
    "repository",
    "logo",
    "success_url",
    "scripts",
    "env",
    "formation",
    "image",
    "addons",
    "buildpacks",
    "environments",
    "stack",
}
DOKKU_KEYS = {"healthchecks", "cron"}
ENV_KEYS = {"description", "value", "required", "generator"}
READERS = {
    "str",
    "bool",
    "int",
    "float",
    "list",
    "choice",
    "url",
    "secret",
    "database",
    "email",
    "raw",
    "require",
}


def names_in_code() -> set[str]:
    """Variable names passed as string literals to the Env readers, os.environ and os.getenv,
    in the package and gunicorn.conf.py."""
    names: set[str] = set()
    files = [*(REPO / "obcms").rglob("*.py"), REPO / "gunicorn.conf.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                func = node.func
                is_env_reader = func.attr in READERS and getattr(func.value, "id", "") == "env"
                is_os_read = func.attr == "get" and ast.unparse(func.value) == "os.environ"
                is_os_getenv = ast.unparse(func) == "os.getenv"
                if (is_env_reader or is_os_read or is_os_getenv) and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        names.add(first.value)
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                if isinstance(node.slice, ast.Constant):
                    names.add(node.slice.value)
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "RELEASE_VARIABLES" for t in node.targets
            ):
                names.update(elt.value for elt in node.value.elts)
    return names


def names_read_at_runtime() -> set[str]:
    """What the settings and gunicorn.conf.py actually asked the environment for."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "import runpy; conf = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps(sorted(settings.ENV.names | conf['env'].names)))"
    )
    result = run(f'python -c "{script}"', base_env(DJANGO_SETTINGS_MODULE="obcms.settings"))
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_top_level_keys_are_heroku_or_dokku_fields():
    assert set(APP) <= HEROKU_KEYS | DOKKU_KEYS
    assert {
        "name",
        "description",
        "repository",
        "keywords",
        "env",
        "addons",
        "formation",
        "scripts",
        "environments",
        "healthchecks",
    } <= set(APP)


@pytest.mark.parametrize("name", sorted(APP["env"]))
def test_every_variable_is_described(name):
    spec = APP["env"][name]
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name)
    assert set(spec) <= ENV_KEYS
    assert len(spec["description"]) > 20
    assert isinstance(spec.get("required", False), bool)
    assert isinstance(spec.get("value", ""), str)
    assert spec.get("generator", "secret") == "secret"


def test_secret_key_is_generated_and_required():
    assert APP["env"]["SECRET_KEY"] == {
        **APP["env"]["SECRET_KEY"],
        "generator": "secret",
        "required": True,
    }
    assert "value" not in APP["env"]["SECRET_KEY"]


@functools.cache
def names_read() -> frozenset[str]:
    return frozenset(names_in_code() | names_read_at_runtime())


@functools.cache
def secrets_in_code() -> frozenset[str]:
    """Names read with ``env.secret``, which also reads ``<NAME>_FILE``."""
    names = set()
    for path in (REPO / "obcms").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "env.secret":
                names.add(node.args[0].value)
    return frozenset(names)


def undeclared(app: dict) -> set[str]:
    """Read but not declared; ``<NAME>_FILE`` of a secret is covered by NAME's declaration."""
    files = {f"{name}_FILE" for name in secrets_in_code() if name in app["env"]}
    return set(names_read()) - set(app["env"]) - files


def unread(app: dict) -> set[str]:
    return set(app["env"]) - names_read()


def test_every_variable_the_code_reads_is_declared():
    assert undeclared(APP) == set(), "declare these in app.json with a description"


def test_every_declared_variable_is_read_by_the_code():
    assert unread(APP) == set(), "app.json declares variables the code never reads"


@pytest.mark.parametrize("name", sorted(secrets_in_code()))
def test_every_secret_says_it_may_come_from_a_file(name):
    assert f"{name}_FILE" in APP["env"][name]["description"]


def test_negative_twins_a_variable_declared_but_never_read_and_one_read_but_undeclared():
    """An operator would set MAX_UPLOAD_MB and see nothing change; a variable missing from
    app.json is one nobody is told about."""
    declared_only = {**APP, "env": {**APP["env"], "MAX_UPLOAD_MB": {"description": "x" * 21}}}
    assert unread(declared_only) == {"MAX_UPLOAD_MB"}
    without_log_level = {**APP, "env": {k: v for k, v in APP["env"].items() if k != "LOG_LEVEL"}}
    assert undeclared(without_log_level) == {"LOG_LEVEL"}


def test_negative_twin_a_secret_file_is_covered_by_its_secret_declaration_only():
    without_secret_key = {
        **APP,
        "env": {k: v for k, v in APP["env"].items() if k != "SECRET_KEY"},
    }
    assert undeclared(without_secret_key) == {"SECRET_KEY", "SECRET_KEY_FILE"}


def test_formation_matches_the_procfile_and_runs_exactly_one_beat():
    processes = set(procfile()) - {"release"}
    assert set(APP["formation"]) == processes
    assert APP["formation"]["beat"]["quantity"] == 1


def test_addons_provide_postgres_and_redis():
    plans = [addon["plan"] if isinstance(addon, dict) else addon for addon in APP["addons"]]
    assert any(plan.startswith("heroku-postgresql") for plan in plans)
    assert any(plan.startswith("heroku-redis") for plan in plans)


def test_dokku_healthcheck_waits_for_readiness():
    (check,) = APP["healthchecks"]["web"]
    assert check["type"] == "startup"
    assert check["path"] == "/ready/"
    assert check["attempts"] >= 3 and check["timeout"] >= 3


def test_heroku_ci_environment_runs_the_tests():
    test = APP["environments"]["test"]
    assert "pytest" in test["scripts"]["test"]
    assert set(test["env"]) <= set(APP["env"])
