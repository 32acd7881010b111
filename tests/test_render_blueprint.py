"""render.yaml, the Render Blueprint, against the Procfile and app.json."""

import json

import yaml

from tests.support.processes import REPO, procfile

BLUEPRINT = yaml.safe_load((REPO / "render.yaml").read_text())
SERVICES = {service["name"]: service for service in BLUEPRINT["services"]}
DECLARED = set(json.loads((REPO / "app.json").read_text())["env"])


def test_every_procfile_process_is_a_service_with_the_same_command():
    lines = procfile()
    assert SERVICES["obcms-web"]["startCommand"] == lines["web"]
    assert SERVICES["obcms-web"]["preDeployCommand"] == lines["release"]
    assert SERVICES["obcms-worker"]["startCommand"] == lines["worker"]
    assert SERVICES["obcms-beat"]["startCommand"] == lines["beat"]


def test_the_web_is_health_checked_and_built_like_the_other_platforms():
    web = SERVICES["obcms-web"]
    assert web["healthCheckPath"] in ("/health/", "/ready/")
    assert "collectstatic --noinput" in web["buildCommand"]
    assert all(
        "requirements.txt" in s["buildCommand"]
        for s in SERVICES.values()
        if s["type"] != "keyvalue"
    )


def test_every_variable_is_declared_in_app_json_and_secrets_are_not_committed():
    keys = [var for group in BLUEPRINT["envVarGroups"] for var in group["envVars"]]
    keys += [
        var for service in SERVICES.values() for var in service.get("envVars", []) if "key" in var
    ]
    assert {var["key"] for var in keys} <= DECLARED
    for var in keys:
        if any(word in var["key"] for word in ("SECRET", "KEY_ID", "PASSWORD")):
            assert "value" not in var, var["key"]


def test_database_and_key_value_are_wired_by_name():
    names = {db["name"] for db in BLUEPRINT["databases"]} | set(SERVICES)
    for service in SERVICES.values():
        for var in service.get("envVars", []):
            source = var.get("fromDatabase") or var.get("fromService")
            if source:
                assert source["name"] in names
    assert SERVICES["obcms-redis"]["maxmemoryPolicy"] == "noeviction"
