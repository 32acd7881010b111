"""Upload, download and removal of attachments (rules in ``attachments.py``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from obcms.records import attachments
from obcms.records.models import Attachment


class AttachmentForm(forms.Form):
    file = forms.FileField()
    description = forms.CharField(max_length=300, required=False)


def _record(label: str, object_pk: int) -> models.Model:
    model = attachments.attachable(label)
    if model is None:
        raise Http404("No such record type.")
    return get_object_or_404(model, pk=object_pk)


def _view_permission(label: str) -> str:
    app, model = label.split(".")
    return f"{app}.view_{model}"


@require_POST
@login_required
def upload(request: HttpRequest, label: str, object_pk: int) -> HttpResponse:
    record = _record(label, object_pk)
    if not request.user.has_perm(attachments.ATTACHABLE[label]) or not request.user.has_perm(
        "records.add_attachment"
    ):
        raise PermissionDenied("Your role cannot add documents here.")
    if getattr(record, "is_archived", False):
        messages.error(request, f"{record} is archived: an administrator restores it first.")
        return redirect(record)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to attach.")
        return redirect(record)
    try:
        added = attachments.add(
            record, form.cleaned_data["file"], request.user, form.cleaned_data["description"]
        )
    except ValidationError as exc:
        messages.error(request, "Not attached: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Attached {added.name}.")
    return redirect(record)


def _attachment(request: HttpRequest, label: str, object_pk: int, pk: int) -> Attachment:
    model = attachments.attachable(label)
    if model is None:
        raise Http404("No such record type.")
    if not request.user.has_perm("records.view_attachment") or not request.user.has_perm(
        _view_permission(label)
    ):
        raise PermissionDenied
    # The attachment must belong to the record the URL names.
    return get_object_or_404(
        Attachment,
        pk=pk,
        object_id=object_pk,
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
    )


@login_required
def download(request: HttpRequest, label: str, object_pk: int, pk: int) -> FileResponse:
    attachment = _attachment(request, label, object_pk, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
@login_required
def remove(request: HttpRequest, label: str, object_pk: int, pk: int) -> HttpResponse:
    attachment = _attachment(request, label, object_pk, pk)
    if not attachments.may_remove(request.user, attachment):
        raise PermissionDenied("Only its uploader or an administrator removes it.")
    record = _record(label, object_pk)
    attachment.file.delete(save=False)
    attachment.delete()
    messages.success(request, f"Removed {attachment.name}.")
    return redirect(record)
