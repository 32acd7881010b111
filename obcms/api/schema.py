"""What drf-spectacular cannot see by itself: our bearer scheme, and the error answers every
operation may give (errors.py, and gunicorn's own 414), so the schema declares every status the
API sends.

Loaded only where a schema is generated (schema_pages.py, ``manage.py spectacular``, the
deploy check, tests): its ``Generator`` is ``DEFAULT_GENERATOR_CLASS``, so loading it registers
the bearer scheme and applies the deferred ``@extend_schema`` notes (obcms/api/docs.py) before
any schema is made. Web processes that never serve the schema never import this.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema

from obcms.api import docs
from obcms.api.archive import ARCHIVED_PARAMETER
from obcms.records.archive import ArchivableQuerySet

ERROR = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer has this shape.",
    "required": ["code", "message", "errors"],
    "properties": {
        "code": {
            "type": "string",
            "description": "Stable, for programs: invalid, not_authenticated, token_unknown, "
            "token_revoked, token_expired, token_malformed, account_disabled, "
            "read_only_token, role_forbids, permission_denied, not_found, method_not_allowed, "
            "throttled, parse_error, unsupported_media_type, bad_request, server_error.",
        },
        "message": {
            "type": "string",
            "description": "For people: what went wrong and what to do next.",
        },
        "errors": {
            "type": "object",
            "description": "Problems by field or query parameter (non_field_errors for the "
            "record as a whole); empty when no field is at fault.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

# status -> (when, applies to operations with a path parameter / a body only)
ERRORS = {
    "400": ("A field, query parameter or the body is not valid; see errors.", None),
    "401": ("No credentials, or a token that is unknown, revoked or expired.", None),
    "403": ("The role, or a read-only token, does not allow this.", None),
    "404": ("No such record.", "path"),
    "415": ("The body is not JSON.", "body"),
    "429": ("Too many requests for this token or address; see Retry-After.", None),
}

# Answered by gunicorn before the request reaches Django, so in HTML, not the Error shape.
REQUEST_LINE_TOO_LONG = {
    "description": "The request line (path and query string) is longer than the web server "
    "reads (gunicorn's limit_request_line, 4094 bytes); the server answers before the API, in "
    "HTML. Send fewer or shorter query parameters.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "obcms.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token, created at /accounts/tokens/ and sent as "
            "'Authorization: Bearer <token>'. A read token reads; a read-write token also "
            "writes, within what its owner's role allows.",
        }


class RecordSchema(AutoSchema):
    """Every API view's (``DEFAULT_SCHEMA_CLASS``): record ids in paths are whole numbers (the
    URL takes digits only), described; a record's own URL takes ``archived`` like its list
    (obcms/api/archive.py)."""

    def get_override_parameters(self) -> list:
        parameters = super().get_override_parameters()
        if getattr(self.view, "action", None) == "retrieve" and isinstance(
            self.view.records(), ArchivableQuerySet
        ):
            parameters = [*parameters, ARCHIVED_PARAMETER]
        return parameters

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict]:
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id":
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "The record's id."
        return parameters


def add_error_responses(result: dict, generator: object, request: object, public: bool) -> dict:
    """Postprocessing hook: the Error component and the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR}"}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, (description, only) in ERRORS.items():
                if only == "path" and "{" not in path:
                    continue
                if only == "body" and "requestBody" not in operation:
                    continue
                answer = {
                    "description": description,
                    "content": {"application/json": {"schema": reference}},
                }
                if status == "429":
                    answer["headers"] = {
                        "Retry-After": {
                            "description": "Seconds to wait before trying again.",
                            "schema": {"type": "integer"},
                        }
                    }
                if status == "401":
                    answer["headers"] = {
                        "WWW-Authenticate": {
                            "description": "The scheme to use: Bearer.",
                            "schema": {"type": "string"},
                        }
                    }
                responses.setdefault(status, answer)
            responses.setdefault("414", REQUEST_LINE_TOO_LONG)
    return result


class Generator(SchemaGenerator):
    """drf-spectacular's, from this module, so that what it needs is loaded (docstring above)."""


# Last: the notes name RecordSchema, as DEFAULT_SCHEMA_CLASS, through this module.
docs.apply_pending()
