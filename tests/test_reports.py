"""Reports: the CSV import, the CSV and XLSX exports and their downloads."""

import csv
import io

import pytest
from django.urls import reverse

from obcms.communities.models import Community
from obcms.geography.models import Region
from obcms.reports import imports
from obcms.reports.models import Export
from obcms.reports.tasks import build_export
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_import_keeps_every_good_row_and_reports_every_bad_one():
    barangay = factories.place()
    factories.community(name="Existing", barangay=barangay)
    rows = [
        ["name", "barangay_psgc", "population", "households", "ethnolinguistic_groups"],
        ["Sitio Uno", barangay.psgc_code, "100", "20", "Maranao"],  # good
        ["Sitio Dos", "0000000000", "100", "20", ""],  # bad barangay
        ["Sitio Tres", barangay.psgc_code, "10", "20", ""],  # households > pop
        ['=HYPERLINK("x")', barangay.psgc_code, "", "", ""],  # formula
        ["Existing", barangay.psgc_code, "", "", ""],  # duplicate
        ["Sitio Cuatro", barangay.psgc_code, "many", "", ""],  # not a number
        ["Sitio Cinco", barangay.psgc_code, "", "", "Martian"],  # unknown group
        ["Sitio Seis", barangay.psgc_code, "", "", "Tausug, Sama"],  # good
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    outcome = imports.import_communities(out.getvalue().encode(), None, lambda d, t: None)
    assert (outcome.total, outcome.created) == (8, 2)
    assert [e["row"] for e in outcome.errors] == [3, 4, 5, 6, 7, 8]
    assert set(Community.objects.values_list("name", flat=True)) == {
        "Existing",
        "Sitio Uno",
        "Sitio Seis",
    }
    assert "formulas are not accepted" in str(outcome.errors[2]["errors"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x00\x00binary", "not a CSV file"),
        ("name,barangay_psgc\nSitio Ñ,1\n".encode("latin-1"), "not UTF-8"),
        (b"title,place\nx,y\n", r"Missing column\(s\): name, barangay_psgc"),
    ],
)
def test_import_refuses_unreadable_files_whole(content, message):
    with pytest.raises(imports.ImportRefused, match=message):
        imports.read_rows(content)


def test_csv_export_matches_the_filtered_list_and_neutralises_formulas(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    factories.communities_in_one_barangay(3)
    factories.community(name="=cmd|' /C calc'!A0", barangay=factories.place("IX"))
    region = Region.objects.get(short_name="XII")
    user = factories.user("viewer")
    export = Export.objects.create(user=user, filters={"region": str(region.pk)})
    build_export(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    rows = list(csv.reader(io.StringIO(export.file.read().decode("utf-8-sig"))))
    expected = Community.objects.filter(municipality__region=region)
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(expected.values_list("pk", flat=True))

    everything = Export.objects.create(user=user, filters={})
    build_export(everything.pk)
    everything.refresh_from_db()
    text = everything.file.read().decode("utf-8-sig")
    assert "'=cmd|" in text and "\n=cmd" not in text


def test_xlsx_export_has_the_same_rows(tmp_path, settings):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    factories.communities_in_one_barangay(4)
    export = Export.objects.create(user=factories.user("viewer"), format="xlsx", filters={})
    build_export(export.pk)
    export.refresh_from_db()
    sheet = load_workbook(export.file.open("rb"), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id" and len(rows) == 5


def test_a_download_is_only_for_its_owner(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    factories.communities_in_one_barangay(1)
    owner = factories.user("viewer")
    export = Export.objects.create(user=owner, filters={})
    build_export(export.pk)
    client.force_login(factories.user("viewer"))
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
    client.force_login(owner)
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfid,name")
