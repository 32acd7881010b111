"""Attachments: types by content, size limits, staff-only downloads as attachments, removal
by the uploader or an administrator."""

import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from obcms.meetings.models import Meeting
from obcms.records import attachments
from obcms.records.models import Attachment
from tests.support import factories
from tests.test_policies import policy
from tests.test_ppas import ppa

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office(main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main, "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def upload(client, record, name, content, **extra):
    label = record._meta.label_lower
    return client.post(
        reverse("attachments:upload", args=[label, record.pk]),
        {"file": SimpleUploadedFile(name, content), **extra},
        follow=True,
    )


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"),
        (office("word/document.xml"), "docx"),
        (office("xl/workbook.xml"), "xlsx"),
        ("name,households\nPurok Ñino,12\n".encode(), "csv"),
    ],
)
def test_allowed_types_are_known_by_their_content(content, kind):
    assert attachments.sniff(SimpleUploadedFile("whatever.bin", content)).extension == kind


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<!doctype html><script>alert(1)</script>", "not an allowed type"),
        ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "not an allowed type"),
        ("data.xlsx", office("evil/payload.xml"), "not a Word (DOCX) or Excel"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_disguised_and_empty_files_are_refused_with_a_message(client, name, content, message):
    record = ppa()
    client.force_login(factories.user("encoder"))
    page = upload(client, record, name, content).content.decode()
    assert message in page
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(client, settings):
    settings.ATTACHMENT_MAX_MB = 1
    record = policy()
    client.force_login(factories.user("encoder"))
    page = upload(client, record, "big.pdf", PDF + b"0" * (1024 * 1024)).content.decode()
    assert "larger than the 1 MB allowed" in page
    assert not Attachment.objects.exists()


def test_staff_download_as_an_attachment_never_inline(client):
    record = ppa()
    encoder = factories.user("encoder")
    client.force_login(encoder)
    page = upload(client, record, "../../Budget 2026.pdf", PDF, description="Work plan")
    assert "Attached Budget 2026.pdf" in page.content.decode()
    attachment = Attachment.objects.get()
    assert (attachment.uploaded_by, attachment.size, attachment.name) == (
        encoder,
        len(PDF),
        "Budget 2026.pdf",
    )
    assert ".." not in attachment.file.name
    client.force_login(factories.user("viewer"))
    url = reverse("attachments:download", args=["ppas.ppa", record.pk, attachment.pk])
    assert url in client.get(record.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_anonymous_and_guessed_downloads_are_refused(client):
    mine, other = ppa(), ppa()
    client.force_login(factories.user("encoder"))
    upload(client, mine, "plan.pdf", PDF)
    attachment = Attachment.objects.get()
    client.logout()
    anonymous = client.get(
        reverse("attachments:download", args=["ppas.ppa", mine.pk, attachment.pk])
    )
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(factories.user("viewer"))
    guessed = reverse("attachments:download", args=["ppas.ppa", other.pk, attachment.pk])
    assert client.get(guessed).status_code == 404
    other_type = reverse("attachments:download", args=["policies.policy", mine.pk, attachment.pk])
    assert client.get(other_type).status_code == 404
    unknown = reverse("attachments:download", args=["auth.user", mine.pk, attachment.pk])
    assert client.get(unknown).status_code == 404


def test_viewers_cannot_upload_and_only_uploader_or_admin_removes(client):
    record = factories.assessment()
    client.force_login(factories.user("viewer"))
    label = "assessments.assessment"
    response = client.post(
        reverse("attachments:upload", args=[label, record.pk]),
        {"file": SimpleUploadedFile("a.png", PNG)},
    )
    assert response.status_code == 403
    uploader = factories.user("encoder")
    client.force_login(uploader)
    upload(client, record, "a.png", PNG)
    upload(client, record, "b.png", PNG)
    first, second = Attachment.objects.order_by("pk")
    remove = "attachments:remove"
    client.force_login(factories.user("encoder"))
    assert client.post(reverse(remove, args=[label, record.pk, first.pk])).status_code == 403
    client.force_login(uploader)
    client.post(reverse(remove, args=[label, record.pk, first.pk]))
    client.force_login(factories.user("administrator"))
    client.post(reverse(remove, args=[label, record.pk, second.pk]))
    assert not Attachment.objects.exists()


def test_communities_take_attachments_too(client):
    record = factories.community()
    client.force_login(factories.user("encoder"))
    upload(client, record, "list.csv", b"a,b\n1,2\n")
    assert Attachment.objects.get().content_type_name == "text/csv"


def test_a_meetings_minutes_and_photos_are_attached_on_its_page(client):
    meeting = Meeting.objects.create(
        title="Consultation on the water system",
        kind=Meeting.Kind.CONSULTATION,
        starts_at=datetime(2026, 3, 2, 1, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 3, tzinfo=UTC),
    )
    client.force_login(factories.user("encoder"))
    page = upload(client, meeting, "signed minutes.pdf", PDF).content.decode()
    stored = Attachment.objects.get()
    assert stored.record == meeting
    assert "signed minutes.pdf" in page
    client.force_login(factories.user("viewer"))
    assert "signed minutes.pdf" in client.get(meeting.get_absolute_url()).content.decode()
    refused = upload(client, meeting, "other.pdf", PDF)
    assert refused.status_code == 403
    assert Attachment.objects.count() == 1
