"""Who may do what through the API: exactly what their role allows in the pages, and never
more than their token's scope."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from obcms.api.models import ApiToken
from obcms.records.archive import archive_permission

# The model permission each kind of request needs, as in the pages (roles.py gives them).
ACTION_PERMISSIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
}


class RecordPermission(BasePermission):
    """Reads need the model's view permission; writes its add or change permission and a
    read-write token (or the session). A view may name other permissions per action in
    ``action_permissions`` (e.g. validating an assessment); archiving and restoring need the
    model's archive permission (administrators), as in the pages."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 with the WWW-Authenticate header
        # The role first: a viewer told to create a read-write token could not (a viewer's
        # tokens only read); what a viewer can do is ask an administrator.
        needed = self.required_permission(request, view)
        if not request.user.has_perm(needed):
            raise PermissionDenied(
                f"Your role does not allow this (it needs the permission {needed}); ask an "
                "administrator if you need it.",
                code="role_forbids",
            )
        writes = request.method not in SAFE_METHODS
        if writes and isinstance(request.auth, ApiToken) and not request.auth.can_write:
            raise PermissionDenied(
                f"Token {request.auth.prefix}… may only read. Create a read-write token at "
                f"{reverse('tokens:list')}.",
                code="read_only_token",
            )
        return True

    @staticmethod
    def required_permission(request: Request, view: APIView) -> str:
        action = getattr(view, "action", None)
        special = getattr(view, "action_permissions", {})
        if action in special:
            return special[action]
        model = view.records().model
        if action in ("archive", "restore"):
            return archive_permission(model)
        verb = ACTION_PERMISSIONS.get(request.method, "change")
        return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"
