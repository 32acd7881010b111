"""CSV import of communities: every valid row is saved, every bad one is reported by line.

The file must be UTF-8 CSV with a header row: ``name`` and ``barangay_psgc``, then any column of
the profile named as in an export (an export re-imports as it is; its other columns, such as
``id`` or ``region``, are ignored). Choices are given by label or code, in any case; an empty
cell is "unknown". Cells starting like a formula are refused: a file that came from a
spreadsheet may carry one, and it would be exported again later.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    transaction,
)

from obcms.communities.models import Community
from obcms.db.planner import analyze
from obcms.geography.models import Barangay
from obcms.reports.spreadsheets import FORMULA_START, PROFILE_COLUMNS, RELATIONS

REQUIRED = ("name", "barangay_psgc")
OPTIONAL = (*PROFILE_COLUMNS, *RELATIONS, "verification")
MAX_ROWS = 20_000
logger = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    errors: list[dict] = field(default_factory=list)


MAX_CELL = 10_000  # characters; longer is a pasted document, not a profile value
BATCH = 100  # rows committed together with the job's progress


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
    return outcome


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
    terms = {
        name: {
            t.name.lower(): t for t in Community._meta.get_field(name).related_model.objects.all()
        }
        for name in RELATIONS
    }
    for first in range(start, len(rows), BATCH):
        with transaction.atomic():
            for index in range(first, min(first + BATCH, len(rows))):
                row = rows[index]
                errors = import_row_safely(row, terms, user)
                if errors:
                    number = index + 2  # line 1 is the header
                    name = row.get("name", "")[:100].replace("\x00", "")
                    outcome.errors.append({"row": number, "name": name, "errors": errors})
                else:
                    outcome.created += 1
            checkpoint(min(first + BATCH, len(rows)))
    if outcome.created:
        analyze(Community)  # an import may double the table; plan the next pages on it


def import_row_safely(row: dict[str, str], terms: dict[str, dict], user) -> dict[str, list[str]]:
    """One row in its own savepoint: whatever goes wrong with it (short of an outage, which
    the job retries) is that row's problem, reported, and the next row goes on."""
    try:
        with transaction.atomic():
            return import_row(row, terms, user)
    except (DatabaseError, ValueError, TypeError, ArithmeticError) as exc:
        if isinstance(exc, (OperationalError, InterfaceError)):
            raise  # an outage, not this row: the job retries
        logger.warning("import: row refused by %s", type(exc).__name__)
        return {"row": [f"could not be saved ({type(exc).__name__}); check its values"]}


def parse(name: str, value: str) -> object:
    """One cell as the profile field ``name`` takes it; ValueError says what was expected."""
    model_field = Community._meta.get_field(name)
    if model_field.choices:
        for code, label in model_field.choices:
            if value.lower() in (str(code).lower(), str(label).lower()):
                return code
        labels = ", ".join(str(label) for _, label in model_field.choices)
        raise ValueError(f"{value[:40]!r} is not one of: {labels}")
    kind = model_field.get_internal_type()
    if kind == "PositiveIntegerField":
        digits = value.replace(",", "").replace(" ", "")
        if not (digits.isascii() and digits.isdigit()):  # '²' is a digit to isdigit()
            raise ValueError(f"expected a whole number, got {value[:20]!r}")
        return int(digits)
    if kind == "DecimalField":
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(
                f"expected decimal degrees such as 7.8251, got {value[:20]!r}"
            ) from None
    return value


def import_row(row: dict[str, str], terms: dict[str, dict], user) -> dict[str, list[str]]:
    """Save one row as a community; return the problems by column (empty when saved)."""
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
        elif value.startswith(FORMULA_START):
            errors.setdefault(column, []).append(
                f"starts with {value[0]!r}: formulas are not accepted"
            )
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
    for column in (*PROFILE_COLUMNS, "verification"):
        value = row.get(column, "")
        if value:
            try:
                setattr(community, column, parse(column, value))
            except ValueError as exc:
                errors[column] = [str(exc)]
    chosen: dict[str, list] = {}
    for column in RELATIONS:
        chosen[column] = []
        for name in filter(None, (n.strip() for n in row.get(column, "").split(","))):
            if name.lower() in terms[column]:
                chosen[column].append(terms[column][name.lower()])
            else:
                kind = Community._meta.get_field(column).related_model._meta.verbose_name
                errors.setdefault(column, []).append(f"unknown {kind} {name!r}")
    if errors:
        return errors
    try:
        community.full_clean()
        with transaction.atomic():
            community.save()
            for column, items in chosen.items():
                getattr(community, column).set(items)
    except ValidationError as exc:
        return {key: list(messages) for key, messages in exc.message_dict.items()}
    except IntegrityError:
        return {"name": ["a community with this name is already registered in this barangay"]}
    return {}
