"""Who changed what, when, before and after: django-auditlog's one table of diffs, and the
history each record's page shows from it.

auditlog writes an entry on every save and delete of a tracked model (``{field: [old, new]}``)
and on every change of its many-to-many fields; the actor comes from the request
(AuditlogMiddleware: pages and the admin) or from ``auditlog.context.set_actor`` (background
work such as the CSV import, which also marks its entries ``import #<id>``).

A model adopts history with one line under it::

    history.track(Partner)
    history.track(Contact, part_of="community")  # shows on its community's page too

and its page shows ``history.entries_of(record)`` with ``includes/history.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from obcms.logs import request_id

IMPORT_MARK = "import #"  # cid prefix; a request id never contains a space or '#'
TRUNCATE = 300


def record_key(model: type[models.Model], pk: object) -> str:
    """How an entry names the record it belongs to: ``communities.community:12``."""
    return f"{model._meta.label_lower}:{pk}"


def track(
    model: type[models.Model],
    *,
    m2m_fields: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    part_of: str | None = None,
) -> None:
    """Record every change of ``model``. Timestamps that change on every save are left out;
    with ``part_of`` (a foreign key's name) its changes also show in the history of the
    record it belongs to, deleted ones included."""
    automatic = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)] + [
        f.name for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)
    ]
    if part_of:
        if hasattr(model, "get_additional_data"):
            raise TypeError(f"{model.__name__} has its own get_additional_data")
        parent_field = model._meta.get_field(part_of)

        def get_additional_data(self: models.Model) -> dict[str, str]:
            # auditlog stores this with each entry; entries_of(parent) finds it by this key.
            parent = parent_field.related_model
            return {"part_of": record_key(parent, getattr(self, parent_field.attname))}

        model.get_additional_data = get_additional_data
    auditlog.register(model, m2m_fields=set(m2m_fields), exclude_fields=[*automatic, *exclude])


def correlation_id() -> str | None:
    """AUDITLOG_CID_GETTER: an entry made by a request carries its request id (the one in
    the log lines), so an edit can be traced to its request."""
    current = request_id.get()
    return None if current == "-" else current


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    when: datetime
    who: str
    action: str  # created, changed, deleted
    what: str  # empty for the record itself, "Contact Datu Ali" for one of its parts
    source: str  # "import #12", or empty for pages and the admin
    changes: list[Change] = field(default_factory=list)


ACTIONS = {
    LogEntry.Action.CREATE: "created",
    LogEntry.Action.UPDATE: "changed",
    LogEntry.Action.DELETE: "deleted",
}


def entries_of(record: models.Model, limit: int = 50) -> list[Entry]:
    """The newest ``limit`` entries of ``record`` and of its parts, for its page: one query."""
    content_type = ContentType.objects.get_for_model(type(record))
    logged = (
        LogEntry.objects.filter(
            Q(content_type=content_type, object_id=record.pk)
            | Q(additional_data__part_of=record_key(type(record), record.pk))
        )
        .exclude(action=LogEntry.Action.ACCESS)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    return [_entry(log, own=log.content_type_id == content_type.pk) for log in logged]


def _entry(log: LogEntry, own: bool) -> Entry:
    model = log.content_type.model_class()
    changes = []
    if log.action == LogEntry.Action.UPDATE or not own:
        changes = [
            _change(model, name, values)
            for name, values in (log.changes or {}).items()
            if log.action == LogEntry.Action.UPDATE or _meaningful(values)
        ]
    action = ACTIONS.get(log.action, "changed")
    archive = (log.changes or {}).get("archived_at")
    if own and log.action == LogEntry.Action.UPDATE and isinstance(archive, list):
        # Archive and restore read as what they are, not as three fields changing.
        archived = archive[-1] not in (None, "None", "")
        action = "archived" if archived else "restored"
        reason = (log.changes.get("archive_reason") or ["", ""])[-1]
        changes = [Change("Reason", "", reason)] if archived and reason else []
    who = (
        (log.actor.get_full_name() or log.actor.get_username())
        if log.actor
        else (log.actor_email or "the system")
    )
    cid = log.cid or ""
    return Entry(
        when=log.timestamp,
        who=who,
        action=action,
        what=""
        if own
        else f"{capfirst(model._meta.verbose_name) if model else ''} {log.object_repr}".strip(),
        source=cid if cid.startswith(IMPORT_MARK) else "",
        changes=changes,
    )


def _meaningful(values: object) -> bool:
    """A created or deleted part lists only the fields it had."""
    if isinstance(values, list) and len(values) == 2:
        return any(v not in (None, "None", "") for v in values)
    return True


def _change(model: type[models.Model] | None, name: str, values: object) -> Change:
    try:
        model_field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:  # a field since retired (the yes/no services, for one)
        model_field = None
    label = (
        capfirst(str(model_field.verbose_name)) if model_field else capfirst(name.replace("_", " "))
    )
    if isinstance(values, dict) and values.get("type") == "m2m":
        objects = ", ".join(values.get("objects", []))
        verb = "removed" if values.get("operation") == "delete" else "added"
        return Change(label, "", f"{verb}: {objects}")
    before, after = [*values, None, None][:2] if isinstance(values, list) else (values, None)
    return Change(label, display(model_field, before), display(model_field, after))


def display(model_field: models.Field | None, value: object) -> str:
    """A stored value as people read it: choice labels, yes/no, a dash for nothing."""
    if value in (None, "None", ""):
        return "—"
    text = str(value)
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        # Entries carried over from the old history hold labels already: kept as they are.
        return str(dict((str(k), v) for k, v in choices).get(text, text))
    if text in ("True", "False") and not isinstance(model_field, models.CharField):
        return "yes" if text == "True" else "no"
    if isinstance(model_field, models.DateTimeField):
        try:  # auditlog stores them naive, in UTC
            moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError:
            return text
        return timezone.localtime(moment).strftime("%d %b %Y %H:%M")
    return text if len(text) <= TRUNCATE else text[:TRUNCATE] + "…"
