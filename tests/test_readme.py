"""The README's guides quote the repository's files; when a file changes, the guide must too."""

import io
import json
import re
import tomllib

import pytest

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


@pytest.mark.django_db
def test_the_api_patch_example_works_on_the_demo_data(client, settings):
    """The README's PATCH, sent as written to what ``make run`` seeds (community 17 on a fresh
    database: the 17th seed_demo makes), with a read-write token: it once asked for a population
    below the community's 484 women, a 400."""
    from django.core.management import call_command

    from obcms.api.models import ApiToken
    from obcms.communities.models import Community
    from tests.support import factories

    settings.API_THROTTLE_RATE = settings.API_ADDRESS_THROTTLE_RATE = "100000/min"
    (command,) = re.findall(r"curl -X PATCH .*?\n.*?\n", README)
    body = json.loads(re.search(r"-d '(\{.*?\})'", command).group(1))
    path = re.search(r"https://obcms\.example\.org(/api/v1/communities/)(\d+)/", command)
    first = Community.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    call_command("seed_demo", "--force", stdout=io.StringIO())
    community = Community.objects.filter(pk__gt=first).order_by("pk")[int(path.group(2)) - 1]
    _, secret = ApiToken.issue(
        factories.user("encoder"), name="readme", scope=ApiToken.Scope.READ_WRITE
    )
    response = client.patch(
        f"{path.group(1)}{community.pk}/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.json()
    assert {key: response.json()[key] for key in body} == body
