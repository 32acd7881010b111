"""PDF reports: a place profile and a MANA summary, built in the background, read back as a
reader would (pypdf), private to who asked, kept a week, and built once even when a worker
dies half-way."""

import io
import os
import re
import signal
import time
from datetime import date, timedelta

import psycopg
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import EthnolinguisticGroup
from obcms.reports import tasks
from obcms.reports.models import Report
from tests.support import factories
from tests.support.processes import Browserless, manage, procfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def request_report(client, data: dict, django_capture_on_commit_callbacks) -> Report:
    """POST as the page does; the task is published only once the row is committed."""
    with django_capture_on_commit_callbacks() as published:
        response = client.post("/reports/pdf/new/", data)
    assert response.status_code == 302, response.content
    report = Report.objects.latest("pk")
    assert response["Location"] == report.get_absolute_url()
    assert len(published) == 1 and report.status == Report.Status.QUEUED
    tasks.build_report(report.pk)  # what the worker runs
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.message
    return report


def read_pdf(client, report: Report) -> PdfReader:
    response = client.get(f"/reports/pdf/{report.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_place_profile_pdf_has_its_title_filters_and_every_community_of_the_filter(
    client, media, django_capture_on_commit_callbacks
):
    barangay = factories.place("IX")
    province = barangay.municipality.province
    maranao = EthnolinguisticGroup.objects.get(name="Maranao")
    tausug = EthnolinguisticGroup.objects.get(name="Tausug")
    names = ["Dumingag Ñ", "Sitio Sto. Niño", "Purok Kalilintad-Señeres"]
    names += [f"Purok {i:03d}" for i in range(90)]  # enough rows to run over several pages
    for name in names:
        c = factories.community(name=name, barangay=barangay, population=120)
        c.ethnolinguistic_groups.add(maranao)
    for i in range(4):
        factories.community(name=f"Not Maranao {i}", barangay=barangay).ethnolinguistic_groups.add(
            tausug
        )
    client.force_login(factories.user("viewer"))
    report = request_report(
        client,
        {"kind": "place_profile", "place": province.psgc_code, "group": maranao.pk},
        django_capture_on_commit_callbacks,
    )
    reader = read_pdf(client, report)
    text = text_of(reader)
    assert reader.metadata.title == f"Province profile: {province.name}"
    assert f"Province profile: {province.name}" in text
    assert "Office for Other Bangsamoro Communities" in text
    assert f"Filters: Province: {province.name} (PSGC {province.psgc_code}); " in text
    assert "Ethnolinguistic group: Maranao" in text
    for name in names:
        assert name in text, name
    assert "Dumingag Ñ" in text  # the letter itself, not a substitute or a lost glyph
    assert "Not Maranao" not in text
    pages = len(reader.pages)
    assert pages >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {pages}" in page.extract_text()
    # The community table continues on the next pages under its headings.
    continued = [p.extract_text() for p in reader.pages if "Purok 089" in p.extract_text()]
    assert "Community Barangay" in continued[0]
    assert report.processed == report.total == len(names)


def test_a_place_profile_pdf_leaves_out_archived_communities(
    client, media, django_capture_on_commit_callbacks
):
    barangay = factories.place("X")
    factories.community(name="Still Here", barangay=barangay, population=40)
    gone = factories.community(name="Archived Twin", barangay=barangay, population=900)
    factories.assessment(of=gone)
    gone.archive(factories.user("administrator"), "Registered twice.")
    client.force_login(factories.user("viewer"))
    town = barangay.municipality
    report = request_report(
        client,
        {"kind": "place_profile", "place": town.psgc_code},
        django_capture_on_commit_callbacks,
    )
    text = text_of(read_pdf(client, report))
    assert "Still Here" in text and "Archived Twin" not in text
    assert "Communities 1" in text and "People in the communities 40" in text
    assert report.total == 1


def test_a_mana_summary_counts_the_needs_of_a_region_and_a_period(
    client, media, django_capture_on_commit_callbacks
):
    region_ix = factories.place("IX")
    inside = factories.community(name="Dumingag Ñ", barangay=region_ix)
    also = factories.community(name="Salug Riverside", barangay=factories.place("IX"))
    before = factories.community(name="Assessed Too Early", barangay=region_ix)
    elsewhere = factories.community(name="Another Region", barangay=factories.place("XII"))
    needs = {
        inside: [("wash", 1, 40), ("health", 2, 10)],
        also: [("wash", 1, 5), ("wash", 3, None)],
        before: [("education", 1, 7)],
        elsewhere: [("wash", 1, 9)],
    }
    for community, rows in needs.items():
        assessed = date(2025, 12, 1) if community is before else date(2026, 2, 10)
        assessment = Assessment.objects.create(
            community=community, assessed_on=assessed, team="T", method="survey"
        )
        for sector, priority, people in rows:
            Need.objects.create(
                assessment=assessment,
                sector=sector,
                description="x",
                priority=priority,
                beneficiaries=people,
            )
    client.force_login(factories.user("viewer"))
    region = region_ix.municipality.region
    report = request_report(
        client,
        {
            "kind": "mana_summary",
            "region": region.psgc_code,
            "date_from": "2026-01-01",
            "date_to": "2026-03-31",
        },
        django_capture_on_commit_callbacks,
    )
    text = text_of(read_pdf(client, report))
    assert f"MANA summary: {region.name}, 01 Jan 2026 to 31 Mar 2026" in text
    assert f"Filters: Region: {region.name}; Period: 01 Jan 2026 to 31 Mar 2026" in text
    assert "Water and sanitation 2 0 1 3 45" in text  # high, medium, low, all, beneficiaries
    assert "Health 0 1 0 1 10" in text
    assert "Education" not in text.split("Needs by sector")[1].split("By province")[0]
    assert "Dumingag Ñ" in text and "Salug Riverside" in text
    assert "Assessed Too Early" not in text and "Another Region" not in text
    assert "Assessments in the period 2" in text


def test_the_mana_form_says_what_to_fix(client):
    client.force_login(factories.user("viewer"))
    region = factories.place("X").municipality.region
    response = client.post(
        "/reports/pdf/new/",
        {
            "kind": "mana_summary",
            "region": region.psgc_code,
            "date_from": "2026-03-01",
            "date_to": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "The period ends before it starts" in response.content.decode()
    assert not Report.objects.exists()
    assert client.get("/reports/pdf/new/").status_code == 200


def test_a_place_report_for_an_odd_or_unknown_place_is_refused_and_nothing_is_queued(client):
    client.force_login(factories.user("viewer"))
    for place in ("", "12", "1999999999", "\uff10\uff19"):
        response = client.post("/reports/pdf/new/", {"kind": "place_profile", "place": place})
        assert response.status_code == 400, place
    assert not Report.objects.exists()


def test_a_report_is_seen_and_downloaded_only_by_who_asked(client, media):
    c = factories.community()
    owner, other = factories.user("viewer"), factories.user("viewer")
    report = Report.objects.create(
        user=owner,
        kind=Report.Kind.PLACE_PROFILE,
        title="x",
        filters={"place": c.municipality.psgc_code},
    )
    tasks.build_report(report.pk)
    urls = [f"/reports/pdf/{report.pk}/", f"/reports/pdf/{report.pk}/download/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/")
    client.force_login(other)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert "x" not in [r.title for r in client.get("/reports/pdf/").context["reports"]]
    client.force_login(owner)
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_a_report_run_again_keeps_one_file_and_a_finished_one_is_left_alone(media):
    c = factories.community()
    report = Report.objects.create(
        user=factories.user("viewer"),
        kind=Report.Kind.PLACE_PROFILE,
        title="x",
        filters={"place": c.municipality.psgc_code},
    )
    tasks.build_report(report.pk)
    report.refresh_from_db()
    first = report.file.name
    # A worker that died after writing the file but before marking the row done:
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING)
    tasks.build_report(report.pk)
    report.refresh_from_db()
    assert report.file.name == first and report.status == Report.Status.DONE
    finished_at = report.finished_at
    tasks.build_report(report.pk)  # delivered once more
    report.refresh_from_db()
    assert report.finished_at == finished_at
    assert [path.name for path in (media / "reports").iterdir()] == [f"report-{report.pk}.pdf"]


def test_a_report_whose_place_is_gone_fails_with_what_to_do(media):
    report = Report.objects.create(
        user=factories.user("viewer"),
        kind=Report.Kind.PLACE_PROFILE,
        title="x",
        filters={"place": "1999999999"},
    )
    tasks.build_report(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "start a new report" in report.message
    assert not report.file


def test_reports_older_than_a_week_are_deleted_with_their_files(media):
    c = factories.community()
    user = factories.user("viewer")
    old, fresh = (
        Report.objects.create(
            user=user, kind="place_profile", title="x", filters={"place": c.municipality.psgc_code}
        )
        for _ in range(2)
    )
    for report in (old, fresh):
        tasks.build_report(report.pk)
    old.refresh_from_db()
    path = media / old.file.name
    assert path.exists()
    Report.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    tasks.expire_exports()
    assert list(Report.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not path.exists()


@pytest.mark.integration
@pytest.mark.django_db(databases=[])
def test_a_report_task_interrupted_by_a_worker_kill_completes_once(
    start, production_env, released_database, own_redis, port
):
    """A real worker is SIGKILLed (with its pool) while it draws a large report; the broker
    delivers the task again to a second worker, which finishes it: one row done, one file."""
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": "tests.settings_tasks",  # Redis re-delivers within seconds
        "DATABASE_URL": released_database,
        "REDIS_URL": own_redis(9),
        "ALLOWED_HOSTS": "localhost",
        "PORT": str(port),
        "LOG_FORMAT": "text",
        "JOB_LEASE": "3",  # the re-delivered task may claim the job once the dead one's lease ends
    }
    assert manage("release", env=env).returncode == 0
    seeded = manage("seed_demo", "--force", "--communities", "4000", env=env, timeout=600)
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    worker = start(procfile()["worker"], env, name="worker")
    worker.wait_for_output(" ready.", timeout=60)

    client = Browserless(f"http://127.0.0.1:{port}")
    client.sign_in("viewer", password)
    token = client.csrf_form("/reports/pdf/new/")
    status, headers, _ = client.request(
        "POST",
        "/reports/pdf/new/",
        {"csrfmiddlewaretoken": token, "kind": "place_profile", "place": "0900000000"},
    )
    assert status == 302, status
    report_id = int(headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def row() -> tuple:
        with psycopg.connect(released_database) as db:
            return db.execute(
                "SELECT status, processed, total, file FROM reports_report WHERE id = %s",
                (report_id,),
            ).fetchone()

    deadline = time.monotonic() + 60
    while not (row()[0] == "running" and row()[1] > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    state, processed, total, _ = row()
    assert state == "running" and 0 < processed < total, row()  # mid-report
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool, as a crashed container
    worker.wait(10)
    assert row()[0] == "running"

    second = start(procfile()["worker"], env, name="worker-2")
    second.wait_for_output(" ready.", timeout=60)
    deadline = time.monotonic() + 90
    while row()[0] != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
    state, processed, total, name = row()
    assert state == "done", second.output
    assert processed == total > 1000
    time.sleep(3)  # nothing else arrives later
    media = os.path.join(env["DATA_DIR"], "media")
    assert os.listdir(os.path.join(media, "reports")) == [f"report-{report_id}.pdf"]
    assert name == f"reports/report-{report_id}.pdf"
    assert second.output.count(f"report {report_id}:") == 1
    with open(os.path.join(media, name), "rb") as handle:
        assert "Region profile: Region IX" in PdfReader(handle).pages[0].extract_text()


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    form=st.dictionaries(
        st.sampled_from(
            ["kind", "place", "region", "date_from", "date_to", "group", "q", "archived"]
        ),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    )
)
def test_the_report_form_survives_anything(client, form):
    if not client.session.get("_auth_user_id"):
        client.force_login(factories.user("viewer"))
    assert client.post("/reports/pdf/new/", form).status_code in (200, 302, 400)
