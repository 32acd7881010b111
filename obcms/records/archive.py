"""Archive and restore instead of delete, one mechanism for every record type.

An archived record leaves lists, exports, totals and the dashboard, stays reachable through
its page and an "archived" filter, and comes back with one action. Only administrators archive
and restore (the ``archive_<model>`` permission, created for every archivable model); deleting
for good stays in the admin.

A model adopts it in three lines::

    class Partner(Archivable):
        class Meta(Archivable.Meta):  # creates the archive_partner permission
            ordering = ["name"]

    archive, restore = archive_views(Partner)  # urls.py: two paths, POST only

Records that belong to an archivable one hide with it: ``archive_parents = ("community",)`` on
an assessment makes ``Assessment.objects.active()`` leave out the assessments of archived
communities too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from obcms.db import bulk
from obcms.records import history

ARCHIVE_FIELDS = ["archived_at", "archived_by", "archive_reason"]
ARCHIVE_STATES = [("", "Current"), ("archived", "Archived"), ("all", "Current and archived")]


def active_filter(model: type[models.Model], prefix: str = "", known: str = "") -> Q:
    """The condition for "not archived, and nothing it belongs to archived either". ``known``:
    a parent the caller already keeps to current records (``community__in=`` current ones),
    left out so that the query does not join its table a second time."""
    condition = Q()
    if issubclass(model, Archivable):
        condition &= Q(**{f"{prefix}archived_at__isnull": True})
    for parent in getattr(model, "archive_parents", ()):
        if parent == known:
            continue
        related = model._meta.get_field(parent).related_model
        condition &= active_filter(related, f"{prefix}{parent}__")
    return condition


class ArchivableQuerySet(models.QuerySet):
    def active(self) -> ArchivableQuerySet:
        """What lists, exports and totals show."""
        return self.filter(active_filter(self.model))

    def archived(self) -> ArchivableQuerySet:
        """Archived, or belonging to an archived record."""
        return self.exclude(active_filter(self.model))

    def in_state(self, state: str) -> ArchivableQuerySet:
        """One of ARCHIVE_STATES' values: "" (current), "archived" or "all"."""
        if state == "all":
            return self
        return self.archived() if state == "archived" else self.active()


class Archivable(models.Model):
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    archive_reason = models.TextField(blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True
        # Django creates archive_<model> next to add/change/delete/view for each subclass
        # whose Meta extends this one (checked by records.E001).
        default_permissions = ("add", "change", "delete", "view", "archive")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self, user: models.Model | None, reason: str) -> None:
        self._mark_archived(user, reason)
        self.save(update_fields=ARCHIVE_FIELDS)

    @classmethod
    def archive_all(
        cls, records: Sequence[Archivable], user: models.Model | None, reason: str
    ) -> None:
        """``archive`` for many records at once (seed_demo's thousand): one UPDATE and one
        insert of the history entries that each ``archive`` would have written."""
        before = {record.pk: copy.copy(record) for record in records}
        for record in records:
            record._mark_archived(user, reason)
        bulk.update(records, ARCHIVE_FIELDS)
        history.log_updated(records, before, ARCHIVE_FIELDS, actor=user)

    def _mark_archived(self, user: models.Model | None, reason: str) -> None:
        reason = reason.strip()
        if self.is_archived:
            raise ValidationError("This record is archived already.")
        if not reason:
            raise ValidationError("Say why it is archived: the reason is kept with the record.")
        self.archived_at, self.archived_by, self.archive_reason = timezone.now(), user, reason

    def restore(self) -> None:
        if not self.is_archived:
            raise ValidationError("This record is not archived.")
        self.archived_at, self.archived_by, self.archive_reason = None, None, ""
        self.save(update_fields=["archived_at", "archived_by", "archive_reason"])


def archive_permission(model: type[Archivable]) -> str:
    return f"{model._meta.app_label}.archive_{model._meta.model_name}"


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it leaves the lists (a duplicate, entered by mistake, ...); kept with "
        "the record.",
    )


def archive_views(
    model: type[Archivable],
) -> tuple[Callable[[HttpRequest, int], HttpResponse], Callable[[HttpRequest, int], HttpResponse]]:
    """The archive and restore views of ``model`` (POST, administrators only), both going
    back to the record's page with a message."""
    permission = archive_permission(model)
    name = model._meta.verbose_name

    @require_POST
    @login_required
    @permission_required(permission, raise_exception=True)
    def archive(request: HttpRequest, pk: int) -> HttpResponse:
        record = get_object_or_404(model, pk=pk)
        form = ArchiveForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError("Say why it is archived: the reason is kept with it.")
            record.archive(request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Archived {record}. It no longer shows in lists, exports or totals."
            )
        return redirect(record)

    @require_POST
    @login_required
    @permission_required(permission, raise_exception=True)
    def restore(request: HttpRequest, pk: int) -> HttpResponse:
        record = get_object_or_404(model, pk=pk)
        try:
            record.restore()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            hidden = not model.objects.filter(pk=pk).active().exists()
            note = " It stays out of lists while what it belongs to is archived." if hidden else ""
            messages.success(request, f"Restored {record}.{note}")
        return redirect(record)

    archive.__name__, restore.__name__ = f"archive_{name}", f"restore_{name}"
    return archive, restore


def refuse_archived(request: HttpRequest, record: Archivable) -> HttpResponse | None:
    """For edit views: an archived record is read-only until it is restored."""
    if record.is_archived:
        messages.error(request, f"{record} is archived: an administrator restores it first.")
        return redirect(record)
    return None
