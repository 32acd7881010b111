"""One attachment mechanism for the whole registry.

- Types are decided by the content, never by the name: PDF, DOCX, XLSX (zip packages with
  their main part), CSV (UTF-8 text that is not markup), JPEG and PNG. An HTML page named
  .pdf or a program named .png is refused.
- At most ATTACHMENT_MAX_MB; an empty file is refused.
- Stored through Django's default storage (the bucket on the platforms), under a name built
  from the record and the sniffed type, never from the uploader's path.
- Downloaded by signed-in staff only, always as an attachment, through a URL that names the
  record too: an attachment id guessed under another record answers 404.
- Removed by its uploader or an administrator (``records.delete_attachment``).

A record type takes attachments by being named in ATTACHABLE and including
``{% attachments_panel record %}`` on its page.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from obcms.records.models import Attachment

# "app_label.model" -> the permission that lets a user add attachments to it.
ATTACHABLE = {
    "communities.community": "communities.change_community",
    "assessments.assessment": "assessments.change_assessment",
    "ppas.ppa": "ppas.change_ppa",
    "policies.policy": "policies.change_policy",
    "meetings.meeting": "meetings.change_meeting",
}


@dataclass(frozen=True)
class Kind:
    extension: str
    mime: str


PDF = Kind("pdf", "application/pdf")
PNG = Kind("png", "image/png")
JPEG = Kind("jpg", "image/jpeg")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
CSV = Kind("csv", "text/csv")
SNIFF_BYTES = 8192
MARKUP = re.compile(rb"^\s*<", re.ASCII)


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_MB * 1024 * 1024


def sniff(upload: UploadedFile) -> Kind:
    """The type of ``upload`` from its bytes; ValidationError for anything not allowed."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        raise ValidationError("This archive is not a Word (DOCX) or Excel (XLSX) document.")
    if _is_csv(head):
        return CSV
    raise ValidationError(
        "This file's content is not an allowed type: PDF, DOCX, XLSX, CSV, JPEG or PNG "
        "(the name does not count)."
    )


def _is_csv(head: bytes) -> bool:
    if b"\x00" in head or MARKUP.match(head):
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sniffing boundary
            return False
        text = head[: exc.start].decode("utf-8")
    printable = all(ch.isprintable() or ch in "\r\n\t" for ch in text.lstrip("\ufeff"))
    return printable and bool(text.strip())


def clean_name(name: str, kind: Kind) -> str:
    stem = re.sub(r"[^\w.\- ]+", "_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .")
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{(stem or 'document')[:150]}.{kind.extension}"


def attachable(label: str) -> type[models.Model] | None:
    if label not in ATTACHABLE:
        return None
    return apps.get_model(label)


def add(record: models.Model, upload: UploadedFile, user, description: str = "") -> Attachment:
    """Check ``upload`` and store it with ``record``; ValidationError says why not."""
    if upload.size == 0:
        raise ValidationError("This file is empty.")
    if upload.size > max_bytes():
        raise ValidationError(
            f"This file is larger than the {settings.ATTACHMENT_MAX_MB} MB allowed."
        )
    kind = sniff(upload)
    name = clean_name(upload.name or "", kind)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        name=name,
        content_type_name=kind.mime,
        size=upload.size,
        description=description.strip()[:300],
        uploaded_by=user,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def of(record: models.Model) -> models.QuerySet[Attachment]:
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    ).select_related("uploaded_by")


def may_remove(user, attachment: Attachment) -> bool:
    return attachment.uploaded_by_id == user.pk or user.has_perm("records.delete_attachment")
