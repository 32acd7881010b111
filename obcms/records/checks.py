"""System checks for the shared record mechanisms, in Django's shape (id, message, hint)."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core import checks
from django.db.models import Model

from obcms.records.archive import Archivable


def archive_permission_errors(models: Iterable[type[Model]]) -> list[checks.CheckMessage]:
    """An archivable model whose Meta does not extend Archivable.Meta has no archive
    permission, so nobody could archive it: say so at startup, not on the first click."""
    return [
        checks.Error(
            f"{model._meta.label} is archivable but has no archive permission.",
            hint=f"Declare its Meta as `class Meta(Archivable.Meta):` so that Django creates "
            f"archive_{model._meta.model_name}, then run makemigrations.",
            obj=model,
            id="records.E001",
        )
        for model in models
        if issubclass(model, Archivable) and "archive" not in model._meta.default_permissions
    ]


@checks.register(checks.Tags.models)
def check_archive_permissions(**kwargs: object) -> list[checks.CheckMessage]:
    return archive_permission_errors(apps.get_models())
