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

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import get_field_value, get_fields_in_model, model_instance_diff
from auditlog.models import LogEntry, _get_manager_from_settings
from auditlog.receivers import log_create
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models, router
from django.db.models import Q
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.text import capfirst

from obcms.db import bulk
from obcms.db.bulk import JsonText
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


def log_updated(
    records: Sequence[models.Model],
    before: Mapping[object, models.Model],
    fields: Sequence[str],
    actor: models.Model | None = None,
) -> list[LogEntry]:
    """The entries auditlog writes for ``record.save(update_fields=fields)`` of each record
    (``before``: pk -> the record as it was), by ``actor``, written at once: for changes
    written in bulk (``obcms.db.bulk.update``), which send no signals."""
    entries = []
    for record in records:
        changes = model_instance_diff(
            before[record.pk], record, fields_to_check=fields, use_json_for_changes=_json_changes()
        )
        if changes:
            entries.append(_entry_for(record, LogEntry.Action.UPDATE, changes, actor))
    return list(bulk.insert(entries))


def _json_changes() -> bool:
    """Read at call time, as auditlog's receivers read it."""
    return settings.AUDITLOG_STORE_JSON_CHANGES


def links_in_order(
    records: Sequence[models.Model], m2m: Mapping[str, Mapping[object, Iterable[object]]]
) -> list[dict[str, list[models.Model]]]:
    """``m2m`` (field name -> record pk -> related pks) as ``log_created`` takes it: for each
    record, its related records in the order auditlog names them, their model's default order
    (auditlog reads them with one query per change; here one per field for all)."""
    added: list[dict[str, list[models.Model]]] = [{} for _ in records]
    for name, chosen in m2m.items():
        field = type(records[0])._meta.get_field(name)
        manager = _get_manager_from_settings(field.related_model)
        wanted = {pk for pks in chosen.values() for pk in pks}
        found = {obj.pk: obj for obj in manager.filter(pk__in=wanted)}
        rank = {pk: index for index, pk in enumerate(found)}
        for index, record in enumerate(records):
            pks = set(chosen.get(record.pk, ()))
            added[index][name] = [found[pk] for pk in sorted(pks, key=rank.__getitem__)]
    return added


def _entry_for(
    record: models.Model, action: int, changes: dict, actor: models.Model | None = None
) -> LogEntry:
    """A LogEntry filled as ``LogEntry.objects.log_create`` and ``set_actor`` fill it."""
    pk = record.pk
    additional = getattr(record, "get_additional_data", None)
    return LogEntry(
        content_type=ContentType.objects.get_for_model(record),
        object_pk=str(pk),
        object_id=pk if isinstance(pk, int) else None,
        object_repr=smart_str(record),
        serialized_data=LogEntry.objects._get_serialized_data_or_none(record),
        action=action,
        changes=changes,
        additional_data=additional() if callable(additional) else None,
        cid=get_cid(),
        actor=actor,
        actor_email=getattr(actor, "email", None) if actor is not None else None,
    )


def updates_of(model: type[models.Model]) -> models.QuerySet[LogEntry]:
    """The entries of edits to ``model``'s records (not their creation or deletion), for
    figures over time: ``object_id`` is the record, ``changes`` maps each changed field to
    ``[before, after]`` and ``timestamp`` says when."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), action=LogEntry.Action.UPDATE
    )


def logged_values(model: type[models.Model], name: str, value: str) -> list[str]:
    """How ``value`` of the choice field ``name`` reads in entries: as auditlog stores it
    ("verified") and, in entries carried over from the old history, as its label
    ("Verified")."""
    label = dict(model._meta.get_field(name).flatchoices).get(value, value)
    return list(dict.fromkeys([str(value), str(label)]))


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


def log_created(
    records: Sequence[models.Model], added: Sequence[Mapping[str, Sequence[models.Model]]]
) -> None:
    """Write at once (COPY, obcms/db/bulk.py) the entries auditlog writes one INSERT at a time
    when each of ``records``, just inserted in bulk, is saved new (``created``) and then gets
    ``added[i]`` in its many-to-many fields (``{field: related records, in their order}``,
    as ``set()`` would add them). The same entries as its receivers make: the diff from
    nothing, the correlation id, the extra data of ``set_actor`` or ``set_extra_data`` (its
    ``pre_save`` receiver, sent an entry)."""
    if not records or auditlog_disabled.get():
        return
    model = type(records[0])
    if not auditlog.contains(model):
        return
    diff = _created_diff(model, records[0])
    if diff is None or pre_log.has_listeners(model) or post_log.has_listeners(model):
        _log_created_one_by_one(records, added)  # auditlog's own code for each entry
        return
    content_type = ContentType.objects.get_for_model(model)
    tracked = auditlog._registry[model]["m2m_fields"]
    # An added term's entry as JSON, up to its list: {name: {"type": "m2m", ..., "objects": [...]}}
    m2m = {name: f'{_quoted(name)}: {{"type": "m2m", "operation": "add", ' for name in tracked}
    # What the receivers of pre_save give an entry here (the actor, the import's mark): the
    # same for every entry while the import runs. Plus the defaults of the unset fields.
    prototype = LogEntry(content_type=content_type, cid=get_cid())
    pre_save.send(
        LogEntry,
        instance=prototype,
        raw=False,
        using=router.db_for_write(LogEntry),
        update_fields=None,
    )
    common = {f.attname: getattr(prototype, f.attname) for f in LogEntry._meta.concrete_fields}
    del common[LogEntry._meta.pk.attname]

    term_changes: dict[tuple, JsonText] = {}  # an added set of terms, by field and pks
    # One moment for the whole call: its records are written in one transaction, and the
    # history reads entries by (timestamp, pk), so that ties keep the order they were made in.
    now = timezone.now()

    def entries() -> Iterator[dict]:  # made while COPY stores the ones before
        for record, fields in zip(records, added, strict=True):
            own = {
                "object_pk": smart_str(record.pk),
                "object_id": record.pk if isinstance(record.pk, int) else None,
                "object_repr": smart_str(record),
            }
            get_additional_data = getattr(record, "get_additional_data", None)
            if callable(get_additional_data):
                own["additional_data"] = get_additional_data()
            changes = diff(record)
            if changes is not None:
                yield (
                    {
                        **common,
                        **own,
                        "action": LogEntry.Action.CREATE,
                        "changes": changes,
                        "timestamp": now,
                    }
                )
            for name, related in fields.items():
                if name in tracked and related:
                    # A few sets of terms recur over thousands of records: each written once.
                    key = (name, *(item.pk for item in related))
                    changes = term_changes.get(key)
                    if changes is None:
                        objects = json.dumps([smart_str(item) for item in related])
                        changes = JsonText(f'{{{m2m[name]}"objects": {objects}}}}}')
                        term_changes[key] = changes
                    yield (
                        {
                            **common,
                            **own,
                            "action": LogEntry.Action.UPDATE,
                            "changes": changes,
                            "timestamp": now,
                        }
                    )

    bulk.insert_values(LogEntry, entries())


PLAIN = frozenset({int, float, bool, Decimal, type(None)})
_quoted = json.encoder.encode_basestring_ascii  # a string as json.dumps writes it


def _created_diff(
    model: type[models.Model], example: models.Model
) -> Callable[[models.Model], JsonText | None] | None:
    """``model_instance_diff(None, record)`` for many new records of ``model``, as the JSON
    the entry stores: the fields chosen and the values "before" once, then per record what
    auditlog's get_field_value reads, taken straight for the fields it reads as
    ``smart_str(getattr())``, each written as ``json.dumps`` writes it. None when the
    settings ask for more (JSON changes, masked fields, serialized data): then auditlog's own."""
    chosen = auditlog.get_model_fields(model)
    serialized = auditlog.get_serialize_options(model)["serialize_data"]
    if settings.AUDITLOG_STORE_JSON_CHANGES or chosen["mask_fields"] or serialized:
        return None
    fields = set(get_fields_in_model(example))  # as model_instance_diff chooses them
    if chosen["include_fields"]:
        fields = {f for f in fields if f.name in chosen["include_fields"]}
    fields = [f for f in fields if f.name not in chosen["exclude_fields"]]
    before = {f.name: get_field_value(None, f) for f in fields}
    # Each field's change up to its new value: '"name": ["None", ' (as the diff shows "before").
    opening = {
        name: f"{_quoted(name)}: [{_quoted(smart_str(value))}, " for name, value in before.items()
    }
    simple = (models.DateTimeField, models.JSONField)
    direct = {f.name: f for f in fields if f.concrete and not isinstance(f, simple)}
    other = [f for f in fields if f.concrete and isinstance(f, simple)]
    # A reverse relation reads as its manager's name ("communities.Contact.None"), the same
    # for every record of the model.
    same = {f.name: get_field_value(example, f) for f in fields if not f.concrete}
    same_changes = [
        f"{opening[name]}{_quoted(smart_str(value))}]"
        for name, value in same.items()
        if before[name] != value
    ]

    def changes(record: models.Model) -> JsonText | None:
        diff = []
        for name, each in direct.items():
            try:
                value = getattr(record, name)
            except (ObjectDoesNotExist, AttributeError):
                value = get_field_value(record, each)
            if value.__class__ in PLAIN:
                value = str(value)  # what smart_str makes of them
            elif value.__class__ is not str:
                value = smart_str(value)
                if type(value).__name__ == "__proxy__":
                    value = str(value)
            if before[name] != value:
                diff.append(f"{opening[name]}{_quoted(value)}]")
        diff += same_changes
        for each in other:
            value = get_field_value(record, each)
            if before[each.name] != value:
                diff.append(f"{opening[each.name]}{_quoted(smart_str(value))}]")
        return JsonText(f"{{{', '.join(diff)}}}") if diff else None

    return changes


def _log_created_one_by_one(
    records: Sequence[models.Model], added: Sequence[Mapping[str, Sequence[models.Model]]]
) -> None:
    """What auditlog's receivers do for each record saved new and its terms added."""
    for record, fields in zip(records, added, strict=True):
        log_create(type(record), instance=record, created=True)
        for name, related in fields.items():
            if related and name in auditlog._registry[type(record)]["m2m_fields"]:
                LogEntry.objects.log_m2m_changes(related, record, "add", name)
