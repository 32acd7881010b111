"""The job rules (obcms/reports/jobs.py): the row is the truth, the broker only a doorbell.
A publish that fails leaves a delayed job, not a 500; a second delivery does nothing; a worker
that lost its claim writes nothing; the sweeper takes back what is overdue; an outage longer
than the retry window fails the job with a message."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from obcms.celery import app
from obcms.communities.models import Community
from obcms.reports import jobs, tasks
from obcms.reports.models import Export, Import, Report
from tests.support import factories
from tests.support.processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def unreachable_broker():
    """This process publishes to a port where nothing listens (a Redis that is down)."""
    before = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app._pool = app.amqp._producer_pool = None
    yield
    app.conf.broker_url = before
    app._pool = app.amqp._producer_pool = None


def test_a_broker_that_refuses_the_job_gives_a_delayed_page_then_the_job_runs(
    client, media, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    factories.community()
    client.force_login(factories.user("viewer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_create"), {"format": "csv"})
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == Export.Status.QUEUED and export.delayed
    assert "cannot publish its task" in caplog.text
    page = client.get(response["Location"]).content.decode()
    assert "Delayed: the task queue has not taken this job yet" in page

    assert jobs.sweep({Export: tasks.build_export}) == 0  # still down: stays overdue
    export.refresh_from_db()
    assert export.delayed
    tasks.build_export(export.pk)  # the broker is back and a worker gets the sweeper's send
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.file
    assert "Delayed" not in client.get(response["Location"]).content.decode()


def test_a_second_delivery_does_nothing_and_a_worker_that_lost_its_claim_writes_nothing(media):
    factories.community()
    export = Export.objects.create(user=factories.user("viewer"), filters={})
    first = jobs.claim(Export, export.pk)  # a worker runs it...
    tasks.build_export(export.pk)  # ...when the same task arrives again
    export.refresh_from_db()
    assert (export.status, export.file.name, export.claim) == ("running", "", first)

    # The first worker went silent past its lease: the sweeper's send takes the job over.
    Export.objects.filter(pk=export.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    tasks.build_export(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.claim == first + 1
    with pytest.raises(jobs.LostClaim):  # the silent worker wakes up: its result is refused
        jobs.finish(Export, export.pk, first, status=Export.Status.FAILED, message="stale")
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and not export.message
    tasks.build_export(export.pk)  # and a finished job is never run again
    assert [p.name for p in (media / "exports").rglob("*.csv")] == [export.file.name.split("/")[-1]]


def test_the_sweeper_takes_back_overdue_jobs_and_fails_those_interrupted_too_often(
    unreachable_broker,
):
    user = factories.user("viewer")
    past = timezone.now() - timedelta(seconds=1)
    lost, dead, fresh, crashing = (Export.objects.create(user=user, filters={}) for _ in range(4))
    Export.objects.filter(pk=lost.pk).update(lease_until=past)  # queued, its message gone
    Export.objects.filter(pk=dead.pk).update(status="running", claim=1, lease_until=past)
    Export.objects.filter(pk=fresh.pk).update(status="running", claim=1, lease_until=None)
    Export.objects.filter(pk=fresh.pk).update(lease_until=timezone.now() + timedelta(minutes=1))
    Export.objects.filter(pk=crashing.pk).update(
        status="running", claim=jobs.MAX_CLAIMS, lease_until=past
    )
    jobs.sweep({Export: tasks.build_export})
    states = dict(Export.objects.values_list("pk", "status"))
    assert states == {
        lost.pk: "queued",
        dead.pk: "queued",
        fresh.pk: "running",
        crashing.pk: "failed",
    }
    assert "interrupted 5 times" in Export.objects.get(pk=crashing.pk).message
    # The dead worker's claim number stays: the next claim outnumbers it.
    assert jobs.claim(Export, dead.pk) == 2


def test_an_outage_longer_than_the_retry_window_fails_the_job_with_a_message(settings, caplog):
    settings.TASK_RETRY_WINDOW = 0
    export = Export.objects.create(user=factories.user("viewer"), filters={})

    def work(token: int) -> dict:
        raise OperationalError("connection refused")  # the database went away mid-job

    jobs.run(tasks.build_export, Export, export.pk, work)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and export.finished_at
    assert export.message.startswith("The database or the task queue was unreachable")
    assert "failed: The database or the task queue" in caplog.text


def test_an_import_delivered_twice_saves_its_rows_once(media):
    barangay = factories.place()
    lines = ["name,barangay_psgc"] + [f"Sitio {n},{barangay.psgc_code}" for n in range(250)]
    job = Import.objects.create(
        user=factories.user("encoder"), file=ContentFile("\n".join(lines), name="x.csv")
    )
    tasks.process_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.errors) == ("done", 250, [])
    # A worker died after its first batch of 100 rows committed (with the job's progress):
    Community.objects.exclude(name__in=[f"Sitio {n}" for n in range(100)]).delete()
    Import.objects.filter(pk=job.pk).update(
        status="running", lease_until=None, processed=100, created_count=100
    )
    tasks.process_import(job.pk)  # delivered again: resumes after the committed batch
    job.refresh_from_db()
    assert (job.status, job.created_count, job.processed, job.errors) == ("done", 250, 250, [])
    assert Community.objects.count() == 250


def _import(media, content: bytes) -> Import:
    job = Import.objects.create(
        user=factories.user("encoder"), file=ContentFile(content, name="x.csv")
    )
    tasks.process_import(job.pk)  # what the worker runs
    job.refresh_from_db()
    return job


def test_an_import_with_odd_cells_saves_every_good_row_and_says_what_to_fix(media):
    """Issue 21, finding 1: '²' (a digit to isdigit(), not to int()), a NUL byte after the
    first 4 KiB, a cell over 128 KiB, a number PostgreSQL cannot hold (refused on SQLite too:
    obcms/db/columns.py)."""
    psgc = factories.place().psgc_code
    lines = ["name,barangay_psgc,population,households"]
    lines += [f"Sitio {n},{psgc},{n + 10},1" for n in range(200)]  # past the first 4 KiB
    lines += [
        f"Squared,{psgc},²,",
        f"Nul\x00Sitio,{psgc},5,",
        f"Long,{psgc},{'9' * 140_000},",
        f"Huge,{psgc},99999999999999,",
        f"Last good,{psgc},7,",
    ]
    job = _import(media, "\n".join(lines).encode())
    assert (job.status, job.total, job.created_count) == ("done", 205, 201)
    problems = {error["row"]: str(error["errors"]) for error in job.errors}
    assert sorted(problems) == [202, 203, 204, 205]
    assert "expected a whole number" in problems[202]
    assert "NUL character" in problems[203]
    assert "140,000 characters long" in problems[204]
    assert "Enter a number up to 2,147,483,647" in problems[205]
    assert Community.objects.filter(name="Last good").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,barangay_psgc\nok,1\nbad \xff byte,1\n", "not UTF-8 text (line 3"),
        (b"title,place\nx,y\n", "Missing column(s): name, barangay_psgc"),
    ],
    ids=["undecodable", "no-header"],
)
def test_an_unreadable_import_file_fails_with_one_message(media, content, message):
    job = _import(media, content)
    assert job.status == Import.Status.FAILED and job.finished_at
    assert message in job.message and "\n" not in job.message
    assert not Community.objects.exists()


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Export, {"filters": {}}),
        (Import, {"file": "imports/2026/11/people.csv"}),
        (Report, {"kind": "mana_summary", "title": "Region IX", "filters": {}}),
    ],
)
def test_the_admin_shows_staff_their_own_jobs_only(client, model, fields):
    """Issue 21, finding 3: the admin applies the pages' rule (own jobs; superusers all)."""
    me, colleague = factories.user("administrator"), factories.user("administrator")
    mine = model.objects.create(user=me, **fields)
    theirs = model.objects.create(user=colleague, **fields)
    base = f"/admin/reports/{model._meta.model_name}/"
    client.force_login(me)
    listed = client.get(base)
    assert listed.status_code == 200
    assert [job.pk for job in listed.context["cl"].result_list] == [mine.pk]
    assert client.get(f"{base}{mine.pk}/change/").status_code == 200
    other = client.get(f"{base}{theirs.pk}/change/")  # the admin's "no such object" answer
    assert other.status_code == 302 and other["Location"] == "/admin/"
    me.is_superuser = True
    me.save()
    assert len(client.get(base).context["cl"].result_list) == 2
    # Made by the pages and the worker only: no "add" in the admin, even for a superuser.
    assert client.get(f"{base}add/").status_code == 403


def test_ready_reports_low_free_space_in_data_dir(client, settings):
    """Files live in DATA_DIR here (local storage): below the threshold, /ready/ says so."""
    settings.DATA_DIR_MIN_FREE_MB = 10**12  # more than any disk has
    response = client.get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["disk"] is False
    assert body["errors"]["disk"].startswith("low free space in DATA_DIR")
    settings.DATA_DIR_MIN_FREE_MB = 0
    assert client.get("/ready/").json()["checks"]["disk"] is True


def test_the_disk_check_measures_the_disk_of_a_data_dir_not_created_yet(client, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "not" / "yet"
    assert client.get("/ready/").json()["checks"]["disk"] is True


def test_a_long_file_name_full_of_dots_is_imported_under_a_short_name(
    client, media, django_capture_on_commit_callbacks
):
    """Issue 21, finding 8: such a name answered a generic 400 page instead of the form."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(factories.user("encoder"))
    name = "barangay." * 40 + "final.v2..csv"
    upload = SimpleUploadedFile(name, b"name,barangay_psgc\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:import_create"), {"file": upload})
    assert response.status_code == 302
    stored = Import.objects.get().file.name
    assert stored.endswith(".csv") and len(stored) <= 100 and ".." not in stored
