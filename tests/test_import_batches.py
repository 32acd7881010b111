"""The CSV import by batches (issue 19): each row checked as the one-row-at-a-time import
checks it, with the same outcome and the same history, with the database asked a fixed number
of times per batch whatever the batch's size; its task's time limit follows from the file's
caps."""

from __future__ import annotations

import csv
import io

import pytest
from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from obcms.communities.models import Community
from obcms.records.history import IMPORT_MARK
from obcms.reports import imports, tasks
from tests.support import factories

pytestmark = pytest.mark.django_db


def tricky_rows(psgc: str, other_psgc: str) -> list[list[str]]:
    """Good rows among every kind of bad one the import knows, and the order-dependent
    cases of the name-per-barangay constraint."""
    header = [
        "name",
        "barangay_psgc",
        "population",
        "households",
        "latitude",
        "longitude",
        "settlement_type",
        "verification",
        "ethnolinguistic_groups",
        "languages",
        "notes",
    ]
    good = ["", psgc, "120", "30", "7.8251", "123.437", "Coastal", "verified", "", "", ""]
    rows = [
        ["Sitio Uno", *good[1:8], "Sama, Maranao, sama", "", "Census " + "." * 4100],  # NUL later
        ["Sitio Dos", "0000000000", *good[2:]],  # no such barangay
        ["Sitio Tres", psgc, "10", "20", *good[4:]],  # households over the population
        ['=HYPERLINK("x")', *good[1:]],  # formula
        ["existing", *good[1:]],  # taken, in another case
        ["Sitio Cuatro", psgc, "many", *good[3:]],  # not a number
        ["Sitio Cinco", psgc, "²", *good[3:]],  # a digit to isdigit() only
        ["Sitio Seis", *good[1:8], "Martian", "", ""],  # unknown group
        ["Sitio Siete", psgc, "", "", "NaN", "NaN", *good[6:]],  # not a coordinate
        ["Sitio Ocho", psgc, "", "", "7.1", "", *good[6:]],  # one coordinate only
        ["S" * 201, *good[1:]],  # name too long: the constraint is not asked
        ["Sitio Dup", *good[1:]],  # saved ...
        ["SITIO  DUP", *good[1:]],  # ... so this one is taken (space and case)
        ["Sitio Dup", other_psgc, *good[2:]],  # another barangay: saved
        ["Sitio Later", psgc, "5", "9", *good[4:]],  # bad, so not taken ...
        ["Sitio Later", *good[1:]],  # ... and this one is saved
        ["Sitio Both", *good[1:]],  # saved ...
        ["Sitio Both", psgc, "5", "9", *good[4:]],  # ... this one: two problems
        ["Sitio Nul\x00", *good[1:]],
        ["Sitio Long", psgc, *good[2:10], "x" * (imports.MAX_CELL + 1)],
        ["Sitio Huge", psgc, "99999999999999", *good[3:]],
        ["Sitio Bad choice", *good[1:6], "Mars", *good[7:]],
        ["Sitio Last", *good[1:8], "Tausug", "", ""],
    ]
    return [header, *rows]


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def row_by_row(raw: bytes, user) -> imports.Outcome:
    """The reference: every row through import_row alone, as the import did before batches."""
    rows = imports.read_rows(raw)
    outcome = imports.Outcome(total=len(rows))
    terms = imports.Batch(user).terms
    for index, row in enumerate(rows):
        errors = imports.import_row_safely(row, terms, user)
        if errors:
            name = row.get("name", "")[:100].replace("\x00", "")
            outcome.errors.append({"row": index + 2, "name": name, "errors": errors})
        else:
            outcome.created += 1
    return outcome


def saved_state() -> tuple[list, list]:
    """Every community (ids and timestamps aside) and every history entry, ids named."""
    ids = {}
    communities = []
    for community in Community.objects.order_by("pk").prefetch_related(*imports.RELATIONS):
        ids[str(community.pk)] = community.name
        values = {
            f.attname: getattr(community, f.attname)
            for f in Community._meta.concrete_fields
            if f.attname not in ("id", "created_at", "updated_at")
        }
        for relation in imports.RELATIONS:
            values[relation] = sorted(t.name for t in getattr(community, relation).all())
        communities.append(values)
    entries = []
    for entry in LogEntry.objects.order_by("pk"):
        changes = dict(entry.changes or {})
        if "id" in changes:
            changes["id"] = [changes["id"][0], ids.get(str(changes["id"][1]))]
        entries.append(
            (
                ids.get(entry.object_pk),
                entry.object_repr,
                entry.action,
                changes,
                entry.actor_id,
                entry.actor_email,
                entry.cid,
                entry.additional_data,
                entry.serialized_data,
            )
        )
    return communities, entries


# JSON changes: the history entries made by auditlog's own code, one by one (history.py).
@pytest.mark.parametrize("json_changes", [False, True], ids=["text-changes", "json-changes"])
def test_batches_give_each_row_the_outcome_and_history_of_the_row_by_row_import(
    settings, json_changes
):
    settings.AUDITLOG_STORE_JSON_CHANGES = json_changes
    barangay = factories.place()
    other = factories.place("XII")
    factories.community(name="Existing", barangay=barangay)
    uploader = factories.user("encoder")
    raw = csv_bytes(tricky_rows(barangay.psgc_code, other.psgc_code))
    history = {"actor": uploader, "cid": f"{IMPORT_MARK}7"}

    with transaction.atomic():
        with set_extra_data(dict(history)):
            expected = row_by_row(raw, uploader)
        expected_state = saved_state()
        transaction.set_rollback(True)
    with set_extra_data(dict(history)):
        outcome = imports.import_communities(raw, uploader, lambda done, total: None)

    assert outcome == expected
    assert (outcome.total, outcome.created) == (23, Community.objects.count() - 1)
    assert saved_state() == expected_state
    problems = {e["row"]: e["errors"] for e in outcome.errors}
    taken = (
        f"A community named 'SITIO DUP' is already registered in barangay {barangay.name}; a "
        "barangay has each name once. To update that community instead, give its id (as an "
        "export does)."
    )
    assert problems[14] == {"row": [taken]}  # a sentence, never Django's "__all__"
    assert set(problems[19]) == {"households", "row"}
    assert 17 not in problems and 18 not in problems  # a bad row does not take its name


def test_a_large_file_reports_its_bad_rows_one_by_one_among_the_good(monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 40)
    barangay = factories.place()
    rows = [["name", "barangay_psgc", "population", "households"]]
    bad = {}
    for n in range(300):
        if n % 37 == 5:
            rows.append([f"Sitio {n}", barangay.psgc_code, "10", "20"])
            bad[n + 2] = "households"
        elif n % 53 == 7 or n == 40:  # 40: the first row of the second batch
            rows.append([f"Sitio {n - 1}", barangay.psgc_code, "", ""])  # taken just before
            bad[n + 2] = "row"
        else:
            rows.append([f"Sitio {n}", barangay.psgc_code, str(n + 10), "1"])
    outcome = imports.import_communities(csv_bytes(rows), None, lambda done, total: None)
    assert {e["row"]: next(iter(e["errors"])) for e in outcome.errors} == bad
    assert outcome.created == 300 - len(bad) == Community.objects.count()


def test_a_file_of_a_header_alone_and_a_resumed_import_with_nothing_left_import_nothing():
    """No batch at all: the batch checked ahead has nothing to pair with (fuzzing found the
    header-only file failing the job)."""
    outcome = imports.import_communities(
        csv_bytes([["name", "barangay_psgc"]]), None, lambda done, total: None
    )
    assert (outcome.total, outcome.created, outcome.errors) == (0, 0, [])
    rows = [{"name": "Sitio Uno", "barangay_psgc": factories.place().psgc_code}]
    done = imports.Outcome(total=1)
    imports.import_rows(rows, None, done, 1, lambda last: None)
    assert (done.created, done.errors, Community.objects.count()) == (0, [], 0)


def test_a_row_the_database_refuses_after_the_checks_is_found_and_reported_alone(monkeypatch):
    """A name taken by someone else between the batch's checks and its insert: the batch is
    halved until the one row goes through import_row, which says what is wrong."""
    barangay = factories.place()
    rows = [["name", "barangay_psgc"]] + [[f"Sitio {n}", barangay.psgc_code] for n in range(50)]
    checked = imports.taken_names

    def racing(asked):
        found = checked(asked)
        if any(c.name == "Sitio 31" for _, c in asked):
            factories.community(name="Sitio 31", barangay=barangay)  # saved meanwhile
        return found

    monkeypatch.setattr(imports, "taken_names", racing)
    outcome = imports.import_communities(csv_bytes(rows), None, lambda done, total: None)
    assert (outcome.created, [e["row"] for e in outcome.errors]) == (49, [33])
    assert "already registered in barangay" in str(outcome.errors[0]["errors"])
    assert Community.objects.count() == 50


@pytest.mark.integration
def test_the_import_asks_the_database_a_fixed_number_of_times_per_batch(monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 50)
    barangay = factories.place()
    uploader = factories.user("encoder")

    def queries(rows: int, start: int) -> int:
        lines = [["name", "barangay_psgc", "population", "ethnolinguistic_groups", "languages"]]
        lines += [
            [f"Sitio {start + n}", barangay.psgc_code, "90", "Sama, Tausug", "Maranao"]
            for n in range(rows)
        ]
        with CaptureQueriesContext(connection) as captured:
            outcome = imports.import_communities(csv_bytes(lines), uploader, lambda d, t: None)
        assert outcome.created == rows
        return len(captured)

    queries(10, 0)  # content types and the like cached, as in a worker that ran one
    one = queries(50, 1000)
    assert queries(5, 2000) == one  # a batch of 5 rows or of 50: the same queries
    per_batch = queries(100, 3000) - one
    assert queries(200, 4000) == one + 3 * per_batch
    # The barangays, the uploader, the names taken, then per table a sequence and a COPY;
    # savepoints around the batch and its insert.
    assert per_batch <= 14


def test_the_checks_that_run_ahead_in_a_thread_refuse_a_query(monkeypatch):
    """A query in the checks would open a second connection, outside the batch's
    transaction: it fails the import instead."""
    barangay = factories.place()
    rows = [["name", "barangay_psgc"], ["Sitio Uno", barangay.psgc_code]]
    monkeypatch.setattr(Community, "clean", lambda self: Community.objects.exists())
    with pytest.raises(RuntimeError, match="asked the database"):
        imports.import_communities(csv_bytes(rows), None, lambda done, total: None)


@pytest.mark.integration
def test_the_names_taken_are_probed_in_the_index_row_by_row():
    """As EXISTS, the planner hashed a scan of the whole table for a batch's names: the
    query's cost grew with the registry instead of the batch."""
    barangay = factories.place()
    names = [f"Sitio {n}" for n in range(imports.BATCH)]
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Community._meta.db_table)
        query = imports.TAKEN_MANY.format(table=table)
        cursor.execute(f"EXPLAIN {query}", [names, [barangay.pk] * len(names)])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "SubPlan" not in plan and "Nested Loop Left Join" in plan, plan


def test_the_task_time_limit_follows_from_the_file_caps():
    """The largest file the upload accepts can never run into the task's time limit: the
    limit is the file's worst case at a rate far below the measured one, with a margin."""
    from obcms.reports.views import MAX_IMPORT_BYTES

    assert imports.MAX_IMPORT_BYTES == MAX_IMPORT_BYTES
    worst = imports.worst_case_seconds(
        imports.MAX_IMPORT_BYTES, imports.MAX_ROWS, imports.MAX_EDITS
    )
    assert worst == (
        (imports.MAX_ROWS - imports.MAX_EDITS) / imports.SLOWEST_ROWS_PER_SECOND
        + imports.MAX_EDITS / imports.SLOWEST_EDITS_PER_SECOND
        + imports.MAX_IMPORT_BYTES / imports.SLOWEST_BYTES_PER_SECOND
    )
    soft, hard = imports.time_limits()
    assert tasks.process_import.soft_time_limit == soft >= 2 * worst
    assert tasks.process_import.time_limit == hard > soft
    # A message is not delivered again while its task may still run (Redis, by default).
    assert 2 * django_settings.CELERY_TASK_TIME_LIMIT + 60 > 2 * hard
