"""Reports: the CSV import, the CSV and XLSX exports and their downloads."""

import csv
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.urls import reverse

from obcms.communities.models import Community
from obcms.geography.models import Region
from obcms.records.history import IMPORT_MARK
from obcms.reports import imports
from obcms.reports.models import Export, Import
from obcms.reports.tasks import build_export, process_import
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
        (b"name,Name,barangay_psgc\nA,B,1\n", r"repeats the column\(s\) name: keep one"),
        (
            ("id,name,barangay_psgc\n" + "".join(f"{n},A{n},1\n" for n in range(1, 302))).encode(),
            "301 rows have an id: an import updates at most 300 communities",
        ),
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


def test_an_export_of_the_full_profile_imports_back_as_it_was(tmp_path, settings):
    """The export and the import follow the full profile: every column an export writes is one
    the import reads, by label, so a file can go out to the field and come back."""
    from obcms.communities.models import PEOPLE, SERVICES, EthnolinguisticGroup, Livelihood
    from obcms.reports.spreadsheets import COLUMNS, PROFILE_COLUMNS

    settings.MEDIA_ROOT = tmp_path
    profile = {
        "other_names": "Kampung Salam",
        "purok_sitio": "Purok 3",
        "settlement_type": "coastal",
        "proximity_to_barmm": "near",
        "latitude": Decimal("7.825100"),
        "longitude": Decimal("123.437000"),
        "population": 900,
        **{name: 10 + i for i, name in enumerate(PEOPLE)},
        **dict(zip(SERVICES, ["excellent", "good", "fair", "poor", "none", "available"] * 2)),  # noqa: B905
        "mosques": 2,
        "madrasahs": 1,
        "cooperatives": 3,
        "peoples_organizations": 0,
        "lgu_relationship": "weak",
        "lgu_relationship_notes": "Rarely consulted",
        "challenges": "Flooding, no road",
        "aspirations": "A madrasah",
        "verification": "verified",
        "notes": "From the 2026 validation",
    }
    original = factories.community(name="Sitio Salam", **profile)
    original.ethnolinguistic_groups.add(EthnolinguisticGroup.objects.get(name="Sama"))
    original.livelihoods.add(Livelihood.objects.first())
    export = Export.objects.create(user=factories.user("viewer"), filters={})
    build_export(export.pk)
    export.refresh_from_db()
    text = export.file.read().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header == COLUMNS and set(PROFILE_COLUMNS) >= {*PEOPLE, *SERVICES, "challenges"}
    assert "Available, not rated" in text and "Coastal" in text  # labels, not codes

    outcome = imports.import_communities(text.encode(), None, lambda d, t: None)
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.errors) == (0, 0, 1, [])

    Community.objects.all().delete()  # the file again, into a registry without it
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[0]["id"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    outcome = imports.import_communities(out.getvalue().encode(), None, lambda d, t: None)
    assert (outcome.created, outcome.errors) == (1, [])
    back = Community.objects.get(name="Sitio Salam")
    assert {name: getattr(back, name) for name in profile} == profile
    assert list(back.ethnolinguistic_groups.values_list("name", flat=True)) == ["Sama"]
    assert back.livelihoods.count() == 1


def test_the_import_says_what_is_wrong_with_a_profile_cell():
    barangay = factories.place()
    rows = [
        [
            "name",
            "barangay_psgc",
            "population",
            "women",
            "access_sanitation",
            "latitude",
            "longitude",
        ],
        ["Sitio Uno", barangay.psgc_code, "100", "140", "so-so", "35.6", "139.7"],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    outcome = imports.import_communities(out.getvalue().encode(), None, lambda d, t: None)
    (error,) = outcome.errors
    assert error["errors"] == {"access_sanitation": [error["errors"]["access_sanitation"][0]]}
    assert "'so-so' is not one of: Excellent, Good" in error["errors"]["access_sanitation"][0]
    rows[1][4] = "Fair"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    (error,) = imports.import_communities(out.getvalue().encode(), None, lambda d, t: None).errors
    assert "140 women is more than the population of 100" in error["errors"]["women"][0]
    assert "outside the Philippines" in error["errors"]["latitude"][0]


def import_one(cells: dict[str, str]) -> dict[str, list[str]]:
    """The problems of a file of one row: a community in a new barangay, with ``cells``."""
    barangay = factories.place()
    row = {"name": "Sitio Uno", "barangay_psgc": barangay.psgc_code, **cells}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    outcome = imports.import_communities(out.getvalue().encode(), None, lambda d, t: None)
    return outcome.errors[0]["errors"] if outcome.errors else {}


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "Infinity", "sNaN"])
def test_a_coordinate_that_is_not_a_number_is_refused_in_plain_words(value):
    errors = import_one({"latitude": value, "longitude": "123.437"})
    assert errors == {
        "latitude": [f"{value!r} is not a number: expected decimal degrees such as 7.8251"]
    }


def test_coordinates_are_rounded_to_the_places_the_profile_keeps():
    assert import_one({"latitude": "6.123456789", "longitude": "124.0000005"}) == {}
    community = Community.objects.get(name="Sitio Uno")
    assert (community.latitude, community.longitude) == (Decimal("6.123457"), Decimal("124.000001"))


def test_a_coordinate_too_long_for_a_decimal_is_out_of_range():
    errors = import_one({"latitude": "1e999", "longitude": "123.437"})
    assert errors == {
        "latitude": ["'1e999' is out of range: expected decimal degrees such as 7.8251"]
    }


def test_a_negative_number_is_checked_by_its_column_not_refused_as_a_formula():
    assert import_one({"population": "-5"}) == {
        "population": ["Ensure this value is greater than or equal to 0."]
    }
    (message,) = import_one({"latitude": "7.1", "longitude": "-999"})["latitude"]
    assert message.startswith("7.100000, -999.000000 is outside the Philippines")
    (message,) = import_one({"latitude": "-12.5", "longitude": "+124"})["latitude"]
    assert message.startswith("-12.500000, 124.000000 is outside the Philippines")


@pytest.mark.parametrize(
    "value", ["=1+1", "-2+3", "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-Infinity", "-", "+"]
)
def test_a_cell_that_starts_like_a_formula_is_still_refused(value):
    errors = import_one({"population": value})
    assert errors == {"population": [f"starts with {value[0]!r}: formulas are not accepted"]}


def exported_rows(tmp_path, settings) -> list[dict[str, str]]:
    """Every community as the CSV export writes it, by column."""
    settings.MEDIA_ROOT = tmp_path
    export = Export.objects.create(user=factories.user("viewer"), filters={})
    build_export(export.pk)
    export.refresh_from_db()
    return list(csv.DictReader(io.StringIO(export.file.read().decode("utf-8-sig"))))


def run_import(rows: list[dict[str, str]], user) -> Import:
    """``rows`` as a file uploaded by ``user``, imported as the worker imports it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    job = Import.objects.create(user=user, file=ContentFile(out.getvalue(), name="x.csv"))
    process_import(job.pk)
    job.refresh_from_db()
    return job


def test_an_export_corrected_in_a_spreadsheet_updates_its_communities_as_edits(tmp_path, settings):
    """Issue 24, finding 1: export, fix in a spreadsheet, import back. A row with an id edits
    that community (its history an edit by the uploader, marked with the import); a row
    without one adds a community; an id that names none is reported."""
    barangay = factories.place()
    fixed = factories.community(name="Sitio Uno", barangay=barangay, population=100)
    factories.community(name="Sitio Dos", barangay=barangay, population=50)
    rows = sorted(exported_rows(tmp_path, settings), key=lambda row: row["name"])
    assert [row["name"] for row in rows] == ["Sitio Dos", "Sitio Uno"]
    rows[1].update(population="150", ethnolinguistic_groups="Sama")
    rows.append({**rows[0], "id": "", "name": "Sitio Tres"})
    rows.append({**rows[0], "id": "999999", "name": "Sitio Gone"})
    encoder = factories.user("encoder")

    job = run_import(rows, encoder)

    assert job.status == "done"
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 1)
    assert (
        job.message == "3 of 4 row(s) imported (1 added, 1 updated, 1 unchanged); 1 with problems."
    )
    assert job.errors == [
        {
            "row": 5,
            "name": "Sitio Gone",
            "errors": {
                "id": [
                    "no community has id '999999': leave the id empty to add this row as a new "
                    "community"
                ]
            },
        }
    ]
    fixed.refresh_from_db()
    assert fixed.population == 150
    assert list(fixed.ethnolinguistic_groups.values_list("name", flat=True)) == ["Sama"]
    assert Community.objects.count() == 3
    edits = LogEntry.objects.get_for_object(fixed).filter(action=LogEntry.Action.UPDATE)
    assert sorted(((e.changes_dict, e.actor, e.cid) for e in edits), key=lambda e: [*e[0]]) == [
        (changes, encoder, f"{IMPORT_MARK}{job.pk}")
        for changes in (
            {"ethnolinguistic_groups": {"type": "m2m", "operation": "add", "objects": ["Sama"]}},
            {"population": ["100", "150"]},
        )
    ]


def test_an_update_is_checked_as_the_edit_page_checks_it(tmp_path, settings, client):
    barangay = factories.place()
    factories.community(name="Sitio Uno", barangay=barangay, population=100)
    factories.community(name="Sitio Dos", barangay=barangay)
    factories.community(name="Sitio Tres", barangay=barangay).archive(None, "duplicate")
    rows = exported_rows(tmp_path, settings)
    by_name = {row["name"]: row for row in rows}
    by_name["Sitio Uno"]["households"] = "120"
    by_name["Sitio Dos"]["name"] = "sitio uno"
    archived = {**by_name["Sitio Dos"], "name": "Sitio Tres"}
    archived["id"] = str(Community.objects.get(name="Sitio Tres").pk)
    encoder = factories.user("encoder")

    job = run_import([by_name["Sitio Uno"], by_name["Sitio Dos"], archived], encoder)

    problems = [error["errors"] for error in job.errors]
    assert problems == [
        {"households": ["120 households cannot live in a population of 100; check both numbers."]},
        {
            "row": [
                f"A community named 'sitio uno' is already registered in barangay "
                f"{barangay.name}; a barangay has each name once."
            ]
        },
        {"id": [f"community {archived['id']} is archived: an administrator restores it first"]},
    ]
    assert job.updated_count == 0 and Community.objects.filter(name="Sitio Dos").exists()
    client.force_login(encoder)
    page = client.get(reverse("reports:import", args=[job.pk])).content.decode()
    assert "__all__" not in page and "a barangay has each name once." in page
    assert "<strong>row</strong>" not in page


def test_the_import_page_never_shows_djangos_all_label(client):
    """Jobs imported before rows spoke in sentences kept Django's "__all__" key."""
    encoder = factories.user("encoder")
    job = Import.objects.create(
        user=encoder,
        file=ContentFile(b"name,barangay_psgc\n", name="x.csv"),
        status="done",
        errors=[{"row": 2, "name": "Sitio", "errors": {"__all__": ["Taken."], "name": ["Bad."]}}],
    )
    client.force_login(encoder)
    page = client.get(reverse("reports:import", args=[job.pk])).content.decode()
    assert "__all__" not in page and "Taken." in page and "<strong>name</strong>: Bad." in page
