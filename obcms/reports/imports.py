"""CSV import of communities: every valid row is saved, every bad one is reported by line.

The file must be UTF-8 CSV with a header row: ``name`` and ``barangay_psgc``, then any column of
the profile named as in an export (an export's place names, such as ``region``, are not read:
the PSGC code places the community). A row whose ``id`` names a community edits that one, as
its page's form does (``update_row``: the same checks, the history an edit); a row without an
id adds a community; an id that names none is reported. Choices are given by label or code, in
any case; an empty cell is "unknown". Cells starting like a formula are refused: a file that
came from a spreadsheet may carry one, and it would be exported again later.

Rows go in batches of BATCH (class Batch): each row is checked as ``import_row`` checks it on
its own (the same messages), with the database asked a fixed number of times per batch; the
good rows, their terms and their history are written with COPY, committed with the job's
progress. The checks that need no query run in a thread, a batch ahead: the next batch is
checked while this one is written and committed. ``import_row`` stays the reference, and the
path of a row the database refuses. Rows with an id are edited one by one after the batch's new
rows, each in its savepoint.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import itertools
import logging
import math
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models.base import ModelState
from django.forms.models import model_to_dict
from django.utils import translation

from obcms.communities.forms import CommunityForm
from obcms.communities.models import Community
from obcms.db import bulk
from obcms.db.planner import analyze
from obcms.geography.models import Barangay, Municipality
from obcms.records import history
from obcms.reports.spreadsheets import FORMULA_START, PROFILE_COLUMNS, RELATIONS

REQUIRED = ("name", "barangay_psgc")
OPTIONAL = (*PROFILE_COLUMNS, *RELATIONS, "verification")
# The largest file the upload accepts, and the most rows it may hold.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Rows with an id edit their community one by one, through its edit form (some twenty queries
# each: 24 to 36 a second measured on PostgreSQL with the 2 cores loaded four deep, 108 for
# rows that change nothing), so a file holds fewer of them.
MAX_EDITS = 300
# The task's time limits follow from those caps: the largest file's cost at a rate over four
# times below the slowest measured (bench/transfers.py: 900 rows a second with the 2 cores
# loaded eight deep by other work, 1,500 at a load of 2; edits three times below), doubled:
# 282 s soft, 312 s hard, under half the broker's visibility timeout (660 s). A slower
# database makes the biggest import slower, not a failed one.
SLOWEST_ROWS_PER_SECOND = 200
SLOWEST_EDITS_PER_SECOND = 8
SLOWEST_BYTES_PER_SECOND = 1024 * 1024  # reading, decoding and checking the cells
TIME_MARGIN = 2
TIME_TO_GIVE_UP = 30  # seconds between the soft limit and the hard one: the failure written
logger = logging.getLogger(__name__)
T = TypeVar("T")


class ImportRefused(Exception):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows with an id whose community already had every value
    errors: list[dict] = field(default_factory=list)


MAX_CELL = 10_000  # characters; longer is a pasted document, not a profile value
BATCH = 2000  # rows validated, saved and committed together with the job's progress


def summary(outcome: Outcome) -> str:
    """The import's outcome in a sentence: "3 of 5 row(s) imported: 1 added, 2 updated; ..."."""
    done = outcome.created + outcome.updated + outcome.unchanged
    parts = [f"{outcome.created} added"]
    if outcome.updated or outcome.unchanged:
        parts += [f"{outcome.updated} updated", f"{outcome.unchanged} unchanged"]
    return (
        f"{done} of {outcome.total} row(s) imported ({', '.join(parts)}); "
        f"{len(outcome.errors)} with problems."
    )


def worst_case_seconds(size: int, rows: int, edits: int = 0) -> float:
    """How long a file of ``size`` bytes and ``rows`` rows, ``edits`` of them with an id, may
    take at the slowest rates."""
    return (
        (rows - edits) / SLOWEST_ROWS_PER_SECOND
        + edits / SLOWEST_EDITS_PER_SECOND
        + size / SLOWEST_BYTES_PER_SECOND
    )


def time_limits() -> tuple[int, int]:
    """The import task's (soft, hard) time limits, from the caps of the file."""
    soft = math.ceil(TIME_MARGIN * worst_case_seconds(MAX_IMPORT_BYTES, MAX_ROWS, MAX_EDITS))
    return soft, soft + TIME_TO_GIVE_UP


def read_rows(raw: bytes) -> list[dict[str, str]]:
    """The file's rows by lower-case column. ImportRefused says, in one message, what makes
    the whole file unreadable and where."""
    if b"\x00" in raw[:4096]:
        raise ImportRefused(
            "This is not a CSV file (it contains binary data). Save the sheet "
            "as 'CSV UTF-8' and upload that."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            f"The file is not UTF-8 text (line {line}, byte {exc.start} cannot be read). "
            "Save it as 'CSV UTF-8' and upload it again."
        ) from exc
    # A cell may be as long as the file (the upload's limit); import_row reports long cells.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
        # Two columns of one name: DictReader keeps the last, silently; which did they mean?
        repeated = [name for name in dict.fromkeys(header) if name and header.count(name) > 1]
        if repeated:
            raise ImportRefused(
                f"The header row repeats the column(s) {', '.join(repeated)}: keep one of each "
                "(the one with the values you mean) and upload the file again."
            )
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise ImportRefused(
                f"Missing column(s): {', '.join(missing)}. Expected a header row with "
                f"{', '.join(REQUIRED)} and any of the profile's columns (as in a CSV export)."
            )
        reader.fieldnames = header
        rows = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ImportRefused(f"More than {MAX_ROWS} rows: split the file.")
            rows.append({k: (v or "").strip() for k, v in row.items() if k})
        edits = sum(1 for row in rows if row.get("id"))
        if edits > MAX_EDITS:
            raise ImportRefused(
                f"{edits:,} rows have an id: an import updates at most {MAX_EDITS} communities. "
                "Keep only the rows you changed (or export fewer communities, with the list's "
                "filters), or split the file."
            )
    except csv.Error as exc:
        raise ImportRefused(
            f"Line {reader.line_num} cannot be read as CSV ({exc}). Check its quotes, or save "
            "the sheet as 'CSV UTF-8' again."
        ) from exc
    return rows


def import_communities(raw: bytes, user, progress: Callable[[int, int], None]) -> Outcome:
    """Import a whole file at once (tests, the shell); the task resumes by batches instead."""
    rows = read_rows(raw)
    outcome = Outcome(total=len(rows))
    import_rows(rows, user, outcome, 0, lambda done: progress(done, outcome.total))
    if outcome.created:
        refresh_statistics()
    return outcome


def refresh_statistics() -> None:
    """An import may double the table: the next pages are planned on its new size. Run once
    the import is done (ANALYZE of the profile's 75 columns takes about a second), and
    only logged when it fails: autovacuum analyzes the table later anyway."""
    try:
        analyze(Community)
    except DatabaseError as exc:
        logger.warning("import: planner statistics not refreshed (%s)", type(exc).__name__)


def import_rows(
    rows: list[dict[str, str]],
    user,
    outcome: Outcome,
    start: int,
    checkpoint: Callable[[int], None],
) -> None:
    """Import ``rows[start:]`` into ``outcome``, committing every BATCH rows together with
    ``checkpoint(rows done)``, so that a run interrupted and started again resumes after the
    last commit: every row is saved once or reported once."""
    batch = Batch(user)
    bounds = [(first, min(first + BATCH, len(rows))) for first in range(start, len(rows), BATCH)]
    # The next batch is checked in a thread while this one is written and committed: the
    # checks are Python alone (no query), the writing mostly waits for the database.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-checks") as checker:
        ahead = None
        # Each batch with the one after it (None after the last; no batch at all for a file
        # of a header alone, or a resumed import that had committed every row).
        for (first, last), following in itertools.pairwise([*bounds, None]):
            with transaction.atomic():
                checked = (ahead or batch.check_soon(rows[first:last], checker)).result()
                if following:
                    ahead = batch.check_soon(rows[slice(*following)], checker)
                results = batch.write(rows[first:last], checked)
                for index, errors in enumerate(results, start=first):
                    if errors:
                        number = index + 2  # line 1 is the header
                        name = rows[index].get("name", "")[:100].replace("\x00", "")
                        outcome.errors.append({"row": number, "name": name, "errors": errors})
                    elif index - first not in batch.edited:
                        outcome.created += 1
                    elif batch.edited[index - first]:
                        outcome.updated += 1
                    else:
                        outcome.unchanged += 1
                checkpoint(last)


Checked = tuple[list[dict[str, list[str]]], list[tuple[int, Community, dict[str, list]]]]


def no_queries(*args: object) -> None:
    raise RuntimeError("the import's checks asked the database: they run in a thread of their own")


# Checked for the whole batch at once (the barangay found by its code, in the same
# transaction; the uploader once): Model.full_clean() would ask the database once per row.
FOUND = ("barangay", "municipality", "created_by")
NAME_CONSTRAINT = "unique_community_per_barangay"


class Batch:
    """Rows validated as import_row validates them, with the database asked a fixed number of
    times per batch instead of some fifteen times per row: the barangays in one query, the
    name-per-barangay constraint in one, then the new communities, their terms and their
    history written with COPY (obcms/db/bulk.py). The outcome of each row is the one
    import_row gives; a batch that the database still refuses (a row saved meanwhile by
    someone else) is split until the refused row goes through import_row alone."""

    def __init__(self, user) -> None:
        self.user = user
        self.terms: dict[str, dict[str, object]] = {}
        self.rank: dict[str, dict[int, int]] = {}  # term id -> place in the term's ordering
        for name in RELATIONS:
            ordered = list(Community._meta.get_field(name).related_model.objects.all())
            self.terms[name] = {t.name.lower(): t for t in ordered}
            self.rank[name] = {t.pk: place for place, t in enumerate(ordered)}
        self.barangays: dict[str, Barangay | None] = {}
        self.towns: dict[int, Municipality] = {}
        self.blank = Community(created_by=user)
        # A new community's values, copied for each row (new_community).
        self.values = {k: v for k, v in vars(self.blank).items() if k != "_state"}
        self.mutable = [k for k, v in self.values.items() if isinstance(v, (list, dict, set))]
        self.rows: list[dict[str, str]] = []
        self.results: list[dict[str, list[str]]] = []
        self.edited: dict[int, bool] = {}  # row with an id -> whether its community changed

    def check_soon(self, rows: list[dict[str, str]], checker: Executor) -> Future[Checked]:
        """Find the barangays of ``rows`` (a query, here), then check them with ``checker``."""
        cells = [cell_errors(row) for row in rows]
        self.load_barangays(row.get("barangay_psgc", "") for row, e in zip(rows, cells) if not e)  # noqa: B905
        language = translation.get_language()

        def apart() -> Checked:
            try:
                return self.check(rows, cells, language)
            finally:
                connection.close()  # the thread's own: opened only by a query, refused

        return checker.submit(apart)

    def check(
        self, rows: list[dict[str, str]], cells: list[dict[str, list[str]]], language: str | None
    ) -> Checked:
        """Each row read and checked as import_row does, short of what needs the database
        (the uploader, the constraint): (the problems of each row, the rows built). Python
        alone, so that it can run in a thread of its own (a query here is refused), in the
        caller's ``language``."""
        results: list[dict[str, list[str]]] = []
        built: list[tuple[int, Community, dict[str, list]]] = []
        with connection.execute_wrapper(no_queries), translation.override(language):
            for index, row in enumerate(rows):
                if cells[index] or row.get("id"):  # a row with an id is an edit: write()
                    results.append(cells[index])
                    continue
                try:
                    community, chosen, errors = self.build(row)
                except (ValueError, TypeError, ArithmeticError) as exc:
                    logger.warning("import: row refused by %s", type(exc).__name__)
                    results.append(refused(exc))
                    continue
                results.append(errors)
                if community is not None:  # read: full_clean's verdict so far
                    built.append((index, community, chosen))
        return results, built

    def write(self, rows: list[dict[str, str]], checked: Checked) -> list[dict[str, list[str]]]:
        """Finish the checks of ``rows`` (the uploader, then the constraint) and save the good
        ones: the problems of each row by column, in order (empty when the row was saved)."""
        self.rows, (self.results, built) = rows, checked
        for key, messages in self.uploader_errors().items():
            for index, _, _ in built:
                self.results[index].setdefault(key, []).extend(messages)
        new = self.check_constraint(built)
        if new:
            self.save(new)
        # The rows with an id, after the new ones: each edits its community as its page does.
        self.edited = {}
        for index, row in enumerate(rows):
            if row.get("id") and not self.results[index]:
                self.results[index], self.edited[index] = update_row_safely(
                    row, self.terms, self.user, self.barangays
                )
        return self.results

    def load_barangays(self, codes: Iterable[str]) -> None:
        wanted = {code for code in codes if code not in self.barangays}
        if not wanted:
            return
        self.barangays.update(dict.fromkeys(wanted))
        # Only what the checks and the history read of a barangay (its name), and each of
        # the few hundred towns once with its province (the history names a town "Town,
        # Province"): a town and province made for each barangay cost a twentieth of the
        # import's CPU.
        found = list(
            Barangay.objects.only("psgc_code", "name", "municipality_id").filter(
                psgc_code__in=wanted
            )
        )
        towns = {barangay.municipality_id for barangay in found} - self.towns.keys()
        if towns:
            self.towns.update(
                (town.pk, town)
                for town in Municipality.objects.select_related("province").filter(pk__in=towns)
            )
        for barangay in found:
            if self.barangays.get(barangay.psgc_code) is None:
                barangay.municipality = self.towns[barangay.municipality_id]
                self.barangays[barangay.psgc_code] = barangay

    def uploader_errors(self) -> dict[str, list[str]]:
        """What full_clean would say of ``created_by``: the uploader may have been deleted."""
        if self.user is None:
            return {}
        try:
            Community._meta.get_field("created_by").clean(self.user.pk, Community())
        except ValidationError as exc:
            return {"created_by": exc.messages}
        return {}

    def build(self, row: dict[str, str]) -> tuple:
        """(community, its terms, its problems) as import_row makes and checks it, short of
        the uploader and the constraint; community None when a cell could not even be read."""
        code = row.get("barangay_psgc", "")
        barangay = self.barangays.get(code)
        if barangay is None:
            return None, {}, {"barangay_psgc": [f"no barangay has PSGC code {code!r}"]}
        community = self.new_community()
        community.name = " ".join(row.get("name", "").split())
        community.barangay = barangay
        community.municipality = barangay.municipality
        chosen, errors = read_cells(community, row, self.terms)
        if errors:
            return None, {}, errors
        try:
            community.full_clean(exclude=FOUND, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = plain_problems(exc.message_dict, community)
        return community, chosen, errors

    def new_community(self) -> Community:
        """A new community with the uploader set, made as unpickling makes one (a copy of
        its values and a new state): Model.__init__ over the profile's 50 fields cost a fifth
        of the import, copy.copy still a twentieth. A mutable default (the list of missing
        fields) gets its own copy."""
        community = Community.__new__(Community)
        vars(community).update(self.values)
        for name in self.mutable:
            setattr(community, name, copy.copy(self.values[name]))
        community._state = ModelState()
        community._state.fields_cache = dict(self.blank._state.fields_cache)
        return community

    def check_constraint(self, built: list[tuple]) -> list[tuple]:
        """The name-per-barangay constraint of every built row in one query, as full_clean
        checks it row by row (its own ``lower()``; skipped when the name or the barangay
        already has a problem): a row whose name is taken, in the database or by an earlier
        good row of the file, gets the constraint's message. Returns the rows to save."""
        asked = [
            (index, community)
            for index, community, _ in built
            if not {"name", "barangay"} & self.results[index].keys()
        ]
        keys = dict(zip((i for i, _ in asked), taken_names(asked), strict=True))
        saving: set[tuple[str, int]] = set()
        new = []
        for index, community, chosen in built:
            errors = self.results[index]
            if index in keys:
                lowered, taken = keys[index]
                key = (lowered, community.barangay_id)
                if taken or key in saving:
                    errors.setdefault(ROW, []).append(taken_message(community))
                elif not errors:
                    saving.add(key)
            if not errors:
                new.append((index, community, chosen))
        return new

    def save(self, new: list[tuple]) -> None:
        """Insert ``new`` (communities, terms, history) in one savepoint; if the database
        refuses, halve until the refused row is found, which import_row then reports."""
        try:
            with transaction.atomic():
                insert_communities(new, self.rank)
        except DatabaseError as exc:
            if isinstance(exc, (OperationalError, InterfaceError)):
                raise  # an outage, not this row: the job retries
            if len(new) == 1:
                ((index, _, _),) = new
                self.results[index] = import_row_safely(self.rows[index], self.terms, self.user)
                return
            middle = len(new) // 2
            self.save(new[:middle])
            self.save(new[middle:])


# Whether a name is taken in its barangay, as the constraint compares names (the database's
# lower()); the table's name comes from the model, every value is a parameter.
TAKEN = (
    "SELECT lower(%s), EXISTS (SELECT 1 FROM {table} c WHERE lower(c.name) = lower(%s) "
    "AND c.barangay_id = %s)"
)
# The same for a batch on PostgreSQL, the rows as two arrays, each probing the constraint's
# index (LATERAL ... LIMIT 1): written as EXISTS, the planner hashed a scan of the whole table
# for 2,000 names instead (0.2 s a batch at 100,000 communities, growing with the table).
TAKEN_MANY = (
    "SELECT lower(v.name), t.found IS NOT NULL "
    "FROM unnest(%s::text[], %s::bigint[]) WITH ORDINALITY AS v(name, barangay, i) "
    "LEFT JOIN LATERAL (SELECT true AS found FROM {table} c WHERE lower(c.name) = lower(v.name) "
    "AND c.barangay_id = v.barangay LIMIT 1) t ON true ORDER BY v.i"
)


def taken_names(asked: list[tuple[int, Community]]) -> list[tuple[str, bool]]:
    """For each community: its name as the constraint compares it, and whether its barangay
    already has it. One query on PostgreSQL, one a row elsewhere (SQLite, for development)."""
    if not asked:
        return []
    table = connection.ops.quote_name(Community._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names, barangays = [c.name for _, c in asked], [c.barangay_id for _, c in asked]
            cursor.execute(TAKEN_MANY.format(table=table), [names, barangays])
            return cursor.fetchall()
        found = []
        for _, community in asked:
            name = community.name
            cursor.execute(TAKEN.format(table=table), [name, name, community.barangay_id])
            found.append(cursor.fetchone())
        return found


def insert_communities(new: list[tuple], rank: dict[str, dict[int, int]]) -> None:
    """The communities with their terms, and the history entries their save() and set() would
    have written (obcms/records/history.py), with COPY."""
    communities = [community for _, community, _ in new]
    for community in communities:
        community.place_in_municipality()  # what save() does
    bulk.insert(communities)
    added: list[dict[str, list]] = []
    for column in RELATIONS:
        field = Community._meta.get_field(column)
        through = field.remote_field.through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        bulk.insert_values(
            through,
            [
                {source: community.pk, target: pk}
                for _, community, chosen in new
                for pk in dict.fromkeys(term.pk for term in chosen[column])
            ],
        )
    for _, _, chosen in new:
        added.append(
            {
                column: sorted({t.pk: t for t in terms}.values(), key=lambda t: rank[column][t.pk])
                for column, terms in chosen.items()
            }
        )
    history.log_created(communities, added)


# A number a spreadsheet reads as a number, not a formula (-5, +12.5, -1,000): OWASP's CSV
# injection starts (=, +, -, @) matter when something other than a number follows.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)")


def cell_errors(row: dict[str, str]) -> dict[str, list[str]]:
    """Cells no column accepts: a NUL, a pasted document, a formula (a signed number is
    not one: its column's own checks speak of it)."""
    errors: dict[str, list[str]] = {}
    for column, value in row.items():
        if "\x00" in value:
            errors.setdefault(column, []).append(
                "contains a NUL character (\\x00): delete it or save the sheet as CSV again"
            )
        elif len(value) > MAX_CELL:
            errors.setdefault(column, []).append(
                f"is {len(value):,} characters long; at most {MAX_CELL:,} are accepted"
            )
        elif value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
            errors.setdefault(column, []).append(
                f"starts with {value[0]!r}: formulas are not accepted"
            )
    return errors


# The key of a row's problems that belong to no one column (Django's is "__all__", a name
# staff should never read): the page shows them as sentences, without a column.
ROW = "row"


def refused(exc: Exception) -> dict[str, list[str]]:
    return {ROW: [f"This row could not be saved ({type(exc).__name__}); check its values."]}


@functools.cache
def duplicate_message() -> str:
    """What Django says of a name taken in its barangay (the constraint's message)."""
    constraint = next(c for c in Community._meta.constraints if c.name == NAME_CONSTRAINT)
    return str(constraint.get_violation_error_message())


def taken_message(community: Community) -> str:
    """The name-per-barangay constraint, in a sentence that names the row's community."""
    barangay = community.barangay.name if community.barangay_id else "its barangay"
    hint = (
        ""
        if community.pk
        else " To update that community instead, give its id (as an export does)."
    )
    return (
        f"A community named {community.name!r} is already registered in barangay {barangay}; "
        f"a barangay has each name once.{hint}"
    )


def plain_problems(found: dict[str, list[str]], community: Community) -> dict[str, list[str]]:
    """Django's problems by field as the import reports them: those of no field under ROW,
    the constraint's in a sentence that names the community."""
    problems = {key: list(messages) for key, messages in found.items() if key != NON_FIELD_ERRORS}
    general = [
        taken_message(community) if message == duplicate_message() else message
        for message in found.get(NON_FIELD_ERRORS, ())
    ]
    if general:
        problems.setdefault(ROW, []).extend(general)
    return problems


def in_savepoint(work: Callable[[], T], what: str) -> tuple[T | None, dict[str, list[str]]]:
    """``work`` on one row, in its own savepoint: (its result, no problems), or (None, the
    row's problems). Whatever goes wrong with the row (short of an outage, which the job
    retries) is that row's problem, reported, and the next row goes on."""
    try:
        with transaction.atomic():
            return work(), {}
    except (DatabaseError, ValueError, TypeError, ArithmeticError) as exc:
        if isinstance(exc, (OperationalError, InterfaceError)):
            raise  # an outage, not this row: the job retries
        logger.warning("import: %s refused by %s", what, type(exc).__name__)
        return None, refused(exc)


def import_row_safely(row: dict[str, str], terms: dict[str, dict], user) -> dict[str, list[str]]:
    """import_row in its own savepoint (in_savepoint)."""
    errors, problems = in_savepoint(lambda: import_row(row, terms, user), "row")
    return problems or errors


CELLS = (*PROFILE_COLUMNS, "verification")  # the cells read into the community's fields


@functools.cache
def choice_codes(name: str) -> dict[str, object]:
    """The field's choices by code and by label, in any case; the first choice wins."""
    codes: dict[str, object] = {}
    for code, label in reversed(Community._meta.get_field(name).choices):
        codes[str(label).lower()] = code
        codes[str(code).lower()] = code
    return codes


@functools.cache
def kind_of(name: str) -> str:
    """How a cell of the field ``name`` is read: "choice", or the field's internal type."""
    model_field = Community._meta.get_field(name)
    return "choice" if model_field.choices else model_field.get_internal_type()


def parse(name: str, value: str) -> object:
    """One cell as the profile field ``name`` takes it; ValueError says what was expected."""
    kind = kind_of(name)
    if kind == "choice":
        codes = choice_codes(name)
        if value.lower() in codes:
            return codes[value.lower()]
        labels = ", ".join(str(label) for _, label in Community._meta.get_field(name).choices)
        raise ValueError(f"{value[:40]!r} is not one of: {labels}")
    if kind == "PositiveIntegerField":
        digits = value.replace(",", "").replace(" ", "")
        sign, digits = (-1, digits[1:]) if digits.startswith("-") else (1, digits.lstrip("+"))
        if not (digits.isascii() and digits.isdigit()):  # '²' is a digit to isdigit()
            raise ValueError(f"expected a whole number, got {value[:20]!r}")
        return sign * int(digits)  # below 0: the field's own check says so
    if kind == "DecimalField":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(
                f"expected decimal degrees such as 7.8251, got {value[:20]!r}"
            ) from None
        if not number.is_finite():  # Decimal reads nan, inf and Infinity too
            raise ValueError(
                f"{value[:20]!r} is not a number: expected decimal degrees such as 7.8251"
            )
        # Rounded to the places the column keeps (6 for degrees, about 10 cm), as the
        # database rounds (half away from zero): a GPS reading has more digits than that.
        step = Decimal(1).scaleb(-Community._meta.get_field(name).decimal_places)
        try:
            return number.quantize(step, rounding=ROUND_HALF_UP)
        except InvalidOperation:  # more digits than a Decimal holds: far out of any range
            raise ValueError(
                f"{value[:20]!r} is out of range: expected decimal degrees such as 7.8251"
            ) from None
    return value


def read_cells(
    community: Community, row: dict[str, str], terms: dict[str, dict]
) -> tuple[dict[str, list], dict[str, list[str]]]:
    """Set ``community``'s profile from the row's cells and find its terms by name: (the
    terms chosen by column, the cells that could not be read). The one reading of a row, for
    the batches and for import_row alike."""
    errors: dict[str, list[str]] = {}
    for column in CELLS:
        value = row.get(column, "")
        if value:
            try:
                setattr(community, column, parse(column, value))
            except ValueError as exc:
                errors[column] = [str(exc)]
    chosen: dict[str, list] = {}
    for column in RELATIONS:
        chosen[column], unknown = find_terms(column, row.get(column, ""), terms)
        if unknown:
            errors[column] = unknown
    return chosen, errors


def find_terms(column: str, cell: str, terms: dict[str, dict]) -> tuple[list, list[str]]:
    """The terms a cell names, comma-separated, in any case: (those found, the problems)."""
    found, unknown = [], []
    for name in filter(None, (n.strip() for n in cell.split(","))):
        if name.lower() in terms[column]:
            found.append(terms[column][name.lower()])
        else:
            kind = Community._meta.get_field(column).related_model._meta.verbose_name
            unknown.append(f"unknown {kind} {name!r}")
    return found, unknown


def import_row(row: dict[str, str], terms: dict[str, dict], user) -> dict[str, list[str]]:
    """Save one row as a community; return the problems by column (empty when saved)."""
    errors = cell_errors(row)
    if errors:
        return errors
    barangay = (
        # The province too: the history names the municipality with it ("Town, Province").
        Barangay.objects.select_related("municipality__province")
        .filter(psgc_code=row.get("barangay_psgc", ""))
        .first()
    )
    if barangay is None:
        return {"barangay_psgc": [f"no barangay has PSGC code {row.get('barangay_psgc')!r}"]}
    community = Community(
        name=" ".join(row.get("name", "").split()),
        barangay=barangay,
        municipality=barangay.municipality,
        created_by=user,
    )
    chosen, errors = read_cells(community, row, terms)
    if errors:
        return errors
    try:
        community.full_clean()
        with transaction.atomic():
            community.save()
            for column, items in chosen.items():
                getattr(community, column).set(items)
    except ValidationError as exc:
        return plain_problems(exc.message_dict, community)
    except IntegrityError:  # registered meanwhile, by someone else
        return {ROW: [taken_message(community)]}
    return {}


EDIT_PERMISSION = "communities.change_community"
# The form's place fields are one column of the file.
PLACE_COLUMN = {"municipality": "barangay_psgc", "barangay": "barangay_psgc"}
MAX_ID_DIGITS = 18  # a bigint holds 18 digits whatever they are


def update_row_safely(
    row: dict[str, str], terms: dict[str, dict], user, barangays: dict | None = None
) -> tuple[dict[str, list[str]], bool]:
    """update_row in its own savepoint (in_savepoint)."""
    outcome, problems = in_savepoint(lambda: update_row(row, terms, user, barangays), "edit")
    return (problems, False) if problems else outcome


def update_row(
    row: dict[str, str], terms: dict[str, dict], user, barangays: dict | None = None
) -> tuple[dict[str, list[str]], bool]:
    """A row with an id: that community edited as its page edits it (CommunityForm: the same
    checks, the same messages, the history an edit by the uploader). Each column of the file
    replaces the community's value (an empty cell: unknown); a column the file does not have
    leaves it as it is. A row that changes nothing is not checked again (nor saved): an
    export imported back is mostly such rows. ``barangays``: those the batch found by code.
    Returns (the problems by column, whether anything changed)."""
    errors = cell_errors(row)
    if errors:
        return errors, False
    key = row["id"]
    community = None
    if key.isascii() and key.isdigit() and len(key) <= MAX_ID_DIGITS:
        # Its terms once, for the form's values and the form's own initial ones.
        community = Community.objects.prefetch_related(*RELATIONS).filter(pk=int(key)).first()
    if community is None:
        return {
            "id": [
                f"no community has id {key[:20]!r}: leave the id empty to add this row as a new "
                "community"
            ]
        }, False
    if user is not None and not user.has_perm(EDIT_PERMISSION):
        return {"id": ["your role adds communities but does not edit them"]}, False
    if community.is_archived:
        return {"id": [f"community {key} is archived: an administrator restores it first"]}, False
    data, errors = form_data(community, row, terms, barangays or {})
    if errors:
        return errors, False
    form = CommunityForm(data, instance=community)
    if not form.has_changed():
        return {}, False
    if not form.is_valid():
        found: dict[str, list[str]] = {}
        for field_name, messages in form.errors.items():
            column = PLACE_COLUMN.get(field_name, field_name)
            found.setdefault(column, []).extend(
                m for m in messages if m not in found.get(column, ())
            )
        return plain_problems(found, form.instance), False
    form.save()  # auditlog records the edit, by the uploader, marked with the import
    return {}, True


def form_data(
    community: Community, row: dict[str, str], terms: dict[str, dict], barangays: dict
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """What the edit form of ``community`` would post with the row's cells typed in: (the
    data, the cells that could not be read)."""
    data: dict[str, object] = {}
    for name, value in model_to_dict(community, fields=CommunityForm._meta.fields).items():
        if name in RELATIONS:
            data[name] = [str(term.pk) for term in value]
        else:
            data[name] = "" if value is None else str(value)
    errors: dict[str, list[str]] = {}
    data["name"] = row.get("name", "")
    code = row.get("barangay_psgc", "")
    barangay = barangays.get(code) or Barangay.objects.filter(psgc_code=code).first()
    if barangay is None:
        errors["barangay_psgc"] = [f"no barangay has PSGC code {code!r}"]
    else:
        data["barangay"], data["municipality"] = str(barangay.pk), str(barangay.municipality_id)
    for column in CELLS:
        if column in row:
            try:
                data[column] = str(parse(column, row[column])) if row[column] else ""
            except ValueError as exc:
                errors[column] = [str(exc)]
    for column in RELATIONS:
        if column in row:
            found, unknown = find_terms(column, row[column], terms)
            data[column] = [str(term.pk) for term in found]
            if unknown:
                errors[column] = unknown
    return data, errors
