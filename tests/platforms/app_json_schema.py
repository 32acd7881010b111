"""app.json as Heroku and Dokku read it, written down as a JSON Schema.

Sources: Heroku Dev Center "app.json Schema" (fields, types, `generator: secret`, add-on
attachment names) and its validator package (name 3-30 characters, description at most 140);
Dokku docs/appendices/file-formats/app-json.md (`healthchecks`, `cron`). What a schema cannot
say, that formation and health checks name process types of the Procfile, is checked in
:func:`problems` as Heroku checks it when it scales the formation.
"""

from __future__ import annotations

from jsonschema import Draft202012Validator

VARIABLE_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
PROCESS_TYPE = r"^[A-Za-z0-9_-]+$"

ENV = {
    "type": "object",
    "propertyNames": {"pattern": VARIABLE_NAME},
    "additionalProperties": {
        "if": {"type": "object"},
        "then": {
            "type": "object",
            "properties": {
                "description": {"type": "string", "minLength": 1},
                "value": {"type": "string"},
                "required": {"type": "boolean"},
                "generator": {"enum": ["secret"]},
            },
            "additionalProperties": False,
        },
        "else": {"type": "string"},
    },
}

ADDONS = {
    "type": "array",
    "items": {
        "if": {"type": "object"},
        "then": {
            "type": "object",
            "required": ["plan"],
            "properties": {
                "plan": {"type": "string", "pattern": r"^[a-z0-9-]+(:[a-z0-9-]+)?$"},
                "as": {"type": "string", "pattern": r"^[A-Z][A-Z0-9_]*$"},
                "options": {"type": "object"},
            },
            "additionalProperties": False,
        },
        "else": {"type": "string", "pattern": r"^[a-z0-9-]+(:[a-z0-9-]+)?$"},
    },
}

FORMATION = {
    "type": "object",
    "propertyNames": {"pattern": PROCESS_TYPE},
    "additionalProperties": {
        "type": "object",
        "properties": {
            "quantity": {"type": "integer", "minimum": 0},
            "size": {
                "type": "string",
                "pattern": r"(?i)^(eco|basic|standard-[12]x|(performance|private|shield)-\w+)$",
            },
        },
        "additionalProperties": False,
    },
}

BUILDPACKS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["url"],
        "properties": {"url": {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    },
}


def scripts(*names: str) -> dict:
    return {
        "type": "object",
        "propertyNames": {"enum": list(names)},
        "additionalProperties": {"type": "string", "minLength": 1},
    }


def environment(*script_names: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "env": ENV,
            "addons": ADDONS,
            "formation": FORMATION,
            "buildpacks": BUILDPACKS,
            "scripts": scripts(*script_names),
        },
        "additionalProperties": False,
    }


HEALTHCHECK = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"enum": ["startup", "liveness", "readiness"]},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "path": {"type": "string", "pattern": "^/"},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "scheme": {"enum": ["http", "https"]},
        "httpHeaders": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "value"],
                "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
            },
        },
        "attempts": {"type": "integer", "minimum": 1},
        "timeout": {"type": "integer", "minimum": 1},
        "wait": {"type": "integer", "minimum": 0},
        "initialDelay": {"type": "integer", "minimum": 0},
        "uptime": {"type": "integer", "minimum": 0},
        "content": {"type": "string"},
        "command": {"type": "array", "items": {"type": "string"}},
        "listening": {"type": "boolean"},
        "warn": {"type": "boolean"},
        "onFailure": {"type": "object"},
    },
    "additionalProperties": False,
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 3, "maxLength": 30},
        "description": {"type": "string", "minLength": 1, "maxLength": 140},
        "keywords": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "website": {"type": "string", "pattern": "^https?://"},
        "repository": {"type": "string", "pattern": "^(https?|git|ssh)://|^git@"},
        "logo": {"type": "string", "pattern": "^https?://"},
        "success_url": {"type": "string", "minLength": 1},
        "scripts": scripts("postdeploy", "pr-predestroy"),
        "env": ENV,
        "formation": FORMATION,
        "image": {"type": "string"},
        "addons": ADDONS,
        "buildpacks": BUILDPACKS,
        "environments": {
            "type": "object",
            "properties": {
                "test": environment("test-setup", "test"),
                "review": environment("postdeploy", "pr-predestroy"),
            },
            "additionalProperties": False,
        },
        "stack": {"type": "string", "pattern": r"^(heroku-\d+|container)$"},
        # Dokku's additions.
        "healthchecks": {
            "type": "object",
            "propertyNames": {"pattern": PROCESS_TYPE},
            "additionalProperties": {"type": "array", "items": HEALTHCHECK},
        },
        "cron": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["command", "schedule"],
                "properties": {"command": {"type": "string"}, "schedule": {"type": "string"}},
            },
        },
    },
    "additionalProperties": False,
}


def problems(app: dict, procfile: dict[str, str]) -> list[str]:
    """Every way ``app`` breaks the schema or names a process the Procfile lacks, one line each,
    as ``dotted.path: what is wrong``."""
    Draft202012Validator.check_schema(SCHEMA)
    found = []
    for error in Draft202012Validator(SCHEMA).iter_errors(app):
        path = ".".join(str(part) for part in error.absolute_path)
        found.append(f"{path}: {error.message}" if path else error.message)
    scalable = set(procfile) - {"release"}  # release runs once per deploy; it has no dynos
    for section in ("formation", "healthchecks"):
        for process in app.get(section, {}):
            if process not in scalable:
                found.append(f"{section}: {process} is not a process type of the Procfile")
    return sorted(found)
