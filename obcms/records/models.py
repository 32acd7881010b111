"""Attachments: documents and photos on any registry record (policies, assessments,
communities, PPAs), one table for all of them. See ``attachments.py`` for the rules."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


def upload_path(attachment: Attachment, filename: str) -> str:
    # The stored name never comes from the uploader: only the record and the sniffed type.
    return f"attachments/{attachment.content_type_id}/{attachment.object_id}/{filename}"


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    file = models.FileField(upload_to=upload_path, max_length=300)
    name = models.CharField(max_length=200, help_text="The file's name as uploaded, cleaned.")
    content_type_name = models.CharField("type", max_length=100)
    size = models.PositiveBigIntegerField()
    description = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name
