"""An export asked with an invalid filter, an unknown parameter or an unknown format is
refused (400, with what to change), never made of the whole registry or as a CSV instead;
valid requests are queued as before (obcms/reports/views.py: queue_export)."""

from __future__ import annotations

import pytest

from obcms.geography.models import Region
from obcms.reports.models import Export
from tests.support import factories

pytestmark = pytest.mark.django_db

EXPORT = "/reports/exports/new/"
NEEDS_EXPORT = "/needs/export/"


@pytest.fixture
def exporter(client):
    factories.community()
    client.force_login(factories.user("encoder"))
    return client


@pytest.mark.parametrize(
    ("query", "body", "said"),
    [
        ("region=%ff", {"format": "csv"}, "Region: Select a valid choice"),
        ("", {"region": "\ufffd", "format": "csv"}, "Region: Select a valid choice"),
        ("", {"q": "x" * 3000, "format": "csv"}, "Search: Ensure this value has at most 100"),
        ("", {"status": "²", "format": "csv"}, "“status” is not a filter of this list"),
        ("", {"format": "pdf"}, "Format: choose CSV or Excel (XLSX)"),
        ("", {"format": ""}, "Format: choose CSV or Excel (XLSX)"),
        ("", {"format": "../x"}, "Format: choose CSV or Excel (XLSX)"),
    ],
    ids=[
        "region not UTF-8",
        "region unknown",
        "long search",
        "no such filter",
        "pdf",
        "empty format",
        "path as format",
    ],
)
def test_an_invalid_export_request_is_refused_with_what_to_change(exporter, query, body, said):
    response = exporter.post(f"{EXPORT}?{query}", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Export not made" in html and said in html.replace("&#x27;", "'")
    assert not Export.objects.exists()


def test_valid_export_requests_are_queued_as_before(exporter):
    region = Region.objects.first()
    plain = exporter.post(EXPORT, {"csrfmiddlewaretoken": "x"})
    assert plain.status_code == 302
    assert Export.objects.get().format == "csv" and Export.objects.get().filters == {}

    filtered = exporter.post(EXPORT, {"region": region.pk, "q": "Sitio", "format": "xlsx"})
    assert filtered.status_code == 302
    export = Export.objects.latest("pk")
    assert export.format == "xlsx"
    assert export.filters == {"region": str(region.pk), "q": "Sitio"}

    addressed = exporter.post(f"{EXPORT}?region={region.pk}", {"format": "csv"})
    assert addressed.status_code == 302
    assert Export.objects.latest("pk").filters == {"region": str(region.pk)}


def test_the_needs_export_refuses_an_invalid_filter_and_queues_a_valid_one(exporter):
    refused = exporter.post(f"{NEEDS_EXPORT}?status=%C2%B2", {"format": "csv"})
    assert refused.status_code == 400 and "Status: Select a valid choice" in (
        refused.content.decode()
    )
    assert exporter.post(NEEDS_EXPORT, {"format": "docx"}).status_code == 400
    assert not Export.objects.exists()

    queued = exporter.post(f"{NEEDS_EXPORT}?status=validated&page=2", {"format": "xlsx"})
    assert queued.status_code == 302
    export = Export.objects.get()
    assert export.filters == {"status": "validated", "kind": "needs"}
    assert export.format == "xlsx"
