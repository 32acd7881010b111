"""The README's guides quote the repository's files; when a file changes, the guide must too."""

import json
import re
import tomllib

from tests.support.processes import REPO, procfile

README = (REPO / "README.md").read_text()
APP = json.loads((REPO / "app.json").read_text())


def section(title: str) -> str:
    start = README.index(f"### {title}\n")
    end = README.find("\n### ", start + 1)
    return README[start : end if end != -1 else None]


def test_the_first_two_commands_are_make_run_and_make_test_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert blocks[:2] == ["make run", "make test"]
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith("exec make test")


def test_the_coolify_guide_quotes_the_start_commands_of_all_three_applications():
    coolify = section("Coolify (nixpacks)")
    start = tomllib.loads((REPO / "nixpacks.toml").read_text())["start"]["cmd"]
    for command in (start, procfile()["worker"], procfile()["beat"]):
        assert f"`{command}`" in coolify, command
    assert "Build Variable" in coolify and "/opt/venv/bin/python" in coolify


def test_the_dokku_guide_states_the_healthcheck_of_app_json():
    (check,) = APP["healthchecks"]["web"]
    expected = (
        f"`{check['path']}` must answer 200 up\nto {check['attempts']} times, "
        f"{check['timeout']} s each, {check['wait']} s apart"
    )
    assert expected in section("Dokku")


def test_the_heroku_guide_creates_the_add_ons_of_app_json_and_scales_every_process():
    heroku = section("Heroku")
    for addon in APP["addons"]:
        assert f"heroku addons:create {addon['plan']}" in heroku
    scale = " ".join(f"{name}={spec['quantity']}" for name, spec in APP["formation"].items())
    assert f"heroku ps:scale {scale}" in heroku


def test_every_platform_has_a_guide():
    for title in ("Coolify (nixpacks)", "Heroku", "Dokku", "Render", "Railway"):
        assert section(title)
    assert section("First deploy checklist") and section("When the health check fails")
